#!/usr/bin/env python
"""Issue 22, item 2: crc_histo's inference engines against the bare eager forward, three runs of each, on ResNet18 and
MobileNetV2, from PNG files (decoding included) against tiles already in memory (the bare forward). Every case runs in
its own process (`bench.run_isolated`). Prints a table with the CPU class and writes results/engines/<class>.{json,md}.
Usage: python tools/engine_runs.py [DATA] [N_TILES]   (DATA: 'kather2016' by default; N_TILES: 1024)"""
import json, sys, time
from pathlib import Path
import numpy as np
from crc_histo.bench import bench_forward_bare, bench_predict_tiles, cpu_line, cpu_summary, run_isolated
from crc_histo.data import resolve_data

def agreement(data, n):
    "Share of tiles on which each engine's class is eager fp32's, for the shipped (trained) MobileNetV2: exactness on real tiles."
    import warnings
    from crc_histo.core import tile_files
    from crc_histo.export import load_model
    from crc_histo.inference import predict_tiles
    files = tile_files(data)[::max(1, len(tile_files(data)) // n)][:n]
    m = load_model('mobilenet_v2-kather2016')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ref = predict_tiles(m, files, precision='fp32', engine='eager', progress=False).tissue.to_numpy()
        res = {e: float((predict_tiles(m, files, engine=e, progress=False).tissue.to_numpy() == ref).mean()) for e in ('eager', 'onnx', 'openvino', 'int8')}
    print('agreement with eager fp32:', res, flush=True)
    return res

def main():
    data, n = resolve_data(sys.argv[1] if len(sys.argv) > 1 else 'kather2016'), int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    cpu, rows = cpu_summary(), []
    print(cpu_line(cpu), flush=True)
    for arch in ('resnet18', 'mobilenet_v2'):
        for run in range(3):
            bare = run_isolated(bench_forward_bare, n=n, arch=arch)['tiles_per_s']
            for engine in ('eager', 'onnx', 'openvino', 'int8'):
                r = run_isolated(bench_predict_tiles, data=data, n=n, engine=engine, arch=arch)
                rows.append(dict(arch=arch, run=run, engine=engine, case=r['case'], tiles_per_s=r['tiles_per_s'], bare=bare, of_bare=r['tiles_per_s']/bare))
                print(f"{arch:13s} run {run}: {r['case']}: {r['tiles_per_s']:.0f} tiles/s, {r['tiles_per_s']/bare:.2f}x the bare forward ({bare:.0f})", flush=True)
    agree = agreement(data, n)
    md = [cpu_line(cpu), '', f"{n} Kather 2016 PNG tiles per run; bare forward: the same network's eager forward on tiles in memory, in the same run.", '',
          '| network | engine | tiles/s (3 runs) | × bare forward (3 runs) |', '|---|---|---|---|']
    for arch in ('resnet18', 'mobilenet_v2'):
        for engine in ('eager', 'onnx', 'openvino', 'int8'):
            rs = [r for r in rows if r['arch'] == arch and r['engine'] == engine]
            rates, ratios = ', '.join(f"{r['tiles_per_s']:.0f}" for r in rs), ', '.join(f"{r['of_bare']:.2f}" for r in rs)
            md.append(f"| {arch} | {rs[0]['case'].split(', ', 1)[-1].rstrip(')')} | {rates} | {ratios} |")
    md += ['', f"Top-1 agreement with eager fp32 of the shipped model (`mobilenet_v2-kather2016`) on the same {n} tiles: " +
           ', '.join(f"{e} {100*a:.2f} %" for e, a in agree.items())]
    out = Path('results/engines'); out.mkdir(parents=True, exist_ok=True)
    name = cpu['class'].replace(' ', '_').replace('-', '')
    (out/f'{name}.json').write_text(json.dumps(dict(cpu=cpu, date=time.strftime('%Y-%m-%d'), n=n, rows=rows, agreement=agree), indent=1))
    (out/f'{name}.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))

if __name__ == '__main__': main()  # the cases run in spawned processes, which import this file
