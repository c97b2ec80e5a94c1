#!/usr/bin/env bash
# html_tests.sh - the HTML report of `exhunt hunt`, in headless Chromium.
# Renders tests/html/*.jsonl into rules/report/report.html the way the C side
# does (render.py), then checks each page with check_report.py: no console
# error, no exception, no network request, verdicts and hostile strings shown
# as text, one table row per finding, a header line per server with its
# badge, links keyed by server and id, the timeline charts and collapsed
# steps, wrapping path cells, sorting and the filters. It prints the reports
# to PDF (DevTools, and `chromium --print-to-pdf` as a person would) and
# checks the paper with check_pdf.py. Then it breaks the template or the
# escaping on purpose and checks that the checkers notice each time.
# Fixtures: sample.jsonl (three servers, hostile strings), multi.jsonl (five
# servers, every verdict and badge, ids repeated across servers, 8 steps at
# one second, axes of minutes to years), legacy-hunt.jsonl (`exhunt hunt -f
# jsonl` of the examples before the run record, headlines, badges and
# coverage days: ids restart per server), weird.jsonl (type confusion).
# Exit 0 pass, 1 fail, 77 skip (no Chromium).
# With EXHUNT, the report that binary writes for the bundled examples is
# checked and printed too (the C side's embedding, today's JSON lines).
# Usage: html_tests.sh [SRC_DIR [EXHUNT]]     (CHROMIUM=/path/to/binary to choose one)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${1:-$(cd "$HERE/../.." && pwd)}
EXHUNT=${2:-}
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

. "$HERE/../common/lib.sh"
th_begin html
start=$(date +%s)

# check WANT_RC DESCRIPTION -- check_report.py arguments...
check() {
  local want=$1 what=$2
  shift 3
  "$PY" "$HERE/check_report.py" "$@" >"$TMP/out" 2>&1
  local rc=$?
  if [ "$rc" = "$want" ]; then ok; else bad "$what: check_report.py exit $rc, want $want"; sed 's/^/  | /' "$TMP/out" | head -20; fi
}
# expect_failure DESCRIPTION PATTERN REPORT [ARGS...]: the checker must fail
# and say PATTERN. These run in the background (Chromium start-up dominates); the
# verdicts are collected by finish_failures.
NEG=()
expect_failure() {
  local n=${#NEG[@]}
  NEG+=("$1"$'\t'"$2")
  ( "$PY" "$HERE/check_report.py" "$3" --no-interact "${@:4}" >"$TMP/neg$n.out" 2>&1; echo $? >"$TMP/neg$n.rc" ) &
}
finish_failures() {
  wait
  collect_failures neg check_report.py "${NEG[@]}"
}
# collect_failures PREFIX CHECKER "WHAT<tab>PATTERN"...: the verdicts of
# background checks number 0, 1... (exit status in $TMP/PREFIXn.rc, output
# in $TMP/PREFIXn.out): two checks each, CHECKER exited 1 and said PATTERN.
collect_failures() {
  local prefix=$1 checker=$2 i=0 entry what pattern rc
  shift 2
  for entry in "$@"; do
    what=${entry%%$'\t'*}
    pattern=${entry#*$'\t'}
    rc=$(cat "$TMP/$prefix$i.rc" 2>/dev/null)
    if [ "$rc" = 1 ]; then ok; else bad "$what: $checker exit $rc, want 1"; fi
    if grep -q -- "$pattern" "$TMP/$prefix$i.out" 2>/dev/null; then ok; else
      bad "$what: $checker did not report '$pattern'"
      sed 's/^/  | /' "$TMP/$prefix$i.out" 2>/dev/null | head -10
    fi
    i=$((i + 1))
  done
}
render() { "$PY" "$HERE/render.py" "$@" || bad "render.py $*"; }

# --- the template itself ---
size=$(wc -c <"$TEMPLATE")
if [ "$size" -lt 81920 ]; then ok; else bad "report.html is $size bytes, over 80 KiB"; fi
n=$(grep -o '__EXHUNT_DATA__' "$TEMPLATE" | wc -l)
if [ "$n" = 1 ]; then ok; else bad "the placeholder occurs $n times in report.html, want 1"; fi
if grep -q '<script id="exhunt-data" type="application/json">__EXHUNT_DATA__</script>' "$TEMPLATE"; then ok; else bad "the placeholder is not the whole content of the exhunt-data script"; fi
# No markup sinks, no code from strings, no URLs set from script, nothing fetched.
if grep -nE '\.(inner|outer)HTML|insertAdjacentHTML|document\.write|\beval\(|new Function|\.(src|href|action|srcdoc) *=|setAttribute\( *.(on|src|href|style|action)|\b(fetch|XMLHttpRequest|WebSocket|EventSource|importScripts|sendBeacon|open)\(|(src|href)= *"(https?:|//|data:|javascript:)' "$TEMPLATE" |
   grep -vF "if (ANCHOR.test(anchor)) a.setAttribute('href', '#' + anchor);"; then
  bad "report.html uses a forbidden API or loads something (lines above)"
else ok; fi
# ... except the one in-page link helper: '#' and an anchor of [A-Za-z0-9_-]
n=$(grep -cE "setAttribute\( *.href" "$TEMPLATE")
if [ "$n" = 1 ]; then ok; else bad "report.html sets href in $n places, want only jumpLink()"; fi
if grep -q "Content-Security-Policy\" content=\"default-src 'none';" "$TEMPLATE"; then ok; else bad "no default-src 'none' CSP meta"; fi

# pdf_check DESCRIPTION PDF DATA [check_pdf.py arguments]: the paper copy
pdf_check() {
  local what=$1 pdf=$2 data=$3
  shift 3
  "$PY" "$HERE/check_pdf.py" "$pdf" "$data" "$@" >"$TMP/pdfout" 2>&1
  local rc=$?
  if [ "$rc" = 0 ]; then ok; else bad "$what: check_pdf.py exit $rc"; sed 's/^/  | /' "$TMP/pdfout" | head -12; fi
}

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
  --expect-text "exhunt hunt --report html=<b>r</b>.html 'ev/</script><script>alert(4)</script>' \"'& ⟨U+001B⟩[31m" \
  --expect-text 'SHA-256 9f2c4e7a1b3d…' --expect-text 'Close-up: ' \
  --expect-text 'first to last record (days not listed)' --expect-text 'windows-events / Microsoft-Windows-Sysmon/Operational' \
  --screenshot "${HTML_SCREENSHOT:-$TMP/sample.png}" --pdf "$TMP/sample.pdf"
if head -c 8 "${HTML_SCREENSHOT:-$TMP/sample.png}" 2>/dev/null | grep -q PNG; then ok; else bad "no PNG screenshot"; fi
if head -c 5 "$TMP/sample.pdf" 2>/dev/null | grep -q '%PDF'; then ok; else bad "no PDF (print stylesheet)"; fi
# printed with a text filter and one server chosen on screen: still every row
pdf_check "sample printed through DevTools" "$TMP/sample.pdf" "$HERE/sample.jsonl" \
  --expect-text 'SHA-256 9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8'

# --- five servers: every verdict and badge, ids repeated across servers ---
render "$TEMPLATE" "$HERE/multi.jsonl" "$TMP/multi.html"
check 0 "multi-server report" -- "$TMP/multi.html" --expect-collapsed 8 \
  --expect-verdict COMPROMISED --expect-verdict 'NO SIGN OF COMPROMISE' --expect-verdict 'NOT AN EXCHANGE SERVER' \
  --expect-verdict ATTEMPTED --expect-verdict 'INSUFFICIENT EVIDENCE' \
  --expect-text 'NO SIGN OF COMPROMISE (logs cover 1 of 1,730 exposed days)' --expect-text 'out of support since 2025-10-14' \
  --expect-text '18 CVE families, 4 of them exploited in the wild' --expect-text '25 of 60 exposed days (not complete)' \
  --expect-text 'ProxyNotShell (post-auth SSRF + PowerShell RCE, Nov 2022 SU)' --expect-text 'exhunt hunt --report html=r.html ev/EX01' \
  --expect-text 'no log of this family in the evidence' --expect-text 'Close-up: 11 of 12 steps' \
  --screenshot "$TMP/multi.png"
# as a person prints it: chromium --headless --print-to-pdf
if bash "$HERE/print_pdf.sh" "$TMP/multi.html" "$TMP/multi.pdf"; then ok; else bad "print_pdf.sh multi"; fi
pdf_check "multi-server report printed" "$TMP/multi.pdf" "$HERE/multi.jsonl" \
  --expect-text 'OUT OF SUPPORT' --expect-text 'NOT APPLICABLE' --expect-text 'section 5'

# --- hunt JSON lines from before the run record, headlines, badges and days ---
render "$TEMPLATE" "$HERE/legacy-hunt.jsonl" "$TMP/legacy.html"
check 0 "older hunt output" -- "$TMP/legacy.html" --expect-verdict COMPROMISED --expect-verdict CLEAN \
  --expect-text 'RedirSuiteServerProxy.aspx' --expect-text 'first to last record (days not listed)'
if bash "$HERE/print_pdf.sh" "$TMP/legacy.html" "$TMP/legacy.pdf"; then ok; else bad "print_pdf.sh legacy"; fi
pdf_check "older hunt output printed" "$TMP/legacy.pdf" "$HERE/legacy-hunt.jsonl"

# --- what exhunt itself writes for the bundled examples ---
if [ -n "$EXHUNT" ]; then
  # the examples' file times are lost in git: --collected says when they were collected
  "$EXHUNT" hunt --collected 2021-03-03T13:05:00Z --report html="$TMP/live.html" \
    "$SRC/examples/compromised-exchange" "$SRC/examples/clean-exchange" >/dev/null 2>&1
  if [ -s "$TMP/live.html" ]; then ok; else bad "exhunt hunt --report html wrote nothing"; fi
  check 0 "exhunt's own report of the examples" -- "$TMP/live.html" --expect-verdict COMPROMISED --expect-text 203.0.113.47
  if bash "$HERE/print_pdf.sh" "$TMP/live.html" "$TMP/live.pdf"; then ok; else bad "print_pdf.sh live"; fi
  pdf_check "exhunt's own report printed" "$TMP/live.pdf" "$TMP/live.html"
fi

# --- wrong types, unknown values, prototype names, non-object records ---
render "$TEMPLATE" "$HERE/weird.jsonl" "$TMP/weird.html"
check 0 "type-confused data" -- "$TMP/weird.html" --expect-verdict PWNED --expect-text 'upper-case severity is unknown' \
  --expect-text 'no id at all' --expect-text '2 records of a type this page does not know' \
  --expect-verdict 'NOT AN EXCHANGE SERVER' --expect-text '<img src=x onerror=alert(5)>⟨U+202E⟩evil' \
  --expect-text '</script>PWNED' --expect-text '<b>product</b>' --expect-text 'one root as a string <i>x</i>' \
  --expect-text '<svg onload=alert(8)>' --expect-text '2 times outside 1990–2199 not drawn.'

# --- no records at all ---
: >"$TMP/empty.jsonl"
render "$TEMPLATE" "$TMP/empty.jsonl" "$TMP/empty.html"
check 0 "empty report" -- "$TMP/empty.html" --expect-text 'No verdict in this report.' --expect-text 'No findings.'

# --- the checker must catch what it is there to catch ---
inject_with() { # inject_with NAME DATA SED_SCRIPT: a broken copy of the template, rendered with DATA
  sed "$3" "$TEMPLATE" >"$TMP/$1.tmpl.html"
  render "$TMP/$1.tmpl.html" "$2" "$TMP/$1.html"
}
inject() { inject_with "$1" "$HERE/sample.jsonl" "$2"; } # inject NAME SED_SCRIPT: with the sample
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
# links keyed by id alone: a link in EX02's section lands on EX01's row
inject_with byid "$HERE/multi.jsonl" "s|var f = findingByKey.get(str(server) + '\\\\u0000' + id);|var f = (findingsById.get(id) \|\| [])[0];|"
expect_failure "links by id alone" "in the section of ev/EX02 goes to the row of server ev/EX01" "$TMP/byid.html"
inject_with nowrap "$HERE/multi.jsonl" "s|#findings-table td.path { min-width: 12em; }|#findings-table td.path { min-width: 12em; max-width: 20em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }|"
expect_failure "path cells cut off" "cells overflow instead of wrapping" "$TMP/nowrap.html"
inject_with nocollapse "$HERE/multi.jsonl" "s|x(gr\[0\].t) < 11) gr.push|x(gr[0].t) < 0) gr.push|"
expect_failure "chart marks not collapsed" "no chart mark stands for 8 steps" "$TMP/nocollapse.html" --expect-collapsed 8
inject_with noruns "$HERE/multi.jsonl" "s|if (last \&\& k !== null \&\& last.k === k)|if (false)|"
expect_failure "story steps not collapsed" "no story line collapses 8 steps" "$TMP/noruns.html" --expect-collapsed 8
inject_with svgdata "$HERE/multi.jsonl" "s|var g = put(svg, sv('g'));|var g = put(svg, sv('g')); g.setAttribute('x', s.name);|"
expect_failure "data in an SVG attribute" "is not a number" "$TMP/svgdata.html"
inject_with nobadge "$HERE/multi.jsonl" "s|if (e \&\& badge(get(e, 'badge'))) add(ex, badge(get(e, 'badge')));|if (false) ;|"
expect_failure "header without badges" "exposure badge None, want 'VULNERABLE'" "$TMP/nobadge.html"
finish_failures

# --- the print stylesheet must be what makes the paper right ---
NEGPDF=()
expect_pdf_failure() { # expect_pdf_failure DESCRIPTION PATTERN SED_SCRIPT DATA [devtools]
  local n=${#NEGPDF[@]}
  NEGPDF+=("$1"$'\t'"$2")
  sed "$3" "$TEMPLATE" >"$TMP/np$n.tmpl.html"
  render "$TMP/np$n.tmpl.html" "$4" "$TMP/np$n.html"
  (
    if [ "${5:-}" = devtools ]; then "$PY" "$HERE/check_report.py" "$TMP/np$n.html" --no-interact --pdf "$TMP/np$n.pdf" >/dev/null 2>&1
    else bash "$HERE/print_pdf.sh" "$TMP/np$n.html" "$TMP/np$n.pdf" 2>/dev/null; fi
    "$PY" "$HERE/check_pdf.py" "$TMP/np$n.pdf" "$4" >"$TMP/np$n.out" 2>&1; echo $? >"$TMP/np$n.rc"
  ) &
}
expect_pdf_failure "no page per server" "starts on page" "s|  .server-sec, #timeline, #findings { break-before: page; }||" "$HERE/multi.jsonl"
expect_pdf_failure "controls printed" "screen control text" "s|  nav.toc, .controls, .noprint, button.more, #findings-count, details.hash { display: none !important; }||" "$HERE/multi.jsonl"
expect_pdf_failure "filtered rows not printed" "finding titles not printed" "s|  #findings-body tr\[hidden\] { display: table-row !important; }||" "$HERE/sample.jsonl" devtools
wait
collect_failures np check_pdf.py "${NEGPDF[@]}"

echo "($(($(date +%s) - start)) s)"
th_end "html tests"
