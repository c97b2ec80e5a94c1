# common.sh - what the benchmarks share, sourced by scan_bench.sh,
# logs_bench.sh and hunt_bench.sh after `set -euo pipefail`:
#
#   bench_init NAME "$@"   settings, checks, die/say; NAME prefixes messages
#   bench_warm TREE        reads every file once (all runs are on a WARM cache)
#   bench_tool NAME CMD DESC   one more tool to time (NAMES, CMD, DESC)
#   bench_time_all         each of NAMES timed RUNS times, round-robin
#   bench_medians          WALL, WALLS, RSS, CPU, OTHER per name
#   bench_contended        CONTENDED: did other processes use the CPU meanwhile?
#   per_round A B [F]      median of the per-round wall ratios A*F/B
#   f2 ratio mbps jnum gb jstr   formatting for the table and the JSON
#
# A script may set, before bench_time_all: BENCH_NAME_WIDTH (the name column
# of the progress lines), BENCH_SHELL_CLOCK=1 (wall time from the shell's
# clock in ms rather than time's 10 ms steps), BENCH_MIN_WALL (runs shorter
# than this are never re-run for contention: /proc/stat ticks are 10 ms) and
# a function bench_rc_ok NAME RC (which exit codes are not a failure).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# bench_init NAME [PATH_TO_EXHUNT]: the settings every benchmark takes from
# its environment (the README's table), and the checks that make the others
# fail early. Exits 2 on a setup problem.
bench_init() {
  BENCH_NAME=$1
  EXHUNT=${2:-${EXHUNT:-$REPO/build/exhunt}}
  RUNS=${BENCH_RUNS:-3}
  THREADS=${BENCH_THREADS:-2}
  SCALE=${BENCH_SCALE:-1}
  IDLE_WAIT=${BENCH_IDLE_WAIT:-60}
  RETRIES=${BENCH_RETRIES:-2}
  OUT=${BENCH_OUT:-$REPO/bench/out}
  PYTHON=${PYTHON:-python3}
  [ -x /usr/bin/time ] || die "missing /usr/bin/time (Debian package 'time')"
  [ -x "$EXHUNT" ] || die "exhunt binary not found or not executable: $EXHUNT (build it: cmake --build build -j2; or pass a path / set EXHUNT)"
  EXHUNT=$(cd "$(dirname "$EXHUNT")" && pwd)/$(basename "$EXHUNT")
  case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer" ;; esac
  awk -v s="$SCALE" 'BEGIN { exit !(s > 0 && s <= 1.5) }' || die "BENCH_SCALE must be in (0, 1.5]"
  mkdir -p "$OUT"
}
die() { echo "$BENCH_NAME: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }

# The tools a benchmark times, in table order: CMD[name] is run by bash -c,
# DESC[name] says what it measures.
NAMES=()
declare -A CMD DESC
bench_tool() { NAMES+=("$1"); CMD[$1]=$2; DESC[$1]=$3; }

bench_warm() {
  say "warming the page cache (cat of every file; dropping it needs root, so all runs are warm)"
  find "$1" -type f -print0 | xargs -0 cat >/dev/null
}

# CPU contention. The machine may be shared: /proc/stat says how busy all
# CPUs were; what the tool itself used (user+sys, from time) is subtracted.
HZ=$(getconf CLK_TCK)
busy_ticks() { local _c u n s _i _w q sq st _r; read -r _c u n s _i _w q sq st _r </proc/stat; echo $((u + n + s + q + sq + st)); }
wait_idle() { # until others use < 0.15 core over a second, or give up
  local deadline=$((SECONDS + IDLE_WAIT)) b0 b1
  while :; do
    b0=$(busy_ticks); sleep 1; b1=$(busy_ticks)
    [ $((b1 - b0)) -le $((HZ * 15 / 100)) ] && return 0
    [ $SECONDS -ge $deadline ] && { say "  machine still busy ($(((b1 - b0) * 100 / HZ))% of a core); measuring anyway"; return 0; }
  done
}
# contended OTHER WALL: did other processes use more than 0.25 core during a
# run long enough for the ticks to say so?
contended() { awk -v o="$1" -v w="$2" -v m="${BENCH_MIN_WALL:-0}" 'BEGIN { exit !(o > 0.25 && w >= m) }'; }

run_timed() { # name round -> appends "wall rss_kib cpu other_cores" to $LOGS/name.runs
  local name=$1 round=$2 t="$LOGS/$1.$2.time" rc attempt=0 b0 b1 e0 e1 wall rss u s other
  while :; do
    attempt=$((attempt + 1))
    wait_idle
    b0=$(busy_ticks)
    e0=$EPOCHREALTIME
    set +e
    /usr/bin/time -f '%e %M %U %S %x' -o "$t" bash -c "${CMD[$name]}" >"$LOGS/$name.stdout" 2>"$LOGS/$name.stderr"
    rc=$?
    set -e
    e1=$EPOCHREALTIME
    b1=$(busy_ticks)
    if [ "$rc" -ne 0 ] && ! bench_rc_ok "$name" "$rc"; then
      echo "$BENCH_NAME: $name failed (exit $rc); see $LOGS/$name.stderr" >&2
      tail -5 "$LOGS/$name.stderr" >&2
      exit 3
    fi
    read -r wall rss u s _ < <(tail -1 "$t")
    # time's %e has 10 ms steps; the shell's clock gives ms (a fork more).
    [ "${BENCH_SHELL_CLOCK:-0}" != 1 ] || wall=$(awk -v a="${e0/,/.}" -v b="${e1/,/.}" 'BEGIN { printf "%.3f", b - a }')
    other=$(awk -v b=$((b1 - b0)) -v hz="$HZ" -v u="$u" -v s="$s" -v w="$wall" \
      'BEGIN { o = (b / hz - u - s) / (w > 0 ? w : 1); printf "%.2f", o < 0 ? 0 : o }')
    say "  round $round  $(printf "%-${BENCH_NAME_WIDTH:-10}s" "$name") ${wall}s  cpu $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')s  $((rss / 1024)) MiB  others ${other} cores"
    if contended "$other" "$wall" && [ "$attempt" -le "$RETRIES" ]; then
      say "  (another process used ${other} cores meanwhile: run again)"
      continue
    fi
    break
  done
  echo "$wall $rss $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') $other" >>"$LOGS/$name.runs"
}

bench_time_all() {
  local r name
  for name in "${NAMES[@]}"; do rm -f "$LOGS/$name.runs" "$LOGS/$name".*.time; done
  for r in $(seq 1 "$RUNS"); do
    for name in "${NAMES[@]}"; do run_timed "$name" "$r"; done
  done
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Per name: WALL and CPU the medians, WALLS every run, RSS (KiB) and OTHER
# the worst run.
bench_medians() {
  local name walls rsss cpus others w m c o
  declare -gA WALL RSS CPU OTHER WALLS
  for name in "${NAMES[@]}"; do
    walls=() rsss=() cpus=() others=()
    while read -r w m c o; do walls+=("$w") rsss+=("$m") cpus+=("$c") others+=("$o"); done <"$LOGS/$name.runs"
    WALL[$name]=$(median "${walls[@]}")
    WALLS[$name]=$(IFS=,; echo "${walls[*]}")
    RSS[$name]=$(printf '%s\n' "${rsss[@]}" | sort -n | tail -1) # KiB, worst run
    CPU[$name]=$(median "${cpus[@]}")
    OTHER[$name]=$(printf '%s\n' "${others[@]}" | sort -g | tail -1)
  done
}
# CONTENDED: true when other processes used the CPU during some tool's runs.
bench_contended() {
  local name
  CONTENDED=false
  for name in "${NAMES[@]}"; do
    ! contended "${OTHER[$name]}" "${WALL[$name]}" || CONTENDED=true
  done
}
# The machine's speed drifts between rounds (shared host): the ratio of the
# two runs of one round is steadier than the ratio of the medians.
per_round() { paste -d' ' "$LOGS/$1.runs" "$LOGS/$2.runs" | awk -v f="${3:-1}" '$5 > 0 { print $1 * f / $5 }' | sort -g |
  awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "n/a" }'; }

f2() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
mbps() { awk -v b="$BYTES" -v w="$1" 'BEGIN { if (w > 0) printf "%.0f", b / 1e6 / w; else print "n/a" }'; }
jnum() { case $1 in n/a | '' | '?') echo null ;; *) echo "$1" ;; esac; }
gb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e9 }'; }
jstr() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
# The JSON's opening: schema, date, machine, cache.
bench_json_head() {
  printf '{\n  "schema": "%s",\n  "date": "%s",\n' "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '  "machine": {"cores": %s, "cpu": "%s", "kernel": "%s"},\n' "$(nproc)" \
    "$(jstr "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)")" "$(uname -r)"
  printf '  "cache": "warm",\n'
}
