#!/usr/bin/env bash
#
# pace_bench.sh - what --nice, --cpu-limit and --max-rate cost and give, on
# one warm tree: for each setting, `exhunt scan` wall time, CPU time (user +
# sys), CPU share of one core, and the read rate. A target is met when the
# CPU share stays at or under --cpu-limit and the rate at or under --max-rate
# (each +10 %: averages over a short run include its start-up).
#
# It is a benchmark, not a test (tests/cli/limits_tests.sh asserts the
# bounds): exit 0 whatever the figures, 2 on a setup problem.
#
# Usage: bench/pace_bench.sh [TREE]   (default: /usr/share/doc, read-only)
# Environment: EXHUNT (default build/exhunt), BENCH_THREADS (default 2)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXHUNT=${EXHUNT:-$REPO/build/exhunt}
TREE=${1:-/usr/share/doc}
THREADS=${BENCH_THREADS:-2}
[ -x "$EXHUNT" ] || { echo "no exhunt at $EXHUNT" >&2; exit 2; }
[ -d "$TREE" ] || { echo "no tree at $TREE" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bytes=$(du -sb --apparent-size "$TREE" | cut -f1)
find "$TREE" -type f -exec cat {} + >/dev/null 2>&1 || true # warm the page cache
run() {
  local name=$1 cpu_cap=$2 rate_cap=$3
  shift 3
  /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$EXHUNT" scan -f jsonl --no-progress -j "$THREADS" \
    "$@" -o "$TMP/out.jsonl" "$TREE" >/dev/null 2>&1 || true
  read -r wall user sys <"$TMP/t"
  python3 - "$name" "$wall" "$user" "$sys" "$bytes" "$cpu_cap" "$rate_cap" <<'PY'
import sys
name, wall, user, sys_, size, cpu_cap, rate_cap = sys.argv[1:]
wall, cpu = float(wall), float(user) + float(sys_)
pct = 100 * cpu / wall if wall else 0
rate = int(size) / 1048576 / wall if wall else 0
verdict = "-"
if cpu_cap != "-":
    verdict = "PASS" if pct <= float(cpu_cap) * 1.1 else "MISS"
if rate_cap != "-":
    verdict = "PASS" if rate <= float(rate_cap) * 1.1 else "MISS"
print(f"{name:<22} {wall:8.2f} {cpu:8.2f} {pct:8.1f} {rate:10.1f}  {verdict}")
PY
}
echo "tree: $TREE ($((bytes / 1048576)) MiB), $THREADS threads, warm cache"
printf '%-22s %8s %8s %8s %10s  %s\n' setting wall_s cpu_s cpu_pct MiB_per_s target
run "no limit" - -
run "--nice" - - --nice
run "--cpu-limit 100" 100 - --cpu-limit 100
run "--cpu-limit 50" 50 - --cpu-limit 50
run "--cpu-limit 25" 25 - --cpu-limit 25
run "--max-rate 50" - 50 --max-rate 50
run "--max-rate 10" - 10 --max-rate 10

# --nice: what the "server" keeps while exhunt runs beside it
hog() { python3 -c "
import time
end = time.time() + 4
n = 0
while time.time() < end:
    n += 1
print(n)"; }
hogs() { hog >"$TMP/h1" & hog >"$TMP/h2" & wait; echo $(($(cat "$TMP/h1") + $(cat "$TMP/h2"))); }
hogs >/dev/null # the first run warms python and the CPU clock
alone=$(hogs)
for mode in plain nice; do
  flag=""
  [ $mode = nice ] && flag=--nice
  (while :; do "$EXHUNT" scan -f jsonl --no-progress -j "$THREADS" $flag -o "$TMP/o.jsonl" "$TREE" >/dev/null 2>&1; done) &
  loop=$!
  sleep 0.3
  got=$(hogs)
  kill "$loop" 2>/dev/null
  pkill -f "$EXHUNT scan -f jsonl --no-progress -j $THREADS" 2>/dev/null || true
  wait "$loop" 2>/dev/null || true
  again=$(hogs) # alone once more: the loops' own spread
  alone=$(((alone + again) / 2))
  python3 -c "print(f'busy loops beside exhunt ({\"--nice\" if \"$mode\" == \"nice\" else \"no --nice\"}): {100 * $got / $alone:5.1f} % of their throughput alone')"
done

