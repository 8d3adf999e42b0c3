# WebP-lossless copy of kather2016_png split into chunks for the device (pixels identical; decoded back to PNG there)
# usage, from the repository root: python results/patients/device/make_bundle.py [TILES [BUNDLE]]
#   TILES: the kather2016_png folder (default ../shared/data/kather2016_png); BUNDLE: where c1..c3/data{1,2,3}.tar go (default .dev)
import io, os, sys, tarfile, glob, numpy as np
from PIL import Image
from concurrent.futures import ProcessPoolExecutor
src=sys.argv[1] if len(sys.argv)>1 else '../shared/data/kather2016_png'
bundle=sys.argv[2] if len(sys.argv)>2 else '.dev'
fs=sorted(glob.glob(f'{src}/*/*.png'))
def enc(f):
    a=np.array(Image.open(f).convert('RGB')); b=io.BytesIO(); Image.fromarray(a).save(b,'WEBP',lossless=True,quality=100,method=2)
    assert (np.array(Image.open(io.BytesIO(b.getvalue())))==a).all()
    return os.path.relpath(f,src)[:-4]+'.webp', b.getvalue()
with ProcessPoolExecutor(2) as ex: res=list(ex.map(enc, fs, chunksize=50))
limits=[60e6,60e6,1e12]; ci=0; size=0; tars=[tarfile.open(f'{bundle}/c{i}/data{i}.tar','w') for i in (1,2,3)]
for name,b in res:
    if size+len(b)>limits[ci]: ci+=1; size=0
    ti=tarfile.TarInfo(name); ti.size=len(b); tars[ci].addfile(ti, io.BytesIO(b)); size+=len(b)
for t in tars: t.close()
print(len(res), [os.path.getsize(f'{bundle}/c{i}/data{i}.tar')/1e6 for i in (1,2,3)])
