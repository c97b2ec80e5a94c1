#!/usr/bin/env bash
# hostile_tests.sh - `exhunt hunt` over a generated tree of hostile evidence
# (make_tree.py: 100 MB lines, NUL and binary logs, unbalanced quotes, a
# 10,000-field header, a header that changes every line, truncated gzip and
# a gzip bomb, truncated and corrupt EVTX, deep and huge JSON, symlink loops,
# FIFOs, unreadable folders, names with newlines, escapes, formulas and bad
# UTF-8). The run must end in bounded time (and, in the normal build, bounded
# memory) without a crash or a sanitizer report; every report format must
# stay well-formed and escaped; every cap hit must be a note naming the file.
# Usage: hostile_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
TIME_LIMIT=${HOSTILE_TIME_LIMIT:-300} # seconds; the ASan build on 2 slow cores fits
# Peak RSS, normal build only: 128 MiB, measured 44; a reader that held one
# of the 100 MB lines (or the bomb's output) whole would go past it.
RSS_LIMIT_KB=${HOSTILE_RSS_LIMIT_KB:-131072}
th_begin hostile

python3 "$SRC/tests/hostile/make_tree.py" "$TMP/ev" "$SHARED/research-data/datasets/evtx-attack-samples" \
  >"$TMP/manifest.json" || { echo "FAIL: make_tree.py"; exit 1; }
OUT="$TMP/out"
mkdir -p "$OUT"

# --- one run, every report format ------------------------------------------------
# Peak RSS from the kernel's accounting of the child (th_run_rss).
start=$(date +%s.%N)
th_run_rss "$TMP/rss" timeout -s KILL "$TIME_LIMIT" "$EXHUNT" hunt --threads 2 \
  --report jsonl="$OUT/all.jsonl" --report timesketch="$OUT/ts.jsonl" \
  --report timesketch-csv="$OUT/ts.csv" --report html="$OUT/report.html" \
  "$TMP/ev/server" >"$OUT/text.txt" 2>"$OUT/stderr"
rc=$?
end=$(date +%s.%N)
elapsed=$(python3 -c "print('%.1f' % ($end - $start))")
rss=$(cat "$TMP/rss")
echo "hunt over the hostile tree ($BUILD build): exit $rc, ${elapsed} s, peak RSS $((rss / 1024)) MiB"
case $rc in
  0 | 1 | 2) ok ;;
  137) bad "hunt did not finish within $TIME_LIMIT s (killed)" ;;
  *) bad "hunt ended with exit $rc (crash or signal)"; tail -20 "$OUT/stderr" | cut -c1-300 ;;
esac
if grep -qE 'Sanitizer|runtime error:|LeakSanitizer|AddressSanitizer' "$OUT/stderr"; then
  bad "sanitizer report"; grep -E -A20 'Sanitizer|runtime error:' "$OUT/stderr" | head -40 | cut -c1-300
else ok; fi
if [ "$BUILD" = normal ]; then
  [ "$rss" -le "$RSS_LIMIT_KB" ] && ok || bad "peak RSS ${rss} KiB over ${RSS_LIMIT_KB} KiB"
fi

# --- JSON lines: parse, valid UTF-8, no raw control characters -------------------
python3 - "$OUT/all.jsonl" "$OUT/ts.jsonl" <<'PY' && ok || bad "jsonl/timesketch: not well-formed"
import json, sys
for name in sys.argv[1:]:
    raw = open(name, "rb").read()
    assert raw.endswith(b"\n"), name
    raw.decode("utf-8")  # strict: every string is valid UTF-8
    for i, line in enumerate(raw.split(b"\n")[:-1]):
        assert all(b >= 0x20 for b in line), (name, i, "raw control byte")
        obj = json.loads(line)
        def walk(v):
            if isinstance(v, str):
                # no surrogates (json.loads would accept "\ud800"), no DEL/C1 left unescaped in a way a terminal acts on
                v.encode("utf-8")
            elif isinstance(v, dict):
                for k, x in v.items(): walk(k); walk(x)
            elif isinstance(v, list):
                for x in v: walk(x)
        walk(obj)
PY
# The hostile names are reported (escaped), not dropped, and the exact bytes travel in path_b64.
python3 - "$OUT/all.jsonl" "$TMP/manifest.json" <<'PY' && ok || bad "jsonl: hostile names reported with exact bytes"
import base64, json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
man = json.load(open(sys.argv[2]))
def exact(r):
    return base64.b64decode(r["path_b64"]) if "path_b64" in r else r["path"].encode()
paths = {exact(r) for r in recs if r["type"] == "finding" and "path" in r}
for name in man["shell_names"]:
    assert os.fsencode(name) in paths, name
# the 10 MB shell's matched bytes are its own, read from a live buffer
big = [r for r in recs if r["type"] == "finding" and r.get("path") == man["big_shell"] and r.get("matches")]
assert big and any("eval(Request" in m.get("data", "") for r in big for m in r["matches"]), big[:1]
PY

# --- CSV: parses; no cell can start a formula; no raw control characters ------------
python3 - "$OUT/ts.csv" <<'PY' && ok || bad "csv: a cell starts a formula or holds a control character"
import csv, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) > 10, len(rows)
width = len(rows[0])
for row in rows:
    assert len(row) == width, row[:3]
    for cell in row:
        assert not cell or cell[0] not in "=+-@\t\r", cell[:80]
        assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in cell), cell[:80]
assert any(c.startswith("'=cmd") for row in rows for c in row), "a formula neutralised, not dropped"
PY

# --- text: no raw control characters but \n and \t ------------------------------------
python3 - "$OUT/text.txt" "$OUT/stderr" <<'PY' && ok || bad "text: raw control characters"
import sys
for name in sys.argv[1:]:
    raw = open(name, "rb").read()
    for i, b in enumerate(raw):
        assert b >= 0x20 and b != 0x7f or b in (0x0a, 0x09), (name, i, hex(b), raw[max(0, i - 40):i + 40])
    raw.decode("utf-8")
    # C1 controls (U+0080-U+009F) act on some terminals too
    assert not any(0x80 <= ord(c) <= 0x9f for c in raw.decode("utf-8")), name
    # nor bidirectional overrides, which reorder what a terminal shows
    assert not any(0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069 for c in raw.decode("utf-8")), name
PY
grep -q "VERDICT: COMPROMISED" "$OUT/text.txt" && ok || bad "text: the verdict"
# a text-only reader sees every cap hit too (on stderr, like errors)
python3 - "$OUT/stderr" "$TMP/manifest.json" <<'PY' && ok || bad "text: a cap hit not shown"
import json, sys
err = open(sys.argv[1], encoding="utf-8").read()
man = json.load(open(sys.argv[2]))
for what, key in (("line-too-long", "iis_long"), ("fields-capped", "fields_10000"),
                  ("gzip-limit", "gz_bomb"), ("too-deep", "deep_dir")):
    assert any(what in l and man[key] in l for l in err.splitlines()), (what, man[key])
PY

# --- HTML: embedded data cannot close its element; the browser sees no markup -------
python3 - "$OUT/report.html" <<'PY' && ok || bad "html: embedded data not escaped"
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script id="exhunt-data" type="application/json">(.*?)</script>', html, re.S)
assert m, "no data element"
data = m.group(1)
assert "<" not in data and ">" not in data and "&" not in data.replace("&amp;", ""), "raw markup in the data"
assert "\u2028" not in data and "\u2029" not in data
recs = json.loads(data)
assert len(recs) > 10
# the hostile strings are there, as data
blob = json.dumps(recs)
assert "onerror=alert(1)" in blob and "=cmd|" in blob
assert "\x1b" not in html
PY
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  timeout 300 python3 "$SRC/tests/html/check_report.py" "$OUT/report.html" --expect-verdict COMPROMISED \
    --expect-text "onerror=alert(1)" >"$TMP/chk" 2>&1 && ok || { bad "html: browser check"; sed 's/^/  | /' "$TMP/chk" | tail -15; }
else
  bad "html: no chromium to check the report in (tools/install-deps.sh installs it)"
fi

# --- a note for each cap hit, naming the cap and the file ------------------------------
python3 - "$OUT/all.jsonl" "$TMP/manifest.json" <<'PY' && ok || bad "a cap hit without its note"
import json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
man = json.load(open(sys.argv[2]))
notes = [r for r in recs if r["type"] in ("note", "error")]
def has(what, path, text=None, prefix=False):
    for n in notes:
        p = n.get("path", "")
        if n["what"] in what.split("|") and (p.startswith(path) if prefix else p == path):
            if text is None or text in n.get("reason", ""):
                return True
    print("missing: %s %s %r; have: %s" % (what, path, text,
          sorted({(n["what"], n.get("path", "")[-60:]) for n in notes})[:80]))
    return False
checks = [
    ("line-too-long", man["iis_long"], "longer than 1048576 bytes"),
    ("line-too-long", man["hp_long"], "longer than 1048576 bytes"),
    ("line-too-long", man["events_jsonl"], "longer than 1048576 bytes"),
    ("fields-capped", man["fields_10000"], "512"),
    ("gzip-limit", man["gz_bomb"], None),
    ("gzip-truncated", man["gz_truncated"], None),
    ("read-error", man["gz_garbage"], None),
    ("special-file", man["fifo_log"], "FIFO"),
    ("special-file", man["fifo_web"], "FIFO"),
    ("symlink-loop", man["symlink_loop"], None),
    ("too-deep", man["deep_dir"], "depth limit", True),
    ("path-too-long", man["long_path_dir"], None, True),
    ("malformed-event", man["events_jsonl"], None),
    ("evtx-error", man.get("evtx_header_only"), None),
    ("evtx-truncated", man.get("evtx_truncated"), None),
    ("evtx-corrupt", man.get("evtx_corrupt"), None),
    ("evtx-corrupt", man.get("evtx_badchunk"), None),
    ("evtx-corrupt|evtx-truncated", man["evtx_fake"], None),
]
okay = True
for c in checks:
    if c[1] is None:
        print("skipped (no EVTX samples): %s" % c[0])
        continue
    okay &= has(*c)
# every note and error names its file (run-wide ones aside)
for n in notes:
    if n["what"] not in ("atime-not-preserved", "ssrf-rows-capped"):
        okay &= bool(n.get("path") or n.get("path_b64"))
sys.exit(0 if okay else 1)
PY
# The detectors still read past the hostile parts: the SSRF row after the 100 MB line,
# the attack rows of the log whose header changes every line.
python3 - "$OUT/all.jsonl" "$TMP/manifest.json" <<'PY' && ok || bad "records after the hostile parts were not read"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
man = json.load(open(sys.argv[2]))
f = [r for r in recs if r["type"] == "finding"]
hp = [r for r in f if r.get("path") == man["hp_long"]]
assert any(r["line"] == 8 for r in hp), [(r["rule"], r["line"]) for r in hp]
churn = [r for r in f if r.get("path") == man["header_churn"]]
assert len(churn) == 20, len(churn)
assert any(r.get("path") == man["fields_10000"] for r in f)
PY

# --- a flood of findings: the story's caps hold correlation to seconds --------------------
# 20,000 shell requests from 5,000 addresses to 2,000 URLs and 12,000 events
# with no address took 76 s before the caps (pairwise loops in story.c); 3,000
# virtual-directory scripts against 200 shell files, a read of each per pair.
FL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["flood_root"])' "$TMP/manifest.json")
start=$(date +%s.%N)
timeout -s KILL "$TIME_LIMIT" "$EXHUNT" hunt --threads 2 -f jsonl -o "$OUT/flood.jsonl" "$FL" 2>"$OUT/flood.stderr"
frc=$?
end=$(date +%s.%N)
echo "hunt over the flood ($BUILD build): exit $frc, $(python3 -c "print('%.1f' % ($end - $start))") s"
[ "$frc" = 1 ] && ok || { bad "flood: exit $frc, want 1"; tail -5 "$OUT/flood.stderr" | cut -c1-300; }
# UBSan exits 1 too: only its report tells
if grep -qE 'Sanitizer|runtime error:' "$OUT/flood.stderr"; then bad "flood: sanitizer report"; grep -E -A5 'Sanitizer|runtime error:' "$OUT/flood.stderr" | head -20; else ok; fi
python3 - "$OUT/flood.jsonl" "$FL" <<'PY' && ok || bad "flood: findings kept, caps noted for the server"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
root = sys.argv[2]
f = [r for r in recs if r["type"] == "finding"]
assert len(f) >= 32000, len(f)
notes = {r["what"]: r for r in recs if r["type"] == "note"}
for what in ("story-capped", "story-shells-capped", "story-scripts-capped"):
    assert what in notes and notes[what]["path"] == root, (what, sorted(notes))
stories = [r for r in recs if r["type"] == "story"]
assert 0 < len([s for s in stories if s["attacker"]["client_ip"]]) <= 1024, len(stories)
assert sum(len(s["steps"]) for s in stories) <= 10000
v = [r for r in recs if r["type"] == "verdict"][0]
assert v["verdict"] == "COMPROMISED", v["verdict"]
# the first 64 scripts still tie their line to the shell that holds them
tied = {s["path"] for st in stories for s in st["shells"] if s["planted_by"]}
assert "inetpub/wwwroot/aspnet_client/k63.aspx" in tied and "inetpub/wwwroot/aspnet_client/k64.aspx" not in tied, sorted(tied)[:5]
PY

# --- files cut and regrown while the hunt reads them ------------------------------------
# Timing decides what each read sees, so only what must hold whatever it sees
# is checked: no crash, no sanitizer report, well-formed JSON lines. (A run
# like this found the freed read buffer of a 30 MB shell, now also covered
# by the 10 MB shell above.)
CH="$TMP/changing"
mkdir -p "$CH/inetpub/wwwroot" "$CH/inetpub/logs/LogFiles/W3SVC1"
python3 - "$CH" <<'PY'
import sys
root = sys.argv[1]
hdr = (b"#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method "
       b"cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status "
       b"sc-substatus sc-win32-status time-taken\r\n")
row = (b"2021-03-02 09:00:00 192.0.2.25 POST /aspnet_client/s.aspx z=1 443 - 198.51.100.1 "
       b"antSword/1 - 200 0 0 15\r\n")
open(root + "/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", "wb").write(hdr + row * 200000)
open(root + "/inetpub/wwwroot/grow.aspx", "wb").write(b'<%eval(Request.Item["z"],"unsafe");%>' + b"A" * (20 << 20))
PY
(
  for i in $(seq 1 400); do
    truncate -s 1000 "$CH/inetpub/wwwroot/grow.aspx"
    truncate -s 30M "$CH/inetpub/wwwroot/grow.aspx"
    truncate -s 5000 "$CH/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log"
    head -c 10000000 /dev/zero >>"$CH/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log"
  done
) &
changer=$!
for k in 1 2 3; do
  timeout -s KILL "$TIME_LIMIT" "$EXHUNT" hunt --threads 2 -f jsonl -o "$OUT/changing.jsonl" "$CH" 2>"$OUT/changing.stderr"
  crc=$?
  case $crc in 0 | 1 | 2) ok ;; *) bad "files changing: exit $crc"; tail -5 "$OUT/changing.stderr" | cut -c1-300 ;; esac
  if grep -qE 'Sanitizer|runtime error:' "$OUT/changing.stderr"; then bad "files changing: sanitizer report"; grep -E -A8 'Sanitizer|runtime error:' "$OUT/changing.stderr" | head -20; else ok; fi
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1],"rb")]' "$OUT/changing.jsonl" && ok || bad "files changing: JSON lines"
done
kill "$changer" 2>/dev/null
wait "$changer" 2>/dev/null

# --- unreadable folder and file, as a user that root's bypass does not cover --------------
# Root reads a chmod 000 folder anyway, so the main run proves nothing about
# it; here a small tree is hunted as `nobody`.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
  U="$TMP/unpriv"
  mkdir -p "$U/ev/inetpub/wwwroot/locked" "$U/out"
  printf '<%%@ Page Language="Jscript"%%><%%eval(Request.Item["z"],"unsafe");%%>' >"$U/ev/inetpub/wwwroot/locked/hidden.aspx"
  printf '<%%@ Page Language="Jscript"%%><%%eval(Request.Item["z"],"unsafe");%%>' >"$U/ev/inetpub/wwwroot/locked.aspx"
  mkdir -p "$U/ev/inetpub/logs/LogFiles/W3SVC1"
  printf '#Fields: date time cs-uri-stem\r\n2021-03-02 00:00:00 /\r\n' >"$U/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log"
  chmod 000 "$U/ev/inetpub/wwwroot/locked" "$U/ev/inetpub/wwwroot/locked.aspx" "$U/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log"
  chmod 755 "$TMP" "$U" "$U/ev"
  chown nobody "$U/out"
  timeout -s KILL 60 setpriv --reuid=nobody --regid=nogroup --clear-groups "$EXHUNT" hunt -f jsonl -o "$U/out/u.jsonl" "$U/ev" 2>"$U/out/stderr"
  urc=$?
  case $urc in 0 | 1 | 3 | 4 | 5) ok ;; *) bad "hunt as nobody: exit $urc" ;; esac
  if grep -qE 'Sanitizer|runtime error:' "$U/out/stderr"; then bad "hunt as nobody: sanitizer report"; grep -E -A5 'Sanitizer|runtime error:' "$U/out/stderr" | head -20; else ok; fi
  python3 - "$U/out/u.jsonl" "$U/ev" <<'PY' && ok || bad "unreadable folder/file/log: no error naming it"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
root = sys.argv[2]
errs = {(r["what"], r.get("path")) for r in recs if r["type"] in ("note", "error")}
want = [("opendir-error", root + "/inetpub/wwwroot/locked"),
        ("open-error", root + "/inetpub/wwwroot/locked.aspx"),
        ("open-error", root + "/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log")]
missing = [w for w in want if w not in errs]
assert not missing, (missing, sorted(errs))
s = [r for r in recs if r["type"] == "summary"][0]
assert s["errors"] >= 3, s
PY
  chmod 755 "$TMP"
else
  echo "SKIP (unreadable folder): not root, or setpriv cannot switch to nobody; root reads chmod 000 folders"
fi

th_end "hostile tests"
