#!/usr/bin/env python3
"""Reference emulation of Test-ProxyLogon's log checks, for ground truth.

Emulates CSS-Exchange Security/src/Test-ProxyLogon.ps1 @ 8f45e406 (same checks
as release 24.10.24.2038) plus two older forms, on a folder of collected logs:

  current  Get-Cve26855 / Get-Cve27065 / Get-Cve26858 as in the current script
  v0       Security/Test-ProxyLogon.ps1 @ 084382c4 (4 March 2021): AnchorMailbox
           -like 'ServerInfo~*/*' with no exclusions; ECP 'Set-.*VirtualDirectory'
  blog2    the updated HAFNIUM blog command: AnchorMailbox -like 'ServerInfo~*/*'
           -or BackEndCookie -like 'Server~*/*~*'

Two ways of binding CSV columns are reported:

  intent   what the script means: columns named by the bare header line, or by
           the latest '#Fields:' line (this is what exhunt should do)
  ps51     what Windows PowerShell 5.1 Import-Csv literally does: a first line
           starting with '#' is swallowed as '#Type', the next record is the
           header. Files without a bare header first therefore bind nothing.

Usage: tpl_reference.py DIR...   (prints one line per hit: file:line check ...)
Not a test of exhunt; a second opinion for the README's expected detections.
"""
import gzip
import os
import re
import sys

EXCHANGE = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\"   # MsiInstallPath (trailing '\')


def like(value, pattern):
    """PowerShell -like: case-insensitive, whole string, * ? [..]."""
    if value is None:
        return False
    rx = ""
    for ch in pattern:
        rx += ".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
    return re.fullmatch(rx, value, re.I | re.S) is not None


def records(text):
    """RFC 4180 records with the 1-based line each starts on (quotes may span lines)."""
    out, i, line, n = [], 0, 1, len(text)
    while i < n:
        start, fields, cur, q = line, [], [], False
        while i < n:
            c = text[i]
            if q:
                if c == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        cur.append('"'); i += 2; continue
                    q = False; i += 1; continue
                if c == "\n":
                    line += 1
                cur.append(c); i += 1; continue
            if c == '"' and not cur:
                q = True; i += 1; continue
            if c == ",":
                fields.append("".join(cur)); cur = []; i += 1; continue
            if c == "\n" or (c == "\r" and i + 1 < n and text[i + 1] == "\n"):
                i += 2 if c == "\r" else 1
                line += 1
                break
            cur.append(c); i += 1
        fields.append("".join(cur))
        out.append((start, fields))
    return out


def bind_intent(text):
    header, rows = None, []
    for ln, f in records(text):
        first = f[0] if f else ""
        if first.startswith("#"):
            if first.startswith("#Fields: "):
                header = [first[len("#Fields: "):]] + f[1:]
            continue
        if header is None:              # bare header line (CsvCompatible / CsvStrict)
            header = f
            continue
        if f == [""]:
            continue
        rows.append((ln, dict((h, f[k] if k < len(f) else None) for k, h in enumerate(header))))
    return rows


def bind_ps51(text):
    recs = records(text)
    if recs and recs[0][1] and recs[0][1][0].startswith("#"):
        recs = recs[1:]                 # ReadTypeInformation swallows one '#' line
    if not recs:
        return []
    header = recs[0][1]
    return [(ln, dict((h, f[k] if k < len(f) else None) for k, h in enumerate(header))) for ln, f in recs[1:]]


def read(path):
    raw = open(path, "rb").read()
    if path.lower().endswith(".gz"):
        raw = gzip.decompress(raw)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", "replace")


ECP_NOW = re.compile(r"Set-.+VirtualDirectory.+?(?=Url).+<\w+.*>(.*?)<\/\w+>.+?(?=VirtualDirectory)", re.I)
ECP_V0 = re.compile(r"Set-.*VirtualDirectory", re.I)
OAB_RX = re.compile(r"Download failed and temporary file (.*?) needs to be removed", re.I)


def check(path, rel):
    p = path.replace("\\", "/").lower()
    name = os.path.basename(p)
    gz = name.endswith(".gz")
    base = name[:-3] if gz else name
    hits = []
    text = read(path)
    tag = " (gz: Test-ProxyLogon itself would skip this file)" if gz else ""
    if "/logging/httpproxy/" in p and base.endswith(".log"):
        pre = "serverinfo~" in text.lower()
        for mode, rows in (("intent", bind_intent(text)), ("ps51", bind_ps51(text))):
            for ln, r in rows:
                am, bc = r.get("AnchorMailbox"), r.get("BackEndCookie")
                tags = []
                if pre and like(am, "ServerInfo~*/*") and not like(am, "ServerInfo~*/autodiscover*") \
                        and not like(am, "ServerInfo~localhost*/*"):
                    tags.append("26855[current]")
                if pre and like(am, "ServerInfo~*/*"):
                    tags.append("26855[v0]")
                if like(am, "ServerInfo~*/*") or like(bc, "Server~*/*~*"):
                    tags.append("26855[blog2]")
                if "/logging/httpproxy/ecp/" in p and pre and like(am, "ServerInfo~*/*Reset*VirtualDirectory#") \
                        and r.get("HttpStatus") == "200":
                    tags.append("27065-resetvdir[current]")
                if tags:
                    hits.append("%s:%d %s %s AnchorMailbox=%r BackEndCookie=%r%s"
                                % (rel, ln, mode, " ".join(tags), am, bc, tag))
    lines = text.split("\n")
    if "/logging/ecp/server/" in p and base.endswith(".log"):
        for i, l in enumerate(lines, 1):
            l = l.rstrip("\r")
            t = [n for n, rx in (("27065-ecp[current]", ECP_NOW), ("27065-ecp[v0]", ECP_V0)) if rx.search(l)]
            if t:
                hits.append("%s:%d %s%s" % (rel, i, " ".join(t), tag))
    if "/logging/oabgeneratorlog/" in p:
        for i, l in enumerate(lines, 1):
            if "download failed and temporary file" in l.lower():
                m = OAB_RX.search(l)
                path_ = m.group(1) if m else None
                bad = path_ is not None and not path_.lower().startswith(("'" + EXCHANGE + "ClientAccess\\OAB").lower())
                hits.append("%s:%d 26858 %s path=%s" % (rel, i, "HIT" if bad else "no-hit", path_))
    return hits


def main(dirs):
    for d in dirs:
        for root, _, files in sorted(os.walk(d)):
            for f in sorted(files):
                full = os.path.join(root, f)
                for h in check(full, os.path.relpath(full, d)):
                    print(h)


if __name__ == "__main__":
    main(sys.argv[1:] or ["."])
