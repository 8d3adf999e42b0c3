#!/usr/bin/env python
"""Run `crc-histo` on hostile inputs and print a table: each case's exit status and the last line it printed.
A case passes when a bad input exits non-zero with a `crc-histo...: error:` sentence and no traceback, and a good
input exits 0. Usage: python tools/hostile_inputs.py [--out results/hostile/table.md]. Needs only the shipped
sample tiles (no internet, no ../shared); takes a few minutes (every case starts a fresh process)."""
import json, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
from PIL import Image

def run(*args, timeout=600):
    "Exit status, the message (first `error:` line on stderr, else the last line printed) and whether a traceback was printed."
    r = subprocess.run(['crc-histo', *map(str, args)], capture_output=True, text=True, timeout=timeout)
    err = [l for l in r.stderr.strip().splitlines() if l.strip()]
    out = [l for l in r.stdout.strip().splitlines() if l.strip()]
    msg = next((l for l in err if 'error:' in l), None) or (err or out or [''])[-1]
    return r.returncode, msg, 'Traceback' in r.stderr

def fixtures(d:Path):
    "The data folders, models and images the cases use."
    from crc_histo.core import sample_path, tile_files
    f = {}
    def data(name, breakit=None):
        p = d/name; shutil.copytree(sample_path(), p)
        if breakit: breakit(p)
        return p
    f['data'] = data('data')
    f['rgba'] = data('rgba', lambda p: Image.open(tile_files(p)[0]).convert('RGBA').save(tile_files(p)[0]))
    f['grey'] = data('grey', lambda p: Image.open(tile_files(p)[0]).convert('L').save(tile_files(p)[0]))
    f['missing'] = data('missing', lambda p: shutil.rmtree(p/'08_EMPTY'))
    f['empty_tile'] = data('empty_tile', lambda p: tile_files(p)[0].write_bytes(b''))
    f['not_image'] = data('not_image', lambda p: (p/'01_TUMOR'/'notes.tif').write_text('not an image'))
    f['nested'] = data('nested', lambda p: shutil.copytree(p/'02_STROMA', p/'01_TUMOR'/'inner'))
    f['extra'] = data('extra', lambda p: shutil.copytree(p/'02_STROMA', p/'09_NECROSIS'))
    def linked(p):
        shutil.move(p/'02_STROMA', d/'stroma_elsewhere'); (p/'02_STROMA').symlink_to(d/'stroma_elsewhere', target_is_directory=True)
    f['linked'] = data('linked', linked)
    def rgb16(p):
        import tifffile
        tifffile.imwrite(p/'01_TUMOR'/'rgb16.tif', np.full((150, 150, 3), 40000, np.uint16), photometric='rgb')
    f['rgb16'] = data('rgb16', rgb16)
    f['mixed'] = data('mixed', lambda p: Image.open(tile_files(p)[5]).resize((200, 200)).save(tile_files(p)[5]))
    f['wide'] = data('wide', lambda p: Image.open(tile_files(p)[5]).crop((0, 0, 150, 120)).save(tile_files(p)[5]))
    f['big'] = data('big', lambda p: [Image.open(t).resize((224, 224)).save(t) for t in tile_files(p)])
    from crc_histo.core import nct_layout
    f['nct'] = nct_layout(d/'nct')
    (d/'partial_map.json').write_text('{"TUM": "01_TUMOR"}'); f['partial_map'] = d/'partial_map.json'
    (d/'bad_map.json').write_text('["TUM"]'); f['bad_map'] = d/'bad_map.json'
    f['fake_slide'] = d/'fake.svs'; f['fake_slide'].write_text('not a slide')
    import tifffile
    sl = np.full((600, 600, 3), 235, np.uint8)
    for k, t in enumerate(tile_files(f['data'])[:4]): sl[150 + 150*(k // 2):300 + 150*(k // 2), 150 + 150*(k % 2):300 + 150*(k % 2)] = np.asarray(Image.open(t).convert('RGB'))
    with tifffile.TiffWriter(d/'slide.tif') as tw:
        kw = dict(tile=(256, 256), photometric='rgb', resolutionunit='CENTIMETER')
        tw.write(sl, subifds=1, resolution=(1e4/0.495, 1e4/0.495), **kw)
        tw.write(np.ascontiguousarray(sl[::2, ::2]), subfiletype=1, resolution=(1e4/0.99, 1e4/0.99), **kw)
    f['slide'] = d/'slide.tif'
    f['afile'] = d/'afile.txt'; f['afile'].write_text('a file, not a folder')
    f['run'] = d/'run'
    rc, last, tb = run('train', '--data', f['data'], '--no-pretrained', '--arch', 'resnet18', '--epochs', '1', '--frozen-epochs', '0',
                       '--size', '64', '--bs', '16', '--out', f['run'])
    assert rc == 0, last
    f['model'] = f['run']/'model'
    def bad_model(name, change):
        p = d/name; shutil.copytree(f['model'], p); change(p); return p
    meta = json.loads((f['model']/'crc_histo.json').read_text())
    def set_meta(**kw): return lambda p: (p/'crc_histo.json').write_text(json.dumps(dict(meta, **kw)))
    f['m_size'] = bad_model('m_size', set_meta(size='abc'))
    f['m_size0'] = bad_model('m_size0', set_meta(size=0))
    f['m_mean'] = bad_model('m_mean', set_meta(mean=0.5))
    f['m_nan'] = bad_model('m_nan', set_meta(mean=[0.5, float('nan'), 0.5]))
    f['m_order'] = bad_model('m_order', set_meta(classes=meta['classes'][::-1]))
    f['m_fv'] = bad_model('m_fv', set_meta(format_version='1'))
    f['m_json'] = bad_model('m_json', lambda p: (p/'crc_histo.json').write_text('{not json'))
    f['m_trunc'] = bad_model('m_trunc', lambda p: (p/'model.safetensors').write_bytes((p/'model.safetensors').read_bytes()[:1000]))
    f['m_noweights'] = bad_model('m_noweights', lambda p: (p/'model.safetensors').unlink())
    f['pkl'] = d/'learner.pkl'; f['pkl'].write_bytes(b'\x80\x04not really a pickle')
    tiles = tile_files(f['data'])
    f['tile'] = tiles[0]
    f['mosaic'] = d/'mosaic.png'
    m = Image.new('RGB', (300, 300)); [m.paste(Image.open(t).convert('RGB'), (150*(i % 2), 150*(i // 2))) for i, t in enumerate(tiles[::12][:4])]
    m.save(f['mosaic'])
    f['small'] = d/'small.png'; Image.new('RGB', (20, 20)).save(f['small'])
    f['grey_img'] = d/'grey.png'; Image.new('L', (128, 128)).save(f['grey_img'])
    f['txt_img'] = d/'fake.png'; f['txt_img'].write_text('not a png')
    f['empty_img'] = d/'empty.png'; f['empty_img'].write_bytes(b'')
    f['cache'] = d/'cache'; f['cache'].mkdir()
    return f

def cases(f, d):
    "(command arguments, True if it should succeed)."
    T = ['--no-pretrained', '--arch', 'resnet18', '--epochs', '1', '--frozen-epochs', '0', '--size', '64', '--bs', '16']
    return [
        # check
        (('check', f['data']), True), (('check', f['linked']), True), (('check', d/'nowhere'), False), (('check', f['afile']), False),
        (('check', f['rgba']), False), (('check', f['grey']), False), (('check', f['missing']), False), (('check', f['empty_tile']), False),
        (('check', f['not_image']), False), (('check', f['nested']), False), (('check', f['extra']), False), (('check', f['rgb16']), False),
        (('check', f['data'], '--size', '0'), False), (('check', f['data'], '--size', 'big'), False),
        # train: bad data, options and outputs
        (('train', '--data', f['rgba'], *T, '--out', d/'t1'), False), (('train', '--data', f['missing'], *T, '--out', d/'t2'), False),
        (('train', '--data', f['rgb16'], *T, '--out', d/'t3'), False), (('train', '--data', f['afile'], *T, '--out', d/'t4'), False),
        (('train', '--data', d/'nowhere', *T, '--out', d/'t5'), False), (('train', '--data', f['data'], *T, '--out', f['afile']), False),
        (('train', '--data', f['data'], *T, '--out', f['afile']/'x'), False), (('train', '--data', f['data'], *T, '--seed', str(2**64), '--out', d/'t6'), False),
        (('train', '--data', f['data'], *T[:-4], '--size', '100000', '--bs', '16', '--out', d/'t7'), False),
        (('train', '--data', f['data'], *T, '--lr', '0', '--out', d/'t8'), False), (('train', '--data', f['data'], *T, '--lr', 'nan', '--out', d/'t8'), False),
        (('train', '--data', f['data'], *T, '--bs', '-3', '--out', d/'t9'), False), (('train', '--data', f['data'], *T, '--label-smoothing', '1.5', '--out', d/'t9'), False),
        (('train', '--data', f['data'], *T, '--precision', 'fp16', '--out', d/'t10'), False), (('train', '--data', f['data'], *T, '--precision', 'fp8', '--out', d/'t10'), False),
        (('train', '--data', f['data'], *T, '--arch', 'resnet1000', '--out', d/'t11'), False), (('train', '--data', f['data'], *T, '--fold', '9', '--splitter', 'patient', '--out', d/'t12'), False),
        (('train', '--data', f['data'], *T, '--aug', 'crazy', '--out', d/'t13'), False), (('train', '--data', f['data'], *T, '--weights', d/'none.pth', '--out', d/'t14'), False),
        (('train', '--data', f['data'], *T, '--resume', '--out', d/'t15'), False),
        (('train', '--data', f['data'], *T[:-4], '--size', '96', '--bs', '16', '--resume', '--out', f['run']), False),
        (('train', '--data', f['data'], *T, '--resume', '--out', f['run']), True),
        (('train', '--data', f['linked'], *T, '--out', d/'t16'), True),
        (('train', '--data', f['data'], *T, '--cache-dir', f['afile'], '--out', d/'t17'), False),
        (('check', f['mixed'], '--size', '150'), False), (('train', '--data', f['mixed'], *T, '--out', d/'t18'), False),
        (('train', '--data', f['wide'], *T, '--out', d/'t19'), False), (('train', '--data', f['big'], *T, '--out', d/'t20'), True),
        (('predict', d/'t20'/'model', f['big']/'01_TUMOR'), True), (('predict', d/'t20'/'model', f['tile']), True),
        # predict
        (('predict', f['model'], f['tile']), True), (('predict', d/'nomodel', f['tile']), False), (('predict', f['model'], d/'nothing.tif'), False),
        (('predict', f['model'], f['txt_img']), False), (('predict', f['model'], f['empty_img']), False), (('predict', f['model'], f['grey_img']), False),
        (('predict', f['model'], f['tile'], '--csv', d), False), (('predict', f['model'], f['tile'], '--csv', f['afile']/'p.csv'), False),
        (('predict', f['model'], f['tile'], '--bs', '0'), False), (('predict', f['pkl'], f['tile']), False), (('predict', f['pkl'], f['tile'], '--trust'), False),
        (('predict', f['m_size'], f['tile']), False), (('predict', f['m_size0'], f['tile']), False), (('predict', f['m_mean'], f['tile']), False),
        (('predict', f['m_nan'], f['tile']), False), (('predict', f['m_order'], f['tile']), False), (('predict', f['m_fv'], f['tile']), False),
        (('predict', f['m_json'], f['tile']), False), (('predict', f['m_trunc'], f['tile']), False), (('predict', f['m_noweights'], f['tile']), False),
        (('predict', f"{f['model']},{d/'nomodel'}", f['tile']), False), (('predict', f['model'], f['rgb16']/'01_TUMOR'/'rgb16.tif'), False),
        # evaluate
        (('evaluate', f['model'], '--data', 'sample'), True), (('evaluate', f['model'], '--data', f['missing']), True),
        (('evaluate', f['model'], '--data', f['extra']), False), (('evaluate', f['model'], '--data', 'sample', '--out', f['afile']), False),
        (('evaluate', f['model'], '--data', 'sample', '--fold', '-1'), False), (('evaluate', f['m_order'], '--data', 'sample'), False),
        # map
        (('map', f['model'], f['mosaic'], '--out', d/'map1', '--quiet'), True), (('map', f['model'], f['mosaic'], '--out', f['afile'], '--quiet'), False),
        (('map', f['model'], f['mosaic'], '--out', d/'map2', '--mpp', '-1'), False), (('map', f['model'], f['mosaic'], '--out', d/'map3', '--mpp', 'nan'), False),
        (('map', f['model'], f['small'], '--out', d/'map4', '--quiet'), False), (('map', f['model'], f['txt_img'], '--out', d/'map5'), False),
        (('map', f['model'], d/'none.png', '--out', d/'map6'), False), (('map', f['model'], f['mosaic'], '--out', d/'map7', '--stride', '0'), False),
        # cohorts, external validation, scale, stain normalisation, whole slides
        (('check', f['nct']), True), (('check', f['nct'], '--cohort', 'kather2016'), False), (('check', f['data'], '--cohort', 'tcga'), False),
        (('train', '--data', f['nct'], *T, '--splitter', 'patient', '--out', d/'t21'), False),
        (('train', '--data', f['data'], *T, '--stain-norm', 'macenko', '--pipeline', 'kaggle', '--out', d/'t22'), False),
        (('train', '--data', f['data'], *T, '--stain-norm', 'reinhard', '--out', d/'t22'), False),
        (('evaluate', f['model'], '--data', f['nct'], '--class-map', 'nct'), True), (('evaluate', f['model'], '--data', f['nct'], '--class-map', 'tcga'), False),
        (('evaluate', f['model'], '--data', f['nct'], '--class-map', f['partial_map']), False), (('evaluate', f['model'], '--data', f['nct'], '--class-map', f['bad_map']), False),
        (('evaluate', f['model'], '--data', f['nct']), False), (('evaluate', f['model'], '--data', f['nct'], '--class-map', 'nct', '--mpp', '-2'), False),
        (('predict', f['model'], f['tile'], '--mpp', '0'), False), (('predict', f['model'], f['tile'], '--mpp', '0.25'), True),
        (('map', f['model'], f['slide'], '--out', d/'map8', '--quiet'), True), (('map', f['model'], f['fake_slide'], '--out', d/'map9'), False),
        (('map', f['model'], f['slide'], '--out', d/'map10', '--min-tissue', '2'), False), (('map', f['model'], f['slide'], '--out', d/'map11', '--stride', '50'), False),
        # download (no internet needed: the URL is refused before any connection)
        (('download', '--dest', f['afile']), False),
        # reproduce and bench
        (('reproduce', '--out', d/'rep', '--only', 'nosuchexperiment', '--quick'), False), (('reproduce', '--out', d/'rep', '--shard', '3/2', '--quick'), False),
        (('reproduce', '--out', d/'rep', '--splitter', 'sideways', '--quick'), False), (('bench', '--data', d/'nowhere'), False),
    ]

def main(out=None):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp); t0 = time.time()
        f = fixtures(d)
        rows, bad = [], 0
        for i, (args, good) in enumerate(cases(f, d), 1):
            rc, last, tb = run(*args)
            ok = (rc == 0) if good else (rc != 0 and not tb and 'error' in last)
            bad += not ok
            shown = ' '.join(str(a).replace(tmp, '$TMP') for a in args)
            rows.append(f"| {i} | `{shown}` | {rc} | {last.replace(tmp, '$TMP').replace('|', '/')[:220]} | {'ok' if ok else '**FAIL**'} |")
            print(rows[-1], flush=True)
    table = ("| # | command | exit | last line printed | verdict |\n|---|---|---|---|---|\n" + '\n'.join(rows) +
             f"\n\n{len(rows)} cases, {bad} failed ({time.time()-t0:.0f} s, {time.strftime('%Y-%m-%d')}).\n")
    print(f"\n{len(rows)} cases, {bad} failed")
    if out: Path(out).parent.mkdir(parents=True, exist_ok=True); Path(out).write_text(table)
    return bad

if __name__ == '__main__':
    out = sys.argv[sys.argv.index('--out') + 1] if '--out' in sys.argv else None
    sys.exit(1 if main(out) else 0)
