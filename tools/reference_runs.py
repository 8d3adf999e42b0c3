#!/usr/bin/env python
"""Issue 34's references, three runs each on this CPU: (1) the engine's start-up of `predict_tiles(engine='auto')` on
2000 PNG tiles in a first call (an empty engine cache: auto times its candidates) and a second call (the choice
remembered), and both calls' tiles/s against the bare eager forward of the same network on tiles in memory
(`bench.bench_engine_start`); (2) training: crc_histo's fast path against the bare PyTorch loop, a full-model ResNet18,
8 steps after 2 warm-up steps of 64 tiles (`bench.bench_train_fast`, `bench.bench_train_bare`). Every case runs in a
fresh process: the predict calls and the bare forward a top-level interpreter each (`run_top`), the training cases `bench.run_isolated`. Writes results/reference_runs/<CPU class>.{json,md}.
Usage: python tools/reference_runs.py [--data kather2016] [--runs 3] [--n 2000]"""
import argparse, json, subprocess, sys, time
from pathlib import Path
from crc_histo.bench import bench_engine_start, bench_train_bare, bench_train_fast, cpu_line, cpu_summary, run_isolated
from crc_histo.data import data_spec, resolve_data

def run_top(fn, **kwargs):
    "`fn(**kwargs)` of crc_histo.bench in a new top-level interpreter (`python -c`): in a multiprocessing child (`bench.run_isolated`) OpenVINO ran at about half its speed on the AVX-512 BF16 host, as a command does not."
    code = f"import json, sys; from crc_histo.bench import {fn.__name__} as f; print('RESULT' + json.dumps(f(**json.loads(sys.argv[1]))))"
    out = subprocess.run([sys.executable, '-W', 'ignore', '-c', code, json.dumps(kwargs, default=str)], capture_output=True, text=True)
    if out.returncode: raise SystemExit(out.stderr[-2000:])
    return json.loads(next(l for l in out.stdout.splitlines() if l.startswith('RESULT'))[6:])

def report(res):
    "The record as markdown: one row per run."
    lines = [res['cpu_line'], '', f"Measured {res['date']} with `{res['command']}`.", '',
             '| run | first call: s before the first batch | second call: s before the first batch | first call × bare forward | second call × bare forward | bare forward, tiles/s | engine (second call) | loading the model, s (second call) |',
             '|---|---|---|---|---|---|---|---|']
    for i, r in enumerate(res['engine_start']):
        f, s, b = r
        lines.append(f"| {i + 1} | {f['engine_seconds']:.2f} | {s['engine_seconds']:.2f} | {f['of_bare_forward']:.2f} | {s['of_bare_forward']:.2f} | {b['tiles_per_s']:.0f} | {s['engine']} | {s.get('load_seconds', float('nan')):.1f} |")
    lines += ['', '| run | fast path, tiles/s | bare loop, tiles/s | fast path × bare loop | precision |', '|---|---|---|---|---|']
    for i, (f, b) in enumerate(res['train']):
        lines.append(f"| {i + 1} | {f['tiles_per_s']:.1f} | {b['tiles_per_s']:.1f} | {f['tiles_per_s'] / b['tiles_per_s']:.2f} | {f['precision']} |")
    lines += ['', 'What auto said in the last run:', '', *(f"- {r['call']} call: {r['engine_choice']}" for r in res['engine_start'][-1][:2])]
    return '\n'.join(lines) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default='kather2016'); ap.add_argument('--runs', type=int, default=3); ap.add_argument('--n', type=int, default=2000)
    ap.add_argument('--out', default='results/reference_runs')
    a = ap.parse_args()
    data, cpu = resolve_data(a.data), cpu_summary()
    print(cpu_line(cpu), flush=True)
    res = dict(cpu=cpu, cpu_line=cpu_line(cpu), date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), data=data_spec(data),
               command='python tools/reference_runs.py ' + f'--data {a.data} --runs {a.runs} --n {a.n}', engine_start=[], train=[])
    for i in range(a.runs):
        rows = bench_engine_start(data, n=a.n, run=run_top)
        res['engine_start'].append(rows)
        print(f"run {i + 1}: start-up {rows[0]['engine_seconds']:.2f} s then {rows[1]['engine_seconds']:.2f} s; "
              f"{rows[0]['of_bare_forward']:.2f}x and {rows[1]['of_bare_forward']:.2f}x the bare forward ({rows[2]['tiles_per_s']:.0f} tiles/s)", flush=True)
        kw = dict(data=data, n_batches=8, warmup=2, bs=64, arch='resnet18')
        pair = (run_isolated(bench_train_fast, **kw), run_isolated(bench_train_bare, **kw))
        res['train'].append(pair)
        print(f"run {i + 1}: training {pair[0]['tiles_per_s']:.1f} against {pair[1]['tiles_per_s']:.1f} tiles/s ({pair[0]['tiles_per_s'] / pair[1]['tiles_per_s']:.2f}x the bare loop)", flush=True)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    name = cpu['class'].replace(' ', '_')
    (out/f'{name}.json').write_text(json.dumps(res, indent=1))
    (out/f'{name}.md').write_text(report(res))
    print(f"written {out/name}.json and .md")

if __name__ == '__main__': main()
