#!/usr/bin/env python
"""Issue 22, item 4: whole-slide throughput of `crc-histo map`. Maps each given slide with the shipped model
(mobilenet_v2-kather2016) and each engine (eager, onnx; int8 with --int8) three ways (tiffslide's read_region for each
tile; each file tile decoded once; and reading ahead as well: `slide_map`'s decode_once and read_ahead), three times,
every case in a fresh process (as `crc-histo map` runs); prints each map's `speed_line` (tissue tiles/s and how the time
splits between opening, reading+decoding, resizing, engine setup, network and writing) and the process's start-up
(imports, model loading). A second measurement splits reading+decoding: the file's compressed tiles the map touches are
read and decoded directly (tifffile, imagecodecs), once each, and counted as often as the map's regions need them.
Writes results/slide_speed/<cpu class>.{json,md}.
Usage: python tools/slide_speed.py SLIDE[:MPP] ... [--int8] [--runs 3]"""
import argparse, json, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

MODEL = 'mobilenet_v2-kather2016'

def map_case(slide, mpp, engine, read_ahead, decode_once):
    "One `map_image` of `slide` in this (fresh) process: its record, plus the seconds spent importing and loading the model."
    import os
    load, t0 = os.getloadavg()[0], time.perf_counter()
    from crc_histo.export import load_models
    from crc_histo.tissue_map import map_image, speed_line
    t1 = time.perf_counter()
    model = load_models(MODEL)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        _, info = map_image(model, slide, out, mpp=mpp, engine=engine, read_ahead=read_ahead, decode_once=decode_once)
    keep = ('tissue_tiles', 'tiles', 'seconds', 'timings', 'engine', 'read_ahead', 'decode_once', 'level', 'tile_px', 'slide_mpp')
    return dict({k: info[k] for k in keep}, line=speed_line(info), import_s=t1 - t0, load_s=t2 - t1, load_avg=load)

def isolated(fn, *args):
    "`fn(*args)` in a fresh spawned process."
    with ProcessPoolExecutor(1, mp_context=get_context('spawn')) as pool: return pool.submit(fn, *args).result()

def decode_split(slide, mpp):
    "Reading against decoding: the compressed tiles of the file that the map's regions touch, read and decoded directly."
    import numpy as np, tifffile
    from crc_histo.export import load_models
    from crc_histo.slide import slide_tiles
    info, _, _ = slide_tiles(load_models(MODEL), slide, mpp)
    lvl, t, ds = info['level'], info['tile_px'], info['downsample']
    cells = np.argwhere(info['cover'] >= 0.1)  # slide_map's default min_tissue
    with tifffile.TiffFile(slide) as tf:
        page = tf.series[0].levels[lvl].pages[0]
        th, tw = page.tilelength, page.tilewidth
        ntx = -(-page.imagewidth // tw)
        needs = []  # the file tiles each region covers: tiffslide decodes them anew for every region
        for r, c in cells:
            x0, y0 = round(round(c*t*ds) / ds), round(round(r*t*ds) / ds)
            needs += [ty*ntx + tx for ty in range(y0 // th, (y0 + t - 1) // th + 1) for tx in range(x0 // tw, (x0 + t - 1) // tw + 1)]
        chunks = sorted(set(needs))
        fh, args = tf.filehandle, {'jpegtables': page.jpegtables} if page.jpegtables is not None else {}
        t0 = time.perf_counter()
        data = []
        for i in chunks:
            fh.seek(page.dataoffsets[i]); data.append(fh.read(page.databytecounts[i]))
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i, d in zip(chunks, data): page.decode(d, i, _fullsize=True, **args)
        decode_s = time.perf_counter() - t0
    n = len(chunks)
    return dict(compression=getattr(page.compression, 'name', str(page.compression)), file_tile=f'{tw}x{th}', regions=len(cells), region_px=t, distinct_tiles=n,
                decodes=len(needs), mbytes=sum(len(d) for d in data) / 1e6, read_s_per_tile=read_s / n, decode_s_per_tile=decode_s / n,
                map_read_s=read_s / n * len(needs), map_decode_s=decode_s / n * len(needs))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('slides', nargs='+', help='slide files, each with :MPP if it does not record its scale')
    ap.add_argument('--int8', action='store_true', help='also the int8 engine (not exact: quantised)')
    ap.add_argument('--runs', type=int, default=3)
    a = ap.parse_args()
    from crc_histo.bench import cpu_line, cpu_summary
    cpu, rows, splits = cpu_summary(), [], {}
    print(cpu_line(cpu), flush=True)
    engines = ('eager', 'onnx') + (('int8',) if a.int8 else ())
    configs = ((False, False), (True, False), (True, True))  # (decode_once, read_ahead): tiffslide region by region, each file tile decoded once, and read ahead
    for spec in a.slides:
        slide, _, mpp = spec.partition(':')
        mpp, name = float(mpp) if mpp else None, Path(slide).name
        splits[name] = s = isolated(decode_split, slide, mpp)
        print(f"{name}: {s['regions']} regions of {s['region_px']} px over {s['distinct_tiles']} {s['compression']} file tiles of {s['file_tile']} px "
              f"({s['mbytes']:.1f} MB): {s['decodes']} decodes; per file tile {1e3*s['read_s_per_tile']:.2f} ms reading, "
              f"{1e3*s['decode_s_per_tile']:.2f} ms decoding", flush=True)
        for run in range(a.runs):
            for engine in engines:
                for once, ahead in configs:
                    r = isolated(map_case, slide, mpp, engine, ahead, once)
                    rows.append(dict(r, slide=name, run=run))
                    print(f"run {run}, {engine}, decode once {'on ' if once else 'off'}, read ahead {'on ' if ahead else 'off'}: {name}: {r['line']}; start-up {r['import_s']:.1f} s imports, "
                          f"{r['load_s']:.1f} s model", flush=True)
    write(cpu, rows, splits, engines, configs)

def write(cpu, rows, splits, engines, configs):
    from crc_histo.bench import cpu_line
    stages = (('opening', 'opening'), ('reading', 'reading+decoding'), ('resizing', 'resizing'), ('engine', 'engine setup'),
              ('network', 'network'), ('waiting', 'network waiting for tiles'), ('writing', 'writing'))
    md = [cpu_line(cpu), '', f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `nice -n 10 python tools/slide_speed.py` "
          f"(model {MODEL}, torch threads {cpu['threads']}). The machine's {cpu['cores']} cores were "
          "shared with other work (other agents' tests and training), so single runs vary; every run is listed, with the 1-minute load average "
          "when it started (above 2, other work was competing for the cores). Each map ran in a fresh process, "
          "as `crc-histo map` does; seconds are the map's (`map_image`: opening the slide to the last file written), without the process's "
          "start-up (imports, model loading), given in its own column. "
          "Three ways for each engine: *decode once* no, *read ahead* no is the map before issue 22 item 4 (tiffslide's `read_region` for each map tile, "
          "serial with the network); *decode once* cuts the tiles from the file's tiles, each decoded once; *read ahead* reads the next batch in a thread "
          "while the network works (both are now `slide_map`'s defaults). With reading ahead, reading and the network overlap, so the stages add up to "
          "more than the map's seconds; *network waiting for tiles* is the network's idle time.", '']
    for name in dict.fromkeys(r['slide'] for r in rows):
        rs, s = [r for r in rows if r['slide'] == name], splits[name]
        r0 = rs[0]
        md += [f"### {name}", '', f"Level {r0['level']}, {r0['tile_px']} px tiles at {r0['slide_mpp']:.3f} µm/px: {r0['tissue_tiles']} of {r0['tiles']} tiles hold tissue.", '',
               '| engine | decode once | read ahead | tissue tiles/s (3 runs) | map s | ' + ' | '.join(n for _, n in stages) + ' | start-up s (imports + model) | load average |',
               '|---|---|---|---|---|' + '---|' * len(stages) + '---|---|']
        for engine in engines:
            for once, ahead in configs:
                c = [r for r in rs if r['engine'] == engine and r['read_ahead'] == ahead and r['decode_once'] == once]
                if not c: continue
                fmt = lambda vals: ', '.join(f'{v:.1f}' for v in vals)
                rates = ', '.join(f"{r['tissue_tiles'] / r['seconds']:.0f}" for r in c)
                md.append(f"| {engine} | {'yes' if once else 'no'} | {'yes' if ahead else 'no'} | {rates} | {fmt(r['seconds'] for r in c)} | "
                          + ' | '.join(fmt(r['timings'][k] for r in c) for k, _ in stages) + f" | {fmt(r['import_s'] + r['load_s'] for r in c)} | {fmt(r['load_avg'] for r in c)} |")
        md += ['', f"Reading against decoding, measured apart (the {s['distinct_tiles']} {s['compression']} file tiles of {s['file_tile']} px that the "
               f"{s['regions']} tissue regions of {s['region_px']} px touch, {s['mbytes']:.1f} MB, read from the file and decoded once each): "
               f"{1e3*s['read_s_per_tile']:.2f} ms reading and {1e3*s['decode_s_per_tile']:.2f} ms decoding per file tile. tiffslide's `read_region` decodes every file tile "
               f"a region touches anew for each region: {s['decodes']} decodes of {s['distinct_tiles']} tiles, so a map without decode_once spends about "
               f"{s['map_read_s']:.2f} s reading the file's bytes and {s['map_decode_s']:.2f} s decoding them; with it (the default), "
               f"{s['read_s_per_tile'] * s['distinct_tiles']:.2f} s and {s['decode_s_per_tile'] * s['distinct_tiles']:.2f} s.", '']
    out = Path('results/slide_speed'); out.mkdir(parents=True, exist_ok=True)
    cls = cpu['class'].replace(' ', '_').replace('-', '')
    (out/f'{cls}.json').write_text(json.dumps(dict(cpu=cpu, date=time.strftime('%Y-%m-%d'), model=MODEL, rows=rows, decode_split=splits), indent=1))
    (out/f'{cls}.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))

if __name__ == '__main__': main()
