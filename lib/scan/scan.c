/*
 * scan.c - exhunt_scan_paths: the walker feeding a pool of workers.
 *
 *   caller's thread            bounded queue            N workers
 *   exh_walk_root() -file()->  [ job job job ... ]  -->  exh_filescan_path()
 *        |                                                   |
 *        +--------- notices ----> locked sink <--- findings, notices, stats
 *                                     |
 *                              user's exhunt_sink (never called concurrently)
 *
 * The compiled rules are shared read-only; each worker owns its filescan
 * (YARA scanner, digests, buffer). The queue is bounded, so memory stays
 * flat however large the tree: the walker blocks when workers fall behind.
 * Everything that reaches the user's sink passes one mutex, which also
 * guards the statistics, so JSON lines never interleave. Each root is
 * opened once (exh_evidence_root_open) and each job holds a reference to
 * it: workers open files through the root's descriptor with the identity
 * the walker saw (exh_open_evidence_at), never by the joined path.
 */
#include <errno.h>
#include <string.h>

#include "core/alloc.h"
#include "core/errmap.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "core/pace.h"
#include "filescan.h"
#include "platform/clock.h"
#include "platform/fs.h"
#include "platform/thread.h"
#include "rules/rules_int.h"
#include "scan/tap.h"
#include "walk/walk.h"

typedef struct job {
  char *path;
  exh_evidence_root *root; /* a reference: the file is opened through it */
  size_t rel;              /* offset of the path relative to the root */
  uint64_t size;
  int64_t mtime;
  uint32_t uid;
  uint64_t dev;
  uint64_t ino;
} job;

typedef struct scan_ctx {
  exh_mutex qlock;
  exh_cond not_empty, not_full;
  job ring[EXH_QUEUE_DEPTH];
  size_t head, count;
  bool closing;

  exh_mutex out_lock;
  const exhunt_sink *user;
  exhunt_scan_stats stats;
  int64_t last_progress_ns; /* monotonic */
  uint64_t noatime_refused, noatime_dirs;
  exh_evidence_root *root; /* the root being walked */
  const exh_scan_tap *tap;
  exh_pace *pace; /* opts->resources.pace, shared by the workers; NULL: none */
} scan_ctx;

typedef struct worker {
  scan_ctx *ctx;
  exh_filescan *fs;
  exh_thread tid;
  bool started;
  /* One file's findings, gathered so they reach the user's sink together
   * (text output groups them under one header). They point into fs,
   * which stays unchanged until the next file. */
  exhunt_finding batch[EXH_MAX_FINDINGS_PER_FILE];
  size_t n_batch;
} worker;

/* ---------------------------------------------------------------------- */
/* The serialising sink.                                                   */

static void maybe_progress(scan_ctx *c)
{
  if (!c->user->on_progress)
    return;
  int64_t now = exh_monotonic_ns();
  if (now - c->last_progress_ns < 100 * 1000000)
    return;
  c->last_progress_ns = now;
  c->user->on_progress(c->user->ctx, &c->stats);
}

static void locked_notice(void *ctx, const exhunt_notice *n)
{
  scan_ctx *c = ctx;
  exh_mutex_lock(&c->out_lock);
  if (n->kind == EXHUNT_NOTICE_ERROR)
    c->stats.errors++;
  else
    c->stats.notes++;
  c->user->on_notice(c->user->ctx, n);
  exh_mutex_unlock(&c->out_lock);
}

/* ---------------------------------------------------------------------- */
/* Walker side.                                                            */

static void walk_file(void *ctx, const char *path, const exh_stat *st)
{
  scan_ctx *c = ctx;
  job j = {.size = (uint64_t)st->size,
           .mtime = st->mtime.sec,
           .uid = st->uid,
           .dev = st->dev,
           .ino = st->ino};
  exh_mutex_lock(&c->out_lock);
  c->stats.files_seen++;
  exh_mutex_unlock(&c->out_lock);
  if (c->tap && !c->tap->file(c->tap->ctx, path, st))
    return;
  const char *rel = exh_evidence_rel(c->root, path);
  j.path = exh_strdup(path);
  if (!j.path || !rel) {
    exh_free(j.path);
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "open-error", path, "out of memory"};
    locked_notice(c, &n);
    return;
  }
  j.rel = (size_t)(rel - path);
  j.root = exh_evidence_root_ref(c->root);
  exh_mutex_lock(&c->qlock);
  while (c->count == EXH_QUEUE_DEPTH)
    exh_cond_wait(&c->not_full, &c->qlock);
  c->ring[(c->head + c->count) % EXH_QUEUE_DEPTH] = j;
  c->count++;
  exh_cond_signal(&c->not_empty);
  exh_mutex_unlock(&c->qlock);
}

static void walk_skip(void *ctx, exhunt_skip_reason why, const exhunt_notice *n)
{
  scan_ctx *c = ctx;
  exh_mutex_lock(&c->out_lock);
  c->stats.skipped[why]++;
  exh_mutex_unlock(&c->out_lock);
  if (n)
    locked_notice(c, n);
}

static void walk_dir_seen(void *ctx, bool noatime_refused)
{
  scan_ctx *c = ctx;
  exh_mutex_lock(&c->out_lock);
  c->stats.dirs_seen++;
  if (noatime_refused)
    c->noatime_dirs++;
  exh_mutex_unlock(&c->out_lock);
}

/* ---------------------------------------------------------------------- */
/* Worker side.                                                            */

static bool pop_job(scan_ctx *c, job *out)
{
  exh_mutex_lock(&c->qlock);
  while (c->count == 0 && !c->closing)
    exh_cond_wait(&c->not_empty, &c->qlock);
  if (c->count == 0) {
    exh_mutex_unlock(&c->qlock);
    return false;
  }
  *out = c->ring[c->head];
  c->head = (c->head + 1) % EXH_QUEUE_DEPTH;
  c->count--;
  exh_cond_signal(&c->not_full);
  exh_mutex_unlock(&c->qlock);
  return true;
}

static void batch_finding(void *ctx, const exhunt_finding *f)
{
  worker *w = ctx;
  if (w->n_batch < EXH_MAX_FINDINGS_PER_FILE)
    w->batch[w->n_batch++] = *f;
}

static void batch_notice(void *ctx, const exhunt_notice *n)
{
  worker *w = ctx;
  locked_notice(w->ctx, n);
}

static void *worker_main(void *arg)
{
  worker *w = arg;
  scan_ctx *c = w->ctx;
  exhunt_sink batching = {.ctx = w, .on_finding = batch_finding, .on_notice = batch_notice};
  job j;
  while (pop_job(c, &j)) {
    exh_fileinfo info = {j.path, j.size, j.mtime, j.uid, j.dev, j.ino, j.root, j.path + j.rel};
    exh_fileresult res;
    w->n_batch = 0;
    exh_filescan_path(w->fs, &info, &batching, &res);
    /* The file's YARA and hashing time counts too: a worker that has run
     * ahead of --cpu-limit sleeps before its next file, not only before its
     * next read. */
    exh_pace_account(c->pace, 0);
    exh_mutex_lock(&c->out_lock);
    for (size_t i = 0; i < w->n_batch; i++) {
      if ((unsigned)w->batch[i].severity < EXHUNT_SEV_COUNT)
        c->stats.findings[w->batch[i].severity]++;
      c->user->on_finding(c->user->ctx, &w->batch[i]);
    }
    c->stats.bytes_read += res.bytes_read;
    if (res.scanned)
      c->stats.files_scanned++;
    if (res.skipped)
      c->stats.skipped[res.skip]++;
    if (res.content_skipped)
      c->stats.skipped[EXHUNT_SKIP_CONTENT_SIZE]++;
    if (res.noatime_refused)
      c->noatime_refused++;
    maybe_progress(c);
    exh_mutex_unlock(&c->out_lock);
    exh_filescan_trim(w->fs); /* the batch above pointed into its buffer */
    exh_free(j.path);
    exh_evidence_root_unref(j.root);
  }
  return NULL;
}

/* ---------------------------------------------------------------------- */

void exhunt_scan_opts_init(exhunt_scan_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  exhunt_scope_init(&opts->scope);
  exhunt_resources_init(&opts->resources);
  opts->newer_than = EXHUNT_NO_TIME;
}

static unsigned default_threads(void)
{
  return exh_cpu_count();
}

exhunt_err exhunt_scan_paths(const exhunt_rules *rules, const char *const *paths, size_t n_paths,
                             const exhunt_scan_opts *opts, const exhunt_sink *sink,
                             exhunt_scan_stats *stats)
{
  return exh_scan_run(rules, paths, n_paths, opts, sink, stats, NULL);
}

exhunt_err exh_scan_run(const exhunt_rules *rules, const char *const *paths, size_t n_paths,
                        const exhunt_scan_opts *opts, const exhunt_sink *sink,
                        exhunt_scan_stats *stats, const exh_scan_tap *tap)
{
  if (!rules || !rules->compiled || (!paths && n_paths) || !opts || !sink || !sink->on_finding ||
      !sink->on_notice)
    return EXHUNT_EINVAL;
  unsigned threads = opts->resources.threads ? opts->resources.threads : default_threads();
  if (threads > EXH_MAX_THREADS)
    threads = EXH_MAX_THREADS;

  exhunt_err err = EXHUNT_ENOMEM;
  scan_ctx *c = exh_calloc(1, sizeof *c);
  worker *workers = exh_calloc(threads, sizeof *workers);
  unsigned started = 0;
  if (!c || !workers)
    goto cleanup;
  exh_mutex_init(&c->qlock);
  exh_mutex_init(&c->out_lock);
  exh_cond_init(&c->not_empty);
  exh_cond_init(&c->not_full);
  c->user = sink;
  c->tap = tap;
  if ((err = exh_pace_new(&opts->resources.pace, &c->pace)) != EXHUNT_OK)
    goto cleanup;
  err = EXHUNT_ENOMEM;
  c->last_progress_ns = exh_monotonic_ns();

  /* Every worker's state is made before any thread starts, so a failure
   * here cannot leave the walker blocked on a queue nobody drains. */
  for (unsigned i = 0; i < threads; i++) {
    workers[i].ctx = c;
    if ((err = exh_filescan_new(rules, opts->max_filesize, &workers[i].fs)) != EXHUNT_OK)
      goto cleanup;
    exh_filescan_configure(workers[i].fs, &opts->limits, c->pace);
  }
  for (unsigned i = 0; i < threads; i++) {
    if (exh_thread_start(&workers[i].tid, worker_main, &workers[i]) != 0)
      break;
    workers[i].started = true;
    started++;
  }
  if (started == 0) {
    err = EXHUNT_ETHREAD;
    goto cleanup;
  }

  exh_walk_opts wopts = exh_walk_opts_of(&opts->scope, opts->newer_than);
  exh_walk_cb cb = {c, walk_file, walk_skip, walk_dir_seen};
  err = EXHUNT_OK;
  for (size_t i = 0; i < n_paths && !err; i++) {
    /* Opened once: the walker lists through it, the workers open through
     * it (each job holds a reference, so it outlives the walk). */
    const char *step = NULL;
    int e = exh_evidence_root_open(paths[i], &c->root, &step);
    if (e == ENOMEM) {
      err = EXHUNT_ENOMEM;
      break;
    }
    if (e) {
      exhunt_notice n = {EXHUNT_NOTICE_ERROR, exh_errno_code(e), step, paths[i], strerror(e)};
      walk_skip(c, EXHUNT_SKIP_UNREADABLE, &n);
      continue;
    }
    err = exh_walk_root(c->root, &wopts, &cb);
    exh_evidence_root_unref(c->root);
    c->root = NULL;
  }

cleanup:
  if (c) {
    exh_mutex_lock(&c->qlock);
    c->closing = true;
    exh_cond_broadcast(&c->not_empty);
    exh_mutex_unlock(&c->qlock);
  }
  for (unsigned i = 0; workers && i < threads; i++) {
    if (workers[i].started)
      exh_thread_join(&workers[i].tid);
    exh_filescan_free(workers[i].fs);
  }
  if (c && started) {
    if (c->noatime_refused || c->noatime_dirs) {
      char reason[256];
      snprintf(reason, sizeof reason,
               "O_NOATIME was refused for %llu file(s) and %llu directory(ies) not owned by this "
               "user; their access times may have been updated (run as root or mount the "
               "evidence noatime/ro)",
               (unsigned long long)c->noatime_refused, (unsigned long long)c->noatime_dirs);
      exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_EACCES, "atime-not-preserved", NULL, reason};
      locked_notice(c, &n);
    }
    if (sink->on_progress)
      sink->on_progress(sink->ctx, &c->stats);
    if (stats)
      *stats = c->stats;
  }
  if (c) {
    exh_mutex_destroy(&c->qlock);
    exh_mutex_destroy(&c->out_lock);
    exh_cond_destroy(&c->not_empty);
    exh_cond_destroy(&c->not_full);
  }
  exh_free(workers);
  if (c)
    exh_pace_free(c->pace);
  exh_free(c);
  return err;
}

exhunt_err exhunt_scan_buffer(const exhunt_rules *rules, const uint8_t *data, size_t len,
                              const exhunt_file_meta *meta, const exhunt_sink *sink)
{
  if (!rules || !rules->compiled || (!data && len) || !meta || !meta->path || !sink ||
      !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  exh_filescan *fs = NULL;
  exhunt_err err = exh_filescan_new(rules, 0, &fs);
  if (err)
    return err;
  exh_fileinfo info = {meta->path, len, meta->mtime, meta->uid, 0, 0, NULL, NULL};
  err = exh_filescan_buffer(fs, data, len, &info, sink);
  exh_filescan_free(fs);
  return err;
}
