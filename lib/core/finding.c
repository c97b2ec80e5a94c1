/*
 * finding.c - a finding that outlives its sink call (exhunt_finding_dup,
 * exhunt_finding_free).
 *
 * A sink's finding is borrowed: its strings live in the reporting engine's
 * buffers. A caller that keeps one (the hunt keeps its exposure and file
 * findings until the story is told) needs a deep copy. The copy is one
 * allocation: the struct, then the arrays (matches, CVE pointers), then
 * every byte string. One walk over the fields runs twice, first to
 * measure, then to copy, so the two can never disagree about a field, and
 * a field added to a part is copied by adding it to that walk. Freeing is
 * one exh_free, so no pointer in a copy can outlive the rest.
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "exhunt/exhunt.h"

/* The arrays follow the struct, and the byte strings follow the arrays:
 * each starts where the one before it ends, suitably aligned. */
_Static_assert(sizeof(exhunt_finding) % _Alignof(exhunt_match) == 0, "matches after the struct");
_Static_assert(sizeof(exhunt_finding) % _Alignof(const char *) == 0, "CVEs after the struct");
_Static_assert(sizeof(exhunt_match) % _Alignof(const char *) == 0, "CVEs after the matches");

/* Measuring (at == NULL) counts bytes and returns NULL; copying places
 * them at `at` and returns where they went. */
typedef struct copier {
  char *at;
  size_t size;
  bool overflow;
} copier;

static char *take(copier *c, size_t n)
{
  if (n > SIZE_MAX - c->size) {
    c->overflow = true;
    return NULL;
  }
  c->size += n;
  if (!c->at)
    return NULL;
  char *p = c->at;
  c->at += n;
  return p;
}

/* n bytes and a NUL after them: excerpts and artifacts are not
 * NUL-terminated, and the NUL costs a byte and guards a careless reader. */
static const char *copy_bytes(copier *c, const void *p, size_t n)
{
  if (!p)
    return NULL;
  if (n == SIZE_MAX) {
    c->overflow = true;
    return NULL;
  }
  char *to = take(c, n + 1);
  if (to) {
    memcpy(to, p, n);
    to[n] = '\0';
  }
  return to;
}

static const char *copy_str(copier *c, const char *s)
{
  return s ? copy_bytes(c, s, strlen(s)) : NULL;
}

static void *copy_array(copier *c, const void *p, size_t n, size_t size)
{
  if (!p || !n)
    return NULL;
  if (n > SIZE_MAX / size) {
    c->overflow = true;
    return NULL;
  }
  void *to = take(c, n * size);
  if (to)
    memcpy(to, p, n * size);
  return to;
}

/* The CVE list: the pointer array (placed by the caller's order, before any
 * string), then each string. */
static const char *const *copy_cves(copier *c, const char *const *cves, size_t n)
{
  const char **to = copy_array(c, cves, n, sizeof *cves);
  for (size_t i = 0; cves && i < n; i++) {
    const char *s = copy_str(c, cves[i]);
    if (to)
      to[i] = s;
  }
  return to;
}

/* Every pointer of `src` that is not a fixed-size field, into `dst` (a
 * scratch struct while measuring). Arrays first, for their alignment. */
static void copy_finding(copier *c, exhunt_finding *dst, const exhunt_finding *src)
{
  *dst = *src;
  exhunt_match *matches = NULL;
  if (src->kind == EXHUNT_FINDING_FILE) {
    matches = copy_array(c, src->file.matches, src->file.n_matches, sizeof *matches);
    dst->file.matches = matches;
  }
  if (src->kind == EXHUNT_FINDING_LOG)
    dst->log.cves = copy_cves(c, src->log.cves, src->log.n_cves);
  if (src->kind == EXHUNT_FINDING_EXPOSURE)
    dst->exposure.cves = copy_cves(c, src->exposure.cves, src->exposure.n_cves);

  dst->category = copy_str(c, src->category);
  dst->rule = copy_str(c, src->rule);
  dst->title = copy_str(c, src->title);
  dst->description = copy_str(c, src->description);
  dst->source = copy_str(c, src->source);
  dst->author = copy_str(c, src->author);
  dst->reference = copy_str(c, src->reference);
  dst->license = copy_str(c, src->license);
  dst->path = copy_str(c, src->path);
  dst->id = copy_str(c, src->id);
  dst->server = copy_str(c, src->server);

  switch (src->kind) {
  case EXHUNT_FINDING_FILE:
    for (size_t i = 0; src->file.matches && i < src->file.n_matches; i++) {
      const exhunt_match *m = &src->file.matches[i];
      const char *identifier = copy_str(c, m->identifier);
      const uint8_t *data = (const uint8_t *)copy_bytes(c, m->data, m->len);
      if (matches) {
        matches[i].identifier = identifier;
        matches[i].data = data;
      }
    }
    break;
  case EXHUNT_FINDING_LOG: {
    const exhunt_log_part *l = &src->log;
    dst->log.outcome = copy_str(c, l->outcome);
    dst->log.client_ip = copy_str(c, l->client_ip);
    dst->log.user_agent = copy_str(c, l->user_agent);
    dst->log.excerpt = copy_bytes(c, l->excerpt, l->excerpt_len);
    dst->log.artifact = copy_bytes(c, l->artifact, l->artifact_len);
    break;
  }
  case EXHUNT_FINDING_EXPOSURE: {
    const exhunt_exposure_part *x = &src->exposure;
    dst->exposure.build = copy_str(c, x->build);
    dst->exposure.build_source = copy_str(c, x->build_source);
    dst->exposure.status = copy_str(c, x->status);
    dst->exposure.fixed_in = copy_str(c, x->fixed_in);
    dst->exposure.target = copy_str(c, x->target);
    dst->exposure.product = copy_str(c, x->product);
    dst->exposure.support = copy_str(c, x->support);
    dst->exposure.family = copy_str(c, x->family);
    break;
  }
  }
}

exhunt_err exhunt_finding_dup(const exhunt_finding *src, exhunt_finding **out)
{
  if (out)
    *out = NULL;
  if (!src || !out)
    return EXHUNT_EINVAL;
  if (src->kind != EXHUNT_FINDING_FILE && src->kind != EXHUNT_FINDING_LOG &&
      src->kind != EXHUNT_FINDING_EXPOSURE)
    return EXHUNT_EINVAL;
  exhunt_finding scratch;
  copier measure = {NULL, sizeof(exhunt_finding), false};
  copy_finding(&measure, &scratch, src);
  if (measure.overflow)
    return EXHUNT_ENOMEM;
  char *block = exh_malloc(measure.size);
  if (!block)
    return EXHUNT_ENOMEM;
  exhunt_finding *f = (exhunt_finding *)(void *)block;
  copier place = {block + sizeof(exhunt_finding), sizeof(exhunt_finding), false};
  copy_finding(&place, f, src);
  *out = f;
  return EXHUNT_OK;
}

void exhunt_finding_free(exhunt_finding *f)
{
  exh_free(f);
}
