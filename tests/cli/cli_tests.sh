#!/usr/bin/env bash
# cli_tests.sh - the exhunt command as a user meets it: help, output formats,
# escaping, refusals and exit codes. Usage: cli_tests.sh EXHUNT SRC_DIR SHARED_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin cli

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
if th_check_jsonl scan "$TMP/out"; then ok; else bad "jsonl is well-formed"; fi
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
expect_rc 5 "broken rule and no findings exits 5 (rules the user asked for did not run)" -- "$EXHUNT" scan --no-default-rules --rules "$TMP/broken.yar" "$TMP/clean"
expect_rc 5 "missing rule file (the other rules still ran: exit 5, not clean)" -- "$EXHUNT" scan --rules "$TMP/nope.yar" "$TMP/clean"
grep -q 'nope.yar' "$TMP/err" && ok || bad "missing rule file named"
mkdir -p "$TMP/norules/sub"
expect_rc 5 "a --rules folder without a rule file is an error" -- "$EXHUNT" scan -f jsonl \
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
if th_check_jsonl scan "$TMP/out"; then ok; else bad "jsonl well-formed with hostile names"; fi
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

# --- unreadable file: errors without findings exit 5 --------------------------
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
expect_rc 5 "unreadable file and no findings exits 5" -- "${RUN_AS[@]}" "$EXHUNT" scan "$TMP/locked"
grep -q 'b.txt' "$TMP/err" && grep -qi 'permission denied' "$TMP/err" && ok || bad "unreadable file reported with reason"

# --- the bundled example evidence -------------------------------------------
if [ -d "$SRC/examples/compromised-exchange" ]; then
  expect_rc 1 "example compromised server" -- "$EXHUNT" scan -f jsonl "$SRC/examples/compromised-exchange"
  th_check_jsonl scan "$TMP/out" && ok || bad "example jsonl well-formed"
  expect_rc 0 "example clean server" -- "$EXHUNT" scan "$SRC/examples/clean-exchange"
fi

# --- exhunt logs -------------------------------------------------------------
expect_rc 0 "help logs" -- "$EXHUNT" help logs
grep -q -- '--since' "$TMP/out" && ok || bad "help logs shows options"
if [ -d "$SRC/examples/compromised-exchange" ]; then
  expect_rc 1 "logs: compromised example" -- "$EXHUNT" logs -f jsonl "$SRC/examples/compromised-exchange"
  th_check_jsonl scan "$TMP/out" && ok || bad "logs jsonl well-formed"
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
  expect_rc 5 "evtx: a cut EVTX inside a .gz" -- "$EXHUNT" logs -f jsonl "$TMP/evtxcut/cut.evtx.gz"
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
expect_rc 5 "logs: a named file that is no log" -- "$EXHUNT" logs -f jsonl "$TMP/notlogs/app.log"
grep -q '"type":"note","what":"not-a-log","path":"[^"]*app.log"' "$TMP/out" && ok || bad "not-a-log note"
expect_rc 5 "logs: no log in a folder" -- "$EXHUNT" logs -f jsonl "$TMP/notlogs"
grep -q '"what":"not-logs".*"reason":"2 file(s)' "$TMP/out" && ok || bad "not-logs note counts both"
expect_rc 5 "logs text: notes counted" -- "$EXHUNT" logs "$TMP/notlogs"
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
  th_check_jsonl scan "$TMP/out" && ok || bad "OTRF jsonl well-formed"
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

# --- exit codes: the table of docs/exit-codes.md, for scan and logs -----------
# 0 and 1 are checked above (clean and dirty trees); here the rest.
mkdir -p "$TMP/empty" "$TMP/onlyexcluded/sub"
printf 'plain\n' >"$TMP/onlyexcluded/sub/a.txt"
expect_rc 5 "scan: an empty folder is not clean" -- "$EXHUNT" scan --no-progress "$TMP/empty"
grep -q '^  nothing examined: no file under the path given' "$TMP/out" && ok || bad "empty folder: said in plain words in the summary"
grep -q '^  verdict: NOT ENOUGH EVIDENCE (nothing examined) (exit 5)' "$TMP/out" && ok || bad "empty folder: verdict line"
grep -q '^exhunt scan: nothing examined: ' "$TMP/err" && ok || bad "empty folder: said on stderr when stdout is no terminal"
expect_rc 5 "scan: an empty folder, jsonl" -- "$EXHUNT" scan -f jsonl "$TMP/empty"
python3 - "$TMP/out" <<'PY' && ok || bad "empty folder: a nothing-examined note and a summary field in jsonl"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
note = [r for r in rows if r["type"] == "note" and r["what"] == "nothing-examined"]
assert len(note) == 1 and note[0]["reason"].startswith("no file under"), note
s = rows[-1]
assert s["type"] == "summary" and s["exit_code"] == 5 and s["files_scanned"] == 0, s
assert s["nothing_examined"] == note[0]["reason"], s
PY
expect_rc 5 "scan: every file excluded" -- "$EXHUNT" scan --exclude sub "$TMP/onlyexcluded"
grep -q '^  nothing examined: .*excluded=1' "$TMP/out" && ok || bad "all excluded: the skips are named"
expect_rc 5 "scan: every file older than --newer-than" -- "$EXHUNT" scan --newer-than 2099-01-01 "$TMP/clean"
grep -q '^  nothing examined: no file left to read under the path given (skipped: older-than-window=2)' "$TMP/out" && ok || bad "all too old: said so"
expect_rc 5 "scan -q: nothing examined still said (stderr)" -- "$EXHUNT" scan -q "$TMP/empty"
grep -q '^exhunt scan: nothing examined' "$TMP/err" && ok || bad "-q: nothing examined on stderr"
# A PATH that does not exist is a usage error: said before anything runs.
expect_rc 2 "scan: a PATH that does not exist" -- "$EXHUNT" scan -f jsonl "$TMP/no-such-dir"
grep -q "no-such-dir': No such file or directory" "$TMP/err" && [ ! -s "$TMP/out" ] && ok || bad "missing PATH: named, nothing on stdout"
expect_rc 2 "scan: a PATH below a file" -- "$EXHUNT" scan "$TMP/clean/site/index.aspx/x"
expect_rc 2 "scan: an output that cannot be written" -- "$EXHUNT" scan -o "$TMP/no-such-dir/r.txt" "$TMP/clean"
grep -q "cannot write" "$TMP/err" && ok || bad "unwritable output: said why"
# an output that fails mid-run (a full disk): 2, whatever was found
if [ -w /dev/full ]; then
  expect_rc 2 "scan: stdout that cannot be written (/dev/full)" -- sh -c "'$EXHUNT' scan '$TMP/dirty' >/dev/full"
  expect_rc 2 "scan: -o /dev/full" -- "$EXHUNT" scan -o /dev/full "$TMP/dirty"
fi
# logs: 1 exploitation, 3 only attempts or probes, 5 no log, 0 clean
expect_rc 3 "logs: failed attempts only exit 3" -- "$EXHUNT" logs -f jsonl "$SRC/tests/data/logs/failed-only"
python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; f=[o for o in r if o["type"]=="finding"]; assert f and all(o["outcome"]=="attempted" for o in f); assert r[-1]["exit_code"]==3' "$TMP/out" &&
  ok || bad "failed-only: every finding an attempt, summary exit_code 3"
expect_rc 3 "logs: scanner probes only exit 3" -- "$EXHUNT" logs "$SRC/tests/data/logs/scan-only"
grep -q '^  verdict: ATTEMPTS ONLY' "$TMP/out" && ok || bad "scan-only: verdict line says attempts only"
expect_rc 1 "logs: exploitation and attempts exit 1 (the most urgent wins)" -- "$EXHUNT" logs "$SRC/tests/data/logs/failed-only" "$SRC/tests/data/logs/helsecert"
# --min-severity hides the probes (low): nothing reported, logs read: 0
expect_rc 0 "logs: probes hidden by --min-severity" -- "$EXHUNT" logs --min-severity medium "$SRC/tests/data/logs/scan-only"
expect_rc 5 "logs: an empty folder" -- "$EXHUNT" logs "$TMP/empty"
grep -q '^  nothing examined: no log exhunt reads was found under the path given (0 files looked at)' "$TMP/out" && ok || bad "logs: no log said in plain words"
expect_rc 5 "logs: a folder of files that are no log, jsonl" -- "$EXHUNT" logs -f jsonl "$TMP/clean"
grep -q '"what":"nothing-examined","reason":"no log exhunt reads was found under the path given (2 files looked at)"' "$TMP/out" && ok || bad "logs: nothing-examined note"
expect_rc 2 "logs: a PATH that does not exist" -- "$EXHUNT" logs "$TMP/no-such-dir"

# --- rule loading: a rejected IOC line is an error, shown without -v ----------
printf 'filename\tsite.css\thigh\tTest name\ttest\t-\nsha256\tnothex\thigh\tbad hash\ttest\t-\n' >"$TMP/badline.tsv"
expect_rc 1 "--iocs with a bad line still scans" -- "$EXHUNT" scan --iocs "$TMP/badline.tsv" "$TMP/clean"
grep -q '^exhunt: error: ioc-line: .*badline.tsv: line 2: ' "$TMP/err" && ok || bad "bad IOC line: an error on stderr without -v"
grep -q '^exhunt scan: .* 1 errors' "$TMP/out" && ok || bad "bad IOC line: counted in the summary's errors"
expect_rc 1 "--iocs with a bad line, jsonl" -- "$EXHUNT" scan -f jsonl --iocs "$TMP/badline.tsv" "$TMP/clean"
grep -q '"type":"error","what":"ioc-line"' "$TMP/out" && ok || bad "bad IOC line: type error in jsonl"
python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); assert s["errors"]==1, s' "$TMP/out" && ok || bad "bad IOC line: summary errors 1"
printf 'sha256\tnothex\thigh\tbad hash\ttest\t-\nmd5\tzz\thigh\tbad\ttest\t-\n' >"$TMP/badlines.tsv"
expect_rc 5 "--iocs with bad lines and no finding: not enough evidence" -- "$EXHUNT" scan --iocs "$TMP/badlines.tsv" "$TMP/clean"
grep -q '^exhunt scan: .* 2 errors' "$TMP/out" && ok || bad "two bad IOC lines: two errors"

# --- the run record -------------------------------------------------------------
mkdir -p "$TMP/run root"
cp "$TMP/dirty/index.aspx" "$TMP/run root/"
( cd "$TMP" && "$EXHUNT" scan -f jsonl "run root" "$TMP/clean" >"$TMP/run1.jsonl" 2>/dev/null )
( cd "$TMP" && "$EXHUNT" scan -f jsonl "run root" "$TMP/clean" >"$TMP/run2.jsonl" 2>/dev/null )
"$EXHUNT" scan -f jsonl --rules "$TMP/good.yar" "$TMP/clean" >"$TMP/run3.jsonl" 2>/dev/null
"$EXHUNT" logs -f jsonl "$TMP/clean" >"$TMP/run4.jsonl" 2>/dev/null
python3 - "$TMP" "$EXHUNT" "$("$EXHUNT" --version | cut -d' ' -f2)" "$(hostname)" <<'PY' && ok || bad "run record: every field present and right"
import json, re, shlex, sys
tmp, exe, version, host = sys.argv[1:]
def summary(name):
    return json.loads(open(f"{tmp}/{name}").read().splitlines()[-1])["run"]
r1, r2, r3, r4 = (summary(f"run{i}.jsonl") for i in (1, 2, 3, 4))
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
assert iso.match(r1["started"]) and iso.match(r1["ended"]) and r1["started"] <= r1["ended"], r1
assert r1["version"] == version, (r1["version"], version)
assert r1["host"] == host, (r1["host"], host)
assert r1["roots"] == ["run root", f"{tmp}/clean"], r1["roots"]
# the command line, shell-quoted: a shell splits it back into the argv
assert shlex.split(r1["command_line"]) == [exe, "scan", "-f", "jsonl", "run root", f"{tmp}/clean"], r1["command_line"]
assert "'run root'" in r1["command_line"], r1["command_line"]
assert re.fullmatch(r"[0-9a-f]{64}", r1["rules_sha256"]), r1
assert r2["rules_sha256"] == r1["rules_sha256"], "same rules, same identity"
assert r3["rules_sha256"] != r1["rules_sha256"] and re.fullmatch(r"[0-9a-f]{64}", r3["rules_sha256"]), "--rules changes it"
assert "rules_sha256" not in r4 and r4["roots"] == [f"{tmp}/clean"], r4
PY
# rules_sha256 recomputed here from the recipe of docs/output-schema.md
# over the rules/ folder the binary embeds, plus --rules and --no-heuristics
"$EXHUNT" scan -f jsonl --no-heuristics --rules "$TMP/good.yar" "$TMP/clean" >"$TMP/run5.jsonl" 2>/dev/null
python3 - "$SRC/rules" "$TMP" <<'PY' && ok || bad "rules_sha256 equals the documented recipe"
import glob, hashlib, json, os, sys
root, tmp = sys.argv[1:]
def ident(extra, heur):
    h = hashlib.sha256()
    srcs = [("yara", f) for f in sorted(glob.glob(root + "/yara/**/*.yar", recursive=True) + glob.glob(root + "/yara/**/*.yara", recursive=True))]
    srcs += [("iocs", f) for f in sorted(glob.glob(root + "/iocs/**/*.tsv", recursive=True))]
    for kind, f in srcs:
        t = open(f, "rb").read()
        h.update(b"%s\0%s\0%d\0" % (kind.encode(), os.path.relpath(f, root).encode(), len(t)) + t)
    for kind, name in extra:
        t = open(name, "rb").read()
        h.update(b"%s\0%s\0%d\0" % (kind.encode(), name.encode(), len(t)) + t)
    h.update(b"heuristics=on" if heur else b"heuristics=off")
    return h.hexdigest()
run = lambda n: json.loads(open(f"{tmp}/{n}").read().splitlines()[-1])["run"]["rules_sha256"]
assert run("run1.jsonl") == ident([], True), "default pack"
assert run("run3.jsonl") == ident([("yara", f"{tmp}/good.yar")], True), "with --rules"
assert run("run5.jsonl") == ident([("yara", f"{tmp}/good.yar")], False), "with --no-heuristics"
PY
# text: a short header opens the report, the end time closes it
expect_rc 0 "text run header" -- "$EXHUNT" scan "$TMP/clean"
head -1 "$TMP/out" | grep -q "^exhunt [0-9.]* scan on $(hostname), started [0-9-]*T[0-9:]*Z\$" && ok || bad "text header: first line"
sed -n 2p "$TMP/out" | grep -q "^  command: .*exhunt scan $TMP/clean\$" && ok || bad "text header: command line"
sed -n 3p "$TMP/out" | grep -q '^  rules:   sha256 [0-9a-f]\{64\}$' && ok || bad "text header: rules identity"
sed -n 4p "$TMP/out" | grep -q "^  evidence: $TMP/clean\$" && ok || bad "text header: evidence"
grep -q '^  ended: [0-9-]*T[0-9:]*Z$' "$TMP/out" && ok || bad "text summary: end time"
expect_rc 0 "-q: no header" -- "$EXHUNT" scan -q "$TMP/clean"
[ ! -s "$TMP/out" ] && ok || bad "-q: nothing on stdout for a clean tree"
# host and command line come from outside: escaped like any other field
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare --uts true 2>/dev/null; then
  HOSTILE_ROOT="$TMP/$(printf 'a\033]0;t\007b')"
  mkdir -p "$HOSTILE_ROOT"
  cp "$TMP/clean/site/site.css" "$HOSTILE_ROOT/"
  unshare --uts sh -c 'printf "ev il\033[31m\"x" >/proc/sys/kernel/hostname && exec "$@"' sh \
    "$EXHUNT" scan "$TMP/clean" "$HOSTILE_ROOT" >"$TMP/out" 2>"$TMP/err"
  if grep -q $'\033' "$TMP/out"; then bad "run header: raw ESC from the host or argv"; else ok; fi
  head -1 "$TMP/out" | grep -qF 'on ev il\x1b[31m"x, started' && ok || bad "run header: host escaped"
  grep -qF 'a\x1b]0;t\x07b' "$TMP/out" && ok || bad "run header: argv escaped"
  expect_rc 2 "a hostile PATH that does not exist" -- "$EXHUNT" scan "$(printf 'no\033[2Jpe')"
  if grep -q $'\033' "$TMP/err"; then bad "usage error: raw ESC from the PATH"; else ok; fi
  unshare --uts sh -c 'printf "ev il\033[31m\"x" >/proc/sys/kernel/hostname && exec "$@"' sh \
    "$EXHUNT" scan -f jsonl "$TMP/clean" >"$TMP/out" 2>"$TMP/err"
  python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1])["run"]; assert r["host"]=="ev il\x1b[31m\"x", r' "$TMP/out" && ok || bad "run record: host JSON-escaped, exact"
else
  echo "SKIP: hostile host name (needs root and unshare --uts)"
fi

# --- -o -: standard output ------------------------------------------------------
(cd "$TMP" && "$EXHUNT" scan -f jsonl -o - "$TMP/dirty" >"$TMP/out" 2>"$TMP/err")
[ ! -e "$TMP/-" ] && grep -q '"type":"summary"' "$TMP/out" && ok || bad "-o - writes to stdout, no file named -"

# --- atomic output: an interrupted run leaves the previous file as it was ------
mkdir -p "$TMP/slowtree" "$TMP/outdir"
python3 - "$TMP/slowtree" <<'PY'
import os, sys
for i in range(40):
    with open(os.path.join(sys.argv[1], "f%02d.txt" % i), "wb") as f:
        f.write(b"plain text, nothing to see\n" * 40000)
PY
printf 'the previous report\n' >"$TMP/outdir/report.jsonl"
cp "$TMP/outdir/report.jsonl" "$TMP/previous"
# --max-rate 4 (MiB/s) makes 40 MB last about 10 s
th_interrupt INT "$TMP/outdir/report.jsonl" \
  "$EXHUNT" scan -f jsonl --no-progress --max-rate 4 -o "$TMP/outdir/report.jsonl" "$TMP/slowtree"
[ "$seen_tmp" = 1 ] && ok || bad "atomic: the run wrote to a temporary beside -o"
[ "$rc" = 130 ] && ok || bad "atomic: SIGINT exits 130, got $rc"
grep -qx 'exhunt scan: interrupted' "$TMP/err" && ok || bad "atomic: 'interrupted' said on stderr: $(cat "$TMP/err")"
cmp -s "$TMP/previous" "$TMP/outdir/report.jsonl" && ok || bad "atomic: the previous -o file is byte-identical"
[ "$(ls "$TMP/outdir")" = report.jsonl ] && ok || bad "atomic: no temporary left: $(ls "$TMP/outdir")"
# SIGTERM too, on logs
cp "$TMP/previous" "$TMP/outdir/logs.txt"
mkdir -p "$TMP/slowlogs/W3SVC1"
python3 - "$TMP/slowlogs/W3SVC1/u_ex210303.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time cs-method cs-uri-stem c-ip sc-status\n")
    f.write("2021-03-03 11:00:00 GET /owa/ 198.51.100.7 200\n" * 800000)
PY
th_interrupt TERM "$TMP/outdir/logs.txt" "$EXHUNT" logs --no-progress --max-rate 2 -o "$TMP/outdir/logs.txt" "$TMP/slowlogs"
[ "$rc" = 130 ] && grep -qx 'exhunt logs: interrupted' "$TMP/err" && ok || bad "logs: SIGTERM exits 130 with the message (rc $rc)"
cmp -s "$TMP/previous" "$TMP/outdir/logs.txt" && [ "$(ls "$TMP/outdir" | tr '\n' ' ')" = "logs.txt report.jsonl " ] &&
  ok || bad "logs: previous -o file kept, no temporary left: $(ls "$TMP/outdir")"
# a run that finishes replaces the file, with the mode fopen would give
(umask 027 && "$EXHUNT" scan -f jsonl -o "$TMP/outdir/report.jsonl" "$TMP/clean" >/dev/null 2>&1)
grep -q '"type":"summary"' "$TMP/outdir/report.jsonl" && [ "$(stat -c %a "$TMP/outdir/report.jsonl")" = 640 ] &&
  ok || bad "a finished run replaces the file, mode 0666 & ~umask: $(stat -c %a "$TMP/outdir/report.jsonl")"
# -o through a symlink is refused (it may have been planted to lead into
# evidence; tests/hostile/output_tests.sh): the link and its target stay
ln -s report.jsonl "$TMP/outdir/link.jsonl"
cp "$TMP/outdir/report.jsonl" "$TMP/before-link"
expect_rc 2 "-o through a symlink is refused" -- "$EXHUNT" scan -f jsonl -o "$TMP/outdir/link.jsonl" "$TMP/dirty"
[ -L "$TMP/outdir/link.jsonl" ] && cmp -s "$TMP/before-link" "$TMP/outdir/report.jsonl" && ok || bad "-o through a symlink: link and target unchanged"
# a usage error after the output was opened leaves the previous file
cp "$TMP/previous" "$TMP/outdir/report.jsonl"
expect_rc 2 "no rules left: usage error" -- "$EXHUNT" scan --no-default-rules --no-heuristics -o "$TMP/outdir/report.jsonl" "$TMP/clean"
cmp -s "$TMP/previous" "$TMP/outdir/report.jsonl" && [ "$(ls "$TMP/outdir" | wc -l)" = 3 ] && ok || bad "failed run: previous file kept, no temporary"

# --- CSV -------------------------------------------------------------------------
mkdir -p "$TMP/csvnames"
for n in 'a,b.aspx' 'quo"te.aspx' "$(printf 'new\nline.aspx')" "=cmd|calc'!A0.aspx" "$(printf 'bad\377é.aspx')" '+plus.aspx'; do
  printf '%s' "$CHOPPER" >"$TMP/csvnames/$n"
done
expect_rc 1 "csv: scan" -- "$EXHUNT" scan -f csv -j 1 "$TMP/csvnames"
cp "$TMP/out" "$TMP/scan.csv"
grep -q '^exhunt scan: .* files seen' "$TMP/err" && ok || bad "csv: the summary goes to stderr"
head -1 "$TMP/scan.csv" | grep -q '^severity,category,rule,title,description,path,line,timestamp,sha256,size,mtime,cve,outcome,client_ip,user_agent,artifact,target,build,build_source,product,support,status,fixed_in,source,author,reference,license,id,server'$'\r''$' &&
  ok || bad "csv: header row"
expect_rc 1 "csv: the same scan as jsonl" -- "$EXHUNT" scan -f jsonl -j 1 "$TMP/csvnames"
cp "$TMP/out" "$TMP/scan.jsonl"
cat >"$TMP/csvcheck.py" <<'PY'
# csvcheck.py CSV JSONL: the CSV parses (Python's csv module), has one row
# per finding of the JSON Lines of the same run, and each cell is the
# finding's field in its CSV form: formula-safe, control bytes and invalid
# UTF-8 as \xNN, backslashes as they are.
import base64, csv, json, sys
def raw(o, k):
    if k + "_b64" in o:
        return base64.b64decode(o[k + "_b64"])
    v = o.get(k)
    if v is None:
        return b""
    if isinstance(v, list):
        return ";".join(v).encode()
    return str(v).encode()
import unicodedata
def danger(c):  # lib/output/escape.c's table: Cc, Cf, Zl, Zp
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
def cell(b):
    out = "'" if b[:1] and b[:1] in b"=+-@\t\r" else ""
    i = 0
    while i < len(b):
        c = b[i]
        if 0x20 <= c < 0x7F:
            out += chr(c); i += 1; continue
        n = 2 if 0xC0 <= c < 0xE0 else 3 if 0xE0 <= c < 0xF0 else 4 if 0xF0 <= c < 0xF8 else 0
        ch = None
        if n:
            try:
                ch = b[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                ch = None
        if ch is not None and len(ch) == 1 and not danger(ch):
            out += ch; i += n
        elif ch is not None and len(ch) == 1:
            out += "\\u{%x}" % ord(ch); i += n
        else:
            out += "\\x%02x" % b[i]; i += 1
    return out
text = open(sys.argv[1], "rb").read()
text.decode("utf-8")
assert b"\n" not in text.replace(b"\r\n", b""), "a raw line break inside a row"
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, body = rows[0], rows[1:]
assert all(len(r) == len(head) for r in body), "ragged rows"
found = [json.loads(l) for l in open(sys.argv[2]) if '"type":"finding"' in l]
assert len(body) == len(found) > 0, (len(body), len(found))
for r, o in zip(body, found):
    for name, value in zip(head, r):
        want = cell(raw(o, name))
        assert value == want, (name, value, want)
    for value in r:
        assert not value or value[0] not in "=+-@\t\r", value
print(len(body), "rows checked")
PY
python3 "$TMP/csvcheck.py" "$TMP/scan.csv" "$TMP/scan.jsonl" >/dev/null && ok || bad "csv: every row equals the jsonl finding, cell by cell"
python3 - "$TMP/scan.csv" <<'PY' && ok || bad "csv: hostile names quoted, formula neutralised"
import csv, sys
paths = {r["path"].rsplit("/", 1)[-1] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
assert "a,b.aspx" in paths and 'quo"te.aspx' in paths and "new\\x0aline.aspx" in paths, paths
assert "bad\\xffé.aspx" in paths and "+plus.aspx" in paths, paths
# the path cell starts with the root, so the formula is deep inside; the
# title of a finding is never from evidence: check a formula-start cell too
PY
grep -q "/=cmd|calc'!A0.aspx" "$TMP/scan.csv" && ok || bad "csv: the formula-looking name is in the report"
# A formula at the start of a cell: a root given relative, so the path
# cell starts with it ("/" cannot be in a file name: the classic payload
# is a folder and a file).
mkdir -p "$TMP/csvf/=cmd|' /C calc'"
printf '%s' "$CHOPPER" >"$TMP/csvf/=cmd|' /C calc'/!A0.aspx"
(cd "$TMP/csvf" && "$EXHUNT" scan -f csv "=cmd|' " >"$TMP/one.csv" 2>/dev/null)
python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1],newline=""))); assert r and all(x["path"]=="'"'"'=cmd|'"'"' /C calc'"'"'/!A0.aspx" for x in r), r' "$TMP/one.csv" &&
  ok || bad "csv: a cell starting with = gets a leading apostrophe"
# logs: artifacts with quotes, backslashes and commas
if [ -d "$SRC/examples/compromised-exchange" ]; then
  "$EXHUNT" logs -f csv -j 1 "$SRC/examples/compromised-exchange" >"$TMP/logs.csv" 2>/dev/null
  "$EXHUNT" logs -f jsonl -j 1 "$SRC/examples/compromised-exchange" >"$TMP/logs.jsonl" 2>/dev/null
  python3 "$TMP/csvcheck.py" "$TMP/logs.csv" "$TMP/logs.jsonl" >/dev/null && ok || bad "logs csv: every row equals the jsonl finding"
fi

th_end "cli tests"
