#!/usr/bin/env python
"""Build the README's test image: an 8 x 8 mosaic of validation tiles (random split, seed 42) of the full
data, one tissue class per row, saved to the path given (default /tmp/mosaic_valid.png). Then run
`crc-histo map MODEL /tmp/mosaic_valid.png --tta --out results/map_mosaic` and compare rows with classes."""
import sys
import numpy as np
from PIL import Image
from crc_histo.core import class_folders, tile_label
from crc_histo.data import validation_files

dest = sys.argv[1] if len(sys.argv) > 1 else '/tmp/mosaic_valid.png'
vf = validation_files('kather2016')  # tiles the model never trained on
rng = np.random.default_rng(0)
by = {c: [f for f in vf if tile_label(f) == c] for c in class_folders}
im = Image.new('RGB', (8*150, 8*150))
for r, c in enumerate(class_folders):
    for k, i in enumerate(rng.choice(len(by[c]), 8, replace=False)):
        im.paste(Image.open(by[c][i]).convert('RGB'), (150*k, 150*r))
im.save(dest)
print(f'wrote {dest}: row r holds class {class_folders}[r]')
