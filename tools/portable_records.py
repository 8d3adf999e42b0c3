#!/usr/bin/env python
"""Rewrite the records under results/ (json, jsonl, csv, md, txt, log, tsv) so that they name no absolute path of the
machine they were written on; only the path strings change, every other byte (numbers included) stays as it was.
Idempotent: a second run changes nothing. Files that need no change are not rewritten (a file a running job appends
to is left alone unless it holds such a path).

How paths are written (the way `crc_histo.data.data_spec` names data, so that `--data` finds them again):
- a shared data folder `<parent>/shared/data/kather2016_png` (or the download cache's `Kather_texture_2016_image_tiles_5000`)
  -> `kather2016`; any other folder under the shared data folder or the data home -> its path relative to it
  (`/work/shared/data/nct_crc_he_62` -> `nct_crc_he_62`); the shared data folder itself -> `../shared/data`;
- a file of the checkout that wrote it (`<parent>/main/...`, `<parent>/wt_x/...`) -> relative to the repository root;
- any other folder beside the checkout (`<parent>/cache`) -> `../cache`;
- a temporary folder (`/tmp/x`) -> `$TMPDIR/x`.
`<parent>` is the folder that held the checkouts on the machines that wrote the records (`/work`) and this checkout's
parent; the data home is `~/.local/share/crc_histo` or `~/.cache/crc_histo` under `/root`, `/home/<user>` or this home.
Scripts (.py, .sh) are not rewritten (a path in code is not a string to swap): they are listed, to be edited by hand.

Usage: python tools/portable_records.py [--check] [ROOT]  (ROOT: the checkout; --check: change nothing, exit 1 if a
record would change)."""
import os, re, sys
from pathlib import Path

record_suffixes = ('.json', '.jsonl', '.csv', '.tsv', '.md', '.txt', '.log')
script_suffixes = ('.py', '.sh')
_before = r'(?<![\w.~/+$-])'  # not inside a longer path, word or variable
_end = r'(?=[^\w.-]|$)'  # the end of a path component

def rules(root:Path) -> list[tuple[re.Pattern, str]]:
    "(pattern, replacement) pairs, applied in order."
    parents = sorted({'/work', str(root.resolve().parent)} - {'/'})
    homes = sorted({'/root', r'/home/[\w.-]+', re.escape(str(Path.home()))})
    par = '(?:' + '|'.join(re.escape(p) for p in parents) + ')'
    dhome = '(?:' + '|'.join(homes) + r')/(?:\.local/share|\.cache)/crc_histo'
    return [(re.compile(_before + par + r'/shared/data/kather2016_png' + _end), 'kather2016'),
            (re.compile(_before + dhome + r'/Kather_texture_2016_image_tiles_5000' + _end), 'kather2016'),
            (re.compile(_before + par + r'/shared/data/'), ''),
            (re.compile(_before + par + r'/shared/data' + _end), '../shared/data'),
            (re.compile(_before + dhome + '/'), ''),
            (re.compile(_before + par + r'/(?:main|snap|wt_[\w-]+)/'), ''),
            (re.compile(_before + par + r'/'), '../'),
            (re.compile(_before + r'/tmp/'), '$TMPDIR/')]

def portable(text:str, root:Path) -> str:
    "`text` with every absolute machine path written as above."
    for pat, new in rules(root): text = pat.sub(new.replace('\\', r'\\'), text)
    return text

def text_files(folder:Path):
    "Files under `folder` with one of the suffixes we read, sorted."
    return sorted(f for f in folder.rglob('*') if f.is_file() and f.suffix in record_suffixes + script_suffixes)

def main(root:Path, check:bool=False) -> int:
    changed, scripts = [], []
    for f in text_files(root/'results'):
        try: old = f.read_text()
        except UnicodeDecodeError: continue
        new = portable(old, root)
        if new == old: continue
        if f.suffix in script_suffixes: scripts.append(f.relative_to(root)); continue
        changed.append(f.relative_to(root))
        if not check: f.write_text(new)
    for f in changed: print(('would rewrite ' if check else 'rewrote ') + str(f))
    for f in scripts: print(f"{f}: a script with absolute paths; edit it by hand (relative paths or arguments)")
    if not changed and not scripts: print('results/ names no absolute machine path')
    return 1 if (check and changed) or scripts else 0

if __name__ == '__main__':
    args = sys.argv[1:]
    check = '--check' in args
    args = [a for a in args if a != '--check']
    sys.exit(main(Path(args[0]) if args else Path(__file__).resolve().parent.parent, check))
