#!/usr/bin/env python3
"""tpl_reference.py - Test-ProxyLogon's four log checks, as plain interpreted Python.

The speed reference for bench/logs_bench.sh: what a responder gets from a
straightforward script (Microsoft's Test-ProxyLogon.ps1, or the HAFNIUM blog's
Import-Csv one-liners) rather than from a compiled, multi-threaded tool. It is
deliberately plain: one thread, the standard csv module, one dict per row.

Checks (CSS-Exchange Security/src/Test-ProxyLogon.ps1, current form; see also
tests/data/logs/_tools/tpl_reference.py, which this follows):

  CVE-2021-26855  every HttpProxy log: AnchorMailbox -like 'ServerInfo~*/*',
                  and not -like 'ServerInfo~*/autodiscover*' nor
                  'ServerInfo~localhost*/*'
  CVE-2021-27065  HttpProxy\\Ecp logs: AnchorMailbox -like
                  'ServerInfo~*/*Reset*VirtualDirectory#' and HttpStatus -eq 200;
                  ECP Server logs: lines matching 'Set-.+VirtualDirectory'
  CVE-2021-26858  OABGenerator logs: 'Download failed and temporary file (.*?)
                  needs to be removed' with a path outside ClientAccess\\OAB

-like is PowerShell's wildcard match (case-insensitive, whole string); here it
is fnmatch.translate compiled with re.IGNORECASE. A CSV file is read with
csv.DictReader after skipping the '#' directive lines; its columns are bound by
the bare header line, or by '#Fields:' when the file has no bare header.

Unlike the real script, every HttpProxy log is parsed by default (as the
HAFNIUM blog's command does). --prefilter adds the current script's
`Select-String "ServerInfo~" -Quiet` file prefilter. The script reports every
matching line (the real one stops at the first per ECP / OAB file, -List).

Usage: tpl_reference.py [--prefilter] [--quiet] PATH...
  PATH: folders (walked) or files. Prints one line per hit
  ("path:line check detail") and a last line "summary {json}".
"""
import argparse
import csv
import fnmatch
import json
import os
import re
import sys
import time

EXCHANGE = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\"


def like(pattern):
    """A compiled PowerShell -like: case-insensitive, whole string."""
    return re.compile(fnmatch.translate(pattern), re.IGNORECASE).match


LIKE_SSRF = like("ServerInfo~*/*")
LIKE_AUTOD = like("ServerInfo~*/autodiscover*")
LIKE_LOCAL = like("ServerInfo~localhost*/*")
LIKE_RESET = like("ServerInfo~*/*Reset*VirtualDirectory#")
ECP_RX = re.compile(r"Set-.+VirtualDirectory", re.IGNORECASE)
OAB_RX = re.compile(r"Download failed and temporary file (.*?) needs to be removed", re.IGNORECASE)
OAB_OK = ("'" + EXCHANGE + "ClientAccess\\OAB").lower()
PREFILTER = re.compile(rb"ServerInfo~", re.IGNORECASE)


class Counts:
    def __init__(self):
        self.files = 0
        self.bytes = 0
        self.rows = 0
        self.skipped_by_prefilter = 0
        self.hits = {"cve_2021_26855": 0, "cve_2021_27065_reset": 0, "cve_2021_27065_ecp": 0, "cve_2021_26858": 0}


def csv_rows(path, pos):
    """(fieldnames, iterator of data lines) for a CSV log; pos[0] is the physical
    line number of the line last handed out."""
    f = open(path, "r", encoding="utf-8-sig", errors="replace", newline="")
    first = f.readline()
    fields = None
    pos[0] = 1
    if first.startswith("#"):
        # No bare header: the columns come from the '#Fields:' directive.
        line = first
        while line.startswith("#"):
            if line.startswith("#Fields: "):
                fields = next(csv.reader([line[len("#Fields: "):]]))
            line = f.readline()
            pos[0] += 1
        pending = [line] if line else []
    else:
        fields = next(csv.reader([first]))
        pending = []

    def lines():
        for line in pending:
            yield line
        n = pos[0]
        for line in f:
            n += 1
            if line[:1] == "#":
                continue
            pos[0] = n
            yield line
        f.close()

    return fields, lines()


def check_httpproxy(path, rel, is_ecp, c, out):
    pos = [0]
    fields, lines = csv_rows(path, pos)
    if not fields:
        return
    rows = 0
    for row in csv.DictReader(lines, fieldnames=fields):
        rows += 1
        am = row.get("AnchorMailbox")
        if am and LIKE_SSRF(am):
            if not LIKE_AUTOD(am) and not LIKE_LOCAL(am):
                c.hits["cve_2021_26855"] += 1
                out("%s:%d cve_2021_26855 AnchorMailbox=%s ClientIpAddress=%s" % (rel, pos[0], am, row.get("ClientIpAddress")))
            if is_ecp and LIKE_RESET(am) and row.get("HttpStatus") == "200":
                c.hits["cve_2021_27065_reset"] += 1
                out("%s:%d cve_2021_27065_reset AnchorMailbox=%s" % (rel, pos[0], am))
    c.rows += rows


def check_lines(path, rel, kind, c, out):
    with open(path, "r", encoding="utf-8-sig", errors="replace", newline="") as f:
        for n, line in enumerate(f, 1):
            if kind == "ecp":
                if ECP_RX.search(line):
                    c.hits["cve_2021_27065_ecp"] += 1
                    out("%s:%d cve_2021_27065_ecp" % (rel, n))
            else:
                m = OAB_RX.search(line)
                if m and not m.group(1).lower().startswith(OAB_OK):
                    c.hits["cve_2021_26858"] += 1
                    out("%s:%d cve_2021_26858 path=%s" % (rel, n, m.group(1)))
            c.rows += 1


def check(path, rel, c, out, prefilter):
    p = "/" + path.replace("\\", "/").lower()
    name = p.rsplit("/", 1)[-1]
    if not name.endswith(".log"):  # Get-ChildItem -Filter '*.log'
        return
    if "/logging/httpproxy/" in p:
        c.files += 1
        c.bytes += os.path.getsize(path)
        if prefilter:
            with open(path, "rb") as f:
                if not PREFILTER.search(f.read()):
                    c.skipped_by_prefilter += 1
                    return
        check_httpproxy(path, rel, "/logging/httpproxy/ecp/" in p, c, out)
    elif "/logging/ecp/server/" in p:
        c.files += 1
        c.bytes += os.path.getsize(path)
        check_lines(path, rel, "ecp", c, out)
    elif "/logging/oabgeneratorlog/" in p:
        c.files += 1
        c.bytes += os.path.getsize(path)
        check_lines(path, rel, "oab", c, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--prefilter", action="store_true", help="skip HttpProxy files without 'ServerInfo~' (as the script)")
    ap.add_argument("--quiet", action="store_true", help="print only the summary line")
    a = ap.parse_args()
    started = time.time()
    c = Counts()
    out = (lambda s: None) if a.quiet else print
    for top in a.paths:
        if os.path.isfile(top):
            check(top, top, c, out, a.prefilter)
            continue
        if not os.path.isdir(top):
            sys.exit("tpl_reference: no such file or folder: %s" % top)
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                check(full, os.path.relpath(full, top), c, out, a.prefilter)
    summary = {"files": c.files, "bytes": c.bytes, "rows": c.rows, "prefilter": a.prefilter,
               "skipped_by_prefilter": c.skipped_by_prefilter, "hits": c.hits,
               "seconds": round(time.time() - started, 3)}
    print("summary " + json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
