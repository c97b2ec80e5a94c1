#!/usr/bin/env bash
# caps_tests.sh - caps that used to drop evidence silently, hit through the
# exhunt binary (docs/limits.md, "Cap audit"): a Sysmon w3wp -> cmd event
# padded with 130 fields before the ones that matter (before: no finding, no
# note, exit 0), the same nested 70 levels deep (an error now: the object
# is not read), and 17 tunnel scripts in one IIS log.
# Usage: caps_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin caps

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

# --- exposure's caps: each hit is said (sparse files: no disk used) -----------------
X="$TMP/exposure"
mkdir -p "$X/big/V15/Bin" "$X/big/ExchangeSetupLogs" "$X/big/dumps"
truncate -s 65M "$X/big/V15/Bin/ExSetup.exe"                 # EXH_EXPOSURE_MAX_PE (64 MiB)
truncate -s 17M "$X/big/dumps/exchangeserver.txt"            # EXH_EXPOSURE_MAX_DUMP (16 MiB)
# EXH_EXPOSURE_MAX_SETUP (256 MiB), as one line: the bytes skipped past a
# cut line count against the cap too (they did not, and the rest was read)
truncate -s 257M "$X/big/ExchangeSetupLogs/ExchangeSetup.log"
"$EXHUNT" exposure -f jsonl -o "$X/big.jsonl" "$X/big" 2>/dev/null
grep -q '"type":"note","what":"too-large","path":"[^"]*ExSetup.exe","reason":"larger than 64 MiB' "$X/big.jsonl" && ok ||
  bad "ExSetup.exe over 64 MiB: no too-large note"
grep -q '"type":"note","what":"too-large","path":"[^"]*exchangeserver.txt","reason":"larger than 16 MiB' "$X/big.jsonl" && ok ||
  bad "text dump over 16 MiB: no too-large note"
grep -q '"type":"error","what":"too-large","path":"[^"]*ExchangeSetup.log"' "$X/big.jsonl" && ok ||
  bad "ExchangeSetup.log over 256 MiB: no too-large error"
grep -q '"type":"note","what":"line-too-long","path":"[^"]*ExchangeSetup.log"' "$X/big.jsonl" && ok ||
  bad "ExchangeSetup.log of one 257 MiB line: no line-too-long note"
# EXH_EXPOSURE_MAX_BUILDS (256): 257 HttpProxy logs, each with its own build
python3 - "$X/builds" <<'PY'
import os, sys
d = os.path.join(sys.argv[1], "Logging", "HttpProxy", "Owa")
os.makedirs(d)
for i in range(257):
    with open(os.path.join(d, "HttpProxy_2021030312-%d.LOG" % (i + 1)), "w") as f:
        f.write("#Software: Microsoft Exchange Server\n#Version: 15.01.%04d.%03d\n"
                "#Log-type: HttpProxy Logs\n#Date: 2021-03-03T12:00:00.052Z\n"
                "#Fields: DateTime,RequestId,UrlStem\n"
                "2021-03-03T12:00:00.052Z,x,/owa/\n" % (1000 + i, i % 1000))
PY
"$EXHUNT" exposure -f jsonl -o "$X/builds.jsonl" "$X/builds" 2>/dev/null
grep -q '"type":"note","what":"too-many-builds"' "$X/builds.jsonl" && ok ||
  bad "257 builds: no too-many-builds note"
[ "$(grep -c '"type":"build"' "$X/builds.jsonl")" -le 256 ] && ok ||
  bad "257 builds: more than 256 build records"

# --- an EVTX record libevtx cannot read is counted and said ---------------------------
# (the same count takes a record whose XML is over 16 MiB, which a crafted
# template could reach; one damaged record stands for both here)
SAMPLE="$3/research-data/datasets/evtx-attack-samples/privesc_rotten_potato_from_webshell_metasploit_sysmon_1_8_3.evtx"
if [ -f "$SAMPLE" ]; then
  python3 - "$SAMPLE" "$TMP/damaged.evtx" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for k in range(16):  # the first record's header, in the first chunk
    d[0x1000 + 0x200 + 0x18 + k] ^= 0xFF
open(sys.argv[2], "wb").write(d)
PY
  "$EXHUNT" logs -f jsonl -o "$TMP/damaged.jsonl" "$TMP/damaged.evtx" 2>/dev/null
  grep -q '"type":"note","what":"evtx-record-unreadable","path":"[^"]*damaged.evtx","reason":"1 of 13 record' "$TMP/damaged.jsonl" && ok ||
    bad "damaged EVTX record: no evtx-record-unreadable note counting it"
else
  bad "EVTX sample missing: $SAMPLE"
fi

# --- the run record names at most 1,000 roots, and counts them all -------------------
mkdir -p "$TMP/roots"
for i in $(seq 1001); do mkdir "$TMP/roots/r$i"; done
(cd "$TMP/roots" && "$EXHUNT" scan -f jsonl -o "$TMP/roots.jsonl" r*) 2>/dev/null
python3 - "$TMP/roots.jsonl" <<'PY' && ok || bad "1001 roots: the summary does not list 1000 and count 1001"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"type":"summary"' in l][0]
run = s.get("run", s)
roots = run.get("roots", [])
sys.exit(0 if len(roots) == 1000 and run.get("roots_total") == 1001 else 1)
PY

th_end "caps tests"
