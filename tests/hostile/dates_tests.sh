#!/usr/bin/env bash
# dates_tests.sh - every option that takes a time refuses a date that is not
# on the calendar and a time that is not on the clock, with exit 2 and a
# message naming the value and why, instead of timegm's silent
# normalisation (--since 2021-02-31 used to mean 2021-03-03, and a bound
# the responder did not mean drops or keeps evidence without a word).
# Options: scan --newer-than, logs --since/--until, hunt
# --since/--until/--collected (all parsed by cli_parse_date in cli/util.c).
# Usage: dates_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin dates
mkdir -p "$TMP/ev"

OPTS=("scan --newer-than" "logs --since" "logs --until" "hunt --since" "hunt --until" "hunt --collected")
BAD_VALUES=(2021-02-31 2021-02-29 1900-02-29 2021-04-31 2021-06-31 2021-00-10 2021-13-01 2021-01-00
  2021-01-32 2021-01-01T24:00:00Z 2021-01-01T24:00 2021-01-01T23:61:00Z 2021-01-01T12:60
  2021-01-01T12:00:61Z 2021-01-01T12:00:60Z 2021-01-01T25:00:00Z)
GOOD_VALUES=(2020-02-29 2000-02-29 2021-02-28 2021-12-31T23:59:59Z 2021-12-31T23:59:60Z 2021-01-31T00:00)
for o in "${OPTS[@]}"; do
  read -r cmd opt <<<"$o"
  for v in "${BAD_VALUES[@]}"; do
    "$EXHUNT" "$cmd" "$opt" "$v" "$TMP/ev" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ $rc = 2 ] && grep -qF "'$v'" "$TMP/err"; then
      :
    else
      bad "$cmd $opt $v: rc=$rc (want 2 naming the value): $(head -2 "$TMP/err")"
    fi
  done
  for v in "${GOOD_VALUES[@]}"; do
    "$EXHUNT" "$cmd" "$opt" "$v" "$TMP/ev" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ $rc = 2 ] && bad "$cmd $opt $v refused: $(head -2 "$TMP/err")"
  done
  ok "$cmd $opt: ${#BAD_VALUES[@]} impossible values refused with 2, ${#GOOD_VALUES[@]} real ones taken"
done
# The message says why, in words.
"$EXHUNT" logs --since 2021-02-31 "$TMP/ev" >/dev/null 2>"$TMP/err"
grep -q "not a calendar date: 2021-02 has 28 days" "$TMP/err" && ok "the message says why (2021-02 has 28 days)" ||
  bad "no reason given: $(cat "$TMP/err")"
"$EXHUNT" hunt --until 2021-03-01T24:61 "$TMP/ev" >/dev/null 2>"$TMP/err"
grep -q "time of day must be" "$TMP/err" && ok "the message says why for 24:61" || bad "no reason for 24:61: $(cat "$TMP/err")"
th_end dates
