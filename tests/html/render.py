#!/usr/bin/env python3
"""render.py - build an HTML report from the template and a JSON Lines file,
exactly as `exhunt hunt` does in C, so the page can be tested without the C side.

Usage: render.py TEMPLATE DATA.jsonl OUT.html

The records become one JSON array (UTF-8, not ASCII-escaped). Inside it '<', '>'
and '&' become \\u003c, \\u003e and \\u0026, and U+2028/U+2029 become \\u2028 and
\\u2029: those characters can only occur inside JSON strings, where the escapes
mean the same thing, and without them no '</script' or '<!--' can end the
<script type="application/json"> element the data lives in. The placeholder
must occur exactly once in the template. Standard library only.
"""
import json
import sys

PLACEHOLDER = "__EXHUNT_DATA__"


def escape_for_script(text):
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: render.py TEMPLATE DATA.jsonl OUT.html\n")
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        template = fh.read()
    count = template.count(PLACEHOLDER)
    if count != 1:
        sys.stderr.write("render.py: %s: placeholder %s occurs %d times, want 1\n"
                         % (argv[1], PLACEHOLDER, count))
        return 1
    records = []
    with open(argv[2], encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError as e:
                sys.stderr.write("render.py: %s:%d: %s\n" % (argv[2], n, e))
                return 1
    data = escape_for_script(json.dumps(records, ensure_ascii=False, separators=(",", ":")))
    with open(argv[3], "w", encoding="utf-8", newline="") as fh:
        fh.write(template.replace(PLACEHOLDER, data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
