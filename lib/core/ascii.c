/*
 * ascii.c - locale-free ASCII search; see ascii.h.
 */
#include "core/ascii.h"

#include <string.h>

bool exh_contains_ci(const char *hay, size_t len, const char *needle)
{
  size_t n = strlen(needle);
  for (size_t i = 0; n <= len && i <= len - n; i++) {
    size_t j = 0;
    while (j < n && exh_lower(hay[i + j]) == exh_lower(needle[j]))
      j++;
    if (j == n)
      return true;
  }
  return false;
}

bool exh_contains_ci_str(const char *hay, const char *needle)
{
  return hay && exh_contains_ci(hay, strlen(hay), needle);
}
