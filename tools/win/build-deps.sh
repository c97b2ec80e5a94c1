#!/usr/bin/env bash
# tools/win/build-deps.sh - builds the libraries exhunt.exe links, from Debian's
# own source packages, as static x86_64-w64-mingw32 libraries; and the host
# (Linux) libyara + exh-rulec that compile the embedded YARA pack at build time.
#
#   tools/win/build-deps.sh [DEPS_DIR]      (or EXH_WIN_DEPS=DEPS_DIR)
#
# DEPS_DIR defaults to build-win/deps in the repo. It receives:
#   prefix/  static Windows libraries, headers, lib/pkgconfig/*.pc
#   host/    Linux libyara.a + headers, bin/exh-rulec
#   apt/     the project's own apt configuration (deb-src for the suites of
#            tools/win/deps.lock; URIs and Signed-By read from the system's
#            deb822 sources, /etc/apt is never written)
#   src/     the source packages as apt-get source downloaded them
#   build/   one freshly unpacked tree per library (dpkg-source -x)
#   log/     NAME.log for every configure/make; the tail is printed on failure
#   stamps/  NAME.stamp: the lock line, this recipe's hash, the stamps it
#            was built on. A library whose stamp matches is not rebuilt, so a
#            second run is a no-op that only says what is cached.
#
# Versions are pinned in tools/win/deps.lock; docs/windows-deps.md explains the
# configure flags, the link libraries and how to bump a version. Nothing is
# downloaded except through apt-get source. EXH_JOBS sets make -j (default 2).
set -euo pipefail

readonly TRIPLE=x86_64-w64-mingw32
readonly BUILD_TRIPLE=x86_64-pc-linux-gnu
# Windows 7 / Server 2008 R2, the oldest system Exchange 2013 runs on: no
# library may call an API newer than that.
readonly WIN32_WINNT=0x0601

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
lock_file=$here/deps.lock
jobs=${EXH_JOBS:-2}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

case "${1:-}" in
-h | --help)
  usage
  exit 0
  ;;
-*)
  echo "build-deps: unknown option $1 (try --help)" >&2
  exit 2
  ;;
esac
[ $# -le 1 ] || {
  echo "build-deps: at most one argument, the deps directory" >&2
  exit 2
}

deps=${1:-${EXH_WIN_DEPS:-$repo/build-win/deps}}
mkdir -p "$deps"
deps=$(cd "$deps" && pwd)
prefix=$deps/prefix
hostp=$deps/host
aptd=$deps/apt
srcd=$deps/src
buildd=$deps/build
logd=$deps/log
stampd=$deps/stamps
mkdir -p "$prefix" "$hostp" "$aptd" "$srcd" "$buildd" "$logd" "$stampd"

for tool in "$TRIPLE-gcc" "$TRIPLE-ar" "$TRIPLE-objcopy" "$TRIPLE-nm" gcc make cmake \
  pkg-config apt-get apt-cache dpkg-source autoreconf; do
  command -v "$tool" >/dev/null || {
    echo "build-deps: $tool not found (see docs/windows-deps.md, 'Host tools')" >&2
    exit 1
  }
done

# Everything that decides how a library is built: this script, the toolchain
# file (jansson and cmocka use it) and any patch. A change rebuilds everything.
recipe_hash=$({
  cat "${BASH_SOURCE[0]}" "$here/mingw-w64.cmake"
  [ ! -d "$here/patches" ] || find "$here/patches" -type f -print0 | LC_ALL=C sort -z | xargs -0r cat
} | sha256sum | cut -c1-16)

die() {
  echo "build-deps: $*" >&2
  exit 1
}

# ---------------------------------------------------------------- the lock --

# lock_field PACKAGE N: field N (2 suite, 3 version) of PACKAGE's lock line.
lock_field() {
  awk -v p="$1" -v n="$2" '!/^[[:space:]]*(#|$)/ && $1 == p { print $n; found = 1 }
    END { exit !found }' "$lock_file" || die "$1 is not in $lock_file"
}

# pkg_version PACKAGE: the Debian version built: the pinned one, or the
# newer Debian revision of the same upstream version that fetch took when
# the registry had replaced the pinned one (a point release or security
# update of the suite), recorded in src/PACKAGE.version as "PINNED TAKEN".
# The record only stands for the pin it replaced: once deps.lock names
# another version, the lock wins again.
pkg_version() {
  local pinned recorded taken
  pinned=$(lock_field "$1" 3)
  if [ -f "$srcd/$1.version" ] && read -r recorded taken <"$srcd/$1.version" &&
    [ "$recorded" = "$pinned" ] && [ -n "$taken" ]; then
    echo "$taken"
  else
    echo "$pinned"
  fi
}

lock_line() {
  echo "$1 $(lock_field "$1" 2) $(pkg_version "$1")"
}

lock_suites() {
  awk '!/^[[:space:]]*(#|$)/ { print $2 }' "$lock_file" | sort -u | paste -sd ' '
}

# ------------------------------------------------------------------ apt --

# The project's apt configuration: its own source list, lists, cache and
# (empty) dpkg status, read through APT_CONFIG so /etc/apt is left alone. The
# system's apt.conf.d still applies (proxies, timeouts); its preferences do not.
apt_conf=$aptd/apt.conf
apt_ready=

write_apt_conf() {
  mkdir -p "$aptd/sources.list.d" "$aptd/preferences.d" "$aptd/lists/partial" \
    "$aptd/cache/archives/partial"
  : >"$aptd/sources.list"
  : >"$aptd/status"
  {
    echo "Dir::Etc::sourcelist \"$aptd/sources.list\";"
    echo "Dir::Etc::sourceparts \"$aptd/sources.list.d\";"
    echo "Dir::Etc::preferences \"$aptd/preferences\";"
    echo "Dir::Etc::preferencesparts \"$aptd/preferences.d\";"
    echo "Dir::State::Lists \"$aptd/lists\";"
    echo "Dir::State::status \"$aptd/status\";"
    echo "Dir::Cache \"$aptd/cache\";"
    # As root apt downloads as _apt, which may not reach the build tree.
    [ "$(id -u)" != 0 ] || echo 'APT::Sandbox::User "root";'
  } >"$apt_conf"
}

# The system's main archive entry, as deb822 "URIs:" and "Signed-By:" fields
# (Signed-By may be a path or an inline key spanning continuation lines): the
# first enabled stanza of Types deb whose Suites name a release itself (no
# "-updates"/"-security"), searched in the system's sources.list.d/*.sources.
system_archive_fields() {
  local parts
  parts=$(apt-config shell d Dir::Etc::sourceparts/d | sed -n "s/^d='\(.*\)'$/\1/p")
  parts=${parts:-/etc/apt/sources.list.d/}
  local files=()
  [ -f "$parts/debian.sources" ] && files+=("$parts/debian.sources")
  for f in "$parts"/*.sources; do
    [ -f "$f" ] && [ "$f" != "$parts/debian.sources" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 1
  awk '
    function flush() {
      if (!done && types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[ \t]*no/ &&
          uris != "" && main_suite) {
        printf "URIs:%s\n", uris
        if (signed != "") printf "Signed-By:%s\n", signed
        done = 1
      }
      types = uris = signed = enabled = ""; main_suite = 0; field = ""
    }
    /^#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { if (field == "signed-by") signed = signed "\n" $0; next }
    {
      field = tolower(substr($0, 1, index($0, ":") - 1))
      value = substr($0, index($0, ":") + 1)
      if (field == "types") types = value
      else if (field == "uris") uris = value
      else if (field == "signed-by") signed = value
      else if (field == "enabled") enabled = value
      else if (field == "suites") {
        n = split(value, s, /[ \t]+/)
        for (i = 1; i <= n; i++) if (s[i] != "" && s[i] !~ /[-\/]/) main_suite = 1
      }
    }
    END { flush(); exit !done }' "${files[@]}"
}

apt_setup() {
  [ -z "$apt_ready" ] || return 0
  write_apt_conf
  local fields
  fields=$(system_archive_fields) ||
    die "no deb822 entry for the Debian archive in the system's sources.list.d (*.sources); cannot derive the deb-src entry"
  {
    echo "# Written by tools/win/build-deps.sh from the system's apt sources."
    echo "Types: deb-src"
    echo "$fields" | sed -n '/^URIs:/p'
    echo "Suites: $(lock_suites)"
    echo "Components: main"
    echo "$fields" | sed -n '/^Signed-By:/,$p'
  } >"$aptd/sources.list.d/exhunt-deps.sources"
  echo "apt: updating the project's source lists (suites: $(lock_suites))"
  APT_CONFIG=$apt_conf apt-get -q update >"$logd/apt-update.log" 2>&1 || {
    tail -n 20 "$logd/apt-update.log" >&2
    die "apt-get update failed with the project's configuration ($apt_conf)"
  }
  apt_ready=1
}

# The .dsc name of PACKAGE at VERSION (the epoch is not part of file names).
dsc_of() {
  echo "$srcd/${1}_${2#*:}.dsc"
}

# fetch PACKAGE: its pinned source package into src/, once.
fetch() {
  local pkg=$1 suite version dsc
  suite=$(lock_field "$pkg" 2)
  version=$(pkg_version "$pkg")
  dsc=$(dsc_of "$pkg" "$version")
  [ -f "$dsc.fetched" ] && return 0
  apt_setup
  local served
  served=$(APT_CONFIG=$apt_conf apt-cache madison "$pkg" 2>/dev/null |
    awk -F'|' '$3 ~ /Sources/ { gsub(/ /, "", $2); n = split($3, w, " "); print $2 " (" w[n-1] ")" }')
  # Debian serves one version per suite: a security update replaces the
  # pinned one. The same upstream version with a newer Debian revision (only
  # Debian's patches differ) is taken, said loudly, and recorded; a new
  # upstream version is not: that needs the bump and test of the docs.
  local upstream newer
  upstream=${version#*:}
  upstream=${upstream%-*}
  if ! grep -qxF "$version ($suite/main)" <<<"$served"; then
    newer=$(awk -v s="($suite/main)" '$2 == s { print $1 }' <<<"$served" |
      while read -r v; do u=${v#*:}; [ "${u%-*}" = "$upstream" ] && echo "$v"; done | sort -V | tail -n 1)
    if [ -n "$newer" ] && dpkg --compare-versions "$newer" gt "$version"; then
      echo "build-deps: NOTE: tools/win/deps.lock pins $pkg $version; $suite now serves $newer" >&2
      echo "build-deps: NOTE: (same upstream $upstream, a newer Debian revision): building $newer;" >&2
      echo "build-deps: NOTE: update deps.lock after testing it (docs/windows-deps.md)" >&2
      echo "$(lock_field "$pkg" 3) $newer" >"$srcd/$pkg.version"
      version=$newer
      dsc=$(dsc_of "$pkg" "$version")
      [ ! -f "$dsc.fetched" ] || return 0
    fi
  fi
  if ! grep -qxF "$version ($suite/main)" <<<"$served"; then
    {
      echo "build-deps: tools/win/deps.lock pins $pkg $version from $suite,"
      echo "but the package registry does not serve that version any more. It serves:"
      if [ -n "$served" ]; then awk '{ print "  " $0 }' <<<"$served"; else echo "  (nothing)"; fi
      echo "Bump the line in tools/win/deps.lock, rebuild and test (docs/windows-deps.md)."
    } >&2
    exit 1
  fi
  echo "apt: fetching $pkg $version ($suite)"
  (cd "$srcd" && APT_CONFIG=$apt_conf apt-get -q source --download-only "$pkg=$version") \
    >"$logd/fetch-$pkg.log" 2>&1 || {
    tail -n 20 "$logd/fetch-$pkg.log" >&2
    die "apt-get source $pkg=$version failed (log: $logd/fetch-$pkg.log)"
  }
  [ -f "$dsc" ] || die "apt-get source $pkg=$version gave no $dsc"
  touch "$dsc.fetched"
}

# ---------------------------------------------------------------- builds --

# run_logged NAME CMD...: CMD's output goes to log/NAME.log; on failure the
# tail of the log is printed and the script stops.
run_logged() {
  local name=$1
  shift
  echo "+ [$(date +%T)] $*" >>"$logd/$name.log"
  "$@" >>"$logd/$name.log" 2>&1 || {
    echo "build-deps: $name failed: $*" >&2
    echo "---- last lines of $logd/$name.log ----" >&2
    tail -n 40 "$logd/$name.log" >&2
    exit 1
  }
}

# unpack UNIT PACKAGE: a fresh tree build/UNIT from the fetched package, with
# Debian's patches applied (dpkg-source -x), and cd into it.
unpack() {
  local unit=$1 pkg=$2 version dsc
  version=$(pkg_version "$pkg")
  dsc=$(dsc_of "$pkg" "$version")
  rm -rf "${buildd:?}/$unit"
  # The .dsc signatures are the uploaders'; apt has already checked every file
  # against the signed Sources index, so gpgv's "no public key" is expected.
  run_logged "$unit" dpkg-source -x "$dsc" "$buildd/$unit"
  # dpkg-source also copies the upstream tarball beside the tree; src/ has it.
  find "$buildd" -maxdepth 1 -type f -name "${pkg}_*.orig.tar.*" -delete
  cd "$buildd/$unit"
}

# A Debian patch to configure.ac or Makefile.am (cross pkg-config lookup,
# packaging options) is left for autoreconf in Debian's own build. The
# shipped configure is used here, so the patched inputs get back the time of
# the oldest file generated from them, and make never reruns autotools.
keep_shipped_configure() {
  [ -f configure ] || return 0
  local oldest
  oldest=$(find . \( -path ./configure -o -path ./aclocal.m4 -o -name Makefile.in \) \
    -printf '%T@ %p\n' | sort -n | head -n 1 | cut -d' ' -f2-)
  find . \( -name configure.ac -o -name Makefile.am -o -name '*.m4' \) -newer "$oldest" \
    -exec touch -r "$oldest" {} +
}

# The cross environment, for a subshell: compilers, -O2, pkg-config reading
# only prefix/lib/pkgconfig. No -I/-L of the prefix here: a library finds the
# ones it depends on through its configure option (--with-zlib=...), and the
# prefix never shadows the headers of the library being built.
cross_env() {
  export CC=$TRIPLE-gcc CXX=$TRIPLE-g++ AR=$TRIPLE-ar RANLIB=$TRIPLE-ranlib
  export NM=$TRIPLE-nm STRIP=$TRIPLE-strip WINDRES=$TRIPLE-windres RC=$TRIPLE-windres
  export CFLAGS="-O2 -D_WIN32_WINNT=$WIN32_WINNT -ffile-prefix-map=$buildd/=" CXXFLAGS=''
  export CPPFLAGS='' LDFLAGS=''
  export PKG_CONFIG=pkg-config PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig PKG_CONFIG_PATH=''
  export PKG_CONFIG_SYSROOT_DIR=
}

cross_configure() {
  run_logged "$unit" ./configure --host=$TRIPLE --build=$BUILD_TRIPLE --prefix="$prefix" \
    --disable-shared --enable-static "$@"
}

# Installs go to a staging tree (DESTDIR): the fix-ups below edit $dest,
# the unit's install root inside it, and the driver then copies the result
# into place, keeping the list of files so a rebuild removes them first.
make_install() {
  run_logged "$unit" make -j"$jobs" "$@"
  run_logged "$unit" make install DESTDIR="$stage" "$@"
}

cmake_cross() {
  run_logged "$unit" cmake -S . -B _build -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64.cmake" \
    -DEXH_WIN_DEPS="$deps" -DEXH_WIN_EMULATOR= -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG -D_WIN32_WINNT=$WIN32_WINNT -ffile-prefix-map=$buildd/=" \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib "$@"
  run_logged "$unit" cmake --build _build -j"$jobs"
  DESTDIR=$stage run_logged "$unit" cmake --install _build
}

# The .pc files serve static links: add to Libs.private each flag a static
# link needs that the file does not list yet (creating the field if absent).
pc_add_private() {
  local pc=$dest/lib/pkgconfig/$1.pc flag
  shift
  grep -q '^Libs.private:' "$pc" || echo "Libs.private:" >>"$pc"
  for flag in "$@"; do
    grep -Eq "^Libs(\.private)?:(.* )?$flag( |\$)" "$pc" ||
      sed -i "s|^Libs.private:.*|& $flag|" "$pc"
  done
  sed -i '/^Libs/ { s|: *|: |; s| \{2,\}| |g; s| *$|| }' "$pc"
}

build_zlib() {
  unpack zlib zlib
  (
    cross_env
    # zlib's own configure (Debian's dfsg tarball drops win32/Makefile.gcc):
    # CHOST selects the mingw branch, --static skips zlib1.dll.
    export CHOST=$TRIPLE
    run_logged zlib ./configure --static --prefix="$prefix"
    make_install
  )
}

build_jansson() {
  unpack jansson jansson
  (
    # No configure in the tarball; Debian autoreconfs. jansson's CMake build
    # is upstream's Windows route, and exercises tools/win/mingw-w64.cmake.
    cmake_cross -DJANSSON_BUILD_SHARED_LIBS=OFF -DJANSSON_BUILD_DOCS=OFF \
      -DJANSSON_EXAMPLES=OFF -DJANSSON_WITHOUT_TESTS=ON -DUSE_URANDOM=OFF \
      -DUSE_WINDOWS_CRYPTOAPI=ON
  )
  # The hash seed comes from CryptGenRandom (advapi32).
  pc_add_private jansson -ladvapi32
}

# libyal's configure: the Windows API for files and threads (no pthreads; it
# also turns on the wide-character type, in both libraries alike), no
# gettext/iconv, no Python.
libyal_configure() {
  keep_shipped_configure
  cross_configure --enable-winapi=yes --enable-multi-threading-support \
    --disable-nls --disable-rpath \
    --without-libiconv-prefix --without-libintl-prefix --disable-python "$@"
}

# libyal_make_install LIB: builds the subdirectories LIB is made of (the
# SUBDIRS of Makefile.am up to LIB itself: headers, bundled helpers), not the
# tools, tests and translations after it (libevtx's evtxtools need three more
# helper libraries: a third of the build), and installs LIB and its headers.
libyal_make_install() {
  local lib=$1 dirs d
  dirs=$(sed -n '/^SUBDIRS = /,/[^\\]$/p' Makefile.am | tr -d '\134' | tr -s ' \t\n' ' ' |
    sed 's/^SUBDIRS = //')
  for d in $dirs; do
    run_logged "$unit" make -j"$jobs" -C "$d"
    [ "$d" != "$lib" ] || break
  done
  [ "$d" = "$lib" ] || die "$lib: no $lib in the SUBDIRS of Makefile.am"
  run_logged "$unit" make -C include install DESTDIR="$stage"
  run_logged "$unit" make -C "$lib" install DESTDIR="$stage"
  run_logged "$unit" make install-pkgconfigDATA DESTDIR="$stage"
}

build_libbfio() {
  unpack libbfio libbfio
  (
    cross_env
    libyal_configure
    libyal_make_install libbfio
  )
  privatize_helpers libbfio
}

build_libevtx() {
  unpack libevtx libevtx
  (
    cross_env
    # libevtx on the libbfio installed above, not its bundled copy: exhunt
    # passes its own libbfio handle into libevtx, so both must be one library.
    libyal_configure --with-libbfio="$prefix"
    grep -q '^#define HAVE_LIBBFIO 1' common/config.h ||
      die "libevtx did not pick up the external libbfio (see $logd/libevtx.log)"
    libyal_make_install libevtx
  )
  privatize_helpers libevtx
  pc_add_private libevtx -lbfio
  # features.h hides the libbfio API (libevtx_file_open_file_io_handle...)
  # whenever WINAPI is defined, i.e. after any <windows.h>, unless the user
  # defines HAVE_LIBBFIO: that clause is for MSVC builds without libbfio.
  # This libevtx has it, always.
  local features=$dest/include/libevtx/features.h
  sed -i 's|^#if defined( HAVE_LIBBFIO ) .*|#if 1 /* built with libbfio (tools/win/build-deps.sh) */|' "$features"
  grep -q '^#if 1 /\* built with libbfio' "$features" ||
    die "libevtx: could not make LIBEVTX_HAVE_BFIO unconditional in $features"
}

# privatize_helpers LIB: libyal ships each library with private copies of its
# helper libraries (libcerror, libcdata, libcthreads, libuna...), compiled in
# with external linkage. libbfio 20170123 and libevtx 20181227 bundle
# different versions of the same helpers (1114 symbols in common). Linked as
# they are, nothing fails: the linker silently takes some helper objects from
# one archive and some from the other, each calling into the other's
# version, as link order decides. So each archive gets its helpers' names
# prefixed with its own (libcdata_array_free -> libbfio__libcdata_array_free),
# references included: every library keeps its own copy, as a shared library
# with hidden helpers would. Only the public LIB_* API keeps its name. The one
# helper object that crosses the boundary, libcerror's error, has the same
# layout in both versions (checked for the pinned pair).
privatize_helpers() {
  local lib=$1 a=$dest/lib/$1.a work=$buildd/$1/privatize
  mkdir -p "$work"
  # Every global symbol the archive defines, except its own API.
  "$TRIPLE-nm" -g --defined-only "$a" 2>/dev/null |
    awk -v lib="$lib" 'NF == 3 && $3 !~ "^" lib "_" && $3 !~ /^[._]/ { print $3 }' |
    sort -u >"$work/helpers"
  [ -s "$work/helpers" ] || die "privatize $lib: no helper symbols found in $a"
  # mingw reaches global data through .refptr.NAME cells, each in a COMDAT
  # section .rdata$.refptr.NAME that the linker merges by name across the
  # whole link: the cell, its section and the section's symbol are renamed
  # with their target, or libevtx's cells would be merged into libbfio's.
  awk -v lib="$lib" '{
      print $1 " " lib "__" $1
      print ".refptr." $1 " .refptr." lib "__" $1
      print ".rdata$.refptr." $1 " .rdata$.refptr." lib "__" $1
    }' "$work/helpers" >"$work/symbols.map"
  "$TRIPLE-objdump" -h "$a" 2>/dev/null | awk '$2 ~ /^\.rdata\$\.refptr\./ { print $2 }' |
    sort -u | awk -v lib="$lib" 'NR == FNR { helper[$1] = 1; next }
      { name = substr($1, 16); if (name in helper)
          print "--rename-section " $1 "=.rdata$.refptr." lib "__" name }' \
      "$work/helpers" - >"$work/sections.args"
  run_logged "$lib" "$TRIPLE-objcopy" --redefine-syms="$work/symbols.map" @"$work/sections.args" "$a"
  # Proof: no helper is still defined or referenced under its own name, and
  # no COMDAT cell section kept a helper's name.
  local left
  left=$({
    "$TRIPLE-nm" -g "$a" 2>/dev/null | awk 'NF >= 2 { print $NF }' | sed 's/^\.refptr\.//'
    "$TRIPLE-objdump" -h "$a" 2>/dev/null | awk '$2 ~ /^\.rdata\$\.refptr\./ { print substr($2, 16) }'
  } | sort -u | comm -12 - "$work/helpers" | head -n 5)
  [ -z "$left" ] || die "privatize $lib: helpers still under their own name: $left"
}

# The modules left out or changed by the flags below are listed in
# docs/windows-deps.md; the embedded rules only import "math".
readonly YARA_FLAGS=(--without-crypto --enable-macho --enable-dex --disable-cuckoo --disable-magic)

build_yara() {
  unpack yara yara
  (
    cross_env
    run_logged yara autoreconf -fi
    # --without-crypto: no OpenSSL. On mingw, yara then provides the "hash"
    # module through the Windows CryptoAPI (advapi32); only the Authenticode
    # part of "pe" (pe.signatures) is lost.
    cross_configure "${YARA_FLAGS[@]}"
    grep -q 'HAVE_WINCRYPT_H 1' config.log ||
      die "yara did not find wincrypt.h: the hash module would be missing"
    make_install
  )
  pc_add_private yara -ladvapi32
}

build_curl() {
  unpack curl curl
  # Debian builds the OpenSSL flavour with its last two patches (GnuTLS and
  # NSS renames) popped again; so do we.
  local p
  for p in 99_nss.patch 90_gnutls.patch; do
    run_logged curl patch -R -p1 -i "debian/patches/$p"
  done
  (
    cross_env
    keep_shipped_configure
    # Schannel for TLS, Win32 threads for the resolver (no pthreads), zlib
    # from the prefix, HTTP(S) only, and none of the optional libraries.
    cross_configure --with-schannel --without-openssl --without-gnutls --without-mbedtls \
      --without-wolfssl --without-bearssl --without-rustls --without-nss \
      --with-zlib="$prefix" --without-brotli --without-zstd --without-libpsl \
      --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3 \
      --without-libidn2 --without-winidn --without-librtmp --without-libssh2 \
      --without-libssh --without-wolfssh --without-libgsasl --without-hyper \
      --without-ca-bundle --without-ca-path --disable-ldap --disable-ldaps \
      --enable-threaded-resolver --disable-pthreads --enable-sspi --enable-ipv6 \
      --disable-ftp --disable-file --disable-dict --disable-gopher --disable-imap \
      --disable-mqtt --disable-pop3 --disable-rtsp --disable-smb --disable-smtp \
      --disable-telnet --disable-tftp --disable-manual
    make_install -C lib
    make_install -C include
    run_logged curl make install-pkgconfigDATA install-binSCRIPTS DESTDIR="$stage"
  )
  pc_add_private libcurl -lws2_32 -lcrypt32 -ladvapi32
  grep -q -- '-DCURL_STATICLIB' "$dest/lib/pkgconfig/libcurl.pc" ||
    sed -i 's|^Cflags:.*|& -DCURL_STATICLIB|' "$dest/lib/pkgconfig/libcurl.pc"
}

build_cmocka() {
  unpack cmocka cmocka
  (
    # mingw-w64's C99 printf (as exhunt uses: %zu, %lld...) behind cmocka's
    # print_message and assertion messages, not msvcrt's.
    cmake_cross -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF \
      -DBUILD_SHARED_LIBS=OFF -DCMAKE_C_FLAGS=-D__USE_MINGW_ANSI_STDIO=1
  )
  # ...and its header says so: GCC's "printf" format on mingw means msvcrt's
  # (no %zu); "gnu_printf" is the C99 one this cmocka now prints with.
  local header=$dest/include/cmocka.h
  sed -i 's|__attribute__ ((__format__ (__printf__, a, b)))|__attribute__ ((__format__ (__gnu_printf__, a, b)))|' \
    "$header"
  grep -q '__gnu_printf__, a, b' "$header" ||
    die "cmocka: could not set the gnu_printf format attribute in $header"
  # cmocka 1.1.5 builds the DLL regardless; the static library is
  # libcmocka-static.a. Keep only that one, under the plain name, so -lcmocka
  # (cmocka.pc) and the CMake package can never pick the DLL.
  local lib=$dest/lib
  [ -f "$lib/libcmocka-static.a" ] || die "cmocka: no libcmocka-static.a installed"
  mv -f "$lib/libcmocka-static.a" "$lib/libcmocka.a"
  rm -f "$lib/libcmocka.dll.a" "$dest/bin/cmocka.dll"
  sed -i 's|/lib/cmocka\.dll\.a)|/lib/libcmocka.a)|' "$lib/cmake/cmocka/cmocka-config.cmake"
  grep -q 'libcmocka\.a)' "$lib/cmake/cmocka/cmocka-config.cmake" ||
    die "cmocka: could not point cmocka-config.cmake at libcmocka.a"
}

build_yara_host() {
  unpack yara-host yara
  (
    export CFLAGS="-O2 -ffile-prefix-map=$buildd/="
    unset PKG_CONFIG_LIBDIR PKG_CONFIG_PATH
    run_logged yara-host autoreconf -fi
    # The same modules as the Windows libyara, so the compiler of the
    # embedded pack accepts exactly what exhunt.exe can run.
    run_logged yara-host ./configure --prefix="$hostp" --disable-shared --enable-static \
      "${YARA_FLAGS[@]}"
    make_install
  )
}

build_exh_rulec() {
  mkdir -p "$dest/bin"
  cd "$repo"
  run_logged exh-rulec gcc -O2 -std=c11 -Wall -Wextra -Ilib -I"$hostp/include" \
    tools/exh-rulec.c "$hostp/lib/libyara.a" -lm -lpthread -o "$dest/bin/exh-rulec"
}

# ---------------------------------------------------------------- driver --

# unit: package, units whose stamps it depends on, repo files it is built from.
units=(zlib jansson libbfio libevtx yara curl cmocka yara-host exh-rulec)
declare -A unit_pkg=([zlib]=zlib [jansson]=jansson [libbfio]=libbfio [libevtx]=libevtx
  [yara]=yara [curl]=curl [cmocka]=cmocka [yara-host]=yara [exh-rulec]=yara)
declare -A unit_deps=([libevtx]=libbfio [curl]=zlib [exh-rulec]=yara-host)
declare -A unit_inputs=([exh-rulec]="tools/exh-rulec.c lib/rules/externals.h")
declare -A unit_time=()

stamp_of() {
  local unit=$1 d f
  echo "lock: $(lock_line "${unit_pkg[$unit]}")"
  echo "recipe: $recipe_hash"
  for d in ${unit_deps[$unit]:-}; do
    echo "on $d: $(sha256sum <"$stampd/$d.stamp" | cut -c1-16)"
  done
  for f in ${unit_inputs[$unit]:-}; do
    echo "input $f: $(sha256sum <"$repo/$f" | cut -c1-16)"
  done
}

# uninstall UNIT: remove the files its last build put in place.
uninstall() {
  local list=$stampd/$1.files f
  [ -f "$list" ] || return 0
  while IFS= read -r f; do rm -f "$deps/$f"; done <"$list"
  rm -f "$list"
}

# commit UNIT: copy its staged install into place, listing what it copied.
# libtool archives are dropped: absolute paths, only useful to shared links.
commit() {
  local unit=$1
  [ -d "$dest" ] || die "$unit installed nothing under $dest"
  find "$dest" -name '*.la' -delete
  mkdir -p "$root"
  (cd "$dest" && find . ! -type d | sed "s|^\./|${root#"$deps"/}/|" | LC_ALL=C sort) \
    >"$stampd/$unit.files"
  cp -a "$dest/." "$root/"
  rm -rf "$stage"
}

start=$SECONDS
built=0
for unit in "${units[@]}"; do
  want=$(stamp_of "$unit")
  if [ -f "$stampd/$unit.stamp" ] && [ "$(cat "$stampd/$unit.stamp")" = "$want" ]; then
    echo "cached  $unit ($(lock_line "${unit_pkg[$unit]}" | cut -d' ' -f2-))"
    continue
  fi
  rm -f "$stampd/$unit.stamp"
  uninstall "$unit"
  : >"$logd/$unit.log"
  if [ "$unit" != exh-rulec ]; then
    fetch "${unit_pkg[$unit]}"
    # fetch may have taken a newer Debian revision: the stamp names it.
    want=$(stamp_of "$unit")
  fi
  echo "build   $unit ($(lock_line "${unit_pkg[$unit]}" | cut -d' ' -f2-))"
  t0=$SECONDS
  case $unit in yara-host | exh-rulec) root=$hostp ;; *) root=$prefix ;; esac
  stage=$buildd/$unit.stage
  dest=$stage$root
  rm -rf "$stage"
  (
    fn=build_${unit//-/_}
    "$fn"
  )
  commit "$unit"
  unit_time[$unit]=$((SECONDS - t0))
  echo "$want" >"$stampd/$unit.stamp"
  built=$((built + 1))
done

echo
echo "exhunt Windows dependencies in $deps ($built built, $((${#units[@]} - built)) cached, $((SECONDS - start)) s)"
printf '  %-10s %-9s %-20s %10s  %s\n' unit suite version size file
for unit in "${units[@]}"; do
  pkg=${unit_pkg[$unit]}
  case $unit in
  zlib) file=$prefix/lib/libz.a ;;
  yara-host) file=$hostp/lib/libyara.a ;;
  exh-rulec) file=$hostp/bin/exh-rulec ;;
  curl) file=$prefix/lib/libcurl.a ;;
  *) file=$prefix/lib/lib${unit#lib}.a ;;
  esac
  size=$(stat -c %s "$file" 2>/dev/null || echo '?')
  t=${unit_time[$unit]:-}
  printf '  %-10s %-9s %-20s %10s  %s%s\n' "$unit" "$(lock_field "$pkg" 2)" \
    "$(pkg_version "$pkg")" "$size" "${file#"$deps"/}" "${t:+  (${t} s)}"
done
