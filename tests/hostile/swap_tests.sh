#!/usr/bin/env bash
# swap_tests.sh - a log folder swapped for a symlink to outside the evidence
# while exhunt runs (issue 14, item 5). The reader is held on a big first
# file (--threads 1, --max-rate), the walk has already listed ev/.../W3SVC1,
# and then W3SVC1 is renamed and a symlink to an outside folder of the same
# file names, holding web-shell requests, put in its place. Whatever stands
# there now must not be read under the evidence path:
#   (a) `exhunt logs` says file-replaced and reports none of the outside rows;
#   (b) `exhunt hunt` builds no COMPROMISED verdict from them;
#   (c) `exhunt scan` says file-replaced and reads none of them.
# Also: a log gone between listing and reading is "No such file" (ENOENT),
# not an I/O error; `scan /proc` enters nothing and says why; as an
# unprivileged user the atime note counts directories as well as files.
# The swap waits for the reader to be inside the big file (its descriptor
# in /proc/PID/fd, its offset in fdinfo), so the order is not left to luck.
# Usage: swap_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin swap
chmod 755 "$TMP"
ATTACKER=203.0.113.47 # in every outside row, in none of the evidence's

# make_tree DIR: a clean server (the example), a big log that is read first,
# and the outside folder with the attacker's rows under the same names.
make_tree() {
  local d=$1
  rm -rf "$d"
  mkdir -p "$d"
  cp -a "$SRC/examples/clean-exchange" "$d/ev"
  local logs="$d/ev/inetpub/logs/LogFiles"
  mkdir -p "$logs/W3SVC2" "$d/outside/W3SVC1"
  python3 - "$logs/W3SVC2/u_ex200101.log" <<'PY'
import sys
head = ("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
        "#Date: 2021-03-01 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem "
        "cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status "
        "sc-substatus sc-win32-status time-taken\n")
row = ("2021-03-01 00:00:04 192.0.2.25 GET /owa/healthcheck.htm - 443 - ::1 "
       "AMProbe/Local/ClientAccess - 200 0 0 15\n")
with open(sys.argv[1], "w") as f:
    f.write(head + row * (8 * 1024 * 1024 // len(row)))
PY
  local bait="$SRC/examples/compromised-exchange/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"
  for f in "$logs/W3SVC1"/*.log; do cp "$bait" "$d/outside/W3SVC1/$(basename "$f")"; done
}

# wait_in_big PID MIN_OFFSET [NAME]: until PID has the big file (NAME, by
# default the big log) open at an offset past MIN_OFFSET (the log engine's
# walk is done: logs are read after it). 1 if PID ends first or 60 s pass.
wait_in_big() {
  local pid=$1 min=$2 name=${3:-*/u_ex200101.log} i fd pos
  for i in $(seq 1 1200); do
    kill -0 "$pid" 2>/dev/null || return 1
    for fd in /proc/"$pid"/fd/*; do
      # shellcheck disable=SC2254
      case "$(readlink "$fd" 2>/dev/null)" in
        $name)
          pos=$(awk '/^pos:/ {print $2}' /proc/"$pid"/fdinfo/"${fd##*/}" 2>/dev/null)
          [ "${pos:-0}" -ge "$min" ] && return 0 ;;
      esac
    done
    sleep 0.05
  done
  return 1
}

swap() {
  local logs="$1/ev/inetpub/logs/LogFiles"
  mv "$logs/W3SVC1" "$logs/W3SVC1.orig" && ln -s "$1/outside/W3SVC1" "$logs/W3SVC1"
}

# outside_rows FILE: the findings carrying the outside rows' client.
outside_rows() {
  python3 - "$1" "$ATTACKER" <<'PY'
import json, sys
n = 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "finding" and sys.argv[2] in json.dumps(o):
        n += 1
print(n)
PY
}
# notes FILE WHAT: notices of that kind naming a file under W3SVC1.
notes() {
  python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") in ("error", "note", "notice") and o.get("what") == sys.argv[2] \
            and "/W3SVC1/" in (o.get("path") or ""):
        n += 1
print(n)
PY
}

# The reader must be slower than the swap: 8 MiB at 2 MiB/s is 4 s.
RATE=2

# --- (a) exhunt logs -----------------------------------------------------------
T="$TMP/a"
make_tree "$T"
"$EXHUNT" logs --threads 1 --max-rate $RATE -f jsonl "$T/ev" >"$T/out" 2>"$T/err" &
pid=$!
if wait_in_big $pid $((1024 * 1024)); then
  swap "$T"
  wait $pid
  echo "logs: exit $?"
  n=$(outside_rows "$T/out")
  [ "$n" = 0 ] && ok || bad "logs: $n finding(s) from the outside folder reported under the evidence path"
  n=$(notes "$T/out" file-replaced)
  [ "$n" -ge 1 ] && ok || bad "logs: no file-replaced note for the swapped folder's logs"
else
  wait $pid
  bad "logs: never saw the reader inside the big log (the race could not be set up)"
fi

# --- (b) exhunt hunt -----------------------------------------------------------
# hunt_verdict FILE: the verdicts in a hunt's JSONL.
hunt_verdict() {
  python3 -c '
import json, sys
print(",".join(o["verdict"] for l in open(sys.argv[1]) for o in [json.loads(l)] if o["type"] == "verdict"))' "$1"
}
# check_hunt DIR LABEL: no COMPROMISED, no outside rows, a note.
check_hunt() {
  local T=$1 label=$2 v n m
  v=$(hunt_verdict "$T/out")
  n=$(outside_rows "$T/out")
  m=$(notes "$T/out" file-replaced)
  echo "hunt ($label): verdict $v, outside findings $n, file-replaced notes $m"
  case "$v" in
    *COMPROMISED*) bad "hunt ($label): COMPROMISED built from the outside folder's rows" ;;
    "") bad "hunt ($label): no verdict" ;;
    *) ok ;;
  esac
  [ "$n" = 0 ] && ok || bad "hunt ($label): $n finding(s) from the outside folder"
}

# b1: swapped while the log engine reads its first (big) log.
T="$TMP/b"
make_tree "$T"
"$EXHUNT" hunt --threads 1 --max-rate $RATE --collected 2021-03-03 -f jsonl "$T/ev" \
  >"$T/out" 2>"$T/err" &
pid=$!
if wait_in_big $pid $((1024 * 1024)); then
  swap "$T"
  wait $pid
  check_hunt "$T" "swap while the logs are read"
else
  wait $pid
  bad "hunt: never saw the reader inside the big log (the race could not be set up)"
fi

# b2: swapped after the single walk collected the logs, while the scan reads
# a big file: the log engine must open what the walk saw, not the path.
# (lib/hunt/hunt.c hands the walk's identities to exh_logs_paths_known.)
T="$TMP/b2"
make_tree "$T"
rm -rf "$T/ev/inetpub/logs/LogFiles/W3SVC2"
head -c $((8 * 1024 * 1024)) /dev/zero >"$T/ev/inetpub/wwwroot/hold.bin"
"$EXHUNT" hunt --threads 1 --max-rate $RATE --collected 2021-03-03 -f jsonl "$T/ev" \
  >"$T/out" 2>"$T/err" &
pid=$!
if wait_in_big $pid 0 '*/hold.bin'; then
  sleep 0.3 # the walker lists the rest meanwhile (the queue holds them all)
  swap "$T"
  wait $pid
  check_hunt "$T" "swap between the walk and the log engine"
else
  wait $pid
  bad "hunt: never saw the scan inside the big file"
fi

# --- (c) exhunt scan -----------------------------------------------------------
# The scan reads in walk order: the big log must be listed before W3SVC1, so
# its folder gets a name that readdir returns before W3SVC1 (checked, not
# hoped: the order of a directory that does not change is stable).
T="$TMP/c"
make_tree "$T"
LOGS="$T/ev/inetpub/logs/LogFiles"
mv "$LOGS/W3SVC2/u_ex200101.log" "$T/big.log"
rmdir "$LOGS/W3SVC2"
placed=0
for i in $(seq 0 200); do
  first=$(python3 -c '
import os, sys
d, cand = sys.argv[1], sys.argv[2]
os.mkdir(os.path.join(d, cand))
print([e for e in os.listdir(d) if e in ("W3SVC1", cand)][0])' "$LOGS" "hold$i")
  if [ "$first" = "hold$i" ]; then
    mv "$T/big.log" "$LOGS/hold$i/u_ex200101.log"
    placed=1
    break
  fi
  rmdir "$LOGS/hold$i"
done
if [ $placed = 1 ]; then
  "$EXHUNT" scan --threads 1 --max-rate $RATE -f jsonl "$T/ev" >"$T/out" 2>"$T/err" &
  pid=$!
  if wait_in_big $pid 0; then
    sleep 0.3 # the walker lists the rest into the queue meanwhile
    swap "$T"
    wait $pid
    echo "scan: exit $?"
    n=$(notes "$T/out" file-replaced)
    [ "$n" -ge 1 ] && ok || bad "scan: no file-replaced note for the swapped folder's logs"
    n=$(outside_rows "$T/out")
    [ "$n" = 0 ] && ok || bad "scan: $n finding(s) from the outside folder"
  else
    wait $pid
    bad "scan: never saw the worker inside the big log"
  fi
else
  bad "scan: could not order the big log before W3SVC1"
fi

# --- a log gone between listing and reading: ENOENT, not "I/O error" -------------
T="$TMP/d"
make_tree "$T"
"$EXHUNT" logs --threads 1 --max-rate $RATE -f jsonl "$T/ev" >"$T/out" 2>"$T/err" &
pid=$!
if wait_in_big $pid $((1024 * 1024)); then
  rm -f "$T/ev/inetpub/logs/LogFiles/W3SVC1"/*.log
  wait $pid
  python3 - "$T/out" <<'PY' && ok || bad "logs: a vanished log is not reported as ENOENT"
import json, sys
errs = [o for l in open(sys.argv[1]) for o in [json.loads(l)]
        if o.get("what") == "open-error" and "/W3SVC1/" in (o.get("path") or "")]
assert errs, "no open-error for the removed logs"
for o in errs:
    assert "No such file" in o["reason"], o
    assert o.get("code") == 9 and o.get("error") != "input/output error", o  # EXHUNT_ENOENT
PY
else
  wait $pid
  bad "logs (vanish): never saw the reader inside the big log"
fi

# --- scan /proc: kernel pseudo file systems are not entered ------------------------
start=$(date +%s)
timeout 60 "$EXHUNT" scan -f jsonl /proc/self >"$TMP/proc.out" 2>"$TMP/proc.err"
rc=$?
echo "scan /proc/self: exit $rc in $(($(date +%s) - start)) s"
[ $rc != 124 ] && ok || bad "scan /proc/self did not finish in 60 s"
python3 - "$TMP/proc.out" <<'PY' && ok || bad "scan /proc/self: no pseudo-filesystem note, or files were read"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert any(o.get("what") == "pseudo-filesystem" and "proc" in o.get("reason", "") for o in recs), recs[:5]
s = [o for o in recs if o["type"] == "summary"][0]
assert s["files_scanned"] == 0, s
PY
if command -v strace >/dev/null 2>&1; then
  strace -f -e trace=openat -o "$TMP/strace" "$EXHUNT" scan -f jsonl /proc >/dev/null 2>&1
  grep -q 'kmsg' "$TMP/strace" && bad "scan /proc opened /proc/kmsg" || ok
fi

# --- atime note counts directories too (unprivileged user, root's files) -----------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
  T="$TMP/e"
  mkdir -p "$T/ev/a/b"
  echo "<% x %>" >"$T/ev/a/b/x.aspx"
  chmod -R a+rX "$TMP" "$T"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$EXHUNT" scan -f jsonl "$T/ev" >"$T/out" 2>"$T/err"
  python3 - "$T/out" <<'PY' && ok || bad "atime-not-preserved does not count directories"
import json, sys
n = [o for l in open(sys.argv[1]) for o in [json.loads(l)] if o.get("what") == "atime-not-preserved"]
assert n, "no atime-not-preserved note"
r = n[0]["reason"]
assert "1 file(s)" in r and "3 directory(ies)" in r, r
PY
  setpriv --reuid=65534 --regid=65534 --clear-groups "$EXHUNT" logs -f jsonl "$SRC/examples/clean-exchange/inetpub/logs" >"$T/out2" 2>"$T/err2"
  python3 - "$T/out2" <<'PY' && ok || bad "logs: atime-not-preserved does not count directories"
import json, sys
n = [o for l in open(sys.argv[1]) for o in [json.loads(l)] if o.get("what") == "atime-not-preserved"]
assert n and "directory(ies)" in n[0]["reason"], n
PY
else
  echo "note: atime test skipped (not root, or no setpriv)"
fi

th_end "swap tests"
