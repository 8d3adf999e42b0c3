#!/bin/bash
# Call 3 on the lent GPU: install the carried wheels, unpack the tiles, run the speed rows on both splits.
# usage: bash .dev/c3/device_run.sh WORKERS MINUTES ROWS...
set -o pipefail
W=$1; M=$2; shift 2
T=$(mktemp -d); S=$T/stage; mkdir -p $S; cp -r .dev/c3/* $S/
t0=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target $T/site $S/whl/*.whl || exit 1
export PYTHONPATH=$T/site:$PWD PYTHONUNBUFFERED=1 MPLBACKEND=Agg
python3 $S/unpack.py $S $T/kather2016_png 2>&1 | tee $OUT/grid.log || exit 1
echo "setup $(( $(date +%s) - t0 )) s" | tee -a $OUT/grid.log
nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv 2>&1 | tee -a $OUT/grid.log
python3 tools/patient_grid.py --data $T/kather2016_png --nct $S/nct_crc_he_62 --out $OUT --workers $W --minutes $M --seeds 2 --fold-seeds 2 \
    --splitters random patient --grace 20 --only "$@" 2>&1 | grep -v -E "Warning|warnings.warn" | tee -a $OUT/grid.log
nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv 2>&1 | tee -a $OUT/grid.log
