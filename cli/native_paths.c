/*
 * native_paths.c - see native_paths.h. Each record is copied shallowly, its
 * path fields pointed at converted copies made for this call alone, handed
 * on, and the copies freed: the library's record stays untouched, and the
 * command's sink keeps what it needs as it always did (it copies).
 */
#include "native_paths.h"

#include <string.h>

#include "core/alloc.h"

/* EXH_TEST_BACKSLASH_PATHS: tests/unit/test_native_paths.c builds this file
 * with Windows' separator on Linux too. */
#if defined(_WIN32) || defined(EXH_TEST_BACKSLASH_PATHS)
#define NATIVE_SEP '\\'
#define LIBRARY_SEP '/'
#else
#define NATIVE_SEP '/'
#define LIBRARY_SEP '/'
#endif

bool cli_native_paths_differ(void)
{
  return NATIVE_SEP != LIBRARY_SEP;
}

static char *swap_sep(const char *path, char from, char to)
{
  char *s = exh_strdup(path);
  if (!s || strstr(s, "://"))
    return s;
  for (char *c = s; *c; c++)
    if (*c == from)
      *c = to;
  return s;
}

void cli_native_path_in(char *path)
{
  if (strstr(path, "://"))
    return;
  for (char *c = path; *c; c++)
    if (*c == NATIVE_SEP)
      *c = LIBRARY_SEP;
}

char *cli_native_path_out(const char *path)
{
  return swap_sep(path, LIBRARY_SEP, NATIVE_SEP);
}

/* The converted strings and arrays of one record, freed once it is handed
 * on. */
typedef struct held {
  void **ptrs;
  size_t n, cap;
  cli_native_sink *ns;
} held;

/* Keeps p (may be NULL: then records the failure); p. */
static void *keep(held *h, void *p)
{
  if (p && h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 8;
    void **bigger = exh_reallocarray(h->ptrs, cap, sizeof *bigger);
    if (!bigger) {
      exh_free(p);
      p = NULL;
    } else {
      h->ptrs = bigger;
      h->cap = cap;
    }
  }
  if (!p) {
    h->ns->failed = true;
    return NULL;
  }
  h->ptrs[h->n++] = p;
  return p;
}

/* `path` converted, kept in h; the original when NULL or out of memory. */
static const char *conv(held *h, const char *path)
{
  if (!path)
    return NULL;
  const char *s = keep(h, cli_native_path_out(path));
  return s ? s : path;
}

static void release(held *h)
{
  for (size_t i = 0; i < h->n; i++)
    exh_free(h->ptrs[i]);
  exh_free(h->ptrs);
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  cli_native_sink *ns = ctx;
  held h = {.ns = ns};
  exhunt_finding g = *f;
  g.path = conv(&h, f->path);
  g.server = conv(&h, f->server);
  ns->inner.on_finding(ns->inner.ctx, &g);
  release(&h);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  cli_native_sink *ns = ctx;
  held h = {.ns = ns};
  exhunt_notice m = *n;
  m.path = conv(&h, n->path);
  ns->inner.on_notice(ns->inner.ctx, &m);
  release(&h);
}

static void on_progress(void *ctx, const exhunt_scan_stats *so_far)
{
  cli_native_sink *ns = ctx;
  ns->inner.on_progress(ns->inner.ctx, so_far);
}

static void on_coverage(void *ctx, const exhunt_coverage *c)
{
  cli_native_sink *ns = ctx;
  held h = {.ns = ns};
  exhunt_coverage d = *c;
  d.server = conv(&h, c->server);
  ns->inner.on_coverage(ns->inner.ctx, &d);
  release(&h);
}

static void on_build(void *ctx, const exhunt_build_seen *b)
{
  cli_native_sink *ns = ctx;
  held h = {.ns = ns};
  exhunt_build_seen c = *b;
  c.server = conv(&h, b->server);
  c.path = conv(&h, b->path);
  ns->inner.on_build(ns->inner.ctx, &c);
  release(&h);
}

static void on_story(void *ctx, const exhunt_story *s)
{
  cli_native_sink *ns = ctx;
  held h = {.ns = ns};
  exhunt_story t = *s;
  t.server = conv(&h, s->server);
  /* the steps' log files and the shells' paths live in arrays of their own */
  exhunt_story_step *steps = s->n_steps ? keep(&h, exh_calloc(s->n_steps, sizeof *steps)) : NULL;
  exhunt_story_shell *shells =
      s->n_shells ? keep(&h, exh_calloc(s->n_shells, sizeof *shells)) : NULL;
  if (steps) {
    for (size_t i = 0; i < s->n_steps; i++) {
      steps[i] = s->steps[i];
      steps[i].path = conv(&h, s->steps[i].path);
    }
    t.steps = steps;
  }
  if (shells) {
    for (size_t i = 0; i < s->n_shells; i++) {
      shells[i] = s->shells[i];
      shells[i].path = conv(&h, s->shells[i].path);
    }
    t.shells = shells;
  }
  ns->inner.on_story(ns->inner.ctx, &t);
  release(&h);
}

static void on_verdict(void *ctx, const exhunt_verdict *v)
{
  cli_native_sink *ns = ctx;
  held h = {.ns = ns};
  exhunt_verdict w = *v;
  w.server = conv(&h, v->server);
  ns->inner.on_verdict(ns->inner.ctx, &w);
  release(&h);
}

void cli_native_sink_wrap(cli_native_sink *ns, const exhunt_sink *inner, exhunt_sink *out)
{
  *out = *inner;
  if (!cli_native_paths_differ())
    return;
  ns->inner = *inner;
  ns->failed = false;
  out->ctx = ns;
  out->on_finding = inner->on_finding ? on_finding : NULL;
  out->on_notice = inner->on_notice ? on_notice : NULL;
  out->on_progress = inner->on_progress ? on_progress : NULL;
  out->on_coverage = inner->on_coverage ? on_coverage : NULL;
  out->on_build = inner->on_build ? on_build : NULL;
  out->on_story = inner->on_story ? on_story : NULL;
  out->on_verdict = inner->on_verdict ? on_verdict : NULL;
}
