#!/usr/bin/env bash
# print_pdf.sh - print an exhunt HTML report to PDF the way a person would get
# one without DevTools: `chromium --headless --print-to-pdf`, no header or
# footer, a fresh profile, no network (every host resolves to nothing).
# Usage: print_pdf.sh REPORT.html OUT.pdf      (CHROMIUM=/path/to/binary)
# Exit 0 when OUT.pdf is a PDF, 1 when not, 77 when there is no Chromium.
set -u
if [ $# != 2 ]; then echo "usage: print_pdf.sh REPORT.html OUT.pdf" >&2; exit 2; fi
if [ -z "${CHROMIUM:-}" ]; then
  CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "$CHROMIUM" ]; then echo "print_pdf: no chromium" >&2; exit 77; fi
report=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
profile=$(mktemp -d /tmp/exhunt-pdf-XXXXXX)
trap 'rm -rf "$profile"' EXIT
rm -f "$out"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
  --disable-extensions --disable-dev-shm-usage --user-data-dir="$profile" \
  --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 \
  --no-pdf-header-footer --print-to-pdf="$out" "file://$report" >"$profile/log" 2>&1
if head -c 5 "$out" 2>/dev/null | grep -q '%PDF'; then exit 0; fi
echo "print_pdf: no PDF from $CHROMIUM:" >&2
tail -5 "$profile/log" >&2
exit 1
