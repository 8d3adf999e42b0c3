#!/usr/bin/env bash
# The AdaBN measurements of results/adabn/shipped_model.md: the shipped model evaluated with and without --adapt-bn on
# the 62 NCT-CRC-HE tiles, on its card's 1000 validation tiles, and on skewed subsets of those validation tiles
# (symlinks in a temporary folder; nothing is written into the data). Run from the repository root, on a shared host
# under nice. Usage: results/adabn/run.sh /path/to/shared/data > results/adabn/run_output.txt 2>&1
set -u
data=${1:-../shared/data}
tmp=$(mktemp -d)
export CRC_HISTO_DATA=$data
python - "$data" "$tmp" <<'PY'
import json, sys
from pathlib import Path
from crc_histo.data import validation_files
data, tmp = Path(sys.argv[1]), Path(sys.argv[2])
vf = validation_files(data/'kather2016_png')  # the card's split: random, 20 %, seed 42
for name, keep in (('tumour', ['01_TUMOR']), ('tumour_stroma', ['01_TUMOR', '02_STROMA'])):
    for f in vf:
        if f.parent.name in keep:
            (tmp/name/f.parent.name).mkdir(parents=True, exist_ok=True)
            (tmp/name/f.parent.name/f.name).symlink_to(f.resolve())
    (tmp/f'{name}.json').write_text(json.dumps({c: c for c in keep}))
    print(name, {c: len(list((tmp/name/c).iterdir())) for c in keep})
PY
run() { echo; echo "\$ $*"; local t=$(date +%s.%N); nice -n 10 "$@"; echo "(exit $?, $(python -c "print(f'{$(date +%s.%N)-$t:.0f}')") s)"; }
date -u; nproc; uptime
run crc-histo evaluate mobilenet_v2-kather2016 --data "$data/nct_crc_he_62" --class-map nct
run crc-histo evaluate mobilenet_v2-kather2016 --data "$data/nct_crc_he_62" --class-map nct --adapt-bn
run crc-histo evaluate mobilenet_v2-kather2016 --data kather2016 --engine eager
run crc-histo evaluate mobilenet_v2-kather2016 --data kather2016 --adapt-bn
for name in tumour tumour_stroma; do
  run crc-histo evaluate mobilenet_v2-kather2016 --data "$tmp/$name" --class-map "$tmp/$name.json"
  run crc-histo evaluate mobilenet_v2-kather2016 --data "$tmp/$name" --class-map "$tmp/$name.json" --adapt-bn
done
for flag in "" --adapt-bn; do  # where the tumour tiles go: the predicted tissue of the 134, counted
  run crc-histo predict mobilenet_v2-kather2016 "$tmp/tumour" $flag --quiet --csv "$tmp/tumour.csv"
  python -c "import pandas as pd; print(pd.read_csv('$tmp/tumour.csv').tissue.value_counts().to_string())"
done
uptime; date -u
rm -rf "$tmp"
