#!/usr/bin/env python
"""Write a notebook from a 'percent' script (cells start with `# %%`; `# %% [markdown]` cells have
their lines' leading `# ` removed). A drafting aid: the notebook it writes is the source of truth.
Usage: python tools/pct2nb.py draft.py nbs/01_data.ipynb"""
import json, sys
from pathlib import Path

def cells_from_percent(text):
    cells, kind, buf = [], None, []
    def flush():
        if kind is None: return
        while buf and not buf[-1].strip(): buf.pop()
        while buf and not buf[0].strip(): buf.pop(0)
        if not buf: return
        src = [l[2:] if l.startswith('# ') else l[1:] if l.startswith('#') else l for l in buf] if kind=='markdown' else buf
        src = '\n'.join(src)
        c = dict(cell_type=kind, metadata={}, source=src)
        if kind=='code': c.update(execution_count=None, outputs=[])
        cells.append(c)
    for line in text.splitlines():
        if line.startswith('# %%'):
            flush(); buf = []
            kind = 'markdown' if '[markdown]' in line else 'code'
        elif kind is not None: buf.append(line)
    flush()
    return cells

if __name__=='__main__':
    src, dst = map(Path, sys.argv[1:3])
    nb = dict(cells=cells_from_percent(src.read_text()), nbformat=4, nbformat_minor=5,
              metadata=dict(kernelspec=dict(display_name='python3', language='python', name='python3')))
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False)+'\n')
    print(f'wrote {dst} ({len(nb["cells"])} cells)')
