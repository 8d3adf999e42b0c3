#!/usr/bin/env python
"""Fail when README.md, a notebook in nbs/ (sources, outputs, metadata; not image data) or a text file under results/
(json, jsonl, csv, md, txt, py, sh, log, ...: every file that reads as UTF-8 text) holds an absolute path of this machine:
the checkout's parent folder or the home folder, followed by '/'; or when a notebook's saved outputs or a file under
results/ name a temporary folder (`/tmp/...`, the temporary folder of this machine, or a folder that `tempfile` or
`mktemp` names, such as `tmpk3j2_x9a/`). Saved outputs and records must name files relative to the repository or the
data folder (`crc_histo.data.data_spec`), so that they read the same on every machine; `tools/portable_records.py`
rewrites records that do not. Prints each offending file and line.
Usage: python tools/check_paths.py [ROOT]  (ROOT: the checkout; default: this file's repository)."""
import json, os, re, sys, tempfile
from pathlib import Path

def machine_prefixes(root:Path) -> list[str]:
    "The absolute folders of this machine that must not appear: the checkout's parent and the home folder ('/' never)."
    cands = [str(root.resolve().parent), os.path.expanduser('~'), str(Path.home())]
    return sorted({c.rstrip('/') for c in cands if c and c.rstrip('/')})

_before = r'(?<![\w.~/+$-])'  # not inside a longer path, word, variable or base64 run (e.g. 'a/work/b' or 'x.work/')

def pattern(prefixes:list[str]) -> re.Pattern:
    "A prefix followed by '/', not inside a longer path, word or base64 run."
    return re.compile(_before + '(?:' + '|'.join(re.escape(p) for p in prefixes) + r')/')

def temp_pattern() -> re.Pattern:
    "A temporary folder: `/tmp/`, this machine's temporary folder, or a `tempfile`/`mktemp` folder name inside a path."
    temps = sorted({'/tmp', tempfile.gettempdir().rstrip('/')} - {''})
    return re.compile(_before + '(?:' + '|'.join(re.escape(t) for t in temps) + r')/'
                      + r'|/tmp(?:[a-z0-9_]{8}|\.[A-Za-z0-9]{10})(?=[/\'"\s]|$)')

def _strings(x):
    "Every string in a notebook's JSON, skipping image data."
    if isinstance(x, str): yield x
    elif isinstance(x, list):
        if x and all(isinstance(s, str) for s in x): yield ''.join(x)
        else:
            for v in x: yield from _strings(v)
    elif isinstance(x, dict):
        for k, v in x.items():
            if not k.startswith('image/'): yield from _strings(v)

def _hits(name:str, text:str, pats:list[re.Pattern]) -> list[str]:
    "'name, line N: the line' for each line of `text` that one of `pats` matches."
    return [f"{name}, line {i}: {l.strip()[:160]}" for i, l in enumerate(text.splitlines(), 1) if any(p.search(l) for p in pats)]

def _text(f:Path) -> str|None:
    "The file as text, None for a binary file (NUL bytes or not UTF-8)."
    b = f.read_bytes()
    if b'\0' in b: return None
    try: return b.decode('utf-8')
    except UnicodeDecodeError: return None

def offences(root:Path) -> list[str]:
    "'file ..., line N: the line' for each machine path in README.md, nbs/*.ipynb and results/, and each temporary path in saved outputs and results/."
    mach, tmp, out = pattern(machine_prefixes(root)), temp_pattern(), []
    if (root/'README.md').exists(): out += _hits('README.md', (root/'README.md').read_text(), [mach])
    for f in sorted((root/'nbs').glob('*.ipynb')):
        nb = json.loads(f.read_text())
        for i, c in enumerate(nb.get('cells', [])):
            where = f"nbs/{f.name} (cell {i}, id {c.get('id', '?')})"
            out += _hits(where + ' source', ''.join(_strings(c.get('source', ''))), [mach])
            out += _hits(where + ' metadata', '\n'.join(_strings(c.get('metadata', {}))), [mach])
            for j, o in enumerate(c.get('outputs', [])):
                out += _hits(f"{where} output {j}", '\n'.join(_strings(o)), [mach, tmp])
    for f in sorted(p for p in (root/'results').rglob('*') if p.is_file() and '__pycache__' not in p.parts):
        if (s := _text(f)) is not None: out += _hits(str(f.relative_to(root)), s, [mach, tmp])
    return out

if __name__ == '__main__':
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    bad, where = offences(root), f"{', '.join(machine_prefixes(root))} or a temporary folder"
    for b in bad: print(b)
    if bad:
        print(f"{len(bad)} line(s) name an absolute path of this machine ({where}) in README.md, the notebooks or results/: "
              "write them relative to the repository or the data folder (tools/portable_records.py rewrites records).")
        sys.exit(1)
    print(f"no absolute paths of this machine ({where}) in README.md, the notebooks or results/")
