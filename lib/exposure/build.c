/*
 * build.c - Exchange build numbers: parsing the ways people and logs write
 * them, formatting, ordering.
 *
 * Forms seen in the field: "15.1.2176.4" (HealthChecker, X-OWA-Version),
 * "15.01.2176.004" (the #Version header of Exchange logs), "Version 15.1
 * (Build 2176.4)" (AdminDisplayVersion), "15.1.2176" (/owa/auth/ paths).
 * Leading zeros are insignificant in every part.
 */
#include <stdio.h>
#include <string.h>

#include "core/ascii.h"

#include "exhunt/exhunt.h"

/* A decimal part of at most 5 digits and at most 65535. */
static bool take_part(const char **p, const char *end, uint16_t *out)
{
  const char *s = *p;
  unsigned long v = 0;
  size_t digits = 0;
  while (s < end && *s >= '0' && *s <= '9') {
    if (++digits > 5)
      return false;
    v = v * 10 + (unsigned long)(*s - '0');
    s++;
  }
  if (digits == 0 || v > 65535)
    return false;
  *out = (uint16_t)v;
  *p = s;
  return true;
}

static bool take_lit(const char **p, const char *end, const char *lit)
{
  size_t n = strlen(lit);
  if ((size_t)(end - *p) < n || strncasecmp(*p, lit, n) != 0)
    return false;
  *p += n;
  return true;
}

static void skip_space(const char **p, const char *end)
{
  while (*p < end && exh_is_space(**p))
    (*p)++;
}

/* The optional ".d" after a build number: sets b->revision and
 * b->has_revision. False only for a dot without a valid part after it. */
static bool take_revision(const char **p, const char *end, exhunt_build *b)
{
  b->revision = 0;
  b->has_revision = *p < end && **p == '.';
  if (!b->has_revision)
    return true;
  (*p)++;
  return take_part(p, end, &b->revision);
}

/* "a.b.c[.d]" */
static bool parse_dotted(const char *p, const char *end, exhunt_build *b)
{
  return take_part(&p, end, &b->major) && take_lit(&p, end, ".") && take_part(&p, end, &b->minor) &&
         take_lit(&p, end, ".") && take_part(&p, end, &b->build) && take_revision(&p, end, b) &&
         p == end;
}

/* "Version a.b (Build c.d)" */
static bool parse_version_words(const char *p, const char *end, exhunt_build *b)
{
  if (!take_lit(&p, end, "Version"))
    return false;
  skip_space(&p, end);
  if (!take_part(&p, end, &b->major) || !take_lit(&p, end, ".") || !take_part(&p, end, &b->minor))
    return false;
  skip_space(&p, end);
  if (!take_lit(&p, end, "("))
    return false;
  skip_space(&p, end);
  if (!take_lit(&p, end, "Build"))
    return false;
  skip_space(&p, end);
  if (!take_part(&p, end, &b->build) || !take_revision(&p, end, b))
    return false;
  skip_space(&p, end);
  return take_lit(&p, end, ")") && p == end;
}

exhunt_err exhunt_build_parse(const char *text, size_t len, exhunt_build *out)
{
  if (!text || !out)
    return EXHUNT_EINVAL;
  const char *p = text, *end = text + len;
  skip_space(&p, end);
  while (end > p && exh_is_space(end[-1]))
    end--;
  exhunt_build b;
  memset(&b, 0, sizeof b);
  if (!parse_dotted(p, end, &b) && !parse_version_words(p, end, &b))
    return EXHUNT_EINVAL;
  *out = b;
  return EXHUNT_OK;
}

void exhunt_build_format(const exhunt_build *b, char out[EXHUNT_BUILD_STRLEN])
{
  if (b->has_revision)
    snprintf(out, EXHUNT_BUILD_STRLEN, "%u.%u.%u.%u", b->major, b->minor, b->build, b->revision);
  else
    snprintf(out, EXHUNT_BUILD_STRLEN, "%u.%u.%u", b->major, b->minor, b->build);
}

int exhunt_build_compare(const exhunt_build *a, const exhunt_build *b)
{
  uint64_t ka = ((uint64_t)a->major << 48) | ((uint64_t)a->minor << 32) |
                ((uint64_t)a->build << 16) | (a->has_revision ? a->revision : 0);
  uint64_t kb = ((uint64_t)b->major << 48) | ((uint64_t)b->minor << 32) |
                ((uint64_t)b->build << 16) | (b->has_revision ? b->revision : 0);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
