#!/usr/bin/env python
"""Issue 22, item 3: what a frozen stem saves per training step on this CPU. The recommended recipe's unfrozen step
(MobileNetV2, fast path, 150 px, batch 64, `precision auto`) with the whole body training and with `freeze_stem=4`
(`bench.bench_train_phase`, phases 'unfrozen' and 'unfrozen_stem'), three rounds, each case in its own process (`bench.run_isolated`), timed by `bench._time_train`
(data loading included). Prints the CPU class, tiles/s, and the frozen stem's rate as a multiple of the plain
unfrozen step's in the same round. Usage: python tools/stem_speed.py [DATA] [ROUNDS]   (DATA: 'kather2016', at least 800 tiles; ROUNDS: 3)"""
import os, sys
from crc_histo.bench import bench_train_phase, cpu_line, cpu_summary, run_isolated
from crc_histo.data import resolve_data

def quiet(fn, **kwargs):
    "`run_isolated(fn, **kwargs)` with the child's output (fastai's progress bars) sent to /dev/null."
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try: return run_isolated(fn, **kwargs)
    finally: os.dup2(saved, 1); os.close(null); os.close(saved)

def main():
    data, rounds = resolve_data(sys.argv[1] if len(sys.argv) > 1 else 'kather2016'), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(cpu_line(cpu_summary()), flush=True)
    print("| round | unfrozen, whole body (tiles/s) | unfrozen, freeze_stem=4 (tiles/s) | x whole body |\n|---|---|---|---|", flush=True)
    for r in range(rounds):
        rate = {p: quiet(bench_train_phase, data=data, phase=p, n_batches=8, warmup=2)['tiles_per_s'] for p in ('unfrozen', 'unfrozen_stem')}
        print(f"| {r+1} | {rate['unfrozen']:.1f} | {rate['unfrozen_stem']:.1f} | {rate['unfrozen_stem']/rate['unfrozen']:.2f} |", flush=True)

if __name__ == '__main__':
    from crc_histo.core import CrcHistoError
    try: main()
    except CrcHistoError as e: sys.exit(f"{e} (the tool times 10 batches of 64 training tiles: DATA needs at least 800 tiles)")
