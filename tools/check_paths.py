#!/usr/bin/env python
"""Fail when README.md or a notebook in nbs/ (sources, outputs, metadata; not image data) holds an absolute path
of this machine: the checkout's parent folder or the home folder, followed by '/'. Saved outputs and text must name
files relative to the repository or the data folder, so that they read the same on every machine.
Usage: python tools/check_paths.py [ROOT]  (ROOT: the checkout; default: this file's repository)."""
import json, os, re, sys
from pathlib import Path

def machine_prefixes(root:Path) -> list[str]:
    "The absolute folders of this machine that must not appear: the checkout's parent and the home folder ('/' never)."
    cands = [str(root.resolve().parent), os.path.expanduser('~'), str(Path.home())]
    return sorted({c.rstrip('/') for c in cands if c and c.rstrip('/')})

def pattern(prefixes:list[str]) -> re.Pattern:
    "A prefix followed by '/', not inside a longer path, word or base64 run (e.g. 'a/work/b' or 'x.work/')."
    return re.compile(r'(?<![\w.~/+-])(?:' + '|'.join(re.escape(p) for p in prefixes) + r')/')

def _strings(x, where):
    "Every string in a notebook's JSON with where it is, skipping image data."
    if isinstance(x, str): yield where, x
    elif isinstance(x, list):
        if x and all(isinstance(s, str) for s in x): yield where, ''.join(x)
        else:
            for i, v in enumerate(x): yield from _strings(v, where)
    elif isinstance(x, dict):
        for k, v in x.items():
            if not k.startswith('image/'): yield from _strings(v, where)

def offences(root:Path) -> list[str]:
    "'file (cell N): …path…' for each absolute machine path in README.md and nbs/*.ipynb."
    pat, out = pattern(machine_prefixes(root)), []
    texts = [('README.md', (root/'README.md').read_text())] if (root/'README.md').exists() else []
    for f in sorted((root/'nbs').glob('*.ipynb')):
        nb = json.loads(f.read_text())
        for i, c in enumerate(nb.get('cells', [])): texts += [(f"nbs/{f.name} (cell {i})", s) for _, s in _strings(c, i)]
    for name, s in texts:
        for m in pat.finditer(s): out.append(f"{name}: {s[m.start():m.start()+80].splitlines()[0]}")
    return out

if __name__ == '__main__':
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    bad = offences(root)
    for b in bad[:20]: print(b)
    if bad:
        print(f"{len(bad)} absolute path(s) of this machine ({', '.join(machine_prefixes(root))}) in README.md or the notebooks: "
              "write them relative to the repository or the data folder.")
        sys.exit(1)
    print(f"no absolute paths of this machine ({', '.join(machine_prefixes(root))}) in README.md or the notebooks")
