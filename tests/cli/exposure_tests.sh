#!/usr/bin/env bash
# exposure_tests.sh - `exhunt exposure` and `exhunt probe` as a user meets
# them: build forms, verdicts, evidence trees, output and exit codes; the
# probe against a local HTTPS server this script starts on 127.0.0.1 with a
# certificate made here. Usage: exposure_tests.sh EXHUNT SRC_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin exposure
# status FILE FAMILY [TARGET]: the status of a family's finding.
status() {
  python3 - "$@" <<'PY'
import json, sys
path, fam = sys.argv[1], sys.argv[2]
target = sys.argv[3] if len(sys.argv) > 3 else None
for ln in open(path, encoding="utf-8"):
    o = json.loads(ln)
    if o["type"] == "finding" and o["rule"] == "exhunt.exposure." + fam and (target is None or o.get("target") == target):
        print(o["status"], o.get("fixed_in", "-"))
PY
}

# --- help ------------------------------------------------------------------
expect_rc 0 "help exposure" -- "$EXHUNT" help exposure
grep -q -- '--build' "$TMP/out" && ok || bad "help exposure shows --build"
expect_rc 0 "help probe" -- "$EXHUNT" help probe
grep -q -- '--insecure' "$TMP/out" && ok || bad "help probe shows --insecure"
expect_rc 2 "exposure without PATH or --build" -- "$EXHUNT" exposure
expect_rc 2 "exposure: bad build" -- "$EXHUNT" exposure --build 15.1.99999.1
grep -q "bad build" "$TMP/err" && ok || bad "bad build is named"
expect_rc 2 "probe without TARGET" -- "$EXHUNT" probe

# --- the three forms of a build give the same verdicts ----------------------
for form in 15.1.2176.2 15.01.2176.002 'Version 15.1 (Build 2176.2)'; do
  expect_rc 4 "exposure --build '$form'" -- "$EXHUNT" exposure -f jsonl --build "$form"
  th_check_jsonl exposure "$TMP/out" && ok || bad "jsonl well-formed for '$form'"
  [ "$(status "$TMP/out" proxylogon)" = "vulnerable 15.1.2176.9" ] && ok || bad "'$form': ProxyLogon vulnerable, fixed in 15.1.2176.9"
  [ "$(status "$TMP/out" proxyshell)" = "vulnerable 15.1.2176.12" ] && ok || bad "'$form': ProxyShell fixed in 15.1.2176.12"
done
# Text: one block, a table with the reasons.
expect_rc 4 "exposure text" -- "$EXHUNT" exposure --build 15.1.2176.9
grep -q "product Exchange Server 2016 CU19 Mar21SU" "$TMP/out" && ok || bad "text names the product and update"
grep -Eq "^   proxylogon +PATCHED" "$TMP/out" && ok || bad "text: proxylogon PATCHED row"
grep -Eq "^   proxyshell +VULNERABLE +15.1.2176.12" "$TMP/out" && ok || bad "text: proxyshell row with the fix"
grep -q "is below 15.1.2176.12 (CU19 Apr21SU" "$TMP/out" && ok || bad "text: the reason"
# The newest Subscription Edition build in the database is patched for all
# and supported: exit 0. A build the database does not know is unknown: not
# enough evidence to answer, exit 5 (docs/exit-codes.md).
newest_se=$(awk -F'\t' '$1=="build" && $2=="exchangese" {b=$3} END {print b}' "$SRC/rules/exchange/builds.tsv")
expect_rc 0 "exposure: newest SE build $newest_se patched" -- "$EXHUNT" exposure -f jsonl --build "$newest_se"
python3 -c 'import json,sys; s=[json.loads(l)["status"] for l in open(sys.argv[1]) if "\"finding\"" in l]; assert s and set(s)=={"patched"}, s' "$TMP/out" && ok || bad "every family patched on $newest_se"
expect_rc 5 "exposure: unknown build" -- "$EXHUNT" exposure -f jsonl --build 15.3.100.1
[ "$(status "$TMP/out" proxylogon)" = "unknown -" ] && ok || bad "unknown build is unknown, never patched"
# --min-severity hides patched rows but they still decide nothing alone.
expect_rc 4 "exposure --min-severity high" -- "$EXHUNT" exposure -f jsonl --min-severity high --build 15.1.2176.9
[ -z "$(status "$TMP/out" proxylogon)" ] && ok || bad "patched (info) rows hidden by --min-severity high"
# Every family patched, but the product is out of support: exit 4 too
# (Exchange 2016 ended support on 2025-10-14).
newest_2016=$(awk -F'\t' '$1=="build" && $2=="exchange2016" {b=$3} END {print b}' "$SRC/rules/exchange/builds.tsv")
expect_rc 4 "exposure: newest 2016 build $newest_2016, out of support" -- "$EXHUNT" exposure -f jsonl --build "$newest_2016"
python3 - "$TMP/out" <<'PY' && ok || bad "newest 2016: every family patched, the product out of support"
import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if '"finding"' in l]
assert f and {o["status"] for o in f} == {"patched"}, [o["status"] for o in f]
assert all(o["support"].startswith("out of support") for o in f), f[0]["support"]
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert s["type"] == "summary" and s["exit_code"] == 4, s
PY
# The worst server decides: a vulnerable build and an unknown one give 4,
# an unknown and a patched one 5.
expect_rc 4 "exposure: vulnerable and unknown builds" -- "$EXHUNT" exposure --build 15.1.2176.2 --build 15.3.100.1
expect_rc 5 "exposure: unknown and patched builds" -- "$EXHUNT" exposure --build 15.3.100.1 --build "$newest_se"
# A PATH that does not exist is a usage error (2), said before anything runs.
expect_rc 2 "exposure: missing PATH" -- "$EXHUNT" exposure "$TMP/no-such-server"
grep -q "no-such-server': No such file or directory" "$TMP/err" && ok || bad "missing PATH named"

# --- builds in an evidence tree ---------------------------------------------
EV="$TMP/ev/EX01"
mkdir -p "$EV/V15/Logging/HttpProxy/Ecp" "$EV/V15/Bin"
log() { # FILE VERSION DATE BUILD REV
  printf 'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,UrlStem\r\n#Software: Microsoft Exchange Server\r\n#Version: %s\r\n#Log-type: HttpProxy Logs\r\n#Date: %sT00:00:00.000Z\r\n#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,UrlStem\r\n%sT08:00:00.000Z,1,15,2,%s,%s,/ecp/\r\n' "$2" "$3" "$3" "$4" "$5" >"$1"
}
log "$EV/V15/Logging/HttpProxy/Ecp/HttpProxy_2022100100-1.LOG" 15.02.1118.007 2022-10-01 1118 7
log "$EV/V15/Logging/HttpProxy/Ecp/HttpProxy_2022111500-1.LOG" 15.02.1118.020 2022-11-15 1118 20
# ExSetup.exe: test_pe.c's builder output, its fixed version set to 15.2.1118.7.
python3 - "$SRC/tests/fuzz/corpus/pe/exsetup-pe32plus.exe" "$EV/V15/Bin/ExSetup.exe" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(struct.pack("<I", 0xFEEF04BD))
assert i > 0
struct.pack_into("<IIII", b, i + 8, (15 << 16) | 2, (1118 << 16) | 7, (15 << 16) | 2, (1118 << 16) | 7)
open(sys.argv[2], "wb").write(b)
PY
touch -d 2022-09-01 "$EV/V15/Bin/ExSetup.exe"
expect_rc 4 "exposure: evidence tree (CU12 Nov22SU now)" -- "$EXHUNT" exposure -f jsonl "$EV"
python3 - "$TMP/out" "$EV" <<'PY' && ok || bad "evidence: build history and current build"
import json, sys
builds = [json.loads(l) for l in open(sys.argv[1]) if '"type":"build"' in l]
assert [b["build"] for b in builds] == ["15.2.1118.7", "15.2.1118.20"], builds
old, new = builds
assert not old["current"] and new["current"]
assert old["server"] == new["server"] == sys.argv[2]
assert old["first"] == "2022-09-01T00:00:00Z" and old["sightings"] == 3, old   # ExSetup + header + row
assert new["first"] == "2022-11-15T00:00:00Z" and new["last"] == "2022-11-15T08:00:00Z", new
assert new["path"].endswith("HttpProxy_2022111500-1.LOG")
PY
[ "$(status "$TMP/out" proxynotshell)" = "patched 15.2.1118.20" ] && ok || bad "evidence: ProxyNotShell patched on the current build"
# 2019 CU12 with Nov22SU still misses the later fixes: exit 4 says so.
status "$TMP/out" feb23su-rce | grep -q '^vulnerable ' && ok || bad "evidence: a later family still vulnerable"
th_check_jsonl exposure "$TMP/out" && ok || bad "evidence jsonl well-formed"

# Text output names the server, the history and where the build was read.
expect_rc 4 "exposure: evidence tree, text" -- "$EXHUNT" exposure "$EV"
grep -q "^== $EV\$" "$TMP/out" && ok || bad "text: the server heading"
grep -Eq "^   earlier 15.2.1118.7 +from " "$TMP/out" && ok || bad "text: the earlier build"
grep -Eq "^   build   15.2.1118.20 +from log-" "$TMP/out" && ok || bad "text: the current build"
# A tree with no build: an error, exit 5 (no build, no answer), and it says why.
mkdir -p "$TMP/empty/inetpub"
expect_rc 5 "exposure: no build in evidence" -- "$EXHUNT" exposure "$TMP/empty"
grep -q "no Exchange build found" "$TMP/err" && ok || bad "no-build is explained"
# Evidence is read-only: -o inside the tree is refused.
expect_rc 2 "exposure -o inside evidence" -- "$EXHUNT" exposure -o "$EV/out.txt" "$EV"
[ ! -e "$EV/out.txt" ] && ok || bad "nothing written under the evidence"
# Hostile names: a dump whose file name holds a newline and a terminal escape.
HOST="$TMP/hostile"
mkdir -p "$HOST"
name=$(printf 'srv\n\033[31mred.txt')
printf 'AdminDisplayVersion : Version 15.1 (Build 2507.6)\r\n' >"$HOST/$name"
expect_rc 4 "exposure: hostile file name" -- "$EXHUNT" exposure "$HOST"
if grep -q $'\033' "$TMP/out"; then bad "raw ESC reached text output"; else ok; fi
grep -qF 'srv\x0a\x1b[31mred.txt' "$TMP/out" && ok || bad "file name escaped in text"
expect_rc 4 "exposure: hostile file name, jsonl" -- "$EXHUNT" exposure -f jsonl "$HOST"
th_check_jsonl exposure "$TMP/out" && ok || bad "hostile name: jsonl well-formed"

# --- CSV and the run record ---------------------------------------------------
expect_rc 4 "exposure csv" -- "$EXHUNT" exposure -f csv "$EV"
python3 - "$TMP/out" "$EV" <<'PY' && ok || bad "exposure csv: one row per family verdict, build and status filled"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["category"] == "exposure" and r["build"] == "15.2.1118.20" for r in rows), rows[:1]
st = {r["rule"].split(".")[-1]: r["status"] for r in rows}
assert st["proxynotshell"] == "patched" and st["feb23su-rce"] == "vulnerable", st
assert all(r["path"].startswith(sys.argv[2]) and r["line"] == "" for r in rows)
PY
grep -q '^exposure: 1 server; family verdicts: ' "$TMP/err" && ok || bad "exposure csv: the totals on stderr"
expect_rc 5 "exposure csv, no build" -- "$EXHUNT" exposure -f csv "$TMP/empty"
[ "$(wc -l <"$TMP/out")" = 1 ] && grep -q "no-build" "$TMP/err" && ok || bad "exposure csv without a build: header only, the reason on stderr"
expect_rc 4 "exposure jsonl run record" -- "$EXHUNT" exposure -f jsonl --build 15.1.2176.2 "$EV"
python3 - "$TMP/out" "$EV" "$(hostname)" <<'PY' && ok || bad "exposure: run record"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["run"]
assert r["roots"] == [sys.argv[2]] and r["host"] == sys.argv[3] and "rules_sha256" not in r, r
assert r["started"] <= r["ended"] and "--build 15.1.2176.2" in r["command_line"], r
PY
expect_rc 4 "exposure text header" -- "$EXHUNT" exposure "$EV"
head -1 "$TMP/out" | grep -q "^exhunt [0-9.]* exposure on $(hostname), started " && ok || bad "exposure text: run header"
grep -q "^  evidence: $EV\$" "$TMP/out" && grep -q '^  ended: ' "$TMP/out" && grep -q '^  verdict: VULNERABLE or OUT OF SUPPORT (exit 4)$' "$TMP/out" &&
  ok || bad "exposure text: evidence, end and verdict lines"

# --- exhunt probe against a local HTTPS server ---------------------------------
# The server (tests/probe/probe_server.py) listens on 127.0.0.1 only, one port
# per scenario, with a certificate openssl makes now in $TMP/srv.
mkdir -p "$TMP/srv"
export no_proxy='*' NO_PROXY='*'
python3 "$SRC/tests/probe/probe_server.py" --dir "$TMP/srv" --port-file "$TMP/srv/ports" \
  --slow-seconds 5 --max-lifetime 240 &
SERVER_PID=$!
th_at_exit 'kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null'
for _ in $(seq 300); do [ -s "$TMP/srv/ports" ] && break; sleep 0.1; done
if [ ! -s "$TMP/srv/ports" ]; then
  bad "probe test server did not start"
else
  port() { awk -v s="$1" '$1==s {print $2}' "$TMP/srv/ports"; }
  CA="$TMP/srv/cert.pem"
  H=127.0.0.1:$(port header)
  L=https://127.0.0.1:$(port logon)/
  E=127.0.0.1:$(port exporttool)
  N=127.0.0.1:$(port not-exchange)
  S=127.0.0.1:$(port slow)
  G=127.0.0.1:$(port garbage)
  # A port nothing listens on: bind one, note it, close it.
  CLOSED=127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf '# fleet\n%s\n\n  %s  \n%s\n' "$H" "$L" "$E" >"$TMP/fleet.txt"
  expect_rc 4 "probe: three kinds of Exchange" -- "$EXHUNT" probe -f jsonl --ca-file "$CA" --targets "$TMP/fleet.txt"
  th_check_jsonl exposure "$TMP/out" && ok || bad "probe jsonl well-formed"
  python3 - "$TMP/out" "$H" "$L" "$E" <<'PY' && ok || bad "probe: build and source per target"
import json, sys
out, h, l, e = sys.argv[1:]
builds = {o["target"]: o for o in map(json.loads, open(out)) if o["type"] == "build"}
assert set(builds) == {h, l, e}, builds
assert (builds[h]["build"], builds[h]["build_source"]) == ("15.1.2176.2", "x-owa-version"), builds[h]
assert (builds[l]["build"], builds[l]["build_source"]) == ("15.2.1118", "owa-auth-path"), builds[l]
assert (builds[e]["build"], builds[e]["build_source"]) == ("15.1.2308.8", "exporttool"), builds[e]
assert all(b["result"] == "found" and b["current"] for b in builds.values())
PY
  [ "$(status "$TMP/out" proxylogon "$H")" = "vulnerable 15.1.2176.9" ] && ok || bad "probe: header target ProxyLogon vulnerable"
  [ "$(status "$TMP/out" proxynotshell "$L")" = "unknown 15.2.1118.20" ] && ok || bad "probe: 3-part build gives unknown where the CU got a fix"
  [ "$(status "$TMP/out" proxyshell "$E")" = "patched -" ] && ok || bad "probe: 2016 CU21 ships with the ProxyShell fix"
  # Targets that give no build: each says why; nothing vulnerable, so exit 5.
  expect_rc 5 "probe: no build anywhere" -- "$EXHUNT" probe -f jsonl --ca-file "$CA" --timeout 1 "$N" "$S" "$G" "$CLOSED"
  th_check_jsonl exposure "$TMP/out" && ok || bad "probe failures: jsonl well-formed"
  python3 - "$TMP/out" "$N" "$S" "$G" "$CLOSED" <<'PY' && ok || bad "probe: not-exchange, unreachable, error, each with a reason"
import json, sys
out, n, s, g, c = sys.argv[1:]
r = {o["target"]: o for o in map(json.loads, open(out)) if o["type"] == "build"}
assert r[n]["result"] == "not-exchange", r[n]
assert r[s]["result"] == "unreachable", r[s]
assert r[g]["result"] == "error", r[g]
assert r[c]["result"] == "unreachable", r[c]
assert all(o.get("detail") for o in r.values()), r
assert not any(o.get("type") == "finding" for o in map(json.loads, open(out)))
PY
  # TLS is verified by default; --insecure opts out.
  expect_rc 5 "probe: self-signed refused by default" -- "$EXHUNT" probe "$H"
  grep -q "TLS certificate verification failed" "$TMP/out" && ok || bad "probe: the TLS failure is explained"
  grep -q -- "--insecure" "$TMP/out" && ok || bad "probe: the reason names --insecure"
  expect_rc 4 "probe --insecure" -- "$EXHUNT" probe --insecure "$H"
  grep -Eq "^   build   15.1.2176.2 +from x-owa-version" "$TMP/out" && ok || bad "probe text: the build and where it was seen"
  grep -Eq "^   proxylogon +VULNERABLE +15.1.2176.9" "$TMP/out" && ok || bad "probe text: the verdict table"
  # the run record names the targets; CSV rows carry the target
  expect_rc 4 "probe csv" -- "$EXHUNT" probe -f csv --ca-file "$CA" "$H"
  python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1],newline=""))); assert r and all(x["target"]==sys.argv[2] and x["build"]=="15.1.2176.2" for x in r), r[:1]' "$TMP/out" "$H" &&
    ok || bad "probe csv: target and build on every row"
  expect_rc 4 "probe jsonl run record" -- "$EXHUNT" probe -f jsonl --ca-file "$CA" "$H" "$E"
  python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1])["run"]; assert r["roots"]==sys.argv[2:], r' "$TMP/out" "$H" "$E" &&
    ok || bad "probe: the targets are the run record's roots"
  expect_rc 5 "probe text, no build" -- "$EXHUNT" probe --ca-file "$CA" "$N"
  grep -q "^  targets: $N\$" "$TMP/out" && grep -q '^  verdict: NOT ENOUGH EVIDENCE' "$TMP/out" && ok || bad "probe text: targets in the header, verdict"
  # Usage errors.
  expect_rc 2 "probe: bad --rate" -- "$EXHUNT" probe --rate 0 "$H"
  expect_rc 2 "probe: bad --timeout" -- "$EXHUNT" probe --timeout abc "$H"
  expect_rc 2 "probe: missing --targets file" -- "$EXHUNT" probe --targets "$TMP/nope.txt"
  # A hostile target string is a per-target error, escaped in the output.
  expect_rc 5 "probe: hostile target" -- "$EXHUNT" probe -f jsonl "$(printf 'evil\033[31m.example')"
  th_check_jsonl exposure "$TMP/out" && ok || bad "hostile target: jsonl well-formed"
  if grep -q $'\033' "$TMP/out"; then bad "raw ESC in probe output"; else ok; fi
fi

th_end "exposure tests"
