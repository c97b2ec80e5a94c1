/*
 * hunt.c - exhunt_hunt_paths: the whole hunt of one server per evidence
 * root; exhunt_hunt_server: of one server made of several roots (a live
 * server's Exchange install, web roots, IIS logs and event logs: one walk
 * over all of them, one log run, one story and verdict). The three
 * engines run in turn over the server's roots:
 *
 *   exposure  the build and its history       -> builds, exposure findings
 *   scan      web shells and IOCs on disk     -> file findings
 *             (logs, event logs and databases are left to the log engine
 *              or skipped: YARA over gigabytes of logs finds nothing the
 *              log detectors do not, and costs minutes)
 *   logs      exploitation in the logs        -> log findings, coverage
 *
 * The builds, exposure and file findings are kept (hunt_server: the walk
 * bounds them), numbered and handed to the caller's sink once the walk
 * and the exposure engine are done. Log findings are numbered and handed
 * on as the log engine reports them, never kept: the story (story.c)
 * takes what it needs of each, in memory bounded by attackers, shells and
 * steps. Then coverage, stories and the verdict. Notes and errors pass
 * through as they come. Requests to the shells the scan found are looked
 * for by the log engine itself, in its one pass (opts.shell_urls).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/ascii.h"
#include "core/limits.h"
#include "core/strset.h"
#include "exposure/builddb.h"
#include "exposure/exposure.h"
#include "hunt/hosts.h"
#include "hunt/hunt_int.h"
#include "logs/known.h"
#include "platform/glob.h"
#include "platform/strext.h"
#include "platform/thread.h"
#include "scan/tap.h"

/* ---------------------------------------------------------------------- */
/* Deep copies.                                                            */

typedef struct owner {
  char ***owned;
  size_t *n_owned;
  size_t cap;
  bool failed;
} owner;

static void *own(owner *o, void *p)
{
  if (!p) {
    o->failed = true;
    return NULL;
  }
  if (*o->n_owned == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 32;
    char **bigger = exh_reallocarray(*o->owned, cap, sizeof *bigger);
    if (!bigger) {
      exh_free(p);
      o->failed = true;
      return NULL;
    }
    *o->owned = bigger;
    o->cap = cap;
  }
  (*o->owned)[(*o->n_owned)++] = p;
  return p;
}

static const char *dup_str(owner *o, const char *s)
{
  if (!s || o->failed)
    return NULL;
  return own(o, exh_strdup(s));
}

static void free_owned(char **owned, size_t n)
{
  for (size_t i = 0; i < n; i++)
    exh_free(owned[i]);
  exh_free(owned);
}

exhunt_err exh_hunt_keep(hunt_server *hs, const exhunt_finding *src, hunt_origin origin)
{
  hunt_rec *recs = exh_grow(hs->recs, hs->n_recs, &hs->cap_recs, 64, sizeof *recs);
  if (!recs)
    return EXHUNT_ENOMEM;
  hs->recs = recs;
  hunt_rec *r = &hs->recs[hs->n_recs];
  memset(r, 0, sizeof *r);
  r->origin = origin;
  exhunt_err err = exhunt_finding_dup(src, &r->f);
  if (err)
    return err;
  /* numbered, and tied to its server, once every finding is kept */
  r->f->id = NULL;
  r->f->server = NULL;
  hs->n_recs++;
  return EXHUNT_OK;
}

static exhunt_err keep_build(hunt_server *hs, const exhunt_build_seen *src)
{
  hunt_build *builds = exh_grow(hs->builds, hs->n_builds, &hs->cap_builds, 16, sizeof *builds);
  if (!builds)
    return EXHUNT_ENOMEM;
  hs->builds = builds;
  hunt_build *k = &hs->builds[hs->n_builds];
  memset(k, 0, sizeof *k);
  owner o = {&k->owned, &k->n_owned, 0, false};
  k->b = *src;
  k->b.server = hs->name;
  k->b.result = dup_str(&o, src->result);
  k->b.build = dup_str(&o, src->build);
  k->b.source = dup_str(&o, src->source);
  k->b.path = dup_str(&o, src->path);
  k->b.target = dup_str(&o, src->target);
  k->b.detail = dup_str(&o, src->detail);
  if (o.failed) {
    free_owned(k->owned, k->n_owned);
    return EXHUNT_ENOMEM;
  }
  hs->n_builds++;
  return EXHUNT_OK;
}

static void server_free(hunt_server *hs)
{
  exh_hunt_story_free(hs);
  for (size_t i = 0; i < hs->n_recs; i++)
    exhunt_finding_free(hs->recs[i].f);
  exh_free(hs->recs);
  for (size_t i = 0; i < hs->n_builds; i++)
    free_owned(hs->builds[i].owned, hs->builds[i].n_owned);
  exh_free(hs->builds);
  for (size_t i = 0; i < hs->n_covs; i++) {
    exh_free(hs->covs[i].family);
    exh_free(hs->covs[i].build);
    exh_free(hs->covs[i].spans);
    exh_dayset_free(&hs->covs[i].days);
  }
}

/* ---------------------------------------------------------------------- */
/* The capturing sink each engine reports to.                              */

/* During the walk the scan's workers and the walker's thread (exposure,
 * through the tap) both report: one lock serialises what reaches the
 * server's records and the caller's sink. */
typedef struct capture {
  hunt_server *hs;
  hunt_origin origin;
  const exhunt_sink *user;
  exh_mutex *lock;
  size_t *next_id;          /* ORIGIN_LOGS: numbers the findings of the run */
  exhunt_scan_stats *total; /* ORIGIN_LOGS: counts them */
} capture;

static void cap_finding(void *ctx, const exhunt_finding *f)
{
  capture *c = ctx;
  exh_mutex_lock(c->lock);
  if (c->origin == ORIGIN_LOGS) {
    /* streamed: numbered, handed on, and only what the story needs kept */
    char id[24];
    uint64_t num = ++*c->next_id;
    snprintf(id, sizeof id, "F%llu", (unsigned long long)num);
    exhunt_finding out = *f;
    out.id = id;
    out.server = c->hs->name;
    c->total->findings[f->severity]++;
    c->user->on_finding(c->user->ctx, &out);
    exh_hunt_story_add(c->hs, &out, num, id);
  } else if (!c->hs->fatal) {
    c->hs->fatal = exh_hunt_keep(c->hs, f, c->origin);
  }
  exh_mutex_unlock(c->lock);
}

static void cap_notice(void *ctx, const exhunt_notice *n)
{
  capture *c = ctx;
  exh_mutex_lock(c->lock);
  c->user->on_notice(c->user->ctx, n);
  exh_mutex_unlock(c->lock);
}

static void cap_progress(void *ctx, const exhunt_scan_stats *s)
{
  capture *c = ctx;
  exh_mutex_lock(c->lock);
  if (c->user->on_progress)
    c->user->on_progress(c->user->ctx, s);
  exh_mutex_unlock(c->lock);
}

static void cap_build(void *ctx, const exhunt_build_seen *b)
{
  capture *c = ctx;
  exh_mutex_lock(c->lock);
  if (!c->hs->fatal)
    c->hs->fatal = keep_build(c->hs, b);
  exh_mutex_unlock(c->lock);
}

static void cap_coverage(void *ctx, const exhunt_coverage *cov)
{
  capture *c = ctx;
  hunt_server *hs = c->hs;
  /* Coverage comes after the walk, from the log engine alone. */
  if (hs->fatal || hs->n_covs == sizeof hs->covs / sizeof hs->covs[0])
    return;
  hunt_cov *k = &hs->covs[hs->n_covs];
  memset(k, 0, sizeof *k);
  k->c = *cov;
  k->family = exh_strdup(cov->family);
  k->build = cov->build ? exh_strdup(cov->build) : NULL;
  k->spans = cov->n_days ? exh_calloc(cov->n_days, sizeof *k->spans) : NULL;
  bool ok = k->family && (!cov->build || k->build) && (!cov->n_days || k->spans);
  for (size_t i = 0; ok && i < cov->n_days; i++) {
    k->spans[i] = cov->days[i];
    ok = exh_dayset_add_span(&k->days, cov->days[i].first, cov->days[i].last) == EXHUNT_OK;
  }
  if (!ok) {
    exh_free(k->family);
    exh_free(k->build);
    exh_free(k->spans);
    exh_dayset_free(&k->days);
    hs->fatal = EXHUNT_ENOMEM;
    return;
  }
  k->c.family = k->family;
  k->c.build = k->build;
  k->c.server = hs->name;
  k->c.days = k->spans;
  hs->n_covs++;
}

/* The exposure engine's notices: "no-build" is held back until the logs
 * tell whether this is an Exchange server at all (then it is an error:
 * its exposure is unknown) or not (then no build is expected). */
static void cap_notice_exposure(void *ctx, const exhunt_notice *n)
{
  capture *c = ctx;
  if (strcmp(n->what, "no-build") == 0) {
    c->hs->no_build = true;
    return;
  }
  cap_notice(ctx, n);
}

static void add_stats(exhunt_scan_stats *sum, const exhunt_scan_stats *s)
{
  sum->files_seen += s->files_seen;
  sum->files_scanned += s->files_scanned;
  sum->dirs_seen += s->dirs_seen;
  sum->bytes_read += s->bytes_read;
  sum->errors += s->errors;
  sum->notes += s->notes;
  sum->records += s->records;
  for (int i = 0; i < EXHUNT_SKIP_COUNT; i++)
    sum->skipped[i] += s->skipped[i];
}

/* Kept findings in a stable order: exposure, then files by severity. Ids
 * follow that order; log findings are numbered after them as they come. */
static int cmp_recs(const void *a, const void *b)
{
  const hunt_rec *x = a, *y = b;
  if (x->origin != y->origin)
    return (int)x->origin - (int)y->origin;
  if (x->origin == ORIGIN_SCAN) {
    if (x->f->severity != y->f->severity)
      return (int)y->f->severity - (int)x->f->severity;
    int c = strcmp(x->f->path ? x->f->path : "", y->f->path ? y->f->path : "");
    if (c)
      return c;
  }
  return 0;
}

/* Files the content scan leaves to the log engine (logs, event exports,
 * EVTX: IIS never runs them, and YARA over gigabytes of logs finds nothing
 * the log detectors do not), and Exchange database files nobody reads. */
static const char *const log_patterns[] = {"*.log",     "*.log.gz",   "*.evtx",   "*.evtx.gz",
                                           "*.jsonl",   "*.jsonl.gz", "*.ndjson", "*.json",
                                           "*.json.gz", "*.ndjson.gz"};
static const char *const skip_patterns[] = {"*.edb", "*.jrs", "*.chk", "*.etl"};
static const char *const setup_patterns[] = {"ExchangeSetup.log"};

static bool name_matches(const char *path, const char *const *pats, size_t n)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  for (size_t i = 0; i < n; i++)
    if (exh_glob_match(pats[i], base, EXH_GLOB_CASEFOLD))
      return true;
  return false;
}

/* The single walk's tap: builds are examined here, logs collected for the
 * log engine, everything else left to the scan. */
typedef struct tap_ctx {
  exh_exposure_server *exposure;
  const char *const *roots; /* the walk's */
  size_t n_roots;
  size_t last_root; /* the root of the file before: a walk lists a root's files together */
  char **logs;
  exh_logs_known *ids; /* the walk's identity of each of logs, same index */
  size_t n_logs, cap_logs;
  bool exchange_files;  /* an Exchange install was seen */
  int64_t newest_mtime; /* the evidence's newest file time: about when it was collected */
  exhunt_err fatal;
} tap_ctx;

/* A file only an Exchange install has: anything under "Exchange
 * Server\V14" or "\V15" (the install root's usual name), ExSetup.exe, or
 * Setup's own log folder. */
static bool exchange_file(const char *path)
{
  static const char *const marks[] = {"/exchange server/v15/", "/exchange server/v14/",
                                      "/exchangesetuplogs/"};
  for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
    if (exh_strcasestr(path, marks[i]))
      return true;
  const char *base = strrchr(path, '/');
  return strcasecmp(base ? base + 1 : path, "ExSetup.exe") == 0;
}

/* The index of the root a walked path lies under. */
static size_t root_of(tap_ctx *t, const char *path)
{
  if (t->n_roots == 1 || exh_hunt_under(t->roots[t->last_root], path))
    return t->last_root;
  for (size_t i = 0; i < t->n_roots; i++)
    if (exh_hunt_under(t->roots[i], path))
      return t->last_root = i;
  return t->last_root;
}

static bool tap_file(void *ctx, const char *path, const exh_stat *st)
{
  tap_ctx *t = ctx;
  if (t->fatal)
    return false;
  size_t root = root_of(t, path);
  if (st && (t->newest_mtime == EXHUNT_NO_TIME || st->mtime.sec > t->newest_mtime))
    t->newest_mtime = st->mtime.sec;
  if (!t->exchange_files && exchange_file(path))
    t->exchange_files = true;
  if (exh_exposure_wants(path))
    t->fatal = exh_exposure_server_file_st(t->exposure, t->roots[root], path, st);
  if (name_matches(path, skip_patterns, sizeof skip_patterns / sizeof *skip_patterns))
    return false;
  /* Setup's log is the exposure engine's (the builds it installed), no
   * log the log engine reads: not worth a not-logs note. */
  if (name_matches(path, setup_patterns, sizeof setup_patterns / sizeof *setup_patterns))
    return false;
  if (!name_matches(path, log_patterns, sizeof log_patterns / sizeof *log_patterns))
    return true;
  if (t->n_logs == t->cap_logs) {
    size_t cap = t->cap_logs ? t->cap_logs * 2 : 64;
    char **bigger = exh_reallocarray(t->logs, cap, sizeof *bigger);
    if (!bigger) {
      t->fatal = EXHUNT_ENOMEM;
      return false;
    }
    t->logs = bigger;
    exh_logs_known *ids = exh_reallocarray(t->ids, cap, sizeof *ids);
    if (!ids) {
      t->fatal = EXHUNT_ENOMEM;
      return false;
    }
    t->ids = ids;
    t->cap_logs = cap;
  }
  char *copy = exh_strdup(path);
  if (!copy) {
    t->fatal = EXHUNT_ENOMEM;
    return false;
  }
  t->ids[t->n_logs] = (exh_logs_known){copy, st->dev, st->ino, (uint64_t)st->size, root};
  t->logs[t->n_logs++] = copy;
  return false;
}

/* Passes notices on and counts them in the run's statistics. */
typedef struct counting_sink {
  const exhunt_sink *user;
  exhunt_scan_stats *stats;
} counting_sink;

static void count_notice(void *ctx, const exhunt_notice *n)
{
  counting_sink *c = ctx;
  if (n->kind == EXHUNT_NOTICE_ERROR)
    c->stats->errors++;
  else
    c->stats->notes++;
  c->user->on_notice(c->user->ctx, n);
}

/* The URLs of the shells the scan found on disk in a web folder (owned
 * strings in urls->ids), for the log engine to look for requests to. */
static exhunt_err shell_urls(hunt_server *hs, const exhunt_sink *sink, exhunt_scan_stats *total,
                             hunt_ids *urls)
{
  exh_strset seen = EXH_STRSET_INIT;
  size_t more = 0;
  exhunt_err err = EXHUNT_OK;
  for (size_t i = 0; i < hs->n_recs && !err; i++) {
    const hunt_rec *r = &hs->recs[i];
    if (r->origin != ORIGIN_SCAN || r->f->severity < EXHUNT_SEV_HIGH || !r->f->path)
      continue;
    char *url = exh_hunt_url_of(exh_hunt_rel(hs, r->f->path));
    if (!url)
      continue;
    char *lower = exh_strdup(url);
    for (char *p = lower; p && *p; p++)
      *p = exh_lower(*p);
    int added = lower ? exh_strset_add(&seen, lower) : -1;
    exh_free(lower);
    if (added < 0) {
      err = EXHUNT_ENOMEM;
    } else if (added == 0) {
      /* the same URL, another case */
    } else if (urls->n == EXH_HUNT_MAX_SHELL_URLS) {
      more++;
    } else if (exh_ids_push(urls, url)) {
      url = NULL;
    } else {
      err = EXHUNT_ENOMEM;
    }
    exh_free(url);
  }
  exh_strset_free(&seen);
  if (!err && more) {
    /* an error: requests to the other shells were not looked for */
    char reason[200];
    snprintf(reason, sizeof reason,
             "%zu web shells with a URL past the first %u: requests to them were not looked "
             "for in the logs",
             more, EXH_HUNT_MAX_SHELL_URLS);
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "shell-urls-capped", hs->name, reason};
    sink->on_notice(sink->ctx, &n);
    total->errors++;
    hs->errors++;
  }
  return err;
}

/* One server: `name` as its records name it, made of the trees `roots`
 * (placed: see hunt_server), in the evidence given as `top` (the logs
 * engine spills nothing under it). `next_id` numbers findings across
 * servers: "F12" names one finding of the whole run, so reports that hold
 * several servers link right. */
typedef struct server_spec {
  const char *name;
  const char *const *roots;
  size_t n_roots;
  bool placed;
  const char *const *top;
  size_t n_top;
} server_spec;

static exhunt_err one_server(const server_spec *sv, const exhunt_hunt_opts *opts,
                             const exhunt_sink *sink, exhunt_scan_stats *total, size_t *next_id)
{
  hunt_server hs;
  memset(&hs, 0, sizeof hs);
  hs.name = sv->name;
  hs.roots = sv->roots;
  hs.n_roots = sv->n_roots;
  hs.placed = sv->placed;
  hs.since = opts->window.since;
  hs.until = opts->window.until;
  hs.collected = opts->collected;
  exhunt_err err = EXHUNT_OK;
  exhunt_scan_stats st, xst;
  memset(&xst, 0, sizeof xst);
  exh_mutex lock;
  exh_mutex_init(&lock);
  tap_ctx tap = {NULL, sv->roots, sv->n_roots,    0,        NULL, NULL, 0,
                 0,    false,     EXHUNT_NO_TIME, EXHUNT_OK};
  exh_builddb db;
  memset(&db, 0, sizeof db);
  hunt_ids urls;
  memset(&urls, 0, sizeof urls);

  /* 1. One walk: every file is seen once. The scan reads and checks files;
   * its tap examines builds and collects logs. */
  capture cx = {&hs, ORIGIN_EXPOSURE, sink, &lock, next_id, total};
  exhunt_sink xs = {.ctx = &cx,
                    .on_finding = cap_finding,
                    .on_notice = cap_notice_exposure,
                    .on_build = cap_build};
  if ((err = exh_exposure_server_new(&xs, &xst, &tap.exposure)) != EXHUNT_OK)
    goto out;
  capture cs = {&hs, ORIGIN_SCAN, sink, &lock, next_id, total};
  exhunt_sink ss = {.ctx = &cs,
                    .on_finding = cap_finding,
                    .on_notice = cap_notice,
                    .on_progress = sink->on_progress ? cap_progress : NULL};
  exhunt_scan_opts so;
  exhunt_scan_opts_init(&so);
  so.scope = opts->scope;
  so.resources = opts->resources;
  so.limits = opts->limits;
  so.max_filesize = opts->max_filesize;
  exh_scan_tap scan_tap = {&tap, tap_file};
  memset(&st, 0, sizeof st);
  err = exh_scan_run(opts->rules, sv->roots, sv->n_roots, &so, &ss, &st, &scan_tap);
  add_stats(total, &st);
  hs.files_seen = st.files_seen;
  hs.errors += st.errors;
  hs.exchange_files = tap.exchange_files;
  hs.newest_mtime = tap.newest_mtime;
  if (!err)
    err = tap.fatal ? tap.fatal : hs.fatal;
  if (err)
    goto out;

  /* 2. The build history and exposure. */
  /* its notices (a line of the embedded database refused: never expected
   * in a release) count like any other */
  counting_sink dbc = {sink, total};
  exhunt_sink dbs = {.ctx = &dbc, .on_finding = sink->on_finding, .on_notice = count_notice};
  err = exh_builddb_load(&db, &dbs);
  if (err == EXHUNT_ECORRUPT)
    err = EXHUNT_OK;
  if (!err)
    err = exh_exposure_server_report(tap.exposure, &db, sv->name, opts->now);
  /* the exposure engine's counts are complete once it has reported */
  total->bytes_read += xst.bytes_read;
  total->errors += xst.errors - hs.no_build;
  total->notes += xst.notes;
  hs.errors += xst.errors - hs.no_build;
  if (!err)
    err = hs.fatal;
  if (err)
    goto out;

  /* 3. What is known so far, numbered and handed on: builds, exposure
   * and file findings. The story starts from the shells on disk. */
  if (hs.n_recs)
    qsort(hs.recs, hs.n_recs, sizeof *hs.recs, cmp_recs);
  for (size_t i = 0; i < hs.n_recs; i++) {
    snprintf(hs.recs[i].id, sizeof hs.recs[i].id, "F%zu", ++*next_id);
    hs.recs[i].f->id = hs.recs[i].id;
    hs.recs[i].f->server = sv->name;
  }
  for (size_t i = 0; i < hs.n_builds && sink->on_build; i++)
    sink->on_build(sink->ctx, &hs.builds[i].b);
  for (size_t i = 0; i < hs.n_recs; i++) {
    total->findings[hs.recs[i].f->severity]++;
    sink->on_finding(sink->ctx, hs.recs[i].f);
  }
  if ((err = exh_hunt_story_begin(&hs)) != EXHUNT_OK)
    goto out;
  if ((err = shell_urls(&hs, sink, total, &urls)) != EXHUNT_OK)
    goto out;

  /* 4. The logs the walk collected, with requests to those shells (which
   * only the scan knows are shells: outside the drop folders the log
   * detectors watch) looked for in the same pass. */
  capture cl = {&hs, ORIGIN_LOGS, sink, &lock, next_id, total};
  exhunt_sink ls = {
      .ctx = &cl, .on_finding = cap_finding, .on_notice = cap_notice, .on_coverage = cap_coverage};
  exhunt_logs_opts lo;
  exhunt_logs_opts_init(&lo);
  lo.resources = opts->resources;
  lo.limits = opts->limits;
  lo.window = opts->window;
  lo.paths_collected = true; /* by the tap, by name: not each worth a note */
  lo.shell_urls = (const char *const *)urls.ids;
  lo.n_shell_urls = urls.n;
  lo.tmp_dir = opts->tmp_dir;
  lo.evidence_roots = sv->top; /* the whole evidence path, not only this host's */
  lo.n_evidence_roots = sv->n_top;
  memset(&st, 0, sizeof st);
  err = exh_logs_paths_known(sv->roots, sv->n_roots, tap.ids, tap.n_logs, &lo, &ls, &st);
  total->records += st.records;
  total->bytes_read += st.bytes_read;
  total->errors += st.errors;
  total->notes += st.notes;
  hs.errors += st.errors;
  if (!err)
    err = hs.fatal;
  if (err)
    goto out;
  /* No build: an error on an Exchange server (its exposure is unknown),
   * expected on any other. */
  if (hs.no_build && exh_hunt_is_exchange(&hs)) {
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ENOENT, "no-build", sv->name,
                       "Exchange server with no build found: no Exchange log with #Version or "
                       "version columns, no ExSetup.exe, no AdminDisplayVersion, no "
                       "ExchangeSetup.log; its exposure is unknown"};
    sink->on_notice(sink->ctx, &n);
    total->errors++;
    hs.errors++;
  }

  /* 5. Coverage, the stories, the verdict. */
  for (size_t i = 0; i < hs.n_covs && sink->on_coverage; i++)
    sink->on_coverage(sink->ctx, &hs.covs[i].c);
  err = exh_hunt_story(&hs, &db, opts->now, sink);
out:
  for (size_t i = 0; i < urls.n; i++)
    exh_free((char *)urls.ids[i]);
  exh_free(urls.ids);
  exh_exposure_server_free(tap.exposure);
  for (size_t i = 0; i < tap.n_logs; i++)
    exh_free(tap.logs[i]);
  exh_free(tap.logs);
  exh_free(tap.ids);
  exh_builddb_free(&db);
  exh_mutex_destroy(&lock);
  server_free(&hs);
  return err;
}

void exhunt_hunt_opts_init(exhunt_hunt_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  opts->now = EXHUNT_NO_TIME;
  exhunt_scope_init(&opts->scope);
  exhunt_resources_init(&opts->resources);
  exhunt_window_init(&opts->window);
  opts->collected = EXHUNT_NO_TIME;
}

exhunt_err exhunt_hunt_paths(const char *const *paths, size_t n_paths, const exhunt_hunt_opts *opts,
                             const exhunt_sink *sink, exhunt_scan_stats *stats)
{
  if ((!paths && n_paths) || !opts || !opts->rules || !sink || !sink->on_finding ||
      !sink->on_notice)
    return EXHUNT_EINVAL;
  exhunt_scan_stats local;
  if (!stats)
    stats = &local;
  memset(stats, 0, sizeof *stats);
  exhunt_err err = EXHUNT_OK;
  size_t next_id = 0;
  for (size_t i = 0; i < n_paths && !err; i++) {
    /* One server per host: a collection folder holding several hosts is
     * split (lib/hunt/hosts.c), so each host's build, exposure and
     * coverage come from its own files. */
    exh_host_list hosts = {NULL, 0, false};
    if (opts->one_server) {
      server_spec sv = {paths[i], &paths[i], 1, false, &paths[i], 1};
      err = one_server(&sv, opts, sink, stats, &next_id);
      continue;
    }
    counting_sink cs = {sink, stats};
    exhunt_sink counted = {.ctx = &cs, .on_finding = sink->on_finding, .on_notice = count_notice};
    err = exh_hunt_find_hosts(paths[i], &counted, &hosts);
    for (size_t h = 0; h < hosts.n && !err; h++) {
      const char *host = hosts.hosts[h].path;
      server_spec sv = {host, &host, 1, false, &paths[i], 1};
      err = one_server(&sv, opts, sink, stats, &next_id);
    }
    exh_host_list_free(&hosts);
  }
  return err;
}

/* Does `root` hold `path`, or name it too? "C:/..." compared as Windows
 * compares names (ASCII case folded, '\\' or '/'), others byte for byte;
 * a separator at the end of either makes no difference. */
static bool holds(const char *root, const char *path)
{
  size_t rl = strlen(root), pl = strlen(path);
  while (rl > 1 && (root[rl - 1] == '/' || root[rl - 1] == '\\'))
    rl--;
  while (pl > 1 && (path[pl - 1] == '/' || path[pl - 1] == '\\'))
    pl--;
  bool windows = rl >= 2 && root[1] == ':';
  if (pl < rl || (windows ? strncasecmp(path, root, rl) : strncmp(path, root, rl)) != 0)
    return false;
  return pl == rl || path[rl] == '/' || (windows && path[rl] == '\\') || root[rl - 1] == '/';
}

exhunt_err exhunt_hunt_server(const char *name, const char *const *roots, size_t n_roots,
                              const exhunt_hunt_opts *opts, const exhunt_sink *sink,
                              exhunt_scan_stats *stats)
{
  if (!name || !*name || !roots || n_roots == 0 || n_roots > EXH_HUNT_MAX_SERVER_ROOTS || !opts ||
      !opts->rules || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  for (size_t i = 0; i < n_roots; i++)
    if (!roots[i] || !*roots[i])
      return EXHUNT_EINVAL;
  exhunt_scan_stats local;
  if (!stats)
    stats = &local;
  memset(stats, 0, sizeof *stats);
  const char **kept = exh_calloc(n_roots, sizeof *kept);
  if (!kept)
    return EXHUNT_ENOMEM;
  /* A root inside another (or named twice) is walked once, as part of the
   * outer one: walked twice, its files would be found twice. */
  size_t n = 0;
  for (size_t i = 0; i < n_roots; i++) {
    size_t outer = n_roots;
    for (size_t j = 0; j < n_roots && outer == n_roots; j++)
      if (j != i && holds(roots[j], roots[i]) && (!holds(roots[i], roots[j]) || j < i))
        outer = j;
    if (outer == n_roots) {
      kept[n++] = roots[i];
      continue;
    }
    char reason[256];
    snprintf(reason, sizeof reason, "inside %.200s, given too: hunted once, as part of it",
             roots[outer]);
    exhunt_notice note = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, "root-nested", roots[i], reason};
    stats->notes++;
    sink->on_notice(sink->ctx, &note);
  }
  size_t next_id = 0;
  server_spec sv = {name, (const char *const *)kept, n, true, (const char *const *)kept, n};
  exhunt_err err = one_server(&sv, opts, sink, stats, &next_id);
  exh_free(kept);
  return err;
}
