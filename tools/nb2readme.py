#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (markdown cells, and code cells that are not hidden).
`nbdev-readme` needs Quarto, which our machines lack. `--check` exits 1 if README.md is out of step."""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
def readme_text():
    nb = json.loads((root/'nbs'/'index.ipynb').read_text())
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'markdown': parts.append(src.strip())
        elif not src.lstrip().startswith('#| hide'): parts.append(f"```python\n{src.strip()}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    txt, dest = readme_text(), root/'README.md'
    if '--check' in sys.argv:
        ok = dest.exists() and dest.read_text() == txt
        print('README.md is in step with nbs/index.ipynb' if ok else 'README.md is out of step with nbs/index.ipynb: run python tools/nb2readme.py')
        sys.exit(0 if ok else 1)
    dest.write_text(txt); print(f'wrote {dest}')
