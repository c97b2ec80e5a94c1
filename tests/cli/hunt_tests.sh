#!/usr/bin/env bash
# hunt_tests.sh - `exhunt hunt` end to end: verdicts on the example evidence
# and on the log fixtures (compromised, clean, scanned, attempted, deleted
# shells), a server whose logs start after its exposure window, the links
# between shells and log lines, several reports in one run, the Timesketch
# fields on every row, CSV formula protection, and refusals.
# Usage: hunt_tests.sh EXHUNT SRC_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin hunt
# verdict FILE SERVER: the verdict of a server in a JSONL output.
verdict() {
  python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "verdict" and o["server"] == sys.argv[2]:
        print(o["verdict"])' "$1" "$2"
}
EX="$SRC/examples"
# The examples were collected on 2021-03-03; git does not keep file times, so
# the runs on them say so (without it, the newest file time, the checkout's,
# would end their open exposure windows today: tested below).
COLL="--collected 2021-03-03T13:05:00Z"

# Evidence is read-only: contents, sizes and all three times of every file and
# folder of a tree, before and after. `meta` only stats (reading a file would
# move its access time itself); `hashes` reads.
meta() {
  python3 - "$1" <<'PY'
import os, sys
for d, dirs, files in sorted(os.walk(sys.argv[1])):
    for name in sorted(dirs + files):
        st = os.lstat(os.path.join(d, name))
        print(os.path.join(d, name), st.st_size, st.st_mtime_ns, st.st_atime_ns, st.st_ctime_ns)
PY
}
hashes() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# --- the example evidence: one compromised server, one clean ------------------
cp -a "$SRC/examples" "$TMP/ro-examples"
hashes "$TMP/ro-examples" >"$TMP/h-before"
# Access times older than the modification times: with relatime, any plain
# read or directory listing would now move them.
find "$TMP/ro-examples" -exec touch -a -h -d 2020-01-01T00:00:00 {} +
meta "$TMP/ro-examples" >"$TMP/before"
"$EXHUNT" hunt $COLL --report html="$TMP/ro.html" --report timesketch-csv="$TMP/ro.csv" "$TMP/ro-examples/compromised-exchange" "$TMP/ro-examples/clean-exchange" >/dev/null 2>&1
meta "$TMP/ro-examples" >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" && ok || { bad "hunt changed a size or a time in the evidence"; diff "$TMP/before" "$TMP/after" | head -5; }
hashes "$TMP/ro-examples" >"$TMP/h-after"
cmp -s "$TMP/h-before" "$TMP/h-after" && ok || bad "hunt changed the content of the evidence"
expect_rc 1 "hunt: examples" -- "$EXHUNT" hunt $COLL -f jsonl "$EX/compromised-exchange" "$EX/clean-exchange"
cp "$TMP/out" "$TMP/examples.jsonl"
[ "$(verdict "$TMP/examples.jsonl" "$EX/compromised-exchange")" = COMPROMISED ] && ok || bad "compromised example: COMPROMISED"
[ "$(verdict "$TMP/examples.jsonl" "$EX/clean-exchange")" = CLEAN ] && ok || bad "clean example: CLEAN"
python3 - "$TMP/examples.jsonl" "$EX/compromised-exchange" <<'PY' && ok || bad "compromised example: attacker, shells and their planting lines"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
server = sys.argv[2]
for r in recs:
    assert r["schema"] == "exhunt/1"
    assert r["type"] in ("build", "finding", "coverage", "story", "verdict", "note", "error", "summary"), r["type"]
f = {r["id"]: r for r in recs if r["type"] == "finding" and r["server"] == server}
assert all(k.startswith("F") for k in f)
stories = [r for r in recs if r["type"] == "story" and r["server"] == server]
att = [s for s in stories if s["attacker"]["client_ip"] == "203.0.113.47"]
assert len(att) == 1, stories
st = att[0]
steps = [s["step"] for s in st["steps"]]
# the chain, in order: SSRF, then the OAB reset, then the shell requests
assert steps.index("ssrf") < steps.index("vdir-reset") < steps.index("shell-request"), steps
shells = {s["path"]: s for s in st["shells"]}
oab = shells["Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/RedirSuiteServerProxy.aspx"]
assert oab["on_disk"] and oab["url"] == "/owa/auth/RedirSuiteServerProxy.aspx"
rules = {f[i]["rule"] for i in oab["planted_by"]}
assert {"exhunt.log.cve_2021_27065_set_vdir", "exhunt.log.cve_2021_27065_reset_vdir"} <= rules, rules
assert oab["requests"] and all(f[i]["rule"] == "exhunt.log.iis_webshell_request" and f[i]["client_ip"] == "203.0.113.47" for i in oab["requests"])
assert f[oab["finding"]]["path"].endswith("RedirSuiteServerProxy.aspx")
for name in ("inetpub/wwwroot/aspnet_client/supp0rt.aspx", "inetpub/wwwroot/aspnet_client/system_web/Kx7mQp2r.aspx"):
    assert shells[name]["on_disk"] and shells[name]["requests"], shells[name]
    # the Sysmon file-creation event planted it
    assert [f[i]["rule"] for i in shells[name]["planted_by"]] == ["exhunt.log.webshell_file_created"], shells[name]
assert "exhunt.log.webshell_file_created" in rules
gone = shells["inetpub/wwwroot/aspnet_client/discover.aspx"]
assert not gone["on_disk"] and gone["planted_by"] and "finding" not in gone, gone
assert "command" in steps
# a shell outside the drop folders: only the scan knows it, the hunt finds its request
ii = shells["inetpub/wwwroot/iisstart.aspx"]
assert ii["on_disk"] and ii["requests"] and all(f[i]["rule"] == "exhunt.hunt.request_to_shell" and f[i]["client_ip"] == "203.0.113.47" for i in ii["requests"]), ii
v = [r for r in recs if r["type"] == "verdict" and r["server"] == server][0]
assert v["first_activity"] == "2021-03-03T12:13:58Z", v
actions = [s["action"] for s in v["next_steps"]]
assert "quarantine" in actions and "patch" in actions and "block" in actions and "credentials" in actions, actions
assert "LSASS" in [s for s in v["next_steps"] if s["action"] == "credentials"][0]["text"]
assert "203.0.113.47" in [s for s in v["next_steps"] if s["action"] == "block"][0]["text"]
for reason in v["reasons"]:
    for i in reason["evidence"]:
        assert i in f, i   # every reason's evidence is a finding of this server
PY

# Text: the verdict and the story come first, on one screen.
expect_rc 1 "hunt: text" -- "$EXHUNT" hunt $COLL "$EX/compromised-exchange"
head -40 "$TMP/out" | grep -q "VERDICT: COMPROMISED" && ok || bad "text: verdict at the top"
head -60 "$TMP/out" | grep -q "attacker 203.0.113.47" && ok || bad "text: the attacker in the first screens"
grep -q "shell Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/RedirSuiteServerProxy.aspx (on disk" "$TMP/out" && ok || bad "text: the shell"
# Clean, but its build is vulnerable to later families: exit 4, exposure apart
# from compromise.
expect_rc 4 "hunt: clean example alone" -- "$EXHUNT" hunt $COLL "$EX/clean-exchange"
grep -q "VERDICT: CLEAN (logs cover all 59 exposed days)" "$TMP/out" && ok || bad "text: CLEAN with its coverage"
grep -q "EXPOSURE: VULNERABLE (17 families, 4 exploited in the wild)" "$TMP/out" && ok || bad "text: the exposure badge"
# Where the exposure still open ends: the evidence's newest file time, not the
# end of its logs (logs can stop, or be deleted, while the server runs on).
cp -a "$EX/clean-exchange" "$TMP/clean-times"
find "$TMP/clean-times" -exec touch -h -d 2021-03-03T13:05:00Z {} +
expect_rc 4 "hunt: file times of the collection day" -- "$EXHUNT" hunt -f jsonl "$TMP/clean-times"
[ "$(verdict "$TMP/out" "$TMP/clean-times")" = CLEAN ] && ok || bad "file times of the collection day: CLEAN"
touch -d 2021-09-30T12:00:00Z "$TMP/clean-times/inetpub/wwwroot/iisstart.htm"
expect_rc 4 "hunt: a file written after the logs end" -- "$EXHUNT" hunt -f jsonl "$TMP/clean-times"
python3 - "$TMP/out" <<'PY' && ok || bad "a file written after the logs end: ProxyShell's window open, not CLEAN"
import json, sys
v = [o for l in open(sys.argv[1]) for o in [json.loads(l)] if o["type"] == "verdict"][0]
assert v["verdict"] == "NO SIGN OF COMPROMISE", v["verdict"]
fams = {w["family"]: w for w in v["coverage"]["windows"]}
# CU18 Mar21SU is vulnerable to ProxyShell: exposed from 2021-08-05 to 2021-09-30
assert fams["proxyshell"]["exposed_days"] == 57 and fams["proxyshell"]["covered_days"] == 0, fams
assert any("2021-09-30" in r["text"] and "newest file time" in r["text"] for r in v["reasons"]), v["reasons"]
PY

# --- log-only fixtures ------------------------------------------------------------
L="$SRC/tests/data/logs"
expect_rc 3 "hunt: scanner only" -- "$EXHUNT" hunt -f jsonl "$L/scan-only"
[ "$(verdict "$TMP/out" "$L/scan-only")" = SCANNED ] && ok || bad "scan-only: SCANNED"
expect_rc 3 "hunt: failed attempts only" -- "$EXHUNT" hunt -f jsonl "$L/failed-only"
[ "$(verdict "$TMP/out" "$L/failed-only")" = ATTEMPTED ] && ok || bad "failed-only: ATTEMPTED"
expect_rc 1 "hunt: HelseCERT rows (shells only in logs)" -- "$EXHUNT" hunt -f jsonl "$L/helsecert"
[ "$(verdict "$TMP/out" "$L/helsecert")" = COMPROMISED ] && ok || bad "helsecert: COMPROMISED"
python3 - "$TMP/out" <<'PY' && ok || bad "helsecert: a shell known only from logs is reported as not on disk"
import json, sys
shells = [s for l in open(sys.argv[1]) for o in [json.loads(l)] if o["type"] == "story" for s in o["shells"]]
assert shells and any(not s["on_disk"] and (s["requests"] or s["planted_by"]) for s in shells), shells
PY

# --- logs that start after the exposure window: INSUFFICIENT EVIDENCE ---------------
# (exit 4: the build, CU19 Mar21SU, is vulnerable to later families)
LATE="$TMP/late/EX02"
mkdir -p "$LATE/V15/Logging/HttpProxy/Owa" "$LATE/inetpub/logs/LogFiles/W3SVC1"
{
  printf 'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientIpAddress,UrlStem,AnchorMailbox,HttpStatus\r\n'
  printf '#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.009\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-04-20T00:00:00.000Z\r\n'
  printf '#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientIpAddress,UrlStem,AnchorMailbox,HttpStatus\r\n'
  printf '2021-04-20T08:00:01.000Z,r1,15,1,2176,9,192.0.2.50,/owa/,Smtp~alice@contoso.com,200\r\n'
  printf '2021-04-20T09:30:00.000Z,r2,15,1,2176,9,192.0.2.51,/owa/,Smtp~bob@contoso.com,200\r\n'
} >"$LATE/V15/Logging/HttpProxy/Owa/HttpProxy_2021042008-1.LOG"
{
  printf '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-04-20 08:00:00\r\n'
  printf '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n'
  printf '2021-04-20 08:00:01 192.0.2.25 GET /owa/ - 443 - 192.0.2.50 Mozilla/5.0 - 200 0 0 15\r\n'
} >"$LATE/inetpub/logs/LogFiles/W3SVC1/u_ex210420.log"
# collected that day, as its file times say
find "$LATE" -exec touch -h -d 2021-04-20T10:00:00Z {} +
expect_rc 4 "hunt: logs start after the window" -- "$EXHUNT" hunt -f jsonl "$LATE"
[ "$(verdict "$TMP/out" "$LATE")" = "INSUFFICIENT EVIDENCE" ] && ok || bad "late logs: INSUFFICIENT EVIDENCE"
python3 - "$TMP/out" <<'PY' && ok || bad "late logs: the reason names the uncovered window and the next step asks for logs"
import json, sys
v = [o for l in open(sys.argv[1]) for o in [json.loads(l)] if o["type"] == "verdict"][0]
assert any("ProxyLogon" in r["text"] and "cover 0 of them" in r["text"] and "2021-04-20" in r["text"] for r in v["reasons"]), v["reasons"]
# the fix was first seen on 2021-04-20: the exposed days are those before it
assert v["coverage"]["exposed_days"] == 107 and v["coverage"]["covered_days"] == 0, v["coverage"]
assert v["headline"] == "INSUFFICIENT EVIDENCE (logs cover 0 of 107 exposed days)", v["headline"]
assert any(s["action"] == "collect-logs" for s in v["next_steps"]), v["next_steps"]
PY
# An Exchange server with no logs at all and no build: INSUFFICIENT EVIDENCE,
# its exposure UNKNOWN, and the missing build an error (exit 5).
mkdir -p "$TMP/nologs/EX03/inetpub/wwwroot" "$TMP/nologs/EX03/Program Files/Microsoft/Exchange Server/V15/Bin"
echo '<html></html>' >"$TMP/nologs/EX03/inetpub/wwwroot/iisstart.htm"
echo 'not a PE' >"$TMP/nologs/EX03/Program Files/Microsoft/Exchange Server/V15/Bin/Microsoft.Exchange.Common.dll"
expect_rc 5 "hunt: no logs" -- "$EXHUNT" hunt -f jsonl "$TMP/nologs/EX03"
[ "$(verdict "$TMP/out" "$TMP/nologs/EX03")" = "INSUFFICIENT EVIDENCE" ] && ok || bad "no logs: INSUFFICIENT EVIDENCE"
python3 - "$TMP/out" <<'PY' && ok || bad "no logs: badge UNKNOWN, the no-build error counted in the verdict and the summary"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
v = [o for o in recs if o["type"] == "verdict"][0]
assert v["exposure"]["badge"] == "UNKNOWN" and v["errors"] == 1, v
assert [o["what"] for o in recs if o["type"] == "error"] == ["no-build"]
s = recs[-1]
assert s["type"] == "summary" and s["errors"] == 1 and s["exit_code"] == 5, s
PY

# --- Exchange installed elsewhere: a requested script found on disk by its URL ---------
ALT="$TMP/alt/EX04"
mkdir -p "$ALT/D/Exch/V15/FrontEnd/HttpProxy/owa/auth" "$ALT/D/Exch/V15/Logging/HttpProxy/Owa" "$ALT/C/inetpub/logs/LogFiles/W3SVC1"
printf '<%%@ Page Language="C#" Inherits="Microsoft.Exchange.Helper" %%>\r\n' >"$ALT/D/Exch/V15/FrontEnd/HttpProxy/owa/auth/helper.aspx"
sed 's/2021-04-20/2021-03-02/g; s/2176,9/2176,2/g; s/2176.009/2176.002/' "$LATE/V15/Logging/HttpProxy/Owa/HttpProxy_2021042008-1.LOG" >"$ALT/D/Exch/V15/Logging/HttpProxy/Owa/HttpProxy_2021030208-1.LOG"
{
  printf '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-02 08:00:00\r\n'
  printf '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n'
  printf '2021-03-02 09:00:01 192.0.2.25 POST /owa/auth/helper.aspx - 443 - 198.51.100.9 antSword/v2.1 - 200 0 0 15\r\n'
} >"$ALT/C/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log"
expect_rc 1 "hunt: Exchange on another drive" -- "$EXHUNT" hunt -f jsonl "$ALT"
python3 - "$TMP/out" <<'PY' && ok || bad "the requested script is found on disk under the install the logs show"
import json, sys
shells = [s for l in open(sys.argv[1]) for o in [json.loads(l)] if o["type"] == "story" for s in o["shells"]]
h = [s for s in shells if s.get("url") == "/owa/auth/helper.aspx"]
assert h and h[0]["on_disk"] and h[0]["path"] == "D/Exch/V15/FrontEnd/HttpProxy/owa/auth/helper.aspx", shells
PY

# --- several reports in one run; Timesketch fields on every row -----------------------
OUTD="$TMP/reports"
mkdir -p "$OUTD"
expect_rc 1 "hunt: four reports at once" -- "$EXHUNT" hunt $COLL -o "$OUTD/report.txt" \
  --report jsonl="$OUTD/all.jsonl" --report timesketch="$OUTD/tl.jsonl" \
  --report timesketch-csv="$OUTD/tl.csv" --report html="$OUTD/report.html" \
  --report csv="$OUTD/findings.csv" "$EX/compromised-exchange" "$EX/clean-exchange"
grep -q "VERDICT: COMPROMISED" "$OUTD/report.txt" && ok || bad "text report written"
[ "$(verdict "$OUTD/all.jsonl" "$EX/clean-exchange")" = CLEAN ] && ok || bad "jsonl report written"
python3 - "$OUTD/tl.jsonl" "$OUTD/tl.csv" <<'PY' && ok || bad "timesketch: message, datetime with offset, timestamp_desc on every row"
import csv, json, re, sys
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) > 40, len(rows)
for r in rows:
    assert r["message"] and iso.match(r["datetime"]) and r["timestamp_desc"], r
descs = {r["timestamp_desc"] for r in rows}
assert {"Log record time", "File modification time", "Exchange build first seen"} <= descs, descs
with open(sys.argv[2], newline="") as fh:
    crows = list(csv.DictReader(fh))
assert len(crows) == len(rows), (len(crows), len(rows))
for r in crows:
    assert r["message"] and iso.match(r["datetime"]) and r["timestamp_desc"], r
PY
python3 - "$OUTD/all.jsonl" "$OUTD/findings.csv" <<'PY' && ok || bad "csv: one row per finding, as in the JSON Lines"
import csv, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
found = {(r["server"], r["id"]): r for r in recs if r["type"] == "finding"}
with open(sys.argv[2], newline="") as fh:
    rows = list(csv.DictReader(fh))
assert len(rows) == len(found), (len(rows), len(found))
for row in rows:
    f = found[(row["server"], row["id"])]
    assert row["rule"] == f["rule"] and row["severity"] == f["severity"], (row, f)
    assert row["path"] == f.get("path", ""), (row["path"], f.get("path"))
    assert row["line"] == str(f.get("line", "")), row
assert len({r["id"] for r in rows}) == len(rows), "ids repeat across servers"
PY
grep -q '<script id="exhunt-data" type="application/json">\[' "$OUTD/report.html" && ok || bad "html: the data is embedded"
if grep -q '__EXHUNT_DATA__' "$OUTD/report.html"; then bad "html: placeholder left"; else ok; fi
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  python3 "$SRC/tests/html/check_report.py" "$OUTD/report.html" --expect-verdict COMPROMISED \
    --expect-verdict CLEAN --expect-text 203.0.113.47 --expect-text RedirSuiteServerProxy.aspx \
    --screenshot "$TMP/report.png" >"$TMP/chk" 2>&1 && ok || { bad "html: browser check"; sed 's/^/  | /' "$TMP/chk" | tail -15; }
else
  bad "html: no chromium to check the report in (tools/install-deps.sh installs it)"
fi

# --- hostile names: CSV cells cannot start a formula; text has no raw controls -------
H="$TMP/=cmd|' /C calc'!A0"
mkdir -p "$H/inetpub/wwwroot/aspnet_client"
printf '<%%@ Page Language="Jscript"%%><%%eval(Request.Item["z"],"unsafe");%%>' >"$H/inetpub/wwwroot/aspnet_client/$(printf 'a\033[31m.aspx')"
(cd "$TMP" && "$EXHUNT" hunt --report timesketch-csv=tl.csv -o out.txt "=cmd|' /C calc'!A0" >/dev/null 2>&1)
python3 - "$TMP/tl.csv" <<'PY' && ok || bad "csv: no cell starts a formula"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) > 1
for row in rows[1:]:
    for cell in row:
        assert not cell or cell[0] not in "=+-@\t\r", cell
assert any(c.startswith("'=cmd") for row in rows[1:] for c in row), "the hostile path was neutralised, not dropped"
PY
if grep -q $'\033' "$TMP/out.txt" "$TMP/tl.csv"; then bad "raw ESC in text or csv"; else ok; fi

# --- refusals --------------------------------------------------------------------------
expect_rc 2 "hunt: report inside the evidence" -- "$EXHUNT" hunt --report html="$LATE/r.html" "$LATE"
[ ! -e "$LATE/r.html" ] && ok || bad "nothing written inside evidence"
expect_rc 2 "hunt: unknown format" -- "$EXHUNT" hunt -f pdf "$LATE"
expect_rc 2 "hunt: bad --report" -- "$EXHUNT" hunt --report html "$LATE"
expect_rc 2 "hunt: no evidence" -- "$EXHUNT" hunt
# Only Windows hunts the server it runs on (exhunt/live.h); here EVIDENCE is required.
grep -qx "exhunt hunt: no EVIDENCE path given (no live server discovery on this OS)" "$TMP/err" &&
  [ ! -s "$TMP/out" ] && ok || bad "hunt: no evidence: the message says to give it"

th_end "hunt tests"
