/*
 * glob.c - wildcard matching with fnmatch(3); see platform/glob.h.
 */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include "platform/glob.h"

#include <fnmatch.h>

bool exh_glob_match(const char *pattern, const char *s, unsigned flags)
{
  return fnmatch(pattern, s, (flags & EXH_GLOB_CASEFOLD) ? FNM_CASEFOLD : 0) == 0;
}
