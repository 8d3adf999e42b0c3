#!/usr/bin/env python
"""Issue 34: peak memory of `crc-histo map` with the shipped model as the slide grows, and what holds it.

Writes pyramidal TIFFs of SIZE x SIZE px (zlib tiles of 256 px, levels at 1/4, 1/16, 1/64, Kather's 0.495 µm/px, a
disc of the 48 shipped tiles repeated, glass around it) into --slides (kept for the next run), maps each with
`crc-histo map mobilenet_v2-kather2016 SLIDE --out DIR --quiet` in a fresh process --runs times, and takes the process's
peak resident memory from the kernel (`wait4`'s ru_maxrss: exact, not sampled). One more run per size, in-process,
reads VmRSS after each stage (imports, model, opening with thumbnail and tissue mask, engine setup, network, writing)
to say what holds the memory. Writes results/map_memory/<cpu class>.{json,md}.
Usage: python tools/map_memory.py [--sizes 14336 28672] [--runs 3] [--engine auto] [--slides DIR]"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

MODEL = 'mobilenet_v2-kather2016'

def texture(k=8):
    "A k·150 px square of the package's 48 sample tiles, repeated: the slide's tissue."
    from crc_histo.inference import read_image, tile_paths
    fs, t = tile_paths('sample'), np.zeros((k*150, k*150, 3), np.uint8)
    for i in range(k*k):
        r, c = divmod(i, k); t[r*150:(r+1)*150, c*150:(c+1)*150] = read_image(fs[i % len(fs)])
    return t

def write_pyramid(dest, side, mpp=0.495, tile=256, downsamples=(1, 4, 16, 64)):
    "A pyramidal BigTIFF of `side`² px, written file tile by file tile (never whole in memory)."
    import tifffile
    from PIL import Image
    tex = texture()
    def tiles(d):
        s = side // d
        tx = np.asarray(Image.fromarray(tex).resize((max(1, round(len(tex)/d)),)*2, Image.BOX)); p = len(tx)
        for y in range(0, s, tile):
            for x in range(0, s, tile):
                yy, xx = np.mgrid[y:y+tile, x:x+tile]
                a = tx[yy % p, xx % p]
                a[(yy - s/2)**2 + (xx - s/2)**2 >= (0.53*s)**2] = 235  # glass outside the disc
                yield a
    ds = [d for d in downsamples if side // d >= tile]
    opts = dict(tile=(tile, tile), photometric='rgb', compression='zlib', resolutionunit='CENTIMETER')
    tmp = Path(dest).with_suffix('.part')
    with tifffile.TiffWriter(tmp, bigtiff=True) as tw:
        for i, d in enumerate(ds):
            tw.write(tiles(d), shape=(side//d, side//d, 3), dtype=np.uint8, resolution=(1e4/mpp/d,)*2,
                     **(dict(subifds=len(ds) - 1) if i == 0 else dict(subfiletype=1)), **opts)
    tmp.replace(dest)
    return dest

def map_run(slide, engine, cache=None):
    "`crc-histo map` of `slide` in a fresh process: its peak RSS (kernel), wall seconds, tiles, engine and the map's timings."
    with tempfile.TemporaryDirectory() as d:
        cmd = ['crc-histo', 'map', MODEL, str(slide), '--out', f'{d}/map', '--quiet', '--engine', engine]
        env = dict(os.environ, **({'CRC_HISTO_CACHE': str(cache)} if cache else {}))
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        secs = time.perf_counter() - t0
        if status: raise SystemExit(f"{' '.join(cmd)} failed:\n{out}")
        t = json.loads(Path(f'{d}/map/timings.json').read_text())
    return dict(peak_rss_mb=ru.ru_maxrss/1024, wall_s=secs, tissue_tiles=t['tissue_tiles'], map_s=t['seconds'],
                engine=t['engine'], timings=t['timings'], engine_line=next((l for l in out.splitlines() if 'engine' in l.lower()), None))

ANATOMY = r'''
import json, sys, time
def rss():
    d = {l.split(':')[0]: int(l.split()[1])/1024 for l in open('/proc/self/status') if l.startswith(('VmRSS', 'VmHWM', 'RssAnon', 'RssFile'))}
    return dict(rss=d['VmRSS'], hwm=d['VmHWM'], anon=d['RssAnon'], file=d['RssFile'])
rows = [('start', rss())]
import crc_histo.cli, crc_histo.tissue_map as tm, crc_histo.slide as sl
rows.append(('imports (crc_histo.tissue_map and what it imports)', rss()))
from crc_histo.export import load_models
model = load_models(sys.argv[2]); rows.append(('model loaded', rss()))
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

def anatomy(slide, engine):
    "VmRSS of one map, in-process, after each stage; and which large libraries were imported."
    out = subprocess.run([sys.executable, '-W', 'ignore', '-c', ANATOMY, str(slide), MODEL, engine], capture_output=True, text=True)
    if out.returncode: raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--sizes', type=int, nargs='+', default=[14336, 28672])
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--engine', default='auto')
    ap.add_argument('--slides', default=Path(tempfile.gettempdir())/'crc_histo_map_memory')
    ap.add_argument('--out', default='results/map_memory')
    ap.add_argument('--tag', default='', help='appended to the file names of the results')
    a = ap.parse_args()
    from crc_histo.bench import cpu_line, cpu_summary
    cpu = cpu_summary(); print(cpu_line(cpu), flush=True)
    Path(a.slides).mkdir(parents=True, exist_ok=True)
    res = dict(cpu=cpu, cpu_line=cpu_line(cpu), date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), engine=a.engine,
               command='python tools/map_memory.py ' + ' '.join(sys.argv[1:]), sizes={})
    for side in a.sizes:
        slide = Path(a.slides)/f'disc_{side}.tif'
        if not slide.exists(): print(f"writing {slide} ...", flush=True); write_pyramid(slide, side)
        runs = []
        for i in range(a.runs):
            r = map_run(slide, a.engine); runs.append(r)
            print(f"{side}²: peak RSS {r['peak_rss_mb']:.0f} MB, {r['tissue_tiles']} tissue tiles, map {r['map_s']:.1f} s "
                  f"({r['tissue_tiles']/r['map_s']:.0f} tiles/s), engine {r['engine']} (setup {r['timings']['engine']:.1f} s), process {r['wall_s']:.1f} s", flush=True)
        an = anatomy(slide, a.engine)
        print('  ' + '; '.join(f"{k}: {v['rss']:.0f} MB" for k, v in an['rows']) + f"; large modules loaded: {', '.join(an['modules']) or 'none'}", flush=True)
        res['sizes'][side] = dict(runs=runs, anatomy=an)
    peaks = {s: max(r['peak_rss_mb'] for r in v['runs']) for s, v in res['sizes'].items()}
    if len(peaks) > 1: print(f"largest peak over smallest: {max(peaks.values())/min(peaks.values()):.3f}")
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    name = cpu['class'] + a.tag
    (out/f'{name}.json').write_text(json.dumps(res, indent=1))
    print(f"written {out/name}.json")

if __name__ == '__main__': main()
