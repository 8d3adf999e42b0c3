#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (markdown cells, and code cells that are not hidden).
`nbdev-readme` needs Quarto, which our machines lack. `--check` exits 1 if README.md is out of step, or if it has
markdown that a CommonMark renderer shows otherwise than it reads (tools/check_markdown.py). Images and links written
relative to nbs/ (`](../results/...` or `src="../results/...`) are written relative to the repository root in README.md, so both work on GitHub."""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
def readme_text():
    nb = json.loads((root/'nbs'/'index.ipynb').read_text())
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'markdown': parts.append(re.sub(r'(\]\(|src=")\.\./', r'\1', src.strip()))
        elif not src.lstrip().startswith('#| hide'): parts.append(f"```python\n{src.strip()}\n```")
    return '\n\n'.join(parts) + '\n'

def markdown_problems(txt):
    "Where README's markdown renders otherwise than it reads (tools/check_markdown.py), its own examples checked first."
    sys.path.insert(0, str(root/'tools'))
    from check_markdown import problems, self_test
    self_test()
    return problems(txt)

if __name__ == '__main__':
    txt, dest = readme_text(), root/'README.md'
    bad = markdown_problems(txt)
    for m in bad: print(f"README.md (from nbs/index.ipynb): {m}")
    if '--check' in sys.argv:
        ok = dest.exists() and dest.read_text() == txt
        print('README.md is in step with nbs/index.ipynb' if ok else 'README.md is out of step with nbs/index.ipynb: run python tools/nb2readme.py')
        if not bad: print('README.md renders as written (CommonMark with tables)')
        sys.exit(0 if ok and not bad else 1)
    dest.write_text(txt); print(f'wrote {dest}')
    sys.exit(1 if bad else 0)
