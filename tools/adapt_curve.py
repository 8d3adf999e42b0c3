#!/usr/bin/env python
"""The adaptation curve of the adapt chapter (nbs/17_adapt.ipynb): adapt each patient fold's model to k annotated tiles
per class of each held-out patient, and score the patient's other tiles.

For each fold it first trains the fold's model where PARENTS/foldK/model is missing (the recommended recipe, as
`crc-histo train --data kather2016 --splitter patient --fold K --out PARENTS/foldK`), then runs the plan for the fold's
two held-out patients, appending a line per run to OUT/results.jsonl (runs already there are skipped: rerun to resume).
--plan full is the whole grid (fold 3 by default); headline is region hold-out at k = 4, 16, 64 with replay and k = 16
without; others is the margin's picking and the random-tile protocol; retrain is the recipe trained again from ImageNet
with k = 16 tiles mixed in (about ten minutes a run on two AVX2 cores). Usage:
  python tools/adapt_curve.py --folds 3 --plan full && python tools/adapt_curve.py --folds 0 1 2 4 --plan headline
  python tools/adapt_curve.py --folds 0 1 2 4 --plan others && python tools/adapt_curve.py --folds 3 --plan retrain"""
import argparse, json, time
from pathlib import Path
from crc_histo.adapt import adaptation_study
from crc_histo.bench import cpu_line, cpu_summary
from crc_histo.export import save_model
from crc_histo.train import train

def plans(name):
    region = [dict(protocol='region', k=0), *(dict(protocol='region', k=k, replay=True) for k in (4, 16)), dict(protocol='region', k=16),
              dict(protocol='region', k=64, replay=True)]
    if name == 'headline': return region
    others = [dict(protocol='region', how='margin', k=k, replay=True) for k in (4, 16)] + \
        [dict(protocol='random', k=0), *(dict(protocol='random', k=k, replay=True) for k in (4, 16))]
    if name == 'others': return others
    if name == 'retrain': return [dict(protocol='region', k=16, start='imagenet')]
    return region + [dict(protocol='region', k=k) for k in (4, 64)] + \
        [dict(protocol='region', how='margin', k=k, replay=True) for k in (4, 16)] + \
        [dict(protocol='region', k=16, replay=True, seed=43), dict(protocol='region', k=16, replay=True, settings=dict(epochs=8)),
         dict(protocol='region', k=16, replay=True, settings=dict(epochs=2))] + \
        [dict(protocol='random', k=0), *(dict(protocol='random', k=k, replay=True) for k in (4, 16))]

def parent(parents, fold, data, out):
    "The fold's model folder, trained first if missing; its training record goes to OUT/folds/."
    folder = Path(parents)/f'fold{fold}'
    if not (folder/'model'/'model.safetensors').is_file():
        t0 = time.time()
        learn, m = train(data, folder, splitter='patient', fold=fold)
        save_model(learn, folder/'model', meta=dict(learn.crc_meta, training={k: m[k] for k in ('accuracy', 'per_class_accuracy', 'split', 'phases', 'seed', 'train_bn', 'freeze_stem', 'label_smoothing', 'aug', 'stain', 'train_seconds')}))
        rec = {k: m[k] for k in ('accuracy', 'train_seconds', 'precision', 'freeze_stem', 'seed')}
        (Path(out)/'folds').mkdir(parents=True, exist_ok=True)
        (Path(out)/'folds'/f'fold{fold}.json').write_text(json.dumps(dict(rec, fold=fold, command=f'crc-histo train --data kather2016 --splitter patient --fold {fold}',
                                                                       cpu=cpu_line(cpu_summary()), wall_seconds=time.time() - t0), indent=1))
    return folder/'model'

if __name__ == '__main__':
    P = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    P.add_argument('--data', default='kather2016'); P.add_argument('--out', default='results/adapt')
    P.add_argument('--parents', default='runs/adapt_parents', help='folder of the fold models (foldK/model)')
    P.add_argument('--folds', type=int, nargs='+', default=[3]); P.add_argument('--plan', choices=['full', 'headline', 'others', 'retrain'], default='full')
    a = P.parse_args()
    Path(a.out).mkdir(parents=True, exist_ok=True)
    with open(Path(a.out)/'machine.txt', 'a') as f: f.write(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} folds {a.folds} plan {a.plan}: {cpu_line(cpu_summary())}\n")
    for fold in a.folds:
        adaptation_study(a.data, {fold: parent(a.parents, fold, a.data, a.out)}, a.out, plans(a.plan), log=lambda s: print(s, flush=True))
