#!/usr/bin/env bash
#
# matcher_bench.sh - the log prefilter's matchers (issue 16: the Windows
# build has no Hyperscan): Hyperscan, the Linux build's, against the
# portable Aho-Corasick matcher (lib/logs/prefilter_ac.c), the Windows
# build's, and against exh_block_scan, what the engine falls back to, on
# the log bench's tree (bench/logs_gen.py, cached in bench/out/ as
# logs_bench.sh caches it).
#
# Same machine, same run:
#   1. the matchers alone: bench/matcher_speed.c, linked with each build's
#      libexhunt.a, scans the tree's HttpProxy and IIS logs in memory, cut
#      in the engine's 128 KiB blocks: CPU seconds of exh_prefilter_scan
#      and of exh_block_scan, best of BENCH_ROUNDS, the builds alternating;
#   2. the whole command, `exhunt logs --threads N -f jsonl -o /dev/null
#      TREE`, with each build, round-robin (common.sh: idle wait, re-runs
#      under contention), and with the Hyperscan build made to run without
#      it (an LD_PRELOAD shim whose hs_valid_platform() fails, which makes
#      the engine use exh_block_scan, as on a CPU without SSSE3).
# Every variant's findings must be the same (checked; a mismatch exits 3).
# It is a benchmark, not a test: it exits 0 whatever the figures.
#
# Usage: bench/matcher_bench.sh [HYPERSCAN_BUILD [PORTABLE_BUILD]]
#   defaults build and build-portable, made with
#   cmake -S . -B build && cmake -S . -B build-portable -DEXHUNT_MATCHER=portable
# Environment: BENCH_RUNS (runs of each command, default 5), BENCH_ROUNDS
# (rounds of the matchers alone, default 5), BENCH_THREADS, BENCH_SCALE,
# BENCH_IDLE_WAIT, BENCH_RETRIES, BENCH_OUT, PYTHON, CC (as common.sh says).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
HS_BUILD=$(cd "${1:-build}" && pwd)
AC_BUILD=$(cd "${2:-build-portable}" && pwd)
BENCH_RUNS=${BENCH_RUNS:-5}
bench_init matcher_bench "$HS_BUILD/exhunt"
ROUNDS=${BENCH_ROUNDS:-5}
CC=${CC:-cc}
for b in "$HS_BUILD" "$AC_BUILD"; do
  [ -x "$b/exhunt" ] && [ -f "$b/libexhunt.a" ] || die "no exhunt and libexhunt.a in $b"
done
grep -q '^EXHUNT_MATCHER:STRING=hyperscan$' "$HS_BUILD/CMakeCache.txt" || die "$HS_BUILD is not a Hyperscan build"
grep -q '^EXHUNT_MATCHER:STRING=portable$' "$AC_BUILD/CMakeCache.txt" || die "$AC_BUILD is not a portable build"

if [ "$SCALE" = 1 ]; then TREE=$OUT/logs-tree; else TREE=$OUT/logs-tree-s$SCALE; fi
LOGS=$OUT/matcher-bench
mkdir -p "$LOGS"
if [ ! -f "$TREE.manifest.json" ]; then
  rm -rf "$TREE"
  say "generating the log bench's tree (once; ~1 minute at scale 1): $TREE"
  "$PYTHON" "$REPO/bench/logs_gen.py" --scale "$SCALE" "$TREE" >&2 || die "logs_gen.py failed"
fi
BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
mapfile -t SCANNED < <(find "$TREE" -type f \( -path '*HttpProxy*' -o -name 'u_ex*' \) | sort)

# --- the helpers: matcher_speed per build, the shim ---------------------------
LIBS=$(pkg-config --libs yara libcrypto zlib jansson libevtx libbfio libcurl)
"$CC" -O2 -I "$REPO/lib" -I "$REPO/include" "$REPO/bench/matcher_speed.c" "$HS_BUILD/libexhunt.a" \
  $LIBS $(pkg-config --libs libhs) -lpthread -lm -o "$LOGS/speed-hyperscan" || die "cannot build matcher_speed"
"$CC" -O2 -I "$REPO/lib" -I "$REPO/include" "$REPO/bench/matcher_speed.c" "$AC_BUILD/libexhunt.a" \
  $LIBS -lpthread -lm -o "$LOGS/speed-portable" || die "cannot build matcher_speed"
printf 'int hs_valid_platform(void);\nint hs_valid_platform(void) { return -11; /* HS_ARCH_ERROR */ }\n' >"$LOGS/no_hs.c"
"$CC" -shared -fPIC -o "$LOGS/no_hs.so" "$LOGS/no_hs.c" || die "cannot build the shim"

bench_warm "$TREE"

# --- 1. the matchers alone ------------------------------------------------------
say "the matchers alone: ${#SCANNED[@]} HttpProxy and IIS logs in memory, best of $ROUNDS rounds, twice each"
declare -A SPEED
for pass in 1 2; do
  for m in hyperscan portable; do
    line=$("$LOGS/speed-$m" "$ROUNDS" "${SCANNED[@]}")
    say "  $line"
    read -r name bytes blocks t_pf h_pf t_block h_block <<<"$line"
    [ "$name" = "$m" ] || die "speed-$m runs the $name matcher"
    if [ -z "${SPEED[$m]:-}" ] || awk -v a="$t_pf" -v b="${SPEED[$m]% *}" 'BEGIN { exit !(a < b) }'; then
      SPEED[$m]="$t_pf $h_pf"
    fi
    if [ -z "${SPEED[block]:-}" ] || awk -v a="$t_block" -v b="${SPEED[block]% *}" 'BEGIN { exit !(a < b) }'; then
      SPEED[block]="$t_block $h_block"
    fi
    SCAN_BYTES=$bytes
  done
done

# --- 2. the whole command ----------------------------------------------------------
export TREE HS_BUILD AC_BUILD LOGS
bench_tool hyperscan "\"\$HS_BUILD/exhunt\" logs --threads $THREADS -f jsonl -o \"\$LOGS/hyperscan.jsonl\" \"\$TREE\"" \
  "exhunt logs, Hyperscan prefilter (Linux build)"
bench_tool portable "\"\$AC_BUILD/exhunt\" logs --threads $THREADS -f jsonl -o \"\$LOGS/portable.jsonl\" \"\$TREE\"" \
  "exhunt logs, portable prefilter (Windows build's matcher)"
bench_tool block_scan "LD_PRELOAD=\"\$LOGS/no_hs.so\" \"\$HS_BUILD/exhunt\" logs --threads $THREADS -f jsonl -o \"\$LOGS/block_scan.jsonl\" \"\$TREE\"" \
  "exhunt logs without a prefilter: exh_block_scan's memchr passes"
bench_rc_ok() { [ "$2" -eq 1 ]; } # 1: findings
BENCH_NAME_WIDTH=10
BENCH_SHELL_CLOCK=1
BENCH_MIN_WALL=0.2
say "exhunt logs --threads $THREADS over $((BYTES / 1000000)) MB, $RUNS runs of each, round-robin"
bench_time_all
bench_medians
bench_contended

findings() { grep '"type":"finding"' "$LOGS/$1.jsonl" | sort; }
for v in portable block_scan; do
  cmp -s <(findings hyperscan) <(findings "$v") || { echo "matcher_bench: $v's findings differ from Hyperscan's" >&2; exit 3; }
done
N_FINDINGS=$(findings hyperscan | wc -l)

# --- the table --------------------------------------------------------------------
echo
echo "matcher_bench: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "The matchers alone, $((SCAN_BYTES / 1000000)) MB of HttpProxy and IIS logs in memory (CPU, best round):"
for m in hyperscan portable block; do
  read -r t h <<<"${SPEED[$m]}"
  printf '  %-11s %7.3f s  %6.0f MB/s  %s hits\n' "$m" "$t" "$(awk -v b="$SCAN_BYTES" -v t="$t" 'BEGIN { print b / 1e6 / t }')" "$h"
done
echo
echo "exhunt logs --threads $THREADS, $((BYTES / 1000000)) MB, warm cache, median of $RUNS (same $N_FINDINGS findings each):"
for name in "${NAMES[@]}"; do
  printf '  %-11s wall %6.3f s  %6s MB/s  CPU %6.3f s  peak RSS %4d MiB  runs %s\n' "$name" "${WALL[$name]}" \
    "$(mbps "${WALL[$name]}")" "${CPU[$name]}" "$((RSS[$name] / 1024))" "${WALLS[$name]}"
done
echo "  portable / hyperscan wall, per round: $(per_round portable hyperscan)x; block_scan / hyperscan: $(per_round block_scan hyperscan)x"
$CONTENDED && echo "  (other processes used the CPU during some runs: the figures are noisier than usual)"
exit 0
