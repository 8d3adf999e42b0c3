# Decode the WebP-lossless bundle back to the PNG tiles of kather2016_png and check every tile's pixel md5 against the shared folder's list.
import hashlib, io, sys, tarfile, glob, os
import numpy as np
from PIL import Image
from concurrent.futures import ProcessPoolExecutor
stage, dest = sys.argv[1], sys.argv[2]
md5 = dict(l.split('\t') for l in open(f'{stage}/kather2016_png.md5.tsv').read().splitlines()[1:])
def job(item):
    name, b = item
    a = np.array(Image.open(io.BytesIO(b)).convert('RGB'))
    png = name[:-5] + '.png'
    os.makedirs(os.path.dirname(f'{dest}/{png}'), exist_ok=True)
    Image.fromarray(a).save(f'{dest}/{png}', compress_level=1)
    return png, hashlib.md5(a.tobytes()).hexdigest()
items = []
for t in sorted(glob.glob(f'{stage}/data*.tar')):
    with tarfile.open(t) as tf:
        for m in tf.getmembers(): items.append((m.name, tf.extractfile(m).read()))
with ProcessPoolExecutor(os.cpu_count()) as ex: res = list(ex.map(job, items, chunksize=64))
bad = [p for p, h in res if md5.get(p) != h.strip()]
print(f"{len(res)} tiles unpacked to {dest}, {len(bad)} differ from kather2016_png.md5.tsv", flush=True)
if len(res) != len(md5) or bad: sys.exit(f"bundle incomplete or changed: {len(res)} of {len(md5)}, e.g. {bad[:3]}")
