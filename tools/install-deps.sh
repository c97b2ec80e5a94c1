#!/usr/bin/env bash
# install-deps.sh - installs what exhunt needs to build and test on Debian 12.
# Every dependency is a Debian package; nothing is downloaded from elsewhere.
set -euo pipefail
packages=(
  build-essential cmake pkg-config     # toolchain
  libyara-dev yara                     # YARA engine (and the CLI, for bench/)
  libssl-dev                           # libcrypto: SHA-256, SHA-1, MD5
  zlib1g-dev                           # .gz logs
  libjansson-dev                       # JSON-lines Windows event exports
  libevtx-dev libbfio-dev libevtx-utils  # EVTX (evtxinfo: record counts in tests)
  libcurl4-openssl-dev openssl         # exhunt probe (HTTPS); test certificates
  libhyperscan-dev                     # exhunt logs: one-pass literal prefilter
  libcmocka-dev                        # unit tests
  python3 jq                           # CLI tests parse the JSON Lines output
  clang-format                         # style check
  clang libclang-rt-14-dev             # libFuzzer targets (make fuzz)
  util-linux bsdutils                  # setpriv, script (CLI tests)
  chromium fonts-dejavu-core           # the HTML report is checked in headless Chromium
  poppler-utils                        # ... and its PDF print read back (pdftotext, pdfinfo)
  # exhunt.exe (make windows, make test-windows; docs/windows.md): the
  # cross-compiler, what builds the libraries from Debian's source packages
  # (tools/win/build-deps.sh: apt-get source, dpkg-source, autotools), and
  # wine to run the Windows suite
  gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
  dpkg-dev autoconf automake libtool patch
  wine wine64
)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps: ${#packages[@]} packages present"
