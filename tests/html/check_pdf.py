#!/usr/bin/env python3
"""check_pdf.py - check a printed exhunt HTML report (a PDF) against its records.

Usage: check_pdf.py REPORT.pdf DATA [--expect-text S]...
DATA is the JSON Lines the report was made from, or the HTML report itself
(its embedded records are read).

Reads the PDF with poppler's pdfinfo and pdftotext and checks what a reader
of the paper copy needs:
  - the PDF has pages, at least one per server section plus the summary;
  - each server's name, verdict word and headline are in the text;
  - the summary page holds no server section, and each section "Server k of
    n:" starts on a later page than the one before it (a page per server);
  - every finding is printed: "All N findings", and the title of every
    finding whose title is plain printable ASCII, even when the page was
    printed with a filter set on screen;
  - none of the screen controls' text (filter box, severity and server
    selectors, expand buttons, "show all", the row counter) is printed.
Text is read in content order (pdftotext -raw: a table cell's lines stay
together) and compared with all white space removed, since the PDF wraps
lines where the page did. Exit 0 pass, 1 fail, 2 usage error, 77 no poppler-utils.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys

INVISIBLE = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e"
                       "\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]")
CONTROLS = ["Severity at least", "Expand all", "Collapse all", "Click a row for details", "all servers",
            "show all", "Showing "]


def vis(s):
    return INVISIBLE.sub(lambda m: "\u27e8U+%04X\u27e9" % ord(m.group(0)), s)


def squash(s):
    return re.sub(r"\s+", "", s)


def jstr(v):
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(int(v)) if float(v).is_integer() else repr(v)
    return ""


def main(argv):
    ap = argparse.ArgumentParser(description="Check a printed exhunt HTML report.")
    ap.add_argument("pdf")
    ap.add_argument("data")
    ap.add_argument("--expect-text", action="append", default=[])
    args = ap.parse_args(argv[1:])
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        print("check_pdf: no pdftotext/pdfinfo; install the Debian package poppler-utils")
        return 77
    fails = []

    def fail(msg):
        fails.append(msg)
        print("FAIL: " + msg)

    with open(args.data, encoding="utf-8") as fh:
        data = fh.read()
    m = re.search(r'<script id="exhunt-data" type="application/json">(.*?)</script>', data, re.S)
    if m:
        records = json.loads(m.group(1))
        records = records if isinstance(records, list) else []
    else:
        records = [json.loads(line) for line in data.split("\n") if line.strip()]  # not splitlines(): U+2028 is inside strings
    records = [r for r in records if isinstance(r, dict)]
    try:
        info = subprocess.run(["pdfinfo", args.pdf], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", args.pdf, "-"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print("check_pdf: %s: %s" % (args.pdf, e))
        return 1
    m = re.search(r"^Pages:\s+(\d+)", info, re.M)
    pages = int(m.group(1)) if m else 0
    page_text = [squash(p) for p in text.split("\f")]
    whole = "".join(page_text)

    servers = []  # in the order of the page: first appearance in the records
    for r in records:
        if r.get("type") in ("verdict", "story", "coverage", "finding", "build"):
            name = vis(jstr(r.get("server"))) or "(server not named)"
            if name not in servers:
                servers.append(name)
    want_pages = 1 + len(servers) if servers else 1
    if pages < want_pages:
        fail("%d pages, want at least %d (the summary and a page per server)" % (pages, want_pages))

    for v in (r for r in records if r.get("type") == "verdict"):
        name = vis(jstr(v.get("server"))) or "(server not named)"
        for what, s in (("server", name), ("verdict", jstr(v.get("verdict"))), ("headline", jstr(v.get("headline")))):
            if s and squash(vis(s)) not in whole:
                fail("%s %r of %s not in the PDF" % (what, s[:80], name))
    for s in args.expect_text:
        if squash(s) not in whole:
            fail("text %r not in the PDF" % s)

    # a page per server: the summary page has no section, each section a later page
    last = 0
    for k in range(1, len(servers) + 1):
        head = squash("Server %d of %d:" % (k, len(servers)))
        on = [i for i, p in enumerate(page_text) if head in p]
        if not on:
            fail("section heading 'Server %d of %d:' not in the PDF" % (k, len(servers)))
            continue
        if on[0] <= last:
            fail("server section %d starts on page %d, not after the page of the one before (%d)" % (k, on[0] + 1, last + 1))
        last = on[0]

    findings = [r for r in records if r.get("type") == "finding"]
    if findings and squash("All %d finding%s" % (len(findings), "" if len(findings) == 1 else "s")) not in whole:
        fail("the PDF does not say it lists all %d findings" % len(findings))
    missing = [t for t in (jstr(f.get("title")) for f in findings)
               if t and re.fullmatch(r"[ -~]+", t) and not re.search(r"[<>&]", t) and squash(t) not in whole]
    if missing:
        fail("%d finding titles not printed, e.g. %r" % (len(missing), missing[0][:80]))

    for c in CONTROLS:
        if squash(c) in whole:
            fail("screen control text %r is printed" % c)
    print("%s: %s, %d pages, %d servers, %d findings" % ("FAILED" if fails else "ok", args.pdf, pages, len(servers), len(findings)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
