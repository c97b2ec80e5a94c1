#!/usr/bin/env bash
# dist.sh - the release files (make dist): dist/exhunt-linux-x86_64,
# dist/exhunt.exe and dist/SHA256SUMS.
#
# Reproducible from the same commit: each binary is built in a fresh tree
# with the checkout's and the build tree's paths mapped away
# (-ffile-prefix-map), the PE link timestamp left out
# (--no-insert-timestamp), and symbols stripped (the PE by its linker); the Linux binary's build id
# is a hash of its content. `tools/dist.sh --check` builds everything twice,
# in two differently named trees, and fails unless the bytes are the same.
#
# The Linux binary links Debian 12's shared libraries (libyara9,
# libssl3, libjansson4, libevtx1, libcurl4, libhyperscan5...: what
# tools/install-deps.sh installs); exhunt.exe is static (docs/windows.md).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
check=false
[ "${1:-}" = --check ] && check=true
jobs=$(nproc)
deps=${EXH_WIN_DEPS:-$src/build-win/deps}

tools/win/build-deps.sh "$deps" >/dev/null

# build TREE: both binaries into TREE/out.
build() {
  local tree=$1 map
  rm -rf "$tree"
  mkdir -p "$tree/out"
  map="-ffile-prefix-map=$src=. -ffile-prefix-map=$tree=build"
  cmake -S . -B "$tree/linux" -DCMAKE_BUILD_TYPE=Release -DEXHUNT_TESTS=OFF \
    -DCMAKE_C_FLAGS="$map" -DCMAKE_ASM_FLAGS="$map" >"$tree/linux.log"
  cmake --build "$tree/linux" -j "$jobs" --target exhunt >>"$tree/linux.log"
  strip -o "$tree/out/exhunt-linux-x86_64" "$tree/linux/exhunt"
  cmake -S . -B "$tree/win" -DCMAKE_TOOLCHAIN_FILE="$src/tools/win/mingw-w64.cmake" \
    -DEXH_WIN_DEPS="$deps" -DEXHUNT_RULEC="$deps/host/bin/exh-rulec" \
    -DCMAKE_BUILD_TYPE=Release -DEXHUNT_TESTS=OFF \
    -DCMAKE_C_FLAGS="$map" -DCMAKE_ASM_FLAGS="$map" \
    -DCMAKE_EXE_LINKER_FLAGS="-s -Wl,--no-insert-timestamp" >"$tree/win.log"
  cmake --build "$tree/win" -j "$jobs" --target exhunt >>"$tree/win.log"
  # Stripped by the linker: mingw-w64's strip rewrites the PE header with
  # the current time (and so its checksum), which no option turns off.
  cp "$tree/win/exhunt.exe" "$tree/out/exhunt.exe"
}

build "$src/build-dist/a"
if $check; then
  build "$src/build-dist/second-tree"
  for f in exhunt-linux-x86_64 exhunt.exe; do
    if ! cmp -s "build-dist/a/out/$f" "build-dist/second-tree/out/$f"; then
      echo "dist: $f differs between two builds of the same commit" >&2
      exit 1
    fi
  done
  echo "dist: both binaries are byte-identical across two builds"
fi
mkdir -p dist
cp build-dist/a/out/exhunt-linux-x86_64 build-dist/a/out/exhunt.exe dist/
(cd dist && sha256sum exhunt-linux-x86_64 exhunt.exe >SHA256SUMS)
cat dist/SHA256SUMS
ls -l dist/exhunt-linux-x86_64 dist/exhunt.exe
