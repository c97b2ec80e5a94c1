#!/usr/bin/env bash
# logs_golden.sh - golden test of `exhunt logs` over tests/data/logs: every
# fixture folder's findings (file, line, rule, outcome, severity) must equal
# tests/data/logs/expected.tsv, which was checked line by line against the
# ground truth in tests/data/logs/README.md. With --update it rewrites the
# expected file instead (review the diff before committing it).
# Usage: logs_golden.sh EXHUNT SRC_DIR [--update]
set -u
EXHUNT=$1
DATA=$2/tests/data/logs
EXPECTED=$DATA/expected.tsv
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
for dir in "$DATA"/*/ "$DATA"/variants/*/; do
  name=${dir#"$DATA"/}
  name=${name%/}
  case $name in _tools|variants) continue ;; esac
  "$EXHUNT" logs -f jsonl --no-progress "$dir" |
    python3 -c '
import json, os, sys
name = sys.argv[1]
for line in sys.stdin:
    o = json.loads(line)
    if o["type"] == "finding":
        print("\t".join([name, os.path.basename(o["path"]), str(o["line"]),
                         o["rule"], o["outcome"], o["severity"]]))
' "$name"
done | sort >"$actual"
if [ "${3:-}" = "--update" ]; then
  cp "$actual" "$EXPECTED"
  echo "updated $EXPECTED ($(wc -l <"$EXPECTED") findings)"
  exit 0
fi
if diff -u "$EXPECTED" "$actual"; then
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
  exit 1
fi
