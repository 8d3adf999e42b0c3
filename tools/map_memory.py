#!/usr/bin/env python
"""Issue 34: peak memory of `crc-histo map` with the shipped model as the slide grows, and what holds it.

Writes pyramidal TIFFs of SIZE x SIZE px (`bench.write_disc_slide`: zlib tiles of 256 px, levels at 1/4, 1/16, 1/64,
Kather's 0.495 µm/px, a disc of the 48 shipped tiles repeated, glass around it) into --slides (kept for the next run)
and maps each (`bench.map_peak`) with
`crc-histo map mobilenet_v2-kather2016 SLIDE --out DIR --quiet` in a fresh process, --runs times two ways: a first call
(an empty engine cache: `--engine auto` times its candidates, in a process of its own) and a later call (the choice
remembered). The map process's own peak resident memory is its VmHWM (the kernel's high-water mark), read every 0.1 s
until it exits; the largest process of all the runs (a map or a chooser) comes from the kernel too (RUSAGE_CHILDREN).
One more run per size, in-process, reads VmRSS after each stage (imports, model, opening with thumbnail and tissue mask,
engine setup, network, writing) to say what holds the memory. Writes results/map_memory/<cpu class>.{json,md}.
Usage: python tools/map_memory.py [--sizes 14336 28672] [--runs 3] [--engine auto] [--slides DIR]"""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path

MODEL = 'mobilenet_v2-kather2016'

def map_run(slide, engine, cache):
    "`bench.map_peak` of `slide`, with the seconds of the whole process and the largest process the runs have started so far."
    from crc_histo.bench import map_peak
    t0 = time.perf_counter()
    r = map_peak(slide, cache, MODEL, engine)
    return dict(r, wall_s=time.perf_counter() - t0, map_s=r['map_seconds'], timings=dict(engine=r['engine_seconds']))

ANATOMY = r'''
import json, sys, time
def rss():
    d = {l.split(':')[0]: int(l.split()[1])/1024 for l in open('/proc/self/status') if l.startswith(('VmRSS', 'VmHWM', 'RssAnon', 'RssFile'))}
    return dict(rss=d['VmRSS'], hwm=d['VmHWM'], anon=d['RssAnon'], file=d['RssFile'])
rows = [('start', rss())]
import crc_histo.cli, crc_histo.tissue_map as tm, crc_histo.slide as sl
rows.append(('imports (crc_histo.tissue_map and what it imports)', rss()))
from crc_histo.export import model_ref
model = model_ref(sys.argv[2]); rows.append(('model (by reference, as crc-histo map)', rss()))
class Clock(sl.MapClock):  # VmRSS when each stage first ends
    def __call__(self, stage):
        cm = super().__call__(stage)
        class W:
            def __enter__(s): return cm.__enter__()
            def __exit__(s, *e):
                r = cm.__exit__(*e)
                if stage not in seen: seen.add(stage); rows.append((f'{stage} (first)', rss()))
                return r
        return W()
seen = set(); tm.MapClock = Clock
import tempfile, gc
with tempfile.TemporaryDirectory() as d:
    fr, info = tm.map_image(model, sys.argv[1], d + '/map', engine=sys.argv[3])
    rows.append(('map written', rss()))
    sys.modules.pop('x', None)
mods = sorted(m for m in ('fastai', 'matplotlib', 'pandas', 'onnxruntime', 'openvino', 'sklearn', 'torchvision', 'timm', 'scipy') if m in sys.modules)
print(json.dumps(dict(rows=rows, engine=info['engine'], modules=mods)))
'''

def anatomy(slide, engine, cache):
    "VmRSS of one map, in-process (engine cache `cache`), after each stage; and which large libraries were imported."
    out = subprocess.run([sys.executable, '-W', 'ignore', '-c', ANATOMY, str(slide), MODEL, engine], capture_output=True, text=True,
                         env=dict(os.environ, CRC_HISTO_CACHE=str(cache)))
    if out.returncode: raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])

def peak_lines(res):
    "For each call (first, later): its largest peak over all runs and sizes, and the largest size's peak over the smallest's."
    for call in ('first', 'later'):
        peaks = {int(s): max(r['peak_rss_mb'] for r in v['runs'] if r['call'] == call) for s, v in res['sizes'].items()}
        yield f"- {call} calls: {max(peaks.values()):.0f} MB" + (f"; {peaks[max(peaks)] / peaks[min(peaks)]:.3f}" if len(peaks) > 1 else '')

def report(res):
    "The record as markdown: one row per size and call, every run's figures."
    lines = [res['cpu_line'], '', f"Measured {res['date']} with `{res['command']}` (model {MODEL}, engine {res['engine']}).", '',
             '| slide | tissue tiles | call | peak RSS of the map process, MB (runs) | tiles/s | engine | engine setup, s |', '|---|---|---|---|---|---|---|']
    for side, v in res['sizes'].items():
        for call in ('first', 'later'):
            rs = [r for r in v['runs'] if r['call'] == call]
            peaks, speed, setup = (', '.join(f"{f(r):.{d}f}" for r in rs) for f, d in ((lambda r: r['peak_rss_mb'], 0),
                                   (lambda r: r['tissue_tiles'] / r['map_s'], 0), (lambda r: r['timings']['engine'], 1)))
            lines.append(f"| {side}² | {rs[0]['tissue_tiles']} | {call} | {peaks} | {speed} | {', '.join(sorted({r['engine'] for r in rs}))} | {setup} |")
    lines += ['', "The largest peak of each call over all runs, and the largest size's over the smallest's:", '', *peak_lines(res)]
    lines += ['', f"Largest single process of all runs (a map, or the process a first call chose its engine in): {res['largest_child_mb']:.0f} MB.", '',
              'What holds the memory (a later call, in-process, VmRSS after each stage first ends):', '']
    for side, v in res['sizes'].items():
        lines.append(f"- {side}²: " + '; '.join(f"{k} {r['rss']:.0f} MB" for k, r in v['anatomy']['rows']) + f" (large modules loaded: {', '.join(v['anatomy']['modules']) or 'none'})")
    return '\n'.join(lines) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--sizes', type=int, nargs='+', default=[14336, 28672])
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--engine', default='auto')
    ap.add_argument('--slides', default=Path(tempfile.gettempdir())/'crc_histo_map_memory')
    ap.add_argument('--out', default='results/map_memory')
    ap.add_argument('--tag', default='', help='appended to the file names of the results')
    a = ap.parse_args()
    from crc_histo.bench import cpu_line, cpu_summary, write_disc_slide
    cpu = cpu_summary(); print(cpu_line(cpu), flush=True)
    Path(a.slides).mkdir(parents=True, exist_ok=True)
    res = dict(cpu=cpu, cpu_line=cpu_line(cpu), date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), engine=a.engine,
               command='python tools/map_memory.py ' + ' '.join(sys.argv[1:]), sizes={})
    for side in a.sizes:
        slide = Path(a.slides)/f'disc_{side}.tif'
        if not slide.exists(): print(f"writing {slide} ...", flush=True)
        write_disc_slide(slide, side)
        runs, warm = [], Path(a.slides)/'cache_warm'
        shutil.rmtree(warm, ignore_errors=True)
        for i in range(a.runs):
            for call in ('first', 'later'):  # first: an empty engine cache (auto chooses); later: the choice remembered
                cache = Path(a.slides)/'cache_first' if call == 'first' else warm
                if call == 'first': shutil.rmtree(cache, ignore_errors=True)
                if call == 'later' and not warm.exists(): map_run(slide, a.engine, warm)  # fill it once
                r = dict(map_run(slide, a.engine, cache), call=call); runs.append(r)
                print(f"{side}² {call} call: peak RSS {r['peak_rss_mb']:.0f} MB, {r['tissue_tiles']} tissue tiles, map {r['map_s']:.1f} s "
                      f"({r['tissue_tiles']/r['map_s']:.0f} tiles/s), engine {r['engine']} (setup {r['timings']['engine']:.1f} s), process {r['wall_s']:.1f} s", flush=True)
        an = anatomy(slide, a.engine, warm)
        print('  ' + '; '.join(f"{k}: {v['rss']:.0f} MB" for k, v in an['rows']) + f"; large modules loaded: {', '.join(an['modules']) or 'none'}", flush=True)
        res['sizes'][side] = dict(runs=runs, anatomy=an)
    print('\n'.join(peak_lines(res)))
    res['largest_child_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    name = cpu['class'].replace(' ', '_') + a.tag
    (out/f'{name}.json').write_text(json.dumps(res, indent=1))
    (out/f'{name}.md').write_text(report(res))
    print(f"written {out/name}.json and .md")

if __name__ == '__main__': main()
