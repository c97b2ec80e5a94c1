#!/usr/bin/env bash
# options_tests.sh - the shared option groups (cli/groups.h: scope,
# resources, caps) behave the same in every command that takes them, and
# the help and the parser agree.
#  (1) every --option a command's help names is one its parser knows (the
#      shared rows make both from one table; this checks the whole help);
#  (2) a bad shared value gets the same message in every command: -j 0,
#      --max-depth 0, --cpu-limit 0, --max-rate 0, a bad --since/--until;
#  (3) --until before --since is refused by logs and hunt alike;
#  (4) --exclude is stored one way: any number is taken by every command
#      (logs, hunt and exposure used to stop at 256 with "too many");
#  (5) an option naming a file that cannot be read says so (probe
#      --targets used to exit 2 without a word).
# Usage: options_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin options
mkdir -p "$TMP/ev"
printf 'plain\n' >"$TMP/ev/a.txt"

# (1) help and parser agree. An option given alone (no value, no operand)
# may be refused for many reasons, but never as unknown.
for c in scan logs hunt exposure watch probe quarantine restore vault; do
  opts=$("$EXHUNT" help "$c" | grep -oE '(^|[ ,])--[a-z][a-z0-9-]+' | sed 's/^[ ,]*//' | sort -u)
  n=0
  for o in $opts; do
    n=$((n + 1))
    if timeout 10 "$EXHUNT" "$c" "$o" </dev/null 2>&1 | grep -q "unrecognized option"; then
      bad "help of $c names $o, which its parser does not know"
    fi
  done
  [ "$n" -gt 0 ] && ok "$c: the $n options its help names are all known to its parser" ||
    bad "$c: no option found in its help"
done
for sub in create diff; do
  n=0
  for o in $("$EXHUNT" help baseline | grep -oE '(^|[ ,])--[a-z][a-z0-9-]+' | sed 's/^[ ,]*//' | sort -u); do
    n=$((n + 1))
    if timeout 10 "$EXHUNT" baseline "$sub" "$o" </dev/null 2>&1 | grep -q "unrecognized option"; then
      # create refuses the diff-only options by name, not as unknown
      bad "help of baseline names $o, which 'baseline $sub' does not know"
    fi
  done
  ok "baseline $sub: the $n options its help names are all known to its parser"
done

# (2) one message per shared check, whatever the command.
same() { # same "ARGS" "EXPECTED MESSAGE" CMD...
  local args=$1 want=$2
  shift 2
  for c in "$@"; do
    # shellcheck disable=SC2086
    timeout 10 $EXHUNT $c $args "$TMP/ev" </dev/null >/dev/null 2>"$TMP/err"
    rc=$?
    if [ $rc = 2 ] && grep -qxF "exhunt ${c%% *}: $want" "$TMP/err"; then
      ok "$c $args: exit 2, '$want'"
    else
      bad "$c $args: rc=$rc, want 2 and '$want'; got: $(head -1 "$TMP/err")"
    fi
  done
}
same "-j 0" "bad --threads '0' (1..256)" scan logs hunt watch
same "--threads 257" "bad --threads '257' (1..256)" scan logs hunt watch
same "--max-depth 0" "bad --max-depth '0' (1..4096)" scan logs hunt watch "baseline create"
same "--cpu-limit 0" "bad --cpu-limit '0' (percent of one core: 50 = half a core)" \
  scan logs hunt watch "baseline create"
same "--max-rate 0" "bad --max-rate '0' (MB/s, e.g. 20 or 512K)" scan logs hunt watch "baseline create"
same "--since 2021-13-01" "bad --since date '2021-13-01' (want 2021-03-01 or 2021-03-01T12:00:00Z)" logs hunt
same "--until 2021-13-01" "bad --until date '2021-13-01' (want 2021-03-01 or 2021-03-01T12:00:00Z)" logs hunt
same "--newer-than 2021-13-01" \
  "bad --newer-than date '2021-13-01' (want 2021-03-01 or 2021-03-01T12:00:00Z)" scan

# (3) the window check, once for both commands that read by date.
same "--since 2021-03-02 --until 2021-03-01" "--until is before --since" logs hunt

# (4) any number of --exclude: 300 patterns that match nothing here. The
# run goes ahead (no usage error), and one that matches still excludes.
ex=()
for i in $(seq 1 300); do ex+=(--exclude "nomatch-$i-*"); done
for c in scan logs hunt exposure "baseline create"; do
  # shellcheck disable=SC2086
  timeout 60 "$EXHUNT" $c "${ex[@]}" "$TMP/ev" </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [ $rc != 2 ]; then
    ok "$c: 300 --exclude options taken (rc $rc)"
  else
    bad "$c: 300 --exclude options refused: $(head -1 "$TMP/err")"
  fi
done
timeout 60 "$EXHUNT" scan "${ex[@]}" --exclude 'a.txt' "$TMP/ev" >"$TMP/out" 2>&1
rc=$?
if [ $rc = 5 ] && grep -q 'excluded=1' "$TMP/out"; then
  ok "scan: the 301st --exclude still excludes (rc 5, excluded=1)"
else
  bad "scan: the 301st --exclude was not applied (rc $rc): $(grep -m1 examined "$TMP/out")"
fi

# (5) nothing silent: a usage error always has its message.
timeout 10 "$EXHUNT" probe --targets "$TMP/no-such-list" </dev/null >/dev/null 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && grep -q "no-such-list" "$TMP/err"; then
  ok "probe --targets MISSING: exit 2, the file named: $(head -1 "$TMP/err")"
else
  bad "probe --targets MISSING: rc=$rc, want 2 and a message naming the file; got: $(head -1 "$TMP/err")"
fi

th_end "options tests"
