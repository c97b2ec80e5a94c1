#!/usr/bin/env bash
# watch_tests.sh EXHUNT SRC [BACKEND] - `exhunt watch` end to end, against a
# live tree, with BACKEND inotify (default) or fanotify. fanotify needs root
# and a filesystem it can mark under $TMPDIR: when it is refused, the test
# prints "SKIP: ..." with the reason and exits 77 (ctest: Skipped), never a
# silent pass.
#
# Starts the watcher in the background on a scratch folder, waits for its
# "watch-ready" note, then: (1) one China Chopper file, latency from the
# end of the write to its finding line (<= 1 s, printed); (2) a burst of
# 5000 files with 50 shells, every shell found; (2b) a real kernel queue
# overflow (the watcher SIGSTOPped under a flood), rescanned; (3) a new
# subfolder with a shell, a folder moved in, a rename into place; (4) the watched subtree deleted and recreated with a shell, and the
# root itself deleted and recreated; (5) SIGHUP reloads (a note), a broken
# rule on SIGHUP keeps the old rules, SIGTERM exits 0 promptly; and
# --quarantine-new moves new shells into a vault, never existing files
# (not even one renamed after the start). Also: log rotation, symlinks
# never followed, --exclude, names with control characters, syslog.
set -u
EXHUNT=${1:?usage: watch_tests.sh EXHUNT SRC [BACKEND]}
SRC=${2:?usage: watch_tests.sh EXHUNT SRC [BACKEND]}
BACKEND=${3:-inotify}
command -v python3 >/dev/null || { echo "SKIP: python3 needed"; exit 77; }

. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_begin watch "${TMPDIR:-/tmp}"
# Can this backend run here at all? A refusal is a visible SKIP.
mkdir -p "$TMP/probe"
if [ "$BACKEND" = fanotify ]; then
  timeout 10 "$EXHUNT" watch --backend fanotify -f jsonl -o "$TMP/probe.jsonl" "$TMP/probe" 2>"$TMP/probe.err" &
  ppid=$!
  for _ in $(seq 500); do grep -q '"watch-ready"' "$TMP/probe.jsonl" 2>/dev/null && break; kill -0 $ppid 2>/dev/null || break; sleep 0.01; done
  if ! grep -q '"watch-ready"' "$TMP/probe.jsonl" 2>/dev/null; then
    wait $ppid
    echo "SKIP: fanotify unavailable here ($(id -un), $(uname -r), $(stat -f -c %T "$TMP")): $(grep -o 'fanotify cannot be used[^"]*' "$TMP/probe.jsonl" "$TMP/probe.err" | head -1)"
    exit 77
  fi
  kill -TERM $ppid; wait $ppid
fi
WATCH=("$EXHUNT" watch --backend "$BACKEND")
echo "backend: $BACKEND (scratch folder $TMP on $(stat -f -c %T "$TMP"))"
PID=
NSDIR=
th_at_exit '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null'
th_at_exit 'case $NSDIR in /tmp/exhunt-watch-ns.*) rm -rf "$NSDIR" ;; esac'

SHELL_TEXT='<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>'
OUT=$TMP/out.jsonl
W=$TMP/www
mkdir -p "$W/app" "$TMP/rules"
# A rule file the test can break later, to check that a failed reload
# keeps the old rules.
cat >"$TMP/rules/extra.yar" <<'EOF'
rule watch_test_marker { strings: $a = "WATCH-TEST-MARKER-7f3a" condition: $a }
EOF

# Is there a finding line for this path? (exact path, JSON-escaped as-is)
has_finding() { grep -F "\"type\":\"finding\"" "$OUT" 2>/dev/null | grep -qF "\"path\":\"$1\""; }
# Waits up to $2 seconds for a finding on path $1.
wait_finding() {
  local path=$1 limit=$2 i=0
  while [ $i -lt $((limit * 100)) ]; do
    has_finding "$path" && return 0
    sleep 0.01
    i=$((i + 1))
  done
  return 1
}
wait_note() {
  local what=$1 limit=$2 i=0
  while [ $i -lt $((limit * 100)) ]; do
    grep -qF "\"what\":\"$what\"" "$OUT" 2>/dev/null && return 0
    sleep 0.01
    i=$((i + 1))
  done
  return 1
}
count_note() { grep -cF "\"what\":\"$1\"" "$OUT" 2>/dev/null; }

# --- usage ------------------------------------------------------------------
"${WATCH[@]}" --quarantine-new "$W" >/dev/null 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && grep -q "go together" "$TMP/err"; then ok "--quarantine-new needs --vault"; else bad "--quarantine-new without --vault: rc=$rc $(cat "$TMP/err")"; fi

# --- --quarantine-new: new shells move to the vault, existing ones never ------
Q=$TMP/qwww
QV=$TMP/qvault
QOUT=$TMP/q.jsonl
mkdir -p "$Q/aspnet_client"
printf '%s' "$SHELL_TEXT" >"$Q/aspnet_client/old.aspx"   # there before the watch
printf '%s' "$SHELL_TEXT" >"$Q/aspnet_client/old2.aspx"  # there before, renamed after
"${WATCH[@]}" -f jsonl -o "$QOUT" --quarantine-new --vault "$QV" "$Q" 2>/dev/null &
QPID=$!
for _ in $(seq 500); do grep -q '"watch-ready"' "$QOUT" 2>/dev/null && break; sleep 0.01; done
sleep 1.1 # ctime has one-second resolution here: a new file must postdate the start
mv "$Q/aspnet_client/old2.aspx" "$Q/aspnet_client/renamed.aspx" # rotation-style rename
printf '%s' "$SHELL_TEXT" >"$Q/aspnet_client/new.aspx"
echo '<html>benign</html>' >"$Q/aspnet_client/page.htm"
for _ in $(seq 300); do grep -q '"what":"quarantined"' "$QOUT" 2>/dev/null && break; sleep 0.01; done
for _ in $(seq 300); do grep -F '"type":"finding"' "$QOUT" | grep -qF "$Q/aspnet_client/renamed.aspx" && break; sleep 0.01; done
kill -TERM $QPID; wait $QPID
[ ! -e "$Q/aspnet_client/new.aspx" ] && grep -q '"what":"quarantined"' "$QOUT" && ok "--quarantine-new: the new shell is in the vault" || bad "--quarantine-new: the new shell was not moved"
[ -e "$Q/aspnet_client/old.aspx" ] && ok "--quarantine-new: the existing shell stays" || bad "--quarantine-new moved an existing file"
grep -F '"type":"finding"' "$QOUT" | grep -qF "$Q/aspnet_client/renamed.aspx" && ok "--quarantine-new: the renamed existing shell is reported" || bad "--quarantine-new: renamed existing shell not reported"
[ -e "$Q/aspnet_client/renamed.aspx" ] && ok "--quarantine-new: an existing shell renamed after the start stays (not new)" || bad "--quarantine-new moved an existing file that was only renamed"
[ -e "$Q/aspnet_client/page.htm" ] && ok "--quarantine-new: a benign new file stays" || bad "--quarantine-new moved a benign file"
"$EXHUNT" vault verify --vault "$QV" >/dev/null 2>&1 && ok "--quarantine-new: vault verify passes" || bad "vault verify after --quarantine-new"
"$EXHUNT" restore --vault "$QV" "$Q/aspnet_client/new.aspx" >/dev/null 2>&1
[ "$(cat "$Q/aspnet_client/new.aspx" 2>/dev/null)" = "$SHELL_TEXT" ] && ok "--quarantine-new: restore round-trips" || bad "restore after --quarantine-new"
echo x >"$TMP/afile"
"${WATCH[@]}" "$TMP/afile" >/dev/null 2>&1
[ $? = 2 ] && ok "a file as FOLDER is a usage error" || bad "a file as FOLDER accepted"
"${WATCH[@]}" -o "$W/out.jsonl" "$W" >/dev/null 2>&1
[ $? = 2 ] && [ ! -e "$W/out.jsonl" ] && ok "-o inside a watched folder refused" || bad "-o inside a watched folder"

# --- start --------------------------------------------------------------------
"${WATCH[@]}" -f jsonl -o "$OUT" --rules "$TMP/rules" --exclude cache --exclude '*.skip' "$W" 2>"$TMP/stderr" &
PID=$!
if wait_note watch-ready 20; then
  ok "ready: $(grep -F watch-ready "$OUT" | head -1)"
else
  bad "no watch-ready note"; cat "$TMP/stderr"; exit 1
fi
grep -q "exhunt watch: ready" "$TMP/stderr" && ok "ready line on stderr" || bad "no ready line on stderr"
grep -F '"what":"watch-backend"' "$OUT" | grep -q "\"reason\":\"$BACKEND" && ok "watch-backend note: $BACKEND" || bad "backend note: $(grep -F watch-backend "$OUT")"

# --- (1) latency ----------------------------------------------------------------
# Ten shells, one at a time: each must be reported within 1 s of its close.
lat=$(python3 - "$W/app" "$OUT" "$SHELL_TEXT" <<'EOF'
import sys, time, json
d, out, text = sys.argv[1], sys.argv[2], sys.argv[3]
lats = []
for i in range(10):
    path = "%s/chopper%d.aspx" % (d, i)
    with open(path, "w") as f:
        f.write(text)
    t0 = time.monotonic()          # the write is complete once the file is closed
    needle = '"path":' + json.dumps(path)
    found = False
    while time.monotonic() - t0 < 5 and not found:
        with open(out) as o:
            found = any('"type":"finding"' in l and needle in l for l in o)
        if not found:
            time.sleep(0.002)
    lats.append(time.monotonic() - t0 if found else 99.0)
lats.sort()
print("%.3f %.3f %.3f" % (lats[0], lats[len(lats) // 2], lats[-1]))
EOF
)
read -r lmin lmed lmax <<<"$lat"
if python3 -c "import sys; sys.exit(0 if float('$lmax') <= 1.0 else 1)"; then
  ok "(1) 10 China Chopper files, each found after its write: min ${lmin}s median ${lmed}s max ${lmax}s (limit 1 s)"
else
  bad "(1) latency min/median/max: $lat"
fi

# --- (2) burst ------------------------------------------------------------------
mkdir -p "$W/burst"
sleep 0.2 # the new folder's watch is set from its IN_CREATE
t0=$(date +%s%N)
python3 - "$W/burst" "$SHELL_TEXT" <<'EOF'
import sys, os
d, shell = sys.argv[1], sys.argv[2]
benign = '<%@ Page Language="C#" %>\n<html><body><h1>Status</h1><p>All good.</p></body></html>\n'
for i in range(5000):
    if i % 100 == 7:
        name, text = "s%04d.aspx" % i, shell
    else:
        name, text = "b%04d.%s" % (i, ("aspx", "txt", "log", "html")[i % 4]), benign + str(i)
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
EOF
t1=$(date +%s%N)
missing=50
for _ in $(seq 1 300); do
  missing=0
  found=$(grep -F '"type":"finding"' "$OUT" | grep -oE "\"path\":\"$W/burst/s[0-9]{4}\\.aspx\"" | sort -u | wc -l)
  missing=$((50 - found))
  [ $missing = 0 ] && break
  sleep 0.1
done
t2=$(date +%s%N)
fp=$(grep -F '"type":"finding"' "$OUT" | grep -oE "\"path\":\"$W/burst/b[0-9]{4}[^\"]*\"" | sort -u | wc -l)
ovf=$(count_note watch-overflow)
echo "     burst: 5000 files written in $(((t1 - t0) / 1000000)) ms; all shells reported $(((t2 - t1) / 1000000)) ms after the last write; overflow rescans: $ovf; benign files flagged: $fp"
[ $missing = 0 ] && ok "(2) burst: 50/50 shells found" || bad "(2) burst: $missing of 50 shells missed"
[ "$fp" = 0 ] && ok "(2) burst: no benign file flagged" || bad "(2) burst: $fp benign files flagged"

# --- (2b) a real queue overflow --------------------------------------------------
# The watcher is stopped (SIGSTOP) while more events than the kernel queue
# holds pile up (each file is IN_CREATE + IN_CLOSE_WRITE); after SIGCONT it
# must say it overflowed, rescan, and still report every shell.
# inotify queues IN_CREATE and IN_CLOSE_WRITE per file; fanotify may merge
# the two into one event, so it needs twice the files.
maxq=$(cat /proc/sys/fs/$BACKEND/max_queued_events 2>/dev/null || echo 16384)
if [ "$BACKEND" = fanotify ]; then nfiles=$((maxq + 2000)); else nfiles=$((maxq / 2 + 2000)); fi
if [ "$nfiles" -le 40000 ]; then
  mkdir -p "$W/flood"
  sleep 0.2
  kill -STOP $PID
  python3 - "$W/flood" "$SHELL_TEXT" "$nfiles" <<'EOF'
import sys, os
d, shell, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    text = shell if i % 1000 == 999 else "plain text %d\n" % i
    with open(os.path.join(d, "f%05d.aspx" % i), "w") as f:
        f.write(text)
EOF
  kill -CONT $PID
  want=$((nfiles / 1000))
  got=0
  for _ in $(seq 1 300); do
    got=$(grep -F '"type":"finding"' "$OUT" | grep -oE "\"path\":\"$W/flood/f[0-9]{5}\\.aspx\"" | sort -u | wc -l)
    [ "$got" -ge "$want" ] && break
    sleep 0.1
  done
  [ "$(count_note watch-overflow)" -ge 1 ] && ok "(2b) $nfiles files while stopped: queue overflow noted" || bad "(2b) no watch-overflow note"
  [ "$got" = "$want" ] && ok "(2b) after the overflow rescan: $got/$want shells found" || bad "(2b) $got of $want shells found after overflow"
  rm -rf "$W/flood"
else
  echo "skip - (2b) max_queued_events=$maxq is too large to overflow quickly"
fi

# --- (3) new subfolder ---------------------------------------------------------
mkdir -p "$W/new/deeper/still"
printf '%s' "$SHELL_TEXT" >"$W/new/deeper/still/fresh.aspx"
wait_finding "$W/new/deeper/still/fresh.aspx" 3 && ok "(3) shell in a new subfolder found" || bad "(3) new subfolder"
# Moved in from outside the tree, folder and all.
mkdir -p "$TMP/outside/pkg"
printf '%s' "$SHELL_TEXT" >"$TMP/outside/pkg/moved.aspx"
mv "$TMP/outside/pkg" "$W/app/pkg"
wait_finding "$W/app/pkg/moved.aspx" 3 && ok "(3) folder moved into the tree scanned" || bad "(3) moved-in folder"
printf '%s' "$SHELL_TEXT" >"$W/app/pkg/after.aspx"
wait_finding "$W/app/pkg/after.aspx" 3 && ok "(3) moved-in folder watched" || bad "(3) moved-in folder not watched"
# A hard link brings content with no write at all.
printf '%s' "$SHELL_TEXT" >"$TMP/outside/linked-src.aspx"
ln "$TMP/outside/linked-src.aspx" "$W/app/linked.aspx"
wait_finding "$W/app/linked.aspx" 3 && ok "(3) hard link into the tree found" || bad "(3) hard link"
# A watched folder moved out of the tree: no longer reported.
mkdir -p "$W/app/leaving"
sleep 0.2
mv "$W/app/leaving" "$TMP/outside/left"
sleep 0.2
printf '%s' "$SHELL_TEXT" >"$TMP/outside/left/gone.aspx"
# Log rotation: a file renamed away, a new one created under the same name.
printf 'line\n' >"$W/app/u_ex.log"
sleep 0.2
mv "$W/app/u_ex.log" "$W/app/u_ex.log.1"
echo "WATCH-TEST-MARKER-7f3a rotated" >"$W/app/u_ex.log"
wait_finding "$W/app/u_ex.log" 3 && ok "(3) log rotation: the new file under the old name is scanned" || bad "(3) log rotation: new u_ex.log not scanned"
printf '%s' "$SHELL_TEXT" >"$W/app/rotated.aspx.tmp"
mv "$W/app/rotated.aspx.tmp" "$W/app/rotated.aspx"
wait_finding "$W/app/rotated.aspx" 3 && ok "(3) file renamed into place found" || bad "(3) rename into place"
has_finding "$TMP/outside/left/gone.aspx" && bad "(3) a folder moved out is still watched" || ok "(3) a folder moved out is no longer watched"
# Symlinks are never followed: one to a shell outside, one to "/", moved in.
printf '%s' "$SHELL_TEXT" >"$TMP/outside/secret.aspx"
ln -s "$TMP/outside/secret.aspx" "$TMP/outside/link.aspx"
mv "$TMP/outside/link.aspx" "$W/app/link.aspx"
ln -s / "$W/app/slash.tmp"
mv "$W/app/slash.tmp" "$W/app/slash"
printf '%s' "$SHELL_TEXT" >"$W/app/after-links.aspx"
wait_finding "$W/app/after-links.aspx" 3 || bad "(3) canary after the symlinks not found"
sleep 0.3
if has_finding "$TMP/outside/secret.aspx" || has_finding "$W/app/link.aspx"; then bad "(3) a symlink moved in was followed"; else ok "(3) a symlink moved in is not followed"; fi
nl=$(grep -F '"what":"symlink-not-followed"' "$OUT" | grep -cE "\"path\":\"$W/app/(link.aspx|slash)\"")
[ "$nl" = 2 ] && ok "(3) symlink-not-followed notes for both links" || bad "(3) symlink notes: $nl"
# --exclude cache --exclude '*.skip': nothing below or matching is scanned.
mkdir -p "$W/cache/deep"
printf '%s' "$SHELL_TEXT" >"$W/cache/deep/churn.aspx"
printf '%s' "$SHELL_TEXT" >"$W/cache/top.aspx"
printf '%s' "$SHELL_TEXT" >"$W/app/x.skip"
printf '%s' "$SHELL_TEXT" >"$W/app/after-exclude.aspx"
wait_finding "$W/app/after-exclude.aspx" 3 || bad "(3) canary after the excluded files not found"
sleep 0.3
if grep -F '"type":"finding"' "$OUT" | grep -qE "\"path\":\"($W/cache/|$W/app/x.skip)"; then bad "(3) --exclude: an excluded path was scanned"; else ok "(3) --exclude: a churning cache folder and *.skip are not scanned"; fi
# A name with a newline and quotes stays inside one escaped JSON line.
python3 - "$W/app" "$SHELL_TEXT" "$OUT" <<'EOF'
import sys, os, json, time
d, text, out = sys.argv[1], sys.argv[2], sys.argv[3]
path = os.path.join(d, 'evil\n{"type":"finding"}".aspx')
with open(path, "w") as f:
    f.write(text)
t0 = time.monotonic()
while time.monotonic() - t0 < 3:
    recs = [json.loads(l) for l in open(out)]
    if any(r.get("type") == "finding" and r.get("path") == path for r in recs):
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
EOF
[ $? = 0 ] && ok "(3) a name with a newline and quotes: one escaped JSON line, exact path" || bad "(3) name with a newline not reported intact"

# --- (4) deleted and recreated ---------------------------------------------------
rm -rf "$W/app"
sleep 0.3
mkdir -p "$W/app/again"
printf '%s' "$SHELL_TEXT" >"$W/app/again/back.aspx"
wait_finding "$W/app/again/back.aspx" 3 && ok "(4) subtree deleted and recreated: picked up again" || bad "(4) subtree recreated"
rm -rf "$W"
wait_note root-missing 3 && ok "(4) root deleted: root-missing note" || bad "(4) no root-missing note"
mkdir -p "$W/x"
printf '%s' "$SHELL_TEXT" >"$W/x/root-back.aspx"
wait_finding "$W/x/root-back.aspx" 4 && ok "(4) root recreated: watched and scanned again" || bad "(4) root recreated"
wait_note root-back 1 && ok "(4) root-back note" || bad "(4) no root-back note"
printf '%s' "$SHELL_TEXT" >"$W/x/later.aspx"
wait_finding "$W/x/later.aspx" 3 && ok "(4) recreated root watched for new files" || bad "(4) recreated root not watched"

# --- (5) signals -----------------------------------------------------------------
kill -HUP $PID
wait_note rules-reloaded 10 && ok "(5) SIGHUP: rules reloaded" || bad "(5) no rules-reloaded note"
echo 'rule broken { condition: nope }' >"$TMP/rules/broken.yar"
kill -HUP $PID
wait_note rules-reload-failed 10 && ok "(5) SIGHUP with a broken rule: old rules kept (note)" || bad "(5) no rules-reload-failed note"
echo "WATCH-TEST-MARKER-7f3a" >"$W/x/marker.txt"
wait_finding "$W/x/marker.txt" 3 && ok "(5) the old rules still scan after the failed reload" || bad "(5) rules lost after failed reload"
kill -0 $PID 2>/dev/null && ok "(5) still running after reloads" || bad "(5) died on SIGHUP"
t0=$(date +%s%N)
kill -TERM $PID
wait $PID
rc=$?
t1=$(date +%s%N)
PID=
ms=$(((t1 - t0) / 1000000))
[ $rc = 0 ] && ok "(5) SIGTERM: exit 0 after $ms ms" || bad "(5) SIGTERM: exit $rc"
[ $ms -lt 2000 ] || bad "(5) SIGTERM took $ms ms"
grep -q Sanitizer "$TMP/stderr" && bad "sanitizer report: $(grep -m3 Sanitizer "$TMP/stderr")"
tail -1 "$OUT" | grep -q '"type":"summary"' && ok "summary record at the end" || bad "no summary at the end"
python3 - "$OUT" <<'EOF' && ok "every output line is JSON with the schema id" || bad "malformed output line"
import sys, json
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert r["schema"] == "exhunt/1", line
EOF

# A reload that yields an empty rule set (the rule file emptied: only a
# comment left) keeps the old rules too: the start refuses to watch with
# nothing. (Not an emptied folder: cli/rules_load.c then calls qsort(NULL,
# 0), which UBSan builds abort on; reported, not this command's file.)
E=$TMP/empty-rules
mkdir -p "$E/rules" "$E/w"
cp "$TMP/rules/extra.yar" "$E/rules/"
"${WATCH[@]}" -f jsonl -o "$E/out.jsonl" --no-default-rules --no-heuristics --rules "$E/rules" "$E/w" 2>/dev/null &
EPID=$!
for _ in $(seq 500); do grep -q watch-ready "$E/out.jsonl" 2>/dev/null && break; sleep 0.01; done
echo '// nothing here any more' >"$E/rules/extra.yar"
kill -HUP $EPID
for _ in $(seq 500); do grep -q '"rules-reload' "$E/out.jsonl" && break; sleep 0.01; done
echo "WATCH-TEST-MARKER-7f3a" >"$E/w/m.txt"
for _ in $(seq 300); do grep -q '"path":"'"$E/w/m.txt" "$E/out.jsonl" && break; sleep 0.01; done
kill -TERM $EPID; wait $EPID
grep -q '"what":"rules-reload-failed".*empty' "$E/out.jsonl" && grep -q '"type":"finding".*"path":"'"$E/w/m.txt" "$E/out.jsonl" && ok "(5) SIGHUP with the rule file emptied: old rules kept, still scanning" || bad "(5) empty reload: $(grep -o '"what":"rules-[a-z-]*"' "$E/out.jsonl")"

# SIGINT too, on a fresh watcher.
rm -f "$OUT"
mkdir -p "$W"
"${WATCH[@]}" -f jsonl -o "$OUT" "$W" 2>/dev/null &
PID=$!
wait_note watch-ready 20 || bad "second watcher not ready"
kill -INT $PID
wait $PID
rc=$?
PID=
[ $rc = 0 ] && ok "(5) SIGINT: exit 0" || bad "(5) SIGINT: exit $rc"

# --- (6) mounts and syslog, in a private mount namespace ----------------------
# Needs root and unshare(1); said (not silently passed) when unavailable.
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
  M=$TMP/mnt
  # /dev is replaced inside the namespace below: a scratch folder under
  # /dev (TMPDIR=/dev/shm) would vanish with it, so use /tmp then.
  case $TMP in /dev/*) M=$(mktemp -d /tmp/exhunt-watch-ns.XXXXXX) ;; esac
  mkdir -p "$M/r/vol" "$M/r/later" "$M/dev"
  # A syslog daemon stand-in: glibc's syslog(3) always writes to /dev/log,
  # so /dev is replaced, inside the namespace only, by a folder holding this
  # socket and the few devices a process needs. The code path is the real one.
  python3 - "$M/dev/log" "$M/syslog.txt" "$M/stop" <<'EOF' &
import socket, sys, os, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(0.1)
with open(sys.argv[2], "wb") as out:
    t0 = time.monotonic()
    while not os.path.exists(sys.argv[3]) and time.monotonic() - t0 < 60:
        try:
            out.write(repr(s.recv(65536)).encode() + b"\n"); out.flush()
        except socket.timeout:
            pass
EOF
  LPID=$!
  for _ in $(seq 200); do [ -S "$M/dev/log" ] && break; sleep 0.01; done
  WQ=$(printf '%q ' "${WATCH[@]}")
  cat >"$M/run.sh" <<EOF
set -u
for d in null zero urandom random; do touch "$M/dev/\$d"; mount --bind /dev/\$d "$M/dev/\$d"; done
mount --bind "$M/dev" /dev
mount -t tmpfs exhunt-test "$M/r/vol"
$WQ -f jsonl -o "$M/out.jsonl" --syslog "$M/r" 2>"$M/err" &
P=\$!
for _ in \$(seq 500); do grep -q watch-ready "$M/out.jsonl" 2>/dev/null && break; sleep 0.01; done
printf '%s' '$SHELL_TEXT' >"$M/r/vol/in-volume.aspx"
printf '%s' '$SHELL_TEXT' >"$M/r/log
forged.aspx"
for _ in \$(seq 300); do grep -q 'in-volume.aspx' "$M/out.jsonl" && grep -q 'forged.aspx' "$M/out.jsonl" && break; sleep 0.01; done
if [ "$BACKEND" = fanotify ]; then
  mount -t tmpfs exhunt-test2 "$M/r/later"
  for _ in \$(seq 300); do grep -q '"watch-mount"' "$M/out.jsonl" && break; sleep 0.01; done
  printf '%s' '$SHELL_TEXT' >"$M/r/later/after-mount.aspx"
  for _ in \$(seq 300); do grep -q 'after-mount.aspx' "$M/out.jsonl" && break; sleep 0.01; done
fi
kill -TERM \$P; wait \$P
# Two roots on one filesystem reached through two mounts: a bind mount of
# a subfolder, and a folder beside it. Paths read through the bind mount
# cannot lead to the second root; each mount must be tried.
mkdir -p "$M/data/a" "$M/data/b" "$M/bindA"
mount --bind "$M/data/a" "$M/bindA"
$WQ -f jsonl -o "$M/two.jsonl" "$M/bindA" "$M/data/b" 2>/dev/null &
P=\$!
for _ in \$(seq 500); do grep -q watch-ready "$M/two.jsonl" 2>/dev/null && break; sleep 0.01; done
printf '%s' '$SHELL_TEXT' >"$M/data/b/beside.aspx"
printf '%s' '$SHELL_TEXT' >"$M/bindA/bound.aspx"
for _ in \$(seq 300); do grep -q 'beside.aspx' "$M/two.jsonl" && grep -q 'bound.aspx' "$M/two.jsonl" && break; sleep 0.01; done
kill -TERM \$P; wait \$P
# fanotify: a root missing at the start comes back on a filesystem that
# cannot be marked (ramfs): one watch-error, not one every second.
if [ "$BACKEND" = fanotify ]; then
  $WQ -f jsonl -o "$M/back.jsonl" "$M/r5" 2>/dev/null &
  P=\$!
  for _ in \$(seq 500); do grep -q watch-ready "$M/back.jsonl" 2>/dev/null && break; sleep 0.01; done
  mkdir -p "$M/r5"
  mount -t ramfs exhunt-test5 "$M/r5"
  sleep 3.5
  kill -TERM \$P; wait \$P
fi
# A filesystem without file handles (ramfs) below a root: auto falls back
# to inotify and says why; --backend fanotify refuses with the reason.
mkdir -p "$M/r3/ram"
mount -t ramfs exhunt-test3 "$M/r3/ram"
timeout 10 "$EXHUNT" watch --backend auto -f jsonl -o "$M/auto.jsonl" "$M/r3" 2>/dev/null &
P=\$!
for _ in \$(seq 500); do grep -q watch-ready "$M/auto.jsonl" 2>/dev/null && break; sleep 0.01; done
kill -TERM \$P; wait \$P
"$EXHUNT" watch --backend fanotify -f jsonl -o "$M/fan.jsonl" "$M/r3" 2>/dev/null
echo "rc=\$?" >"$M/fan.rc"
EOF
  unshare -m --propagation private bash "$M/run.sh"
  touch "$M/stop"; wait $LPID
  NSDIR=$M
  has_m() { grep -F '"type":"finding"' "$M/out.jsonl" 2>/dev/null | grep -qF "\"path\":\"$1\""; }
  has_m "$M/r/vol/in-volume.aspx" && ok "(6) a filesystem mounted below the root at the start is watched" || bad "(6) file in a mounted volume not found"
  if [ "$BACKEND" = fanotify ]; then
    grep -q '"watch-mount"' "$M/out.jsonl" && has_m "$M/r/later/after-mount.aspx" && ok "(6) fanotify: a filesystem mounted below the root later is marked (watch-mount) and watched" || bad "(6) mount after the start not watched"
  fi
  grep -q "exhunt\[[0-9]*\]: critical .*in-volume.aspx" "$M/syslog.txt" && ok "(6) --syslog: the finding reached /dev/log ($(grep -c . "$M/syslog.txt") messages)" || bad "(6) --syslog: no finding message: $(head -3 "$M/syslog.txt")"
  grep -q "^b'<28>" "$M/syslog.txt" && ok "(6) --syslog: facility daemon, warning for critical" || bad "(6) --syslog priority: $(head -1 "$M/syslog.txt")"
  grep -qF 'log?forged.aspx' "$M/syslog.txt" && ! grep -qF 'log\nforged' "$M/syslog.txt" && ok "(6) --syslog: a newline in a name cannot forge a log line" || bad "(6) --syslog: name not neutralised: $(grep forged "$M/syslog.txt" | head -1)"
  if [ "$BACKEND" = fanotify ]; then
    n5=$(grep -c '"what":"watch-error".*r5' "$M/back.jsonl")
    [ "$n5" = 1 ] && ok "(6) fanotify: a root back on an unmarkable filesystem: one watch-error in 3.5 s" || bad "(6) root back on ramfs: $n5 watch-error notes in 3.5 s"
  fi
  grep -F '"type":"finding"' "$M/two.jsonl" | grep -qF "\"path\":\"$M/data/b/beside.aspx\"" && grep -F '"type":"finding"' "$M/two.jsonl" | grep -qF "\"path\":\"$M/bindA/bound.aspx\"" && ok "(6) two roots on one filesystem through two mounts (a bind mount): both watched" || bad "(6) bind-mounted root and its neighbour: $(grep -o '"path":"[^"]*"' "$M/two.jsonl" | sort -u | tr '\n' ' ')"
  grep -F '"watch-backend"' "$M/auto.jsonl" | grep -qE 'inotify, one watch per folder: fanotify was not used \((marking|resolving file handles on) the filesystem of [^"]*/ram: ' && ok "(6) auto: a ramfs below the root -> inotify, with the reason" || bad "(6) auto fallback: $(grep -F watch-backend "$M/auto.jsonl")"
[ "$(cat "$M/fan.rc")" = rc=2 ] && grep -qE '"fanotify cannot be used: (marking|resolving file handles on) the filesystem of [^"]*/ram: ' "$M/fan.jsonl" && ok "(6) --backend fanotify there: exit 2 with the reason" || bad "(6) --backend fanotify on ramfs: $(cat "$M/fan.rc") $(cat "$M/fan.jsonl")"
else
  echo "SKIP - (6) mounts and --syslog: needs root and unshare -m (running as $(id -un))"
fi

th_end "watch tests ($BACKEND)"
