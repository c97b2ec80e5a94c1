/*
 * ioc.c - IOC list parsing and lookup; see ioc.h.
 *
 * The parser is line-oriented and bounded: a line longer than
 * EXH_MAX_IOC_LINE is rejected with a note, a field that does not parse
 * rejects its line with a note, and nothing a line holds can make the
 * parser read past the span it was given.
 */
#include "ioc.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/codec.h"
#include "core/limits.h"
#include "core/notice.h"
#include "platform/glob.h"

static const struct {
  const char *name;
  exh_ioc_type type;
  size_t hash_len;
} ioc_types[] = {
    {"sha256", EXH_IOC_SHA256, 32},    {"sha1", EXH_IOC_SHA1, 20}, {"md5", EXH_IOC_MD5, 16},
    {"filename", EXH_IOC_FILENAME, 0}, {"path", EXH_IOC_PATH, 0},  {"path-ok", EXH_IOC_PATH_OK, 0},
};

static size_t hash_len_of(exh_ioc_type type)
{
  return type == EXH_IOC_SHA256 ? 32 : type == EXH_IOC_SHA1 ? 20 : type == EXH_IOC_MD5 ? 16 : 0;
}

void exh_iocs_init(exh_iocs *set)
{
  memset(set, 0, sizeof *set);
}

static void ioc_free_fields(exh_ioc *ioc)
{
  exh_free(ioc->value);
  exh_free(ioc->title);
  exh_free(ioc->source);
  exh_free(ioc->reference);
  exh_free(ioc->list);
}

void exh_iocs_free(exh_iocs *set)
{
  for (int t = 0; t < EXH_IOC_TYPE_COUNT; t++) {
    for (size_t i = 0; i < set->count[t]; i++)
      ioc_free_fields(&set->items[t][i]);
    exh_free(set->items[t]);
  }
  memset(set, 0, sizeof *set);
}

void exh_path_normalise(const char *path, char *out, size_t out_size)
{
  size_t i = 0;
  if (out_size == 0)
    return;
  for (; path[i] && i + 1 < out_size; i++) {
    char c = path[i];
    if (c == '\\')
      c = '/';
    else if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    out[i] = c;
  }
  out[i] = '\0';
}

/* Field copy: "-" and "" mean absent. */
static char *field_dup(const char *s, size_t len, bool *oom)
{
  if (len == 0 || (len == 1 && s[0] == '-'))
    return NULL;
  char *copy = exh_strndup(s, len);
  if (!copy)
    *oom = true;
  return copy;
}

static exhunt_err push_ioc(exh_iocs *set, exh_ioc *ioc)
{
  exh_ioc_type t = ioc->type;
  if (set->count[t] == set->cap[t]) {
    size_t cap = set->cap[t] ? set->cap[t] * 2 : 64;
    exh_ioc *items = exh_reallocarray(set->items[t], cap, sizeof *items);
    if (!items)
      return EXHUNT_ENOMEM;
    set->items[t] = items;
    set->cap[t] = cap;
  }
  set->items[t][set->count[t]++] = *ioc;
  return EXHUNT_OK;
}

enum { F_TYPE, F_VALUE, F_SEVERITY, F_TITLE, F_SOURCE, F_REFERENCE, F_COUNT };

/* Parses one line (without its newline). Returns ENOMEM, or OK with *why set
 * when the line was rejected. */
static exhunt_err parse_line(exh_iocs *set, const char *list, const char *line, size_t len,
                             const char **why)
{
  const char *field[F_COUNT] = {0};
  size_t flen[F_COUNT] = {0};
  size_t nf = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || line[i] == '\t') {
      if (nf < F_COUNT) {
        field[nf] = line + start;
        flen[nf] = i - start;
      }
      nf++;
      start = i + 1;
    }
  }
  if (nf < 2) {
    *why = "fewer than two tab-separated fields";
    return EXHUNT_OK;
  }
  exh_ioc ioc;
  memset(&ioc, 0, sizeof ioc);
  bool typed = false;
  for (size_t k = 0; k < sizeof ioc_types / sizeof ioc_types[0]; k++) {
    if (strlen(ioc_types[k].name) == flen[F_TYPE] &&
        strncmp(ioc_types[k].name, field[F_TYPE], flen[F_TYPE]) == 0) {
      ioc.type = ioc_types[k].type;
      typed = true;
    }
  }
  if (!typed) {
    *why = "unknown indicator type";
    return EXHUNT_OK;
  }
  ioc.severity = ioc.type == EXH_IOC_PATH_OK ? EXHUNT_SEV_INFO : EXHUNT_SEV_HIGH;
  if (nf > F_SEVERITY && flen[F_SEVERITY] > 0 && flen[F_SEVERITY] < 16 &&
      !(flen[F_SEVERITY] == 1 && field[F_SEVERITY][0] == '-')) {
    char sev[16];
    memcpy(sev, field[F_SEVERITY], flen[F_SEVERITY]);
    sev[flen[F_SEVERITY]] = '\0';
    if (exhunt_severity_parse(sev, &ioc.severity) != EXHUNT_OK) {
      *why = "unknown severity";
      return EXHUNT_OK;
    }
  }
  size_t hlen = hash_len_of(ioc.type);
  if (hlen) {
    if (!exh_hex_decode(field[F_VALUE], flen[F_VALUE], ioc.hash, hlen)) {
      *why = "hash value has the wrong length or is not hex";
      return EXHUNT_OK;
    }
  } else if (flen[F_VALUE] == 0 || flen[F_VALUE] >= EXH_MAX_PATH) {
    *why = "empty or over-long name/path value";
    return EXHUNT_OK;
  }
  bool oom = false;
  if (!hlen) {
    ioc.value = field_dup(field[F_VALUE], flen[F_VALUE], &oom);
    if (!ioc.value && !oom) { /* "-" means absent, and a name cannot be */
      *why = "empty name/path value";
      return EXHUNT_OK;
    }
    if (ioc.value) {
      char *norm = ioc.value;
      exh_path_normalise(norm, norm, flen[F_VALUE] + 1);
      size_t vlen = strlen(norm), tail = 0;
      while (tail < vlen && !strchr("*?[]\\", norm[vlen - 1 - tail]))
        tail++;
      ioc.tail_len = tail;
    }
  }
  ioc.title = nf > F_TITLE ? field_dup(field[F_TITLE], flen[F_TITLE], &oom) : NULL;
  ioc.source = nf > F_SOURCE ? field_dup(field[F_SOURCE], flen[F_SOURCE], &oom) : NULL;
  ioc.reference = nf > F_REFERENCE ? field_dup(field[F_REFERENCE], flen[F_REFERENCE], &oom) : NULL;
  ioc.list = exh_strdup(list);
  if (!ioc.list)
    oom = true;
  if (oom || push_ioc(set, &ioc) != EXHUNT_OK) {
    ioc_free_fields(&ioc);
    return EXHUNT_ENOMEM;
  }
  return EXHUNT_OK;
}

exhunt_err exh_iocs_parse(exh_iocs *set, const char *list_name, const char *text, size_t len,
                          const exhunt_sink *sink, size_t *n_bad)
{
  size_t pos = 0, lineno = 0;
  if (n_bad)
    *n_bad = 0;
  while (pos < len) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    size_t line_len = end - pos;
    const char *line = text + pos;
    lineno++;
    pos = end + 1;
    if (line_len && line[line_len - 1] == '\r')
      line_len--;
    if (line_len == 0 || line[0] == '#')
      continue;
    const char *why = NULL;
    if (line_len > EXH_MAX_IOC_LINE || memchr(line, '\0', line_len)) {
      why = line_len > EXH_MAX_IOC_LINE ? "line too long" : "NUL byte in line";
    } else {
      exhunt_err err = parse_line(set, list_name, line, line_len, &why);
      if (err)
        return err;
    }
    if (why) {
      /* An error, not a note: the list's author meant this indicator to
       * be checked, and it is not (coverage lost). */
      exh_notice_bad_line(sink, "ioc-line", list_name, lineno, why, "ignored");
      if (n_bad)
        (*n_bad)++;
    }
  }
  return EXHUNT_OK;
}

static int cmp_sha256(const void *a, const void *b)
{
  return memcmp(((const exh_ioc *)a)->hash, ((const exh_ioc *)b)->hash, 32);
}
static int cmp_sha1(const void *a, const void *b)
{
  return memcmp(((const exh_ioc *)a)->hash, ((const exh_ioc *)b)->hash, 20);
}
static int cmp_md5(const void *a, const void *b)
{
  return memcmp(((const exh_ioc *)a)->hash, ((const exh_ioc *)b)->hash, 16);
}
static int cmp_value(const void *a, const void *b)
{
  return strcmp(((const exh_ioc *)a)->value, ((const exh_ioc *)b)->value);
}

typedef int (*cmp_fn)(const void *, const void *);

static cmp_fn comparator(exh_ioc_type type)
{
  switch (type) {
  case EXH_IOC_SHA256:
    return cmp_sha256;
  case EXH_IOC_SHA1:
    return cmp_sha1;
  case EXH_IOC_MD5:
    return cmp_md5;
  case EXH_IOC_FILENAME:
    return cmp_value;
  default:
    return NULL; /* globs keep file order */
  }
}

/* Sort order: key, then load order. Both items have the same type, so the
 * key comparator comes from the item itself (qsort has no context pointer). */
static int cmp_key_then_order(const void *a, const void *b)
{
  int c = comparator(((const exh_ioc *)a)->type)(a, b);
  if (c)
    return c;
  size_t oa = ((const exh_ioc *)a)->order, ob = ((const exh_ioc *)b)->order;
  return (oa > ob) - (oa < ob);
}

void exh_iocs_finish(exh_iocs *set)
{
  for (int t = 0; t < EXH_IOC_TYPE_COUNT; t++) {
    cmp_fn cmp = comparator((exh_ioc_type)t);
    if (!cmp || set->count[t] < 2)
      continue;
    /* On duplicates the first loaded entry wins ("first source"), so sort by
     * key and then by load order; qsort alone is not stable. */
    exh_ioc *items = set->items[t];
    for (size_t i = 0; i < set->count[t]; i++)
      items[i].order = i;
    qsort(items, set->count[t], sizeof *items, cmp_key_then_order);
    size_t out = 1;
    for (size_t i = 1; i < set->count[t]; i++) {
      if (cmp(&items[out - 1], &items[i]) == 0) {
        ioc_free_fields(&items[i]);
        continue;
      }
      items[out++] = items[i];
    }
    set->count[t] = out;
  }
}

const exh_ioc *exh_iocs_find_hash(const exh_iocs *set, exh_ioc_type type, const uint8_t *digest)
{
  cmp_fn cmp = comparator(type);
  if (!cmp || set->count[type] == 0)
    return NULL;
  exh_ioc key;
  memset(&key, 0, sizeof key);
  memcpy(key.hash, digest, hash_len_of(type));
  return bsearch(&key, set->items[type], set->count[type], sizeof key, cmp);
}

const exh_ioc *exh_iocs_find_name(const exh_iocs *set, const char *lower_basename)
{
  if (set->count[EXH_IOC_FILENAME] == 0)
    return NULL;
  exh_ioc key;
  memset(&key, 0, sizeof key);
  key.value = (char *)lower_basename;
  return bsearch(&key, set->items[EXH_IOC_FILENAME], set->count[EXH_IOC_FILENAME], sizeof key,
                 cmp_value);
}

/* Glob matching is the slow part of a path check, run for every file. A glob can
 * only match a path that ends with its literal tail (the glob for ASPX files
 * in aspnet_client needs ".aspx"), which a memcmp tells first. */
static bool glob_matches(const exh_ioc *glob, const char *path, size_t path_len)
{
  if (glob->tail_len > path_len || memcmp(glob->value + strlen(glob->value) - glob->tail_len,
                                          path + path_len - glob->tail_len, glob->tail_len) != 0)
    return false;
  return exh_glob_match(glob->value, path, 0);
}

size_t exh_iocs_match_path(const exh_iocs *set, const char *norm_path,
                           void (*fn)(void *ctx, const exh_ioc *ioc), void *ctx)
{
  size_t path_len = strlen(norm_path);
  const exh_ioc *paths = set->items[EXH_IOC_PATH];
  size_t first = 0;
  while (first < set->count[EXH_IOC_PATH] && !glob_matches(&paths[first], norm_path, path_len))
    first++;
  if (first == set->count[EXH_IOC_PATH])
    return 0;
  /* Only a path that some glob covers needs the allowlist. */
  for (size_t i = 0; i < set->count[EXH_IOC_PATH_OK]; i++)
    if (glob_matches(&set->items[EXH_IOC_PATH_OK][i], norm_path, path_len))
      return 0;
  size_t hits = 0;
  for (size_t i = first; i < set->count[EXH_IOC_PATH]; i++) {
    if (i == first || glob_matches(&paths[i], norm_path, path_len)) {
      fn(ctx, &paths[i]);
      hits++;
    }
  }
  return hits;
}
