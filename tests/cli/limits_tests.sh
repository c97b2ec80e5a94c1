#!/usr/bin/env bash
# limits_tests.sh - the caps a user may move (--max-line, --max-fields,
# --max-gz-bytes, --gz-ratio, --max-findings-per-file, --yara-timeout,
# --max-depth) and the resource options (--max-rate, --cpu-limit, --nice),
# as exhunt scan, logs and hunt take them: each cap hit is a note naming
# the cap and the file, each bad value a usage error (exit 2), and the pace
# options really slow the run down (lower bounds only: a loaded machine can
# only make a run slower, so these cannot flake).
# Usage: limits_tests.sh EXHUNT SRC_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin limits
# check WHAT 'SHELL CONDITION': one check, evaluated here.
check() { if eval "$2"; then ok; else bad "$1"; fi; }
# notes FILE WHAT: the reasons of the notes and errors tagged WHAT.
notes() {
  python3 - "$1" "$2" <<'PY'
import json, sys
for ln in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(ln)
    if o["type"] in ("note", "error") and o.get("what") == sys.argv[2]:
        print(o.get("path", ""), "|", o.get("reason", ""))
PY
}

# ---- a small Exchange tree: a long line, a wide header, gz files ---------
EV=$TMP/ev
HP=$EV/Exchange/Logging/HttpProxy/Ecp
mkdir -p "$HP"
python3 - "$HP" <<'PY'
import gzip, os, sys
d = sys.argv[1]
fields = "DateTime,ClientIpAddress,UrlStem,AnchorMailbox,UserAgent,HttpStatus"
hdr = ("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2106.002\r\n"
       "#Log-type: HttpProxy Logs\r\n#Fields: " + fields + "\r\n")
attack = ("2021-03-03T01:00:00Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@srv:444/ecp/"
          "proxyLogon.ecp?#,python,200\r\n")
with open(os.path.join(d, "HttpProxy_2021030301-1.LOG"), "w", newline="") as f:
    f.write(hdr)
    f.write("2021-03-03T00:59:00Z,192.0.2.1,/owa/,Smtp~a@contoso.com," + "M" * 4000 + ",200\r\n")
    f.write(attack)
# a header of 40 names; rows of 40 fields
with open(os.path.join(d, "HttpProxy_2021030302-1.LOG"), "w", newline="") as f:
    wide = fields + "," + ",".join("Extra%d" % i for i in range(34))
    f.write(hdr.replace(fields, wide))
    f.write(attack.rstrip("\r\n") + "," + ",".join("x" * 34) + "\r\n")
# 3 MiB of log text, gzip-compressed (ratio ~ 100+)
body = hdr + "".join("2021-03-03T02:%02d:%02dZ,192.0.2.%d,/owa/,Smtp~u%d@contoso.com,Mozilla,200\r\n"
                     % (i // 60 % 60, i % 60, i % 250, i) for i in range(40000))
with gzip.open(os.path.join(d, "HttpProxy_2021030303-1.LOG.gz"), "wt", newline="") as f:
    f.write(body + attack)
PY
cp -r "$EV" "$TMP/ev-before"

"$EXHUNT" logs -f jsonl --no-progress "$EV" >"$TMP/default.jsonl" 2>/dev/null
check "default caps: no line-too-long" '[ -z "$(notes "$TMP/default.jsonl" line-too-long)" ]'
check "default caps: no fields-capped" '[ -z "$(notes "$TMP/default.jsonl" fields-capped)" ]'
check "default caps: no gzip-limit" '[ -z "$(notes "$TMP/default.jsonl" gzip-limit)" ]'
check "default caps: 3 SSRF rows found" \
  '[ "$(grep -c "cve_2021_26855_ssrf" "$TMP/default.jsonl")" = 3 ]'

"$EXHUNT" logs -f jsonl --no-progress --max-line 1K "$EV" >"$TMP/line.jsonl" 2>/dev/null
n=$(notes "$TMP/line.jsonl" line-too-long)
check "--max-line 1K: a note names the file and 1024 bytes" \
  'echo "$n" | grep -q "HttpProxy_2021030301-1.LOG | 1 line(s) longer than 1024 bytes"'
check "--max-line 1K: the attack row after the long line is still found" \
  '[ "$(grep -c "cve_2021_26855_ssrf" "$TMP/line.jsonl")" = 3 ]'

"$EXHUNT" logs -f jsonl --no-progress --max-fields 8 "$EV" >"$TMP/fields.jsonl" 2>/dev/null
n=$(notes "$TMP/fields.jsonl" fields-capped)
check "--max-fields 8: the wide header is noted, with the cap" \
  'echo "$n" | grep -q "HttpProxy_2021030302-1.LOG | a #Fields header has more than 8 names"'
check "--max-fields 8: the wide record is noted" \
  'echo "$n" | grep -q "HttpProxy_2021030302-1.LOG | 1 record(s) examined reach the cap of 8 fields"'
check "--max-fields 8: the narrow logs are not" '! echo "$n" | grep -q "030301-1.LOG"'

"$EXHUNT" logs -f jsonl --no-progress --max-gz-bytes 1M "$EV" >"$TMP/gz.jsonl" 2>/dev/null
check "--max-gz-bytes 1M: the 3 MiB .gz stops with gzip-limit" \
  'notes "$TMP/gz.jsonl" gzip-limit | grep -q "LOG.gz |"'
check "--max-gz-bytes 1M: its attack row at the end is not reached" \
  '[ "$(grep -c "cve_2021_26855_ssrf" "$TMP/gz.jsonl")" = 2 ]'
"$EXHUNT" logs -f jsonl --no-progress --gz-ratio 5 "$EV" >"$TMP/ratio.jsonl" 2>/dev/null
check "--gz-ratio 5: the well-compressed .gz stops with gzip-limit" \
  'notes "$TMP/ratio.jsonl" gzip-limit | grep -q "LOG.gz |"'
"$EXHUNT" logs -f jsonl --no-progress --gz-ratio 100000 --max-gz-bytes 1G "$EV" >"$TMP/raised.jsonl" 2>/dev/null
check "raised gz caps: read to the end" \
  '[ "$(grep -c "cve_2021_26855_ssrf" "$TMP/raised.jsonl")" = 3 ]'

# hunt takes the same options and passes them to its log engine
"$EXHUNT" hunt -f jsonl --no-progress --max-line 1K --max-fields 8 "$EV" >"$TMP/hunt.jsonl" 2>/dev/null
check "hunt --max-line: noted" '[ -n "$(notes "$TMP/hunt.jsonl" line-too-long)" ]'
check "hunt --max-fields: noted" '[ -n "$(notes "$TMP/hunt.jsonl" fields-capped)" ]'

# ---- findings per file, depth --------------------------------------------
SHELL_FILE=$SHARED/corpus/webshells/ysrc__webshell-sample__asp__ce3669fd081264b88aa9f86a9ea20f0da0b0be4b.asp
mkdir -p "$TMP/web/a/b/c/d"
cp "$SHELL_FILE" "$TMP/web/many.asp"
cp "$SHELL_FILE" "$TMP/web/a/b/c/d/deep.asp"
"$EXHUNT" scan -f jsonl --no-progress "$TMP/web/many.asp" >"$TMP/all.jsonl" 2>/dev/null
all=$(grep -c '"type":"finding"' "$TMP/all.jsonl")
check "the sample hits more than 2 rules ($all)" '[ "$all" -gt 2 ]'
"$EXHUNT" scan -f jsonl --no-progress --max-findings-per-file 2 "$TMP/web/many.asp" >"$TMP/two.jsonl" 2>/dev/null
check "--max-findings-per-file 2: two findings" '[ "$(grep -c "\"type\":\"finding\"" "$TMP/two.jsonl")" = 2 ]'
check "--max-findings-per-file 2: a findings-capped note with the cap" \
  'notes "$TMP/two.jsonl" findings-capped | grep -q "many.asp | more than 2 findings"'
"$EXHUNT" scan -f jsonl --no-progress --max-depth 2 "$TMP/web" >"$TMP/depth.jsonl" 2>/dev/null
check "--max-depth 2: the deep shell is not scanned" '! grep -q "deep.asp\",\"line\|deep.asp\",\"sha" "$TMP/depth.jsonl" && ! grep "\"type\":\"finding\"" "$TMP/depth.jsonl" | grep -q deep.asp'
check "--max-depth 2: too-deep note" '[ -n "$(notes "$TMP/depth.jsonl" too-deep)" ]'

# --yara-timeout: a rule that loops over every byte pair of a 200 KB file
# runs for minutes; with a 1 s timeout the run ends with a yara-error
# timeout (the default, 30 s, would hold it that long).
cat >"$TMP/slow.yar" <<'YAR'
rule slow_loop {
  condition:
    for all i in (0..filesize) : ( for all j in (0..filesize) : ( uint8(j) != 0xFF ) )
}
YAR
mkdir -p "$TMP/slow"
head -c 200000 /dev/zero | tr '\0' 'a' >"$TMP/slow/f.txt"
start=$(date +%s)
"$EXHUNT" scan -f jsonl --no-progress --no-default-rules --no-heuristics --rules "$TMP/slow.yar" \
  --yara-timeout 1 "$TMP/slow" >"$TMP/slow.jsonl" 2>/dev/null
took=$(($(date +%s) - start))
check "--yara-timeout 1: the scan stops with a timeout error" \
  'notes "$TMP/slow.jsonl" yara-error | grep -q "f.txt | .*timeout"'
check "--yara-timeout 1: well before the default 30 s (took $took s)" '[ "$took" -lt 20 ]'

# ---- bad values: usage errors ---------------------------------------------
for args in "--max-line 10" "--max-line 1G" "--max-fields 9999" "--max-fields 2" \
  "--max-gz-bytes 5" "--gz-ratio 1" "--yara-timeout 0" "--max-findings-per-file 65" \
  "--cpu-limit 0" "--cpu-limit x" "--max-rate 0" "--max-depth 0"; do
  # shellcheck disable=SC2086
  "$EXHUNT" scan $args "$TMP/web" >/dev/null 2>"$TMP/err"
  rc=$?
  check "scan $args: exit 2 with a message" '[ $rc = 2 ] && grep -q "bad --" "$TMP/err"'
done

# ---- pace: --max-rate and --cpu-limit slow the run; --nice ------------------
mkdir -p "$TMP/bulk"
python3 - "$TMP/bulk" <<'PY'
import os, random, sys
random.seed(7)
words = [b"Response", b"Write", b"Request", b"Server", b"function", b"var", b"string", b"<div>"]
for i in range(24):
    with open(os.path.join(sys.argv[1], "page%02d.aspx" % i), "wb") as f:
        f.write(b" ".join(random.choice(words) for _ in range(110000)))
PY
bytes=$(du -sb "$TMP/bulk" | cut -f1)
start=$(date +%s.%N)
"$EXHUNT" scan -f jsonl --no-progress -j 2 --max-rate 4 "$TMP/bulk" >"$TMP/rate.jsonl" 2>/dev/null
end=$(date +%s.%N)
want=$(python3 -c "print(round($bytes / (4 * 1048576) - 0.2, 2))")
took=$(python3 -c "print(round($end - $start, 2))")
echo "  --max-rate 4: $bytes bytes in $took s (at least $want s expected)"
check "--max-rate 4 MiB/s: $bytes bytes take at least $want s (took $took)" \
  'python3 -c "import sys; sys.exit(0 if $took >= $want else 1)"'

/usr/bin/time -f "%e %U %S" -o "$TMP/time" "$EXHUNT" scan -f jsonl --no-progress -j 2 \
  --cpu-limit 25 "$TMP/bulk" >/dev/null 2>&1
read -r wall user sys <"$TMP/time"
echo "  --cpu-limit 25: wall $wall s, CPU $user + $sys s"
# The pace is checked between reads and files, so the last file's work can
# run over: half a second of slack (one 770 KB file under ASan).
check "--cpu-limit 25: CPU time at most ~25 % of the wall time (wall $wall, cpu $user+$sys)" \
  'python3 -c "import sys; w,c=$wall,$user+$sys; sys.exit(0 if w > 0.5 and c <= 0.25 * w + 0.5 else 1)"'

# The nice value of a process, once it is 19 (or what it is after 10 s): a
# fixed sleep raced the start-up on a loaded machine (under ASan, rules
# compile for longer than half a second).
nice_of() {
  local v="" i
  for i in $(seq 100); do
    v=$(awk '{print $19}' "/proc/$1/stat" 2>/dev/null)
    [ "$v" = 19 ] && break
    sleep 0.1
  done
  echo "$v"
}

"$EXHUNT" scan -f jsonl --no-progress -j 1 --nice --max-rate 1 "$TMP/bulk" >/dev/null 2>"$TMP/nice.err" &
pid=$!
nice_val=$(nice_of "$pid")
io=$(ionice -p "$pid" 2>/dev/null)
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "--nice: CPU nice 19 (got '$nice_val')" '[ "$nice_val" = 19 ]'
check "--nice: idle I/O class (got '$io')" 'echo "$io" | grep -q idle'

# exhunt watch takes the same options (a long-running process on the server)
mkdir -p "$TMP/watched"
"$EXHUNT" watch --nice --cpu-limit 50 --backend inotify -f jsonl -o "$TMP/watch.jsonl" "$TMP/watched" 2>/dev/null &
pid=$!
nice_val=$(nice_of "$pid")
# SIGTERM is handled once the watch is running: wait for it to say so.
for _ in $(seq 100); do
  grep -q '"watch-ready"' "$TMP/watch.jsonl" 2>/dev/null && break
  sleep 0.1
done
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
check "watch --nice: CPU nice 19 (got '$nice_val')" '[ "$nice_val" = 19 ]'
check "watch --cpu-limit: accepted, and SIGTERM still exits 0 (rc $rc)" '[ "$rc" = 0 ]'

# baseline create hashes a whole tree: paced the same way
start=$(date +%s.%N)
"$EXHUNT" baseline create --max-rate 8 -o "$TMP/bulk.baseline" "$TMP/bulk" >/dev/null 2>&1
end=$(date +%s.%N)
want=$(python3 -c "print(round($bytes / (8 * 1048576) - 0.2, 2))")
took=$(python3 -c "print(round($end - $start, 2))")
check "baseline create --max-rate 8: $bytes bytes take at least $want s (took $took)" \
  'python3 -c "import sys; sys.exit(0 if $took >= $want else 1)"'
check "baseline create --max-rate 8: a complete baseline" \
  '[ "$(grep -c "\"sha256\"" "$TMP/bulk.baseline")" = 24 ]'

# ---- evidence untouched ------------------------------------------------------
check "evidence unchanged" 'diff -r "$TMP/ev-before" "$EV" >/dev/null'

th_end "limits tests"
