/*
 * fingerprint.c - the pure build extractors of exhunt probe; see probe.h.
 *
 * Every input here came from a remote server and is attacker-controlled: the
 * spans are not NUL-terminated, nothing is read at or past `len`, nothing is
 * allocated, and each search is a bounded forward scan (quadratic at worst in
 * the length of a fixed needle, never in the input).
 *
 * A build is 3 or 4 dot-separated decimal parts, each at most 65535 (the
 * Windows version fields are 16-bit); anything else (5 parts, an empty part,
 * 99999, a sign, a letter) is a near miss and rejected, never truncated into
 * a plausible build. Leading zeros are accepted and normalised away.
 */
#include <stdio.h>
#include <string.h>

#include "core/ascii.h"

#include "probe/probe.h"

typedef struct build {
  unsigned part[4];
  unsigned n; /* 3 or 4 */
} build;

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Case-insensitive: does s[0..len) start with the lowercase needle? */
static bool has_prefix_ci(const char *s, size_t len, const char *needle)
{
  size_t n = strlen(needle);
  if (len < n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (exh_lower(s[i]) != needle[i])
      return false;
  return true;
}

/*
 * Parses the longest run of digits and dots at s[0..len) as a build. Returns
 * the bytes consumed, or 0 when the run is not a valid build. The caller
 * decides what may follow the run.
 */
static size_t parse_build(const char *s, size_t len, build *b)
{
  size_t i = 0;
  b->n = 0;
  for (;;) {
    size_t start = i;
    unsigned long v = 0;
    while (i < len && is_digit(s[i])) {
      v = v * 10 + (unsigned long)(s[i] - '0');
      if (v > 65535)
        return 0;
      i++;
    }
    if (i == start || b->n == 4)
      return 0; /* empty part, or a fifth one */
    b->part[b->n++] = (unsigned)v;
    if (i < len && s[i] == '.') {
      i++;
      continue;
    }
    break;
  }
  return b->n >= 3 ? i : 0;
}

static bool format_build(const build *b, char *out, size_t out_size)
{
  if (!out || out_size == 0)
    return false;
  int n = b->n == 4 ? snprintf(out, out_size, "%u.%u.%u.%u", b->part[0], b->part[1], b->part[2],
                               b->part[3])
                    : snprintf(out, out_size, "%u.%u.%u", b->part[0], b->part[1], b->part[2]);
  if (n < 0 || (size_t)n >= out_size) {
    out[0] = '\0';
    return false;
  }
  return true;
}

/* Orders builds part by part; a missing fourth part sorts below any value,
 * so 15.2.1118.7 is higher than 15.2.1118. */
static int build_cmp(const build *a, const build *b)
{
  for (unsigned i = 0; i < 4; i++) {
    long x = i < a->n ? (long)a->part[i] : -1;
    long y = i < b->n ? (long)b->part[i] : -1;
    if (x != y)
      return x < y ? -1 : 1;
  }
  return 0;
}

bool exh_probe_build_from_header(const char *value, size_t len, char *out, size_t out_size)
{
  if (!value)
    return false;
  while (len > 0 && exh_is_space(value[0])) {
    value++;
    len--;
  }
  while (len > 0 && exh_is_space(value[len - 1]))
    len--;
  build b;
  if (len == 0 || parse_build(value, len, &b) != len)
    return false;
  return format_build(&b, out, out_size);
}

/*
 * Logon page: every "/owa/" (any case), optionally followed by "auth/", then
 * a build, then '/'. The highest build wins: a page can name an older build
 * in a stale link next to the current one, and the current is never lower.
 */
bool exh_probe_build_from_logon(const char *body, size_t len, char *out, size_t out_size)
{
  static const char owa[] = "/owa/";
  static const char auth[] = "auth/";
  if (!body)
    return false;
  build best = {{0}, 0};
  for (size_t i = 0; i + sizeof owa - 1 <= len; i++) {
    if (body[i] != '/' || !has_prefix_ci(body + i, len - i, owa))
      continue;
    size_t p = i + sizeof owa - 1;
    if (has_prefix_ci(body + p, len - p, auth))
      p += sizeof auth - 1;
    build b;
    size_t used = parse_build(body + p, len - p, &b);
    if (used == 0 || p + used >= len || body[p + used] != '/')
      continue;
    if (best.n == 0 || build_cmp(&b, &best) > 0)
      best = b;
  }
  return best.n != 0 && format_build(&best, out, out_size);
}

static bool is_name_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' ||
         c == '.' || c == ':';
}

/*
 * Is body[at..) "assemblyIdentity" the name of a start tag: "<assemblyIdentity"
 * or "<prefix:assemblyIdentity" (ClickOnce manifests mix asmv1:/asmv2:
 * prefixes), followed by a space, '/' or '>'?
 */
static bool is_tag_name(const char *body, size_t len, size_t at, size_t name_len)
{
  size_t end = at + name_len;
  if (end >= len || !(exh_is_space(body[end]) || body[end] == '/' || body[end] == '>'))
    return false;
  if (at == 0)
    return false;
  if (body[at - 1] == '<')
    return true;
  if (body[at - 1] != ':')
    return false;
  size_t j = at - 1;
  while (j > 0 && is_name_char(body[j - 1]) && body[j - 1] != ':')
    j--;
  return j > 0 && j < at - 1 && body[j - 1] == '<';
}

/*
 * Reads the attributes of the tag whose name ends at body[p] up to its '>'
 * and parses the value of `version`. Returns true with *b set when the tag
 * has a valid version attribute.
 */
static bool tag_version(const char *body, size_t len, size_t p, build *b)
{
  static const char version[] = "version";
  for (;;) {
    while (p < len && (exh_is_space(body[p]) || body[p] == '/'))
      p++;
    if (p >= len || body[p] == '>')
      return false;
    size_t name = p;
    while (p < len && is_name_char(body[p]))
      p++;
    size_t name_len = p - name;
    if (name_len == 0)
      return false; /* not an attribute: not the tag we are looking for */
    while (p < len && exh_is_space(body[p]))
      p++;
    if (p >= len || body[p] != '=')
      return false;
    p++;
    while (p < len && exh_is_space(body[p]))
      p++;
    if (p >= len || (body[p] != '"' && body[p] != '\''))
      return false;
    char quote = body[p++];
    size_t value = p;
    while (p < len && body[p] != quote)
      p++;
    if (p >= len)
      return false; /* truncated inside the value */
    size_t value_len = p - value;
    p++;
    if (name_len == sizeof version - 1 && memcmp(body + name, version, name_len) == 0)
      return value_len > 0 && parse_build(body + value, value_len, b) == value_len;
  }
}

/*
 * exporttool .application manifest: the version attribute of the first
 * assemblyIdentity element that has a valid one. The deployment's own identity
 * comes first; the dependent assembly after it carries the same build.
 */
bool exh_probe_build_from_exporttool(const char *body, size_t len, char *out, size_t out_size)
{
  static const char tag[] = "assemblyidentity";
  const size_t tag_len = sizeof tag - 1;
  if (!body)
    return false;
  for (size_t i = 0; i + tag_len <= len; i++) {
    if (exh_lower(body[i]) != 'a' || !has_prefix_ci(body + i, len - i, tag) ||
        !is_tag_name(body, len, i, tag_len))
      continue;
    build b;
    if (tag_version(body, len, i + tag_len, &b))
      return format_build(&b, out, out_size);
  }
  return false;
}
