#!/usr/bin/env python
"""Split each exported notebook cell that holds several definitions into one cell per definition (a def or class with its
decorators and the comments above it; consecutive plain statements stay together), keeping the cell's directives and id
(the first part) so nothing in the exported modules changes but the cell markers. Usage: python tools/split_cells.py [NB ...] [--dry]"""
import ast, json, statistics, sys, uuid
from pathlib import Path

def parts(src):
    "The cell's directive lines and its code split into definitions; None if the code does not parse."
    lines = src.splitlines()
    head = [l for l in lines if l.lstrip().startswith('#|')]
    body = [l for l in lines if not l.lstrip().startswith('#|')]
    code = '\n'.join(body)
    try: tree = ast.parse(code)
    except SyntaxError: return None
    starts, prev_def = [], None
    for node in tree.body:
        is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        first = min([node.lineno] + [d.lineno for d in getattr(node, 'decorator_list', [])]) - 1
        if is_def or prev_def in (True, None): starts.append(first)
        prev_def = is_def
    if len(starts) < 2: return head, [body]
    # comment lines right above a definition go with it
    for k in range(1, len(starts)):
        s = starts[k]
        while s - 1 > starts[k - 1] and body[s - 1].lstrip().startswith('#'): s -= 1
        starts[k] = s
    chunks = [body[a:b] for a, b in zip([0] + starts[1:], starts[1:] + [len(body)])]
    chunks = [[l for l in c] for c in chunks]
    for c in chunks:
        while c and not c[-1].strip(): c.pop()
    return head, [c for c in chunks if any(l.strip() for l in c)]

def split_nb(path, dry=False):
    nb = json.loads(Path(path).read_text())
    out, n_new = [], 0
    for c in nb['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        first = src.splitlines()[0].strip() if src.strip() else ''
        if c['cell_type'] != 'code' or not any(l.strip() in ('#| export', '#|export', '#| exporti') for l in src.splitlines()):
            out.append(c); continue
        p = parts(src)
        if p is None or len(p[1]) < 2: out.append(c); continue
        head, chunks = p
        for k, ch in enumerate(chunks):
            new = dict(c) if k == 0 else dict(cell_type='code', execution_count=None, id=uuid.uuid4().hex[:8], metadata={}, outputs=[])
            new['source'] = '\n'.join(head + ch)
            out.append(new)
        n_new += len(chunks) - 1
    if not dry and n_new:
        nb['cells'] = out
        Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return n_new

if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--dry']
    nbs = args or sorted(str(p) for p in Path('nbs').glob('[0-9]*.ipynb'))
    for p in nbs: print(p, split_nb(p, '--dry' in sys.argv), 'cells added')
