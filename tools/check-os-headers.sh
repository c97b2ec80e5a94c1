#!/usr/bin/env bash
# check-os-headers.sh - lib/ reaches the operating system only through its
# platform seam, lib/platform/ (lib/platform/README.md, docs/porting.md).
#
# Outside lib/platform/, a file in lib/ may include:
#   - C standard headers (C11), less the ones that are the OS in disguise
#     (<signal.h>, <threads.h>: signals are the CLI's, threads the seam's);
#   - compiler intrinsics (<immintrin.h>, <emmintrin.h>: the same on every OS);
#   - <strings.h>, the one POSIX header kept: strcasecmp and strncasecmp,
#     which mingw-w64 ships too;
#   - the third-party libraries' headers (YARA, zlib, Hyperscan,
#     libevtx/libbfio, libcurl, jansson);
#   - the project's own headers ("..."), but never a per-OS implementation
#     header of the seam ("platform/posix/...", "platform/win32/...").
# This is an allow-list: any other <header> fails, so a new OS dependency is
# added to the seam (for every platform), not to an engine.
#
# A few POSIX functions are declared by standard headers (realpath and
# mkstemp by <stdlib.h>, gmtime_r and clock_gettime by <time.h>, fileno by
# <stdio.h>...); they are refused by name outside the seam as well, as are
# the POSIX-only limits PATH_MAX and NAME_MAX (the seam has EXH_PATH_MAX),
# and the GNU string searches with their _GNU_SOURCE (platform/strext.h).
#
# Usage: tools/check-os-headers.sh [ROOT]   ROOT is the tree holding lib/
#                                           (default: this repository)
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
[ -d "$root/lib" ] || { echo "check-os-headers: no lib/ under $root" >&2; exit 2; }

allowed_header() {
  case $1 in
    assert.h | ctype.h | errno.h | float.h | inttypes.h | limits.h | math.h | stdalign.h | \
      stdarg.h | stdatomic.h | stdbool.h | stddef.h | stdint.h | stdio.h | stdlib.h | \
      string.h | time.h) return 0 ;;
    immintrin.h | emmintrin.h) return 0 ;;
    strings.h) return 0 ;;
    yara.h | yara/*.h | zlib.h | hs.h | hs/*.h | libevtx.h | libbfio.h | \
      curl/*.h | jansson.h) return 0 ;;
  esac
  return 1
}

status=0
bad=""
while IFS= read -r -d '' f; do
  rel=${f#"$root"/}
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    case $line in
      *'#'*include*) ;;
      *) continue ;;
    esac
    if [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<([^>]+)\> ]]; then
      h=${BASH_REMATCH[1]}
      allowed_header "$h" || bad+="$rel:$n: <$h> is an OS header: go through lib/platform/"$'\n'
    elif [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"platform/([^/\"]+)/ ]]; then
      bad+="$rel:$n: a per-OS header of the seam (platform/${BASH_REMATCH[1]}/): include platform/*.h"$'\n'
    fi
  done <"$f"
done < <(find "$root/lib" -path "$root/lib/platform" -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)

# POSIX calls and limits declared by standard headers, outside comments
# (a "realpath" in a comment is prose, not a call).
posix_names='_GNU_SOURCE|memmem|memrchr|strcasestr|strchrnul|realpath|mkstemp|mkostemp|mkdtemp|fdopen|fileno|popen|pclose|setenv|unsetenv|clock_gettime|nanosleep|gmtime_r|localtime_r|timegm|getline|PATH_MAX|NAME_MAX'
hits=$(find "$root/lib" -path "$root/lib/platform" -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print0 |
  sort -z | xargs -0 perl -ne '
    BEGIN { $re = qr/\b(?:'"$posix_names"')\b/ }
    my $l = $_;
    $l =~ s{/\*.*?\*/}{}g; $l =~ s{//.*}{}; $l =~ s{/\*.*}{};
    print "$ARGV:$.: $1 is POSIX: go through lib/platform/\n"
      if $l !~ m{^\s*\*} && $l =~ /($re)/;
    close ARGV if eof;' | sed "s|^$root/||")
[ -n "$hits" ] && bad+="$hits"$'\n'

if [ -n "$bad" ]; then
  echo "OS dependencies in lib/ outside lib/platform/:"
  printf '%s' "$bad"
  status=1
else
  echo "os-header check: clean (lib/ outside lib/platform/ includes only allowed headers)"
fi
exit $status
