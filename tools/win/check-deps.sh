#!/usr/bin/env bash
# tools/win/check-deps.sh - proves what tools/win/build-deps.sh built works:
#
#   tools/win/check-deps.sh [DEPS_DIR]      (or EXH_WIN_DEPS=DEPS_DIR)
#
# 1. host/bin/exh-rulec compiles exhunt's whole embedded YARA pack (the
#    rules/yara files, under the namespaces cmake/embed.cmake gives them);
# 2. tools/win/smoke is cross-built with tools/win/mingw-w64.cmake and the
#    prefix's pkg-config files: every library in one static .exe, and cmocka;
# 3. each .exe imports only DLLs that ship with Windows (objdump -p);
# 4. under wine: the yara "math" and "hash" modules run, the Linux-compiled
#    pack loads in the Windows libyara, and the record counts libevtx gives
#    through a caller-owned libbfio handle match Linux's evtxinfo on the EVTX
#    samples of the shared research data;
# 5. the cmocka smoke test passes under wine.
# Wine runs in a throwaway WINEPREFIX (a temporary directory, ~6 s to create,
# ~700 MB, removed at exit) unless WINEPREFIX is set.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
deps=${1:-${EXH_WIN_DEPS:-$repo/build-win/deps}}
deps=$(cd "$deps" && pwd)
out=$deps/smoke
samples=${EXH_EVTX_SAMPLES:-$repo/../shared/research-data/datasets/evtx-attack-samples}
if [ -z "${WINEPREFIX:-}" ]; then
  WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/exh-check-deps-wine.XXXXXX")
  # The prefix's wineserver lingers a few seconds after the last program.
  trap 'wineserver -k 2>/dev/null; rm -rf "$WINEPREFIX"' EXIT
fi
export WINEPREFIX WINEDEBUG=${WINEDEBUG:--all}
fail=0

bad() {
  echo "FAIL: $*"
  fail=1
}

# Windows path of a Unix one, through wine's Z: drive.
winpath() {
  local p
  p=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  echo "Z:${p//\//\\}"
}

echo "== exh-rulec (host, yara $(sed -n 's/^Version: //p' "$deps/host/lib/pkgconfig/yara.pc"))"
args=()
while IFS= read -r f; do
  args+=("${f#"$repo/rules/"}" "$f")
done < <(find "$repo/rules/yara" \( -name '*.yar' -o -name '*.yara' \) | LC_ALL=C sort)
mkdir -p "$out"
"$deps/host/bin/exh-rulec" "$out/default.yarc" "${args[@]}" ||
  bad "exh-rulec could not compile the embedded pack"
echo "compiled $((${#args[@]} / 2)) files into $(stat -c %s "$out/default.yarc") bytes"

echo "== cross-build of tools/win/smoke"
if ! {
  cmake -S "$here/smoke" -B "$out/build" -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64.cmake" \
    -DEXH_WIN_DEPS="$deps" -DCMAKE_BUILD_TYPE=Release && cmake --build "$out/build" -j2
} >"$out/cmake.log" 2>&1; then
  tail -n 30 "$out/cmake.log"
  echo "FAIL: the smoke programs do not build (log: $out/cmake.log)"
  exit 1
fi

echo "== DLLs imported"
# System DLLs only: anything from mingw (libwinpthread, libgcc_s, ...) or a
# dependency's own DLL would have to ship beside exhunt.exe.
system_dlls='^(kernel32|advapi32|msvcrt|ws2_32|crypt32|bcrypt|secur32|iphlpapi|user32|shell32|ole32|winhttp|ntdll|normaliz|userenv|wldap32|shlwapi|version|rpcrt4)\.dll$'
for exe in deps_smoke cmocka_smoke; do
  dlls=$(x86_64-w64-mingw32-objdump -p "$out/build/$exe.exe" | sed -n 's/.*DLL Name: //p' |
    tr '\n' ' ')
  echo "$exe.exe ($(stat -c %s "$out/build/$exe.exe") bytes): $dlls"
  for d in $dlls; do
    grep -Eiq "$system_dlls" <<<"$d" || bad "$exe.exe needs $d, which Windows does not ship"
  done
done

echo "== under wine ($WINEPREFIX)"
evtx=()
while IFS= read -r f; do evtx+=("$f"); done < <(find "$samples" -name '*.evtx' | LC_ALL=C sort)
[ ${#evtx[@]} -gt 0 ] || bad "no EVTX sample under $samples"
wargs=(--yarc "$(winpath "$out/default.yarc")")
for f in "${evtx[@]}"; do wargs+=("$(winpath "$f")"); done
wine "$out/build/deps_smoke.exe" "${wargs[@]}" >"$out/deps_smoke.out" 2>&1 ||
  bad "deps_smoke.exe exited $?"
tr -d '\r' <"$out/deps_smoke.out" | sed 's/^/  /'
got=$(tr -d '\r' <"$out/deps_smoke.out")
grep -q '^yara match math_and_hash$' <<<"$got" || bad "yara math/hash rule did not match"
grep -q "^yarc rules [1-9]" <<<"$got" || bad "the Linux-compiled pack did not load on Windows"
grep -q 'ssl Schannel' <<<"$got" || bad "curl is not built with Schannel"

echo "== record counts: libevtx under wine vs evtxinfo on Linux"
for f in "${evtx[@]}"; do
  name=$(basename "$f")
  linux=$(evtxinfo "$f" 2>/dev/null | awk -F: '/Number of records/ { r = $2 } /Number of recovered records/ { v = $2 }
    END { gsub(/[ \t]/, "", r); gsub(/[ \t]/, "", v); print "records " r " recovered " v }')
  windows=$(sed -n "s/^evtx $name //p" <<<"$got")
  printf '  %-60s linux: %-26s wine: %s\n' "$name" "$linux" "$windows"
  [ "$linux" = "$windows" ] || bad "$name: counts differ"
done

echo "== cmocka under wine"
wine "$out/build/cmocka_smoke.exe" >"$out/cmocka_smoke.out" 2>&1 || bad "cmocka_smoke.exe exited $?"
tr -d '\r' <"$out/cmocka_smoke.out" | sed 's/^/  /'
tr -d '\r' <"$out/cmocka_smoke.out" | grep -qx 'cmocka prints 8 and -1' ||
  bad "cmocka's print_message does not print C99 formats"

if [ "$fail" = 0 ]; then echo "check-deps: all good"; else echo "check-deps: FAILED"; fi
exit "$fail"
