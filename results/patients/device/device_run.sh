#!/bin/bash
# Call 3 on the lent GPU: install the carried wheels, unpack the tiles, run the patient-fold grid.
# usage: bash .dev/c3/device_run.sh WORKERS MINUTES SEEDS ROWS...
set -o pipefail
W=$1; M=$2; SEEDS=$3; shift 3
T=$(mktemp -d); S=$T/stage; mkdir -p $S; cp -r .dev/c3/* $S/
t0=$(date +%s)
if [ -z "$SKIP_INSTALL" ]; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target $T/site $S/whl/*.whl || exit 1; fi
export PYTHONPATH=$T/site:$PWD PYTHONUNBUFFERED=1 MPLBACKEND=Agg
python3 $S/unpack.py $S $T/kather2016_png 2>&1 | tee $OUT/grid.log || exit 1
echo "setup $(( $(date +%s) - t0 )) s" | tee -a $OUT/grid.log
nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv 2>&1 | tee -a $OUT/grid.log
python3 tools/patient_grid.py --data $T/kather2016_png --nct $S/nct_crc_he_62 --out $OUT --workers $W --minutes $M --seeds $SEEDS --grace 40 --only "$@" 2>&1 | grep -v -E "Warning|warnings.warn" | tee -a $OUT/grid.log
nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv 2>&1 | tee -a $OUT/grid.log
