#!/usr/bin/env python
"""The shape of the code, as the house style asks for it: lines per module, the size of the notebooks' exported cells
(median and largest, directives and blank lines not counted) and every private name one module imports from another.
Exits 1 when the median exported cell is over --median lines, a cell is over --max lines, or a private name crosses
modules. Usage: python tools/code_shape.py [--median 10] [--max 40] [--quiet]"""
import argparse, ast, json, statistics, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def exported_cells(nbs=root/'nbs'):
    "(notebook, first line, lines of code) for each exported cell of the numbered notebooks."
    for nb in sorted(nbs.glob('[0-9]*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
            lines = src.splitlines()
            if c['cell_type'] != 'code' or not any(l.strip() in ('#| export', '#|export') for l in lines): continue
            code = [l for l in lines if l.strip() and not l.lstrip().startswith('#|')]
            yield nb.name, (code[0] if code else '')[:70], len(code)

def private_imports(pkg=root/'crc_histo'):
    "(module, line, 'from X import _y') for each private name a module imports from another module of the package."
    for f in sorted(pkg.glob('*.py')):
        if f.name == '_modidx.py': continue
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and ((node.level and node.module) or (node.module or '').startswith('crc_histo.')):
                if node.module.split('.')[-1] == f.stem: continue  # a module naming its own function (for a spawned process) crosses nothing
                bad = [a.name for a in node.names if a.name.startswith('_') and not a.name.startswith('__')]
                if bad: yield f.name, node.lineno, f"from {'.' * node.level}{node.module} import {', '.join(bad)}"

def module_lines(pkg=root/'crc_histo'):
    return {f.name: len(f.read_text().splitlines()) for f in sorted(pkg.glob('*.py')) if f.name != '_modidx.py'}

if __name__ == '__main__':
    P = argparse.ArgumentParser(description=__doc__)
    P.add_argument('--median', type=float, default=10); P.add_argument('--max', type=int, default=40); P.add_argument('--quiet', action='store_true')
    a = P.parse_args()
    lines = module_lines()
    cells = list(exported_cells())
    sizes = [n for *_, n in cells]
    priv = list(private_imports())
    if not a.quiet:
        print('modules (lines):', ', '.join(f'{k} {v}' for k, v in sorted(lines.items(), key=lambda kv: -kv[1])))
    big = max(lines, key=lines.get)
    print(f'{len(lines)} modules, {sum(lines.values())} lines; biggest: {big} ({lines[big]} lines)')
    over = sorted([c for c in cells if c[2] > a.max], key=lambda c: -c[2])
    print(f'{len(cells)} exported cells: median {statistics.median(sizes):g} lines, largest {max(sizes)}, {sum(s > 30 for s in sizes)} over 30, '
          f'{sum(s > 40 for s in sizes)} over 40' + (f', {len(over)} over {a.max} (the limit given)' if a.max != 40 else ''))
    for nb, first, n in sorted([c for c in cells if c[2] > 40], key=lambda c: -c[2]): print(f'  {n:3d} lines  {nb}: {first}')
    print(f'private names imported across modules: {len(priv)}')
    for m, ln, s in priv: print(f'  {m}:{ln}: {s}')
    bad = statistics.median(sizes) > a.median or over or priv
    sys.exit(1 if bad else 0)
