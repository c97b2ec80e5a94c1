# lib.sh - the harness of the shell tests (tests/cli, tests/hostile,
# tests/html), sourced by each script:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
#   th_args "$@"             # EXHUNT, SRC, SHARED, BUILD
#   th_begin NAME            # $TMP made, removed at exit
#   expect_rc 2 "what" -- "$EXHUNT" scan --bogus
#   grep -q x "$TMP/out" && ok || bad "x said"
#   th_end NAME              # "NAME: 12 passed, 0 failed"; status 0 or 1
#
# Every check counts once, passed or failed, so each script ends with the
# number of checks it made; a failure is always printed, with what failed.
# The script's last command is th_end, so its exit status is the verdict
# (ctest: 0 passed, anything else failed; a script that also skips parts
# exits 77 itself after th_end).

TH_COMMON=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pass=0
fail=0
TH_AT_EXIT=()

# ok [WHAT]: a check passed (WHAT, when given, is printed "ok   - WHAT").
ok() {
  pass=$((pass + 1))
  [ $# = 0 ] || echo "ok   - $*"
}
# bad WHAT: a check failed; printed "FAIL: WHAT".
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}

# th_args EXHUNT SRC_DIR [SHARED_DIR [BUILD]]: the arguments ctest gives the
# scripts (tests/CMakeLists.txt), EXHUNT and SRC made absolute (tests cd
# elsewhere); SHARED defaults to SRC/../shared, BUILD (normal or asan) to
# normal.
th_args() {
  [ $# -ge 2 ] || { echo "usage: $0 EXHUNT SRC_DIR [SHARED_DIR [BUILD]]" >&2; exit 2; }
  EXHUNT=$(realpath "$1")
  SRC=$(realpath "$2")
  SHARED=${3:-$SRC/../shared}
  BUILD=${4:-normal}
}

# th_begin NAME [PARENT]: TMP=PARENT/exhunt-NAME-XXXXXX (PARENT: /tmp), and
# at exit: the commands of th_at_exit, last registered first, then TMP
# removed (made writable first: tests chmod parts of it 0) unless KEEP is
# set, to look at what a failed run left.
th_begin() {
  TMP=$(mktemp -d "${2:-/tmp}/exhunt-$1-XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
  trap th_cleanup EXIT
}
# th_at_exit CMD: a shell command (a string, evaluated at exit) that undoes
# what the test started: a server, a watcher, a mount.
th_at_exit() { TH_AT_EXIT+=("$1"); }
th_cleanup() {
  local i
  for ((i = ${#TH_AT_EXIT[@]} - 1; i >= 0; i--)); do eval "${TH_AT_EXIT[$i]}"; done
  [ -n "${KEEP:-}" ] && { echo "kept $TMP"; return; }
  chmod -R u+rwx "$TMP" 2>/dev/null
  rm -rf "$TMP"
}

# th_end NAME: the count line; true when no check failed.
th_end() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" = 0 ]
}

# expect_rc WANT WHAT [--] CMD...: runs CMD with stdout in $TMP/out and
# stderr in $TMP/err; one check: CMD exits WANT. On a failure the first
# lines of stderr, then stdout, are shown.
expect_rc() {
  local want=$1 what=$2 rc
  shift 2
  [ "${1:-}" != -- ] || shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [ "$rc" = "$want" ]; then ok; else
    bad "$what: exit $rc, want $want"
    cat "$TMP/err" "$TMP/out" | sed 's/^/  | /' | head -8
  fi
}

# th_interrupt SIGNAL OUTPUT CMD...: runs CMD in the background (stderr in
# $TMP/err); CMD writes OUTPUT through a temporary beside it, which it waits
# for (5 s at most) and half a second more, then sends SIGNAL and waits for
# CMD. Sets rc, CMD's exit status, and seen_tmp, 1 when the temporary was
# seen (0: the signal may have come before CMD got to its output).
th_interrupt() {
  local sig=$1 out=$2 pid _
  shift 2
  "$@" 2>"$TMP/err" &
  pid=$!
  seen_tmp=0
  for _ in $(seq 100); do
    if ls "$(dirname "$out")" | grep -qF "$(basename "$out").exhunt-tmp-"; then seen_tmp=1; break; fi
    sleep 0.05
  done
  sleep 0.5
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
}

# th_check_jsonl PROFILE FILE: FILE is exhunt/1 JSON Lines of a command
# (PROFILE scan, baseline or exposure: tests/common/check_jsonl.py says
# what each asserts). Status only; the caller counts the check.
th_check_jsonl() { python3 "$TH_COMMON/check_jsonl.py" "$1" "$2"; }

# th_run_rss RSS_FILE CMD...: runs CMD; its peak RSS in KiB (the kernel's
# accounting of the child, which counts ASan's shadow memory too, unlike a
# `prlimit --as`) is written to RSS_FILE; CMD's exit status is returned
# (128 + N for a signal N).
th_run_rss() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys
p = subprocess.run(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)
PY
}

