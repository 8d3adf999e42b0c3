#!/usr/bin/env python
"""How long one adaptation takes on this CPU, with nothing else running: the adapt chapter's default (fold 3's model,
16 annotated tiles per class of patient CRC-Prim-HE-08 drawn from the annotation regions, 400 replayed tiles of the
fold's training patients, 4 unfrozen epochs), three times, with the CPU class. Appends to results/adapt/timing.jsonl.
Usage: python tools/adapt_timing.py --parent runs/adapt_parents/fold3/model"""
import argparse, json, time
from pathlib import Path
from crc_histo.adapt import fold_patients, adapt_tiles, pick_tiles, region_split
from crc_histo.bench import cpu_line, cpu_summary
from crc_histo.core import tile_files
from crc_histo.data import resolve_data
from crc_histo.train import replay_files

if __name__ == '__main__':
    P = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    P.add_argument('--parent', required=True); P.add_argument('--out', default='results/adapt/timing.jsonl')
    P.add_argument('--k', type=int, default=16); P.add_argument('--runs', type=int, default=3)
    a = P.parse_args()
    trn, held = fold_patients(tile_files(resolve_data('kather2016')), 3)
    pool, _ = region_split(held['CRC-Prim-HE-08'])
    tiles, rep = pick_tiles(pool, a.k), replay_files(trn, 400)
    for i in range(a.runs):
        t0 = time.perf_counter()
        _, m = adapt_tiles(a.parent, tiles, rep)
        row = dict(k=a.k, tiles=len(tiles), replay=len(rep), epochs=len(m['epochs']), train_seconds=m['train_seconds'], wall_seconds=time.perf_counter() - t0,
                   precision=m['precision'], cpu=cpu_line(cpu_summary()), date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()))
        print(json.dumps(row), flush=True)
        with open(a.out, 'a') as f: f.write(json.dumps(row) + '\n')
