#!/usr/bin/env python
"""Check that a markdown file renders as meant, with a CommonMark renderer (markdown-it-py, tables on, as on GitHub).
Catches what reads right in the source and renders otherwise: a line inside a paragraph that CommonMark turns into a
list item or a heading (a line beginning "+ 7 epochs", "- 2 patients" or "# 3"), a table row that is not part of a
table or has more or fewer cells than its header, and a code fence that is never closed.
`python tools/check_markdown.py README.md` prints one line per problem and exits 1 if there is any;
`--self-test` checks the checker on small examples of each."""
import re, sys
from pathlib import Path
from markdown_it import MarkdownIt

def _cells(row):
    "How many cells a table row has: pipes not escaped and not at the ends split it."
    row = row.strip()
    row = row[1:] if row.startswith('|') else row
    row = row[:-1] if row.endswith('|') and not row.endswith('\\|') else row
    return len(re.split(r'(?<!\\)\|', row))

def problems(text:str) -> list[str]:
    "One sentence per place where `text` renders otherwise than it reads."
    lines, found = text.split('\n'), []
    tokens = MarkdownIt('commonmark').enable('table').parse(text)
    in_table = set()
    for i, t in enumerate(tokens):
        if t.map is None: continue
        first, end = t.map
        if t.type == 'heading_open' and t.markup in ('=', '-'):  # setext: the underline makes the paragraph above a heading
            found.append(f"line {end}: {lines[end - 1].strip()!r} under a paragraph makes it a heading; leave a blank line or write a heading with #")
        elif t.type in ('bullet_list_open', 'ordered_list_open', 'heading_open') and first > 0:
            before = lines[first - 1]
            kind = 'a heading' if t.type == 'heading_open' else 'a list item'
            if before.strip() and not before.rstrip().endswith(':') and not _is_block_line(before):
                found.append(f"line {first + 1}: {lines[first].strip()[:60]!r} renders as {kind}, not as part of the paragraph above it; "
                             "reword or join it to the line before")
        if t.type == 'table_open':
            in_table.update(range(first, end))
            head = _cells(lines[first])
            for k in range(first, end):
                if k != first + 1 and (n := _cells(lines[k])) != head:
                    found.append(f"line {k + 1}: a table row of {n} cells under a header of {head}: the row renders otherwise "
                                 "(escape a | inside a cell as \\|)")
        if t.type == 'fence':
            close = lines[end - 1].strip() if end - 1 > first else ''
            if not (close.startswith(t.markup[0] * len(t.markup)) and set(close) <= {t.markup[0]}):
                found.append(f"line {first + 1}: the code fence {t.markup} opened here is never closed, so the rest of the file renders as code")
    code = {k for t in tokens if t.type in ('fence', 'code_block') and t.map for k in range(*t.map)}
    for k, l in enumerate(lines):
        if l.lstrip().startswith('|') and k not in in_table and k not in code:
            found.append(f"line {k + 1}: {l.strip()[:60]!r} looks like a table row but does not render as one "
                         "(a table needs a header row and a |---| row under it)")
    return found

def _is_block_line(line):
    "A line that is itself a list item, heading, quote or table row: a list or heading may follow it directly."
    return bool(re.match(r'\s{0,3}([-+*]\s|\d+[.)]\s|#|>|\|)', line))

_bad = {"+ 7 unfrozen epochs": "One frozen\n+ 7 unfrozen epochs, dihedral augmentation.\n",
        "- 2 patients": "held out in each fold\n- 2 patients per fold.\n",
        "# 3": "the chapter numbered\n# 3 says so.\n",
        "setext": "A sentence\n---\n",
        "rows": "| a | b |\n|---|---|\n| 1 | x | y |\n",
        "no table": "Text.\n\n| a | b |\n| 1 | 2 |\n",  # no |---| row
        "fence": "```sh\npip install .\n\nMore text.\n"}
_good = "# Title\n\nA paragraph:\n- a list after a colon\n- another\n\n| a | b |\n|---|---|\n| `x \\| y` | 2 |\n\n```sh\necho | cat\n```\n\n1. one\n2. two\n"

def self_test():
    "Each bad example has a problem, the good one none."
    for name, text in _bad.items(): assert problems(text), f"not caught: {name}"
    assert problems(_good) == [], problems(_good)

if __name__ == '__main__':
    if '--self-test' in sys.argv: self_test(); print('check_markdown: every bad example caught, the good one passes'); sys.exit(0)
    paths = [a for a in sys.argv[1:] if not a.startswith('--')] or ['README.md']
    bad = [f"{p}: {m}" for p in paths for m in problems(Path(p).read_text())]
    print('\n'.join(bad) if bad else f"{', '.join(paths)}: renders as written (CommonMark with tables)")
    sys.exit(1 if bad else 0)
