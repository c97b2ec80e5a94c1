#!/usr/bin/env bash
# caps_tests.sh - caps that used to drop evidence silently, hit through the
# exhunt binary (docs/limits.md, "Cap audit"): a Sysmon w3wp -> cmd event
# padded with 130 fields before the ones that matter (before: no finding, no
# note, exit 0), the same nested 70 levels deep (an error now: the object
# is not read), and 17 tunnel scripts in one IIS log.
# Usage: caps_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
EXHUNT=$(realpath "$1")
TMP=$(mktemp -d /tmp/exhunt-caps-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

python3 - "$TMP" <<'PY' || { echo "FAIL: making the inputs"; exit 1; }
import json, os, sys
d = sys.argv[1]
tail = {"ParentImage": "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
        "Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd /c whoami"}
ev = {"TimeCreated": "2021-03-03T05:00:00Z"}
ev.update({"Pad%03d" % i: "x" for i in range(130)})
ev.update({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1})
ev.update(tail)
open(os.path.join(d, "padded.json"), "w").write(json.dumps(ev) + "\n")
deep = {"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1}
o = deep
for _ in range(70):
    o["n"] = {}
    o = o["n"]
o.update(tail)
open(os.path.join(d, "deep.json"), "w").write(json.dumps(deep) + "\n")
os.makedirs(os.path.join(d, "W3SVC1"))
with open(os.path.join(d, "W3SVC1", "u_ex210303.log"), "w") as f:
    f.write("#Software: Microsoft Internet Information Services 10.0\r\n"
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) sc-status\r\n")
    for i in range(17):
        f.write("2021-03-03 12:00:%02d 192.0.2.25 GET /aspnet_client/t%d.aspx "
                "cmd=connect&target=10.0.0.1&port=3389 203.0.113.47 x 200\r\n" % (i, i))
PY

"$EXHUNT" logs -f jsonl -o "$TMP/padded.jsonl" "$TMP/padded.json" 2>/dev/null
rc=$?
[ $rc = 1 ] && ok || bad "padded event: exit $rc, expected 1 (a finding)"
grep -q '"rule":"exhunt.log.web_worker_child_process"' "$TMP/padded.jsonl" && ok ||
  bad "padded event: w3wp -> cmd not found"
grep -q '"type":"note","what":"fields-capped","path":"[^"]*padded.json"' "$TMP/padded.jsonl" && ok ||
  bad "padded event: no fields-capped note"

"$EXHUNT" logs -f jsonl -o "$TMP/deep.jsonl" "$TMP/deep.json" 2>/dev/null
rc=$?
[ $rc = 5 ] && ok || bad "deep event: exit $rc, expected 5 (not enough evidence)"
grep -q '"type":"error","what":"fields-capped","path":"[^"]*deep.json"' "$TMP/deep.jsonl" && ok ||
  bad "deep event: no fields-capped error"

"$EXHUNT" logs -f jsonl -o "$TMP/tun.jsonl" "$TMP/W3SVC1" 2>/dev/null
[ "$(grep -c '"rule":"exhunt.log.iis_webshell_tunnel"' "$TMP/tun.jsonl")" = 17 ] && ok ||
  bad "tunnels: expected 17 connect findings"
grep -q '"type":"note","what":"tunnel-scripts-capped"' "$TMP/tun.jsonl" && ok ||
  bad "tunnels: no tunnel-scripts-capped note"

echo "caps tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
