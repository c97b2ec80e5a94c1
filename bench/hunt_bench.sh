#!/usr/bin/env bash
#
# hunt_bench.sh - `exhunt hunt` against the engines it runs, on one tree:
# the target of issue 14 is hunt within 1.5x of `logs` plus a `scan` of the
# files that are not logs, on the same tree.
#
#   1. the ~1.2 GB Exchange/IIS log tree of logs_bench.sh (bench/logs_gen.py,
#      cached in bench/out/), plus three real web shells from
#      ../shared/corpus/webshells planted in web folders (a drop folder, an
#      application folder outside the drop folders, Exchange's owa/auth), so
#      hunt also runs its scan, its story and its shell-request matching;
#   2. warms the page cache (every run is WARM: CPU cost, not disk);
#   3. times, round-robin, BENCH_RUNS times each (wall seconds and peak RSS
#      under /usr/bin/time):
#        logs   exhunt logs  -j N -f jsonl -o /dev/null TREE
#        scan   exhunt scan  -j N -f jsonl -o /dev/null --exclude '*.log' TREE
#               (the files that are not logs: what hunt's scan reads)
#        hunt   exhunt hunt  -j N -f jsonl -o /dev/null TREE
#   4. prints the medians, the ratio hunt / (logs + scan) and PASS/MISS
#      against 1.5, and writes them to bench/out/hunt_bench.json.
#
# A benchmark, not a test: exits 0 whatever the figures, 2 on a setup
# problem, 3 if a tool fails.
#
# Environment: EXHUNT (default build/exhunt), BENCH_RUNS (5), BENCH_THREADS
# (2), BENCH_SCALE (1), BENCH_OUT (bench/out), PYTHON (python3).
set -euo pipefail

BENCH_RUNS=${BENCH_RUNS:-5}
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_init hunt_bench "$@"
SHELLS=${BENCH_SHELLS:-$REPO/../shared/corpus/webshells}
[ -d "$SHELLS" ] || die "no web-shell corpus at $SHELLS"
if [ "$SCALE" = 1 ]; then TREE=$OUT/logs-tree; else TREE=$OUT/logs-tree-s$SCALE; fi
if [ ! -d "$TREE" ]; then
  echo "hunt_bench: generating $TREE (scale $SCALE)..."
  "$PYTHON" "$REPO/bench/logs_gen.py" --scale "$SCALE" "$TREE" >"$OUT/logs_gen.manifest.json"
fi

# Three shells, always the same ones (sorted names), in three web folders.
mapfile -t picked < <(find "$SHELLS" -maxdepth 1 -type f -iname '*.aspx' | sort | head -3)
[ "${#picked[@]}" -eq 3 ] || die "fewer than 3 .aspx shells in $SHELLS"
dirs=("$TREE/inetpub/wwwroot/aspnet_client" "$TREE/inetpub/wwwroot/app"
  "$TREE/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth")
for i in 0 1 2; do
  mkdir -p "${dirs[$i]}"
  cp "${picked[$i]}" "${dirs[$i]}/bench$i.aspx"
done
bench_warm "$TREE"

declare -A WALL RSS
run_one() { # NAME cmd...
  local name=$1 rc=0
  shift
  /usr/bin/time -o "$OUT/hunt_bench.time" -f "%e %M" "$@" >/dev/null 2>"$OUT/hunt_bench.err" || rc=$?
  # exhunt exits 1 when it finds something, 5 when evidence is missing:
  # verdicts, not failures; 2 is a failure
  local w r
  read -r w r <<<"$(tail -1 "$OUT/hunt_bench.time")" || true
  if [ "$rc" -eq 2 ] || ! [[ $w =~ ^[0-9.]+$ ]]; then
    echo "hunt_bench: $name failed (exit $rc): $(head -c 400 "$OUT/hunt_bench.err")" >&2
    exit 3
  fi
  WALL[$name]+="$w "
  RSS[$name]+="$r "
}
for _ in $(seq "$RUNS"); do
  run_one logs "$EXHUNT" logs -j "$THREADS" -f jsonl -o /dev/null "$TREE"
  run_one scan "$EXHUNT" scan -j "$THREADS" -f jsonl -o /dev/null --exclude '*.log' "$TREE"
  run_one hunt "$EXHUNT" hunt -j "$THREADS" -f jsonl -o /dev/null "$TREE"
done

"$PYTHON" - "$OUT/hunt_bench.json" "$TREE" "$RUNS" "$THREADS" "${WALL[logs]}" "${WALL[scan]}" \
  "${WALL[hunt]}" "${RSS[logs]}" "${RSS[scan]}" "${RSS[hunt]}" <<'PY'
import json, statistics, sys
out, tree, runs, threads = sys.argv[1:5]
w = [list(map(float, a.split())) for a in sys.argv[5:8]]
r = [list(map(int, a.split())) for a in sys.argv[8:11]]
names = ["logs", "scan", "hunt"]
med = {n: statistics.median(v) for n, v in zip(names, w)}
rss = {n: max(v) for n, v in zip(names, r)}
ratio = med["hunt"] / (med["logs"] + med["scan"])
print(f"tree {tree}, {runs} runs each, {threads} threads, warm cache")
print(f"{'tool':6} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MB':>12}")
for n, v in zip(names, w):
    print(f"{n:6} {med[n]:9.3f} {min(v):7.3f} {max(v):7.3f} {rss[n] / 1024:12.1f}")
verdict = "PASS" if ratio <= 1.5 else "MISS"
print(f"hunt / (logs + scan) = {ratio:.2f} (target <= 1.5): {verdict}")
json.dump({"tree": tree, "runs": int(runs), "threads": int(threads), "median_s": med,
           "peak_rss_kb": rss, "ratio": ratio, "target": 1.5, "result": verdict},
          open(out, "w"), indent=2)
PY
