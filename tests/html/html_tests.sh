#!/usr/bin/env bash
# html_tests.sh - the HTML report of `exhunt hunt`, in headless Chromium.
# Renders tests/html/*.jsonl into rules/report/report.html the way the C side
# does (render.py), then checks each page with check_report.py: no console
# error, no exception, no network request, verdicts and hostile strings shown
# as text, one table row per finding, sorting, filtering and evidence links.
# Then it breaks the template or the escaping on purpose and checks that the
# checker notices each time. Exit 0 pass, 1 fail, 77 skip (no Chromium).
# Usage: html_tests.sh [SRC_DIR]     (CHROMIUM=/path/to/binary to choose one)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${1:-$(cd "$HERE/../.." && pwd)}
TEMPLATE=$SRC/rules/report/report.html
PY=${PYTHON:-python3}

if [ -z "${CHROMIUM:-}" ]; then
  CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: no chromium or chromium-browser binary; install the Debian package 'chromium' to run the HTML report tests"
  exit 77
fi
export CHROMIUM

TMP=$(mktemp -d /tmp/exhunt-html-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
start=$(date +%s)

# check WANT_RC DESCRIPTION -- check_report.py arguments...
check() {
  local want=$1 what=$2
  shift 3
  "$PY" "$HERE/check_report.py" "$@" >"$TMP/out" 2>&1
  local rc=$?
  if [ "$rc" = "$want" ]; then ok; else bad "$what: check_report.py exit $rc, want $want"; sed 's/^/  | /' "$TMP/out" | head -20; fi
}
# expect_failure DESCRIPTION PATTERN REPORT: the checker must fail and say
# PATTERN. These run in the background (Chromium start-up dominates); the
# verdicts are collected by finish_failures.
NEG=()
expect_failure() {
  local n=${#NEG[@]}
  NEG+=("$1"$'\t'"$2")
  ( "$PY" "$HERE/check_report.py" "$3" --no-interact >"$TMP/neg$n.out" 2>&1; echo $? >"$TMP/neg$n.rc" ) &
}
finish_failures() {
  wait
  local i what pattern
  for i in "${!NEG[@]}"; do
    what=${NEG[$i]%%$'\t'*}
    pattern=${NEG[$i]#*$'\t'}
    if [ "$(cat "$TMP/neg$i.rc")" = 1 ]; then ok; else bad "$what: check_report.py exit $(cat "$TMP/neg$i.rc"), want 1"; fi
    if grep -q -- "$pattern" "$TMP/neg$i.out"; then ok; else bad "$what: the checker did not report '$pattern'"; sed 's/^/  | /' "$TMP/neg$i.out" | head -10; fi
  done
}
render() { "$PY" "$HERE/render.py" "$@" || bad "render.py $*"; }

# --- the template itself ---
size=$(wc -c <"$TEMPLATE")
if [ "$size" -lt 61440 ]; then ok; else bad "report.html is $size bytes, over 60 KiB"; fi
n=$(grep -o '__EXHUNT_DATA__' "$TEMPLATE" | wc -l)
if [ "$n" = 1 ]; then ok; else bad "the placeholder occurs $n times in report.html, want 1"; fi
if grep -q '<script id="exhunt-data" type="application/json">__EXHUNT_DATA__</script>' "$TEMPLATE"; then ok; else bad "the placeholder is not the whole content of the exhunt-data script"; fi
# No markup sinks, no code from strings, no URLs set from script, nothing fetched.
if grep -nE '\.(inner|outer)HTML|insertAdjacentHTML|document\.write|\beval\(|new Function|\.(src|href|action|srcdoc) *=|setAttribute\( *.(on|src|href|style|action)|\b(fetch|XMLHttpRequest|WebSocket|EventSource|importScripts|sendBeacon|open)\(|(src|href)= *"(https?:|//|data:|javascript:)' "$TEMPLATE"; then
  bad "report.html uses a forbidden API or loads something (lines above)"
else ok; fi
if grep -q "Content-Security-Policy\" content=\"default-src 'none';" "$TEMPLATE"; then ok; else bad "no default-src 'none' CSP meta"; fi

# --- the sample: a compromised, a clean and an unknown server, hostile strings ---
render "$TEMPLATE" "$HERE/sample.jsonl" "$TMP/sample.html"
check 0 "sample report" -- "$TMP/sample.html" \
  --expect-verdict COMPROMISED --expect-verdict CLEAN --expect-verdict "INSUFFICIENT EVIDENCE" \
  --expect-text '<img src=x onerror=alert(1)>' --expect-text '</script><script>alert(3)</script>' \
  --expect-text "\"'&" --expect-text '<svg onload=alert(2)>' --expect-text 'END-OF-10KB-EXCERPT' \
  --expect-text '⟨U+001B⟩[31mred' --expect-text 'xsp.⟨U+202E⟩gnp.aspx' --expect-text '⟨U+2028⟩' \
  --expect-text 'DELETED (not on disk)' --expect-text 'Attacker 2: 192.0.2.200' \
  --expect-text 'python-requests/2.25.1' --expect-text 'Install Exchange Server 2016 CU18 Mar21SU (15.1.2106.13) or later' \
  --expect-text 'MISSING' --expect-text 'read-error' \
  --screenshot "${HTML_SCREENSHOT:-$TMP/sample.png}" --pdf "$TMP/sample.pdf"
if head -c 8 "${HTML_SCREENSHOT:-$TMP/sample.png}" 2>/dev/null | grep -q PNG; then ok; else bad "no PNG screenshot"; fi
if head -c 5 "$TMP/sample.pdf" 2>/dev/null | grep -q '%PDF'; then ok; else bad "no PDF (print stylesheet)"; fi

# --- wrong types, unknown values, prototype names, non-object records ---
render "$TEMPLATE" "$HERE/weird.jsonl" "$TMP/weird.html"
check 0 "type-confused data" -- "$TMP/weird.html" --expect-verdict PWNED --expect-text 'upper-case severity is unknown' \
  --expect-text 'no id at all' --expect-text '2 records of a type this page does not know'

# --- no records at all ---
: >"$TMP/empty.jsonl"
render "$TEMPLATE" "$TMP/empty.jsonl" "$TMP/empty.html"
check 0 "empty report" -- "$TMP/empty.html" --expect-text 'No verdict in this report.' --expect-text 'No findings.'

# --- the checker must catch what it is there to catch ---
inject() { # inject NAME SED_SCRIPT: a broken copy of the template, rendered with the sample
  sed "$2" "$TEMPLATE" >"$TMP/$1.tmpl.html"
  render "$TMP/$1.tmpl.html" "$HERE/sample.jsonl" "$TMP/$1.html"
}
inject console "s|^  'use strict';|  'use strict'; console.error('injected console error');|"
expect_failure "console.error" "console.error: injected console error" "$TMP/console.html"
inject throw "s|^  'use strict';|  'use strict'; setTimeout(function () { throw new Error('injected late exception'); }, 50);|"
expect_failure "uncaught exception" "uncaught exception.*injected late exception" "$TMP/throw.html"
inject sink "s|^  'use strict';|  'use strict'; document.body.insertAdjacentHTML('beforeend', '<b>x</b>');|"
expect_failure "markup sink refused by Trusted Types" "uncaught exception.*TrustedHTML" "$TMP/sink.html"
inject cspimg "s|^  'use strict';|  'use strict'; new Image().src = 'http://exhunt.invalid/beacon.png';|"
expect_failure "request blocked by the CSP" "console error (security)" "$TMP/cspimg.html"
inject netimg "/Content-Security-Policy/d; s|^  'use strict';|  'use strict'; new Image().src = 'http://exhunt.invalid/beacon.png';|"
expect_failure "network request without CSP" "network request attempt: GET http://exhunt.invalid/beacon.png" "$TMP/netimg.html"
expect_failure "CSP missing" "no single Content-Security-Policy" "$TMP/netimg.html"
inject alert "/Content-Security-Policy/d; s|^  'use strict';|  'use strict'; alert('injected');|"
expect_failure "dialog" "JavaScript dialog opened" "$TMP/alert.html"
inject lost "s|byId('findings-body');\$|byId('findings-body'); rows.pop();|"
expect_failure "row count" "findings table has 33 rows, the data has 34 findings" "$TMP/lost.html"
# a C side that forgot to escape '<' inside the JSON: the data ends its element
"$PY" - "$TEMPLATE" "$HERE/sample.jsonl" "$TMP/unescaped.html" <<'PYEOF'
import json, sys
t = open(sys.argv[1], encoding="utf-8").read()
recs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
open(sys.argv[3], "w", encoding="utf-8").write(t.replace("__EXHUNT_DATA__", json.dumps(recs, ensure_ascii=False)))
PYEOF
expect_failure "unescaped data" "raw '<'" "$TMP/unescaped.html"
# the bare template is not a report
expect_failure "bare template" "not JSON" "$TEMPLATE"
finish_failures

echo "html tests: $pass passed, $fail failed ($(($(date +%s) - start)) s)"
[ "$fail" = 0 ]
