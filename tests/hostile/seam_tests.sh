#!/usr/bin/env bash
# seam_tests.sh - the platform seam holds: tools/check-os-headers.sh (run by
# `make check`) passes on lib/ as it is, and fails, naming file and line, on
# a copy of lib/ into which an OS dependency was slipped the ways an engine
# could slip one in: an OS header (<unistd.h>, a spaced "# include
# <sys/stat.h>"), a POSIX call that a standard header declares (realpath,
# gmtime_r), a GNU string search or _GNU_SOURCE (platform/strext.h has
# them), a per-OS header of the seam itself ("platform/posix/..."). A
# call named only in a comment, and an OS header inside lib/platform/, are
# no failure.
# Usage: seam_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin seam
T=$TMP
CHECK="$SRC/tools/check-os-headers.sh"

"$CHECK" "$SRC" >"$T/out" 2>&1 && ok "lib/ as it is: clean" || bad "lib/ as it is: $(head -5 "$T/out")"

# One copy of lib/ per injection, so each failure is its own.
inject() { # NAME FILE LINE_TO_APPEND -> runs the check on a copy, output in $T/NAME.out
  rm -rf "$T/$1"
  mkdir -p "$T/$1"
  cp -r "$SRC/lib" "$T/$1/"
  printf '%s\n' "$3" >>"$T/$1/lib/$2"
  "$CHECK" "$T/$1" >"$T/$1.out" 2>&1
}
expect_fail() { # NAME FILE LINE WHAT_THE_OUTPUT_NAMES
  inject "$1" "$2" "$3"
  rc=$?
  if [ $rc = 1 ] && grep -qF "lib/$2:" "$T/$1.out" && grep -qF -- "$4" "$T/$1.out"; then
    ok "$1: refused ($(grep -F "lib/$2:" "$T/$1.out" | head -1))"
  else
    bad "$1: rc=$rc (want 1 naming lib/$2 and $4): $(head -3 "$T/$1.out")"
  fi
}
expect_fail unistd walk/walk.c '#include <unistd.h>' '<unistd.h>'
expect_fail spaced core/time.h ' #  include <sys/stat.h>' '<sys/stat.h>'
expect_fail pthread core/pace.c '#include <pthread.h>' '<pthread.h>'
expect_fail realpath scan/scan.c 'static char *p(const char *x) { return realpath(x, 0); }' 'realpath'
expect_fail gmtime_r output/escape.c 'static void g(const time_t *t, struct tm *m) { gmtime_r(t, m); }' 'gmtime_r'
expect_fail gnu_source logs/lines.c '#define _GNU_SOURCE' '_GNU_SOURCE'
expect_fail memmem logs/tunnel.c 'static const void *m(const void *h, size_t n) { return memmem(h, n, "x", 1); }' 'memmem'
expect_fail per_os watch/watch.c '#include "platform/posix/notify_int.h"' 'platform/posix/'

inject comment scan/scan.c '/* realpath(3) and gmtime_r are only named here */'
[ $? = 0 ] && ok "a POSIX name in a comment is no failure" || bad "comment refused: $(head -3 "$T/comment.out")"
inject seam platform/posix/fs.c '#include <sys/mman.h>'
[ $? = 0 ] && ok "an OS header inside lib/platform/ is no failure" || bad "seam refused: $(head -3 "$T/seam.out")"

th_end seam
