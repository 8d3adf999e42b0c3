#!/usr/bin/env python
"""The patient-fold study (`crc-histo reproduce --study patients`) in several worker processes sharing one GPU, with
the scores issue 24 asks for beside each run's accuracy: dihedral TTA, test-time BatchNorm adaptation (AdaBN, on
the held-out patients' tiles) and the external NCT-CRC-HE check, plus each run's probabilities (for ensembles).

    python tools/patient_grid.py --data DIR --nct DIR --out DIR [--workers 12] [--minutes 8] [--seeds 2]
                                 [--only recommended randstain ...] [--quick]
                                 [--splitters random patient] [--fold-seeds 1]

Runs are taken random-split runs first, then in plan order (seed-major, then the rows as given, then folds); a worker starts a run only when its
slowest run so far still fits before the deadline. Every 20 s, and at the end, the workers' lines are merged into
OUT/results.jsonl; OUT/probs.npz holds the probabilities; OUT/grid.log the log. The training is `train`'s, unchanged:
the tool only adds the scores after it.
"""
import argparse, hashlib, io, json, os, subprocess, sys, time, warnings
from pathlib import Path
import numpy as np

def _scores(learn, nct_x, nct_y):
    "Accuracy plain, with dihedral TTA and after AdaBN on the validation tiles, and the NCT check (plain); the probabilities."
    import torch
    from crc_histo.evaluate import tta_preds
    from crc_histo.domain import adapt_bn
    probs, targs = learn.get_preds(ds_idx=1)
    tta, _ = tta_preds(learn)
    dev = next(learn.model.parameters()).device
    xs = [xb for xb, _ in learn.dls.valid]
    ad = adapt_bn(learn.model, xs)
    with torch.no_grad(): adabn = torch.cat([ad(xb).float().softmax(1).cpu() for xb in xs])
    out = dict(valid_targs=targs.numpy().astype(np.int8), plain=probs.numpy(), tta=tta.numpy(), adabn=adabn.numpy())
    if nct_x is not None:
        from fastai.torch_core import TensorImage
        learn.model.eval()
        with torch.no_grad():
            xb = learn.dls.valid.after_batch(TensorImage(nct_x.to(dev)))
            out['nct'] = learn.model(xb).float().softmax(1).cpu().numpy()
        out['nct_targs'] = nct_y
    acc = lambda p, t: float((p.argmax(1) == t).mean())
    t = out['valid_targs']
    res = dict(acc_plain=acc(out['plain'], t), acc_tta=acc(out['tta'], t), acc_adabn=acc(out['adabn'], t))
    if 'nct' in out: res['nct_acc'] = acc(out['nct'], nct_y)
    return res, out

def _nct(nct_dir, classes):
    "The NCT tiles as `crc-histo evaluate --class-map nct` reads them: brought to the model's scale, the central 150 px; targets as Kather classes."
    import torch
    from crc_histo.core import cohorts, tile_files, tile_label
    from crc_histo.inference import _load_tile, class_maps
    if nct_dir is None: return None, None
    fs = [f for f in tile_files(nct_dir) if class_maps['nct'].get(tile_label(f))]
    scale = cohorts['nct-crc-he'].mpp / cohorts['kather2016'].mpp
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        x = np.stack([_load_tile(f, 150, 150, scale)[0] for f in fs]).transpose(0, 3, 1, 2)
    y = np.array([classes.index(class_maps['nct'][tile_label(f)]) for f in fs])
    return torch.from_numpy(np.ascontiguousarray(x)), y

def worker(a):
    import torch
    from fastai.learner import defaults
    from fastai.callback.progress import ProgressCallback
    defaults.callbacks = [c for c in defaults.callbacks if c is not ProgressCallback]  # no progress bars in the log
    from crc_histo.train import train
    from crc_histo.reproduce import plan_runs, _result_line
    from crc_histo.core import class_folders
    i, n = map(int, a.worker.split('/'))
    wdir = Path(a.tmp)/f'w{i}'; wdir.mkdir(parents=True, exist_ok=True)
    runs = plan_runs(a.only, a.seeds, splitters=tuple(a.splitters), study='patients', quick=a.quick, folds=a.folds, cache_dir=None if a.quick else a.cache)
    runs = [r for r in runs if r['train_kwargs']['splitter'] == 'random' or r['train_kwargs']['seed'] < 42 + a.fold_seeds]
    runs = sorted(runs, key=lambda r: (r['train_kwargs']['splitter'] != 'random', r['train_kwargs']['seed']))[i::n]  # every seed's random-split run first
    nct_x, nct_y = _nct(a.nct, list(class_folders))
    slowest = a.first_guess
    for run in runs:
        if time.time() + slowest > a.deadline: print(f"w{i}: stop before {run['key']} (deadline)", flush=True); break
        t0 = time.time()
        kw = dict(run['train_kwargs']); kw.setdefault('data', a.data)
        try:
            learn, m = train(out=None, **kw)
            sc, probs = _scores(learn, nct_x, nct_y)
        except Exception as e:
            print(f"w{i}: {run['key']} failed: {type(e).__name__}: {e}", flush=True)
            with open(wdir/'failed.jsonl', 'a') as f: f.write(json.dumps(dict(key=run['key'], error=f"{type(e).__name__}: {e}")) + '\n')
            continue
        names = sorted(str(Path(f).name) for f in learn.dls.valid_ds.items)
        line = dict(_result_line(run, m), **sc, valid_sha=hashlib.sha1('\n'.join(names).encode()).hexdigest()[:12],
                    wall_seconds=time.time() - t0, worker=i)
        np.savez_compressed(wdir/(run['key'].replace('|', '_') + '.npz'), **{k: (v.astype(np.float16) if v.dtype.kind == 'f' else v) for k, v in probs.items()},
                            valid_names=np.array([str(Path(f).name) for f in learn.dls.valid_ds.items]))
        with open(wdir/'results.jsonl', 'a') as f: f.write(json.dumps(line) + '\n')
        slowest = max(slowest if slowest != a.first_guess else 0, time.time() - t0)
        print(f"w{i}: {run['key']} plain {sc['acc_plain']:.4f} tta {sc['acc_tta']:.4f} adabn {sc['acc_adabn']:.4f} "
              f"nct {sc.get('nct_acc', float('nan')):.3f} in {time.time()-t0:.0f} s", flush=True)
        del learn; torch.cuda.empty_cache() if torch.cuda.is_available() else None

def merge(tmp, out):
    lines = []
    for w in sorted(Path(tmp).glob('w*')):
        for fn in ('results.jsonl', 'failed.jsonl'):
            if (w/fn).exists(): lines += [(fn, l) for l in (w/fn).read_text().splitlines() if l.strip()]
    (out/'results.tmp').write_text(''.join(l + '\n' for fn, l in lines if fn == 'results.jsonl')); os.replace(out/'results.tmp', out/'results.jsonl')
    fails = [l for fn, l in lines if fn == 'failed.jsonl']
    if fails: (out/'failed.jsonl').write_text('\n'.join(fails) + '\n')
    arrs = {}
    for f in sorted(Path(tmp).glob('w*/*.npz')):
        with np.load(f) as z:
            for k in z.files: arrs[f'{f.stem}/{k}'] = z[k]
    if arrs:
        buf = io.BytesIO(); np.savez_compressed(buf, **arrs)
        (out/'probs.tmp').write_bytes(buf.getvalue()); os.replace(out/'probs.tmp', out/'probs.npz')
    return sum(fn == 'results.jsonl' for fn, _ in lines)

def main(a):
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    deadline = t_start + 60*a.minutes
    if not a.quick:  # decode the tiles once, before the workers read the cache
        from crc_histo.core import find_cohort
        from crc_histo.data import kather_files
        from crc_histo.fastdata import tile_cache
        tile_cache(kather_files(a.data, find_cohort(a.data).classes), 150, cache_dir=a.cache)
        print(f"tile cache ready in {time.time()-t_start:.0f} s", flush=True)
    import torch
    print(f"device: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'CPU'}, torch {torch.__version__}, {os.cpu_count()} CPUs, {a.workers} workers", flush=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads), PYTHONUNBUFFERED='1')
    base = [sys.executable, __file__, '--data', str(a.data), '--out', str(out), '--tmp', a.tmp, '--cache', a.cache, '--seeds', str(a.seeds),
            '--folds', str(a.folds), '--deadline', str(deadline), '--first-guess', str(a.first_guess)] + (['--nct', a.nct] if a.nct else []) + \
           (['--only', *a.only] if a.only else []) + (['--quick'] if a.quick else []) + ['--splitters', *a.splitters, '--fold-seeds', str(a.fold_seeds)]
    procs = [subprocess.Popen(base + ['--worker', f'{i}/{a.workers}'], env=env) for i in range(a.workers)]
    last = time.time()
    while any(p.poll() is None for p in procs) and time.time() < deadline + a.grace:
        time.sleep(2)
        if time.time() - last > 20:
            last, n = time.time(), merge(a.tmp, out)
            print(f"[{time.time()-t_start:.0f} s] {n} runs done", flush=True)
    for p in procs:
        if p.poll() is None: p.kill(); print('killed a worker still running past the grace period', flush=True)
    n = merge(a.tmp, out)
    print(f"done: {n} runs in {time.time()-t_start:.0f} s", flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--data', default='kather2016'); p.add_argument('--nct'); p.add_argument('--out', required=True)
    p.add_argument('--tmp', default='/tmp/patient_grid'); p.add_argument('--cache', default='/tmp/patient_grid_cache')
    p.add_argument('--workers', type=int, default=12); p.add_argument('--threads', type=int, default=1)
    p.add_argument('--minutes', type=float, default=8.); p.add_argument('--grace', type=float, default=60.)
    p.add_argument('--seeds', type=int, default=1); p.add_argument('--folds', type=int, default=5)
    p.add_argument('--only', nargs='+'); p.add_argument('--quick', action='store_true')
    p.add_argument('--splitters', nargs='+', default=['patient'], choices=['random', 'patient'])
    p.add_argument('--fold-seeds', type=int, default=99, help='patient-fold runs for the first N training seeds only (random-split runs: every seed)')
    p.add_argument('--worker'); p.add_argument('--deadline', type=float); p.add_argument('--first-guess', type=float, default=60.)
    a = p.parse_args()
    worker(a) if a.worker else main(a)
