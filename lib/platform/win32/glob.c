/*
 * glob.c - wildcard matching on Windows: the seam's own fnmatch
 * (glob_portable.c), which the unit tests hold to glibc's answers; see
 * platform/glob.h.
 */
#include "platform/glob.h"
#include "platform/portable.h"

bool exh_glob_match(const char *pattern, const char *s, unsigned flags)
{
  return exh_portable_glob_match(pattern, s, (flags & EXH_GLOB_CASEFOLD) != 0);
}
