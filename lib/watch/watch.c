/*
 * watch.c - exhunt_watch_run: change notification over folder trees,
 * feeding the scanner.
 *
 * One thread, one loop: poll the event descriptor and the caller's control
 * descriptor; drain every pending event into a batch of paths; scan the
 * batch with exhunt_scan_paths (its worker pool, the compiled rules, the
 * same checks and caps as `exhunt scan`); repeat. Batching keeps a burst of
 * thousands of files to a few scan calls, while a lone file is scanned as
 * soon as its event is read, so latency is the scan time of that file.
 *
 * The backends live behind the platform seam (platform/notify.h; on
 * Linux lib/platform/posix/notify_inotify.c and notify_fanotify.c); this
 * file owns the loop, the batch and the roots, and is their host: they
 * hand it paths, ask it what is excluded and tell it when a root is lost.
 *
 * inotify needs one watch per folder, set as folders appear; fanotify
 * needs none of that: one mark covers a whole filesystem, so a new folder
 * is seen from its first file and there is no per-folder limit. It is
 * tried first (backend AUTO); inotify is the fallback where fanotify is
 * refused (not root, old kernel, a filesystem without file handles). Both
 * feed the same batch; paths below an --exclude glob and symlinks are never
 * handed to the scanner (a symlink handed to exhunt_scan_paths as a root
 * would be followed).
 *
 * The kernel queue is finite and we do not raise it. On an overflow we
 * cannot know what was lost, so every root is listed and scanned again.
 * The library never installs a signal handler: stopping and reloading
 * rules go through opts->on_control.
 */
#include "exhunt/watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "platform/clock.h"
#include "platform/fs.h"
#include "platform/glob.h"
#include "platform/notify.h"
#include "platform/thread.h"
#include "watch_int.h"

void exhunt_watch_opts_init(exhunt_watch_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  exhunt_scan_opts_init(&opts->scan);
  opts->control_fd = -1;
}

/* ---------------------------------------------------------------------- */
/* Notices and totals.                                                      */

static void exh_watch_notice(exh_watcher *w, exhunt_notice_kind kind, exhunt_err code,
                             const char *what, const char *path, const char *reason)
{
  exhunt_notice n = {kind, code, what, path, reason};
  if (kind == EXHUNT_NOTICE_ERROR)
    w->stats.errors++;
  else
    w->stats.notes++;
  w->sink->on_notice(w->sink->ctx, &n);
}

#define notice exh_watch_notice

static void add_stats(exhunt_scan_stats *to, const exhunt_scan_stats *s)
{
  to->files_seen += s->files_seen;
  to->files_scanned += s->files_scanned;
  to->dirs_seen += s->dirs_seen;
  to->bytes_read += s->bytes_read;
  to->errors += s->errors;
  to->notes += s->notes;
  to->records += s->records;
  for (int i = 0; i < EXHUNT_SKIP_COUNT; i++)
    to->skipped[i] += s->skipped[i];
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    to->findings[i] += s->findings[i];
}

/* dir + "/" + the first nl bytes of name; NULL if too long (after a
 * "path-too-long" note) or no memory (*oom set). */
static char *exh_watch_join(exh_watcher *w, const char *dir, const char *name, size_t nl, bool *oom)
{
  size_t dl = strlen(dir);
  if (dl + nl + 2 > EXH_MAX_PATH) {
    /* Not silent: the file exists and will not be scanned from here. */
    notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "path-too-long", dir,
           "a file or folder below this one has a path longer than the path limit; not scanned");
    return NULL;
  }
  char *p = exh_malloc(dl + nl + 2);
  if (!p) {
    *oom = true;
    return NULL;
  }
  memcpy(p, dir, dl);
  /* A root given as "dir/" must not become "dir//name". */
  size_t at = dl;
  if (at == 0 || p[at - 1] != '/')
    p[at++] = '/';
  memcpy(p + at, name, nl);
  p[at + nl] = '\0';
  return p;
}

static bool glob_hit(const exh_watcher *w, const char *s)
{
  for (size_t i = 0; i < w->opts->scan.scope.n_excludes; i++)
    if (exh_glob_match(w->opts->scan.scope.excludes[i], s, EXH_GLOB_CASEFOLD))
      return true;
  return false;
}

/* The walker's rule (a glob matches the path or its last name, and an
 * excluded folder is not entered), applied to a path that arrives by an
 * event: every folder between the root and it is tested too. */
static bool exh_watch_excluded(const exh_watcher *w, const char *path, size_t root_len)
{
  if (w->opts->scan.scope.n_excludes == 0)
    return false;
  char buf[EXH_MAX_PATH + 1];
  size_t len = strlen(path);
  if (len > EXH_MAX_PATH)
    return false;
  memcpy(buf, path, len + 1);
  for (size_t i = root_len; i <= len; i++) {
    if (i < len && buf[i] != '/')
      continue;
    if (i == root_len || (i > 0 && buf[i - 1] == '/'))
      continue; /* no component ends here */
    char c = buf[i];
    buf[i] = '\0';
    const char *slash = strrchr(buf, '/');
    bool hit = glob_hit(w, buf) || glob_hit(w, slash ? slash + 1 : buf);
    buf[i] = c;
    if (hit)
      return true;
  }
  return false;
}

/* Which root is `path` under (by spelling), and how long is its prefix?
 * 0 if none. */
static size_t exh_watch_root_prefix(const exh_watcher *w, const char *path)
{
  size_t best = 0;
  for (size_t i = 0; i < w->n_roots; i++) {
    size_t rl = strlen(w->roots[i]);
    if (strncmp(path, w->roots[i], rl) == 0 &&
        (path[rl] == '\0' || path[rl] == '/' || (rl && w->roots[i][rl - 1] == '/')) && rl > best)
      best = rl;
  }
  return best;
}

/* A root gone: noted once, then looked for every second. */
static void exh_watch_root_lost(exh_watcher *w, int root, const char *why)
{
  if (root < 0 || w->root_missing[root])
    return;
  w->root_missing[root] = true;
  w->n_missing++;
  notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ENOENT, "root-missing", w->roots[root], why);
}

/* ---------------------------------------------------------------------- */
/* The batch of paths waiting for a scan.                                   */

static int cmp_path(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static exhunt_err flush(exh_watcher *w)
{
  if (w->n_batch == 0)
    return EXHUNT_OK;
  qsort(w->batch, w->n_batch, sizeof *w->batch, cmp_path);
  /* Duplicates (a file closed twice) go; so do paths gone since their event
   * (temporary files renamed away): they are not an error here. */
  size_t n = 0;
  bool dirs = false;
  for (size_t i = 0; i < w->n_batch; i++) {
    exh_stat st;
    if ((n > 0 && strcmp(w->batch[n - 1], w->batch[i]) == 0) ||
        exh_lstat_path(w->batch[i], &st) != 0) {
      exh_free(w->batch[i]);
      continue;
    }
    /* exhunt_scan_paths resolves a symlink given as a path (a root may be
     * one): a link moved or made here would lead the scan anywhere, even to
     * "/". The walker never follows links below a root; neither do we. A
     * root itself (the user's own spelling) is exempt. */
    if (st.type == EXH_FT_LINK && exh_watch_root_prefix(w, w->batch[i]) != strlen(w->batch[i])) {
      w->stats.skipped[EXHUNT_SKIP_SYMLINK]++;
      notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "symlink-not-followed", w->batch[i],
             "a symlink appeared in the watched tree; it is not followed");
      exh_free(w->batch[i]);
      continue;
    }
    dirs |= st.type == EXH_FT_DIR;
    w->batch[n++] = w->batch[i];
  }
  w->n_batch = n;
  exhunt_err err = EXHUNT_OK;
  if (n) {
    /* A lone file needs one worker, not one per core: starting them is
     * most of the latency. A folder may hold anything, so it gets all. */
    exhunt_scan_opts so = w->opts->scan;
    if (!dirs) {
      unsigned most = so.resources.threads ? so.resources.threads : exh_cpu_count();
      so.resources.threads = n < most ? (unsigned)n : most;
    }
    exhunt_scan_stats s;
    memset(&s, 0, sizeof s);
    err = exhunt_scan_paths(w->rules, (const char *const *)w->batch, n, &so, w->sink, &s);
    add_stats(&w->stats, &s);
  }
  for (size_t i = 0; i < w->n_batch; i++)
    exh_free(w->batch[i]);
  w->n_batch = 0;
  return err;
}

/* Takes ownership of `path` (may be NULL: nothing to do). */
static exhunt_err exh_watch_queue(exh_watcher *w, char *path)
{
  if (!path)
    return EXHUNT_OK; /* join() refused an over-long path: noted */
  if (exh_watch_excluded(w, path, exh_watch_root_prefix(w, path))) {
    w->stats.skipped[EXHUNT_SKIP_EXCLUDED]++;
    exh_free(path);
    return EXHUNT_OK;
  }
  if (w->n_batch == w->cap_batch) {
    size_t cap = w->cap_batch ? w->cap_batch * 2 : 64;
    char **grown = exh_reallocarray(w->batch, cap, sizeof *grown);
    if (!grown) {
      exh_free(path);
      return EXHUNT_ENOMEM;
    }
    w->batch = grown;
    w->cap_batch = cap;
  }
  w->batch[w->n_batch++] = path;
  return w->n_batch >= EXH_WATCH_BATCH ? flush(w) : EXHUNT_OK;
}

#define queue_owned exh_watch_queue

static exhunt_err queue(exh_watcher *w, const char *path)
{
  char *p = exh_strdup(path);
  return p ? queue_owned(w, p) : EXHUNT_ENOMEM;
}

/* ---------------------------------------------------------------------- */
/* Roots and events.                                                         */

/* Watches a root that is there (again) and, if asked, scans its content. */
static exhunt_err arm_root(exh_watcher *w, size_t i, bool scan)
{
  exh_stat st;
  if (exh_stat_path(w->roots[i], &st) != 0 || st.type != EXH_FT_DIR)
    return EXHUNT_OK;
  int r = exh_notify_watch_root(w->notify, i);
  if (r < 0)
    return EXHUNT_ENOMEM;
  if (r == 0)
    return EXHUNT_OK; /* could not be watched; noted */
  if (w->root_missing[i]) {
    w->root_missing[i] = false;
    w->n_missing--;
    notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "root-back", w->roots[i],
           "the watched root is back: watching it again and scanning its content");
    scan = true;
  }
  return scan ? queue(w, w->roots[i]) : EXHUNT_OK;
}

static exhunt_err check_missing_roots(exh_watcher *w)
{
  exhunt_err err = EXHUNT_OK;
  for (size_t i = 0; i < w->n_roots && !err; i++) {
    if (!w->root_missing[i] && exh_notify_polls_roots(w->notify)) {
      /* Nothing tells the backend when a root is deleted or replaced
       * (fanotify: one mark covers the filesystem): look. A root recreated
       * in place is found by its events anyway; the notes keep the story
       * the same as inotify's. */
      if (exh_notify_root_gone(w->notify, i))
        exh_watch_root_lost(
            w, (int)i,
            "the watched root was moved away, deleted or replaced; looking for it every "
            "second");
    }
    if (w->root_missing[i])
      err = arm_root(w, i, true);
  }
  return err;
}

static exhunt_err rescan_all(exh_watcher *w)
{
  bool fan = w->backend == EXHUNT_WATCH_FANOTIFY;
  notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "watch-overflow", NULL,
         fan ? "the kernel's fanotify queue overflowed (fs.fanotify.max_queued_events): events "
               "were lost, so every watched root is rescanned"
             : "the kernel's inotify queue overflowed (fs.inotify.max_queued_events): events "
               "were lost, so every watched root is rescanned");
  exhunt_err err = flush(w);
  /* Deletions and moves were lost too: drop watches that lead nowhere. */
  if (!err)
    exh_notify_forget_stale(w->notify);
  for (size_t i = 0; i < w->n_roots && !err; i++)
    if (!w->root_missing[i])
      err = arm_root(w, i, true);
  return err;
}

static int64_t now_ms(void)
{
  return exh_monotonic_ns() / 1000000;
}

/* Reads every pending event (the descriptor is non-blocking), or what
 * comes within EXH_WATCH_DRAIN_MS, whichever ends first. */
static exhunt_err drain(exh_watcher *w)
{
  int64_t until = now_ms() + EXH_WATCH_DRAIN_MS;
  for (;;) {
    bool empty = false;
    exhunt_err err = exh_notify_read(w->notify, &empty);
    if (empty)
      return EXHUNT_OK;
    if (err == EXHUNT_ECORRUPT)
      w->overflowed = true; /* what was lost is unknown: rescan */
    else if (err)
      return err;
    /* A full batch was scanned inside queue(); a writer that never lets
     * the queue run dry must not hold back what was read already. */
    if (now_ms() >= until)
      return EXHUNT_OK;
  }
}

exhunt_err exh_watch_loop(exh_watcher *w)
{
  exhunt_err err = EXHUNT_OK;
  for (size_t i = 0; i < w->n_roots && !err; i++) {
    exh_stat st;
    if (exh_stat_path(w->roots[i], &st) != 0) {
      w->root_missing[i] = true;
      w->n_missing++;
      notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ENOENT, "root-missing", w->roots[i],
             "the root does not exist yet; looking for it every second");
    } else if (st.type != EXH_FT_DIR) {
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_EINVAL, "root-not-a-folder", w->roots[i],
             "watch takes folders; this one is left out");
    } else {
      err = arm_root(w, i, w->opts->scan_existing);
    }
  }
  if (err)
    return err;
  char reason[160];
  if (w->backend == EXHUNT_WATCH_FANOTIFY)
    snprintf(reason, sizeof reason, "fanotify: watching %zu filesystem(s) for %zu root(s)",
             exh_notify_count(w->notify), w->n_roots - w->n_missing);
  else
    snprintf(reason, sizeof reason, "inotify: watching %zu folder(s) under %zu root(s)",
             exh_notify_count(w->notify), w->n_roots - w->n_missing);
  notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "watch-ready", NULL, reason);
  if ((err = flush(w)) != EXHUNT_OK)
    return err;

  int64_t next_check = now_ms() + EXH_WATCH_ROOT_POLL_MS;
  bool polls = exh_notify_polls_roots(w->notify);
  for (;;) {
    /* The control descriptor may be -1: none. */
    int timeout = -1;
    if (w->n_missing || polls) {
      int64_t left = next_check - now_ms();
      timeout = left < 0 ? 0 : (int)left;
    }
    unsigned ready = 0;
    if (exh_notify_wait(w->notify, w->opts->control_fd, timeout, &ready) != 0 && errno != EINTR)
      return EXHUNT_EIO;
    if (ready & EXH_NOTIFY_CONTROL) {
      if (!w->opts->on_control ||
          w->opts->on_control(w->opts->control_ctx, &w->rules) == EXHUNT_WATCH_STOP)
        return EXHUNT_OK;
    }
    if ((ready & EXH_NOTIFY_EVENTS) && (err = drain(w)) != EXHUNT_OK)
      return err;
    if ((ready & EXH_NOTIFY_MOUNTS) && (err = exh_notify_mounts_changed(w->notify)) != EXHUNT_OK)
      return err;
    if (w->overflowed) {
      w->overflowed = false;
      if ((err = rescan_all(w)) != EXHUNT_OK)
        return err;
    }
    if ((err = flush(w)) != EXHUNT_OK)
      return err;
    if ((w->n_missing || polls) && now_ms() >= next_check) {
      next_check = now_ms() + EXH_WATCH_ROOT_POLL_MS;
      if ((err = check_missing_roots(w)) != EXHUNT_OK || (err = flush(w)) != EXHUNT_OK)
        return err;
    }
  }
}

/* ---------------------------------------------------------------------- */
/* What the backend calls back (exh_notify_host).                           */

static exhunt_err host_changed(void *ctx, char *path)
{
  return exh_watch_queue(ctx, path);
}

static char *host_join(void *ctx, const char *dir, const char *name, size_t len, bool *oom)
{
  return exh_watch_join(ctx, dir, name, len, oom);
}

static bool host_excluded(void *ctx, const char *path)
{
  const exh_watcher *w = ctx;
  return exh_watch_excluded(w, path, exh_watch_root_prefix(w, path));
}

static void host_root_lost(void *ctx, int root, const char *why)
{
  exh_watch_root_lost(ctx, root, why);
}

static bool host_root_missing(void *ctx, size_t root)
{
  const exh_watcher *w = ctx;
  return w->root_missing[root];
}

static void host_overflow(void *ctx)
{
  exh_watcher *w = ctx;
  w->overflowed = true;
}

static void host_skipped(void *ctx, exhunt_skip_reason why)
{
  exh_watcher *w = ctx;
  w->stats.skipped[why]++;
}

static void host_notice(void *ctx, exhunt_notice_kind kind, exhunt_err code, const char *what,
                        const char *path, const char *reason)
{
  exh_watch_notice(ctx, kind, code, what, path, reason);
}

exhunt_err exh_watcher_init(exh_watcher *w, const exhunt_rules *rules, const char *const *roots,
                            size_t n_roots, const exhunt_watch_opts *opts, const exhunt_sink *sink)
{
  memset(w, 0, sizeof *w);
  if (!rules || !roots || n_roots == 0 || !opts || !sink || !sink->on_finding || !sink->on_notice ||
      (opts->control_fd >= 0 && !opts->on_control))
    return EXHUNT_EINVAL;
  for (size_t i = 0; i < n_roots; i++)
    if (!roots[i] || !roots[i][0])
      return EXHUNT_EINVAL;
  w->rules = rules;
  w->opts = opts;
  w->sink = sink;
  w->roots = roots;
  w->n_roots = n_roots;
  w->max_depth = opts->scan.scope.max_depth ? opts->scan.scope.max_depth : EXH_DEFAULT_MAX_DEPTH;
  w->root_missing = exh_calloc(n_roots, sizeof *w->root_missing);
  if (!w->root_missing)
    return EXHUNT_ENOMEM;
  w->host = (exh_notify_host){w,
                              roots,
                              n_roots,
                              w->max_depth,
                              host_changed,
                              host_join,
                              host_excluded,
                              host_root_lost,
                              host_root_missing,
                              host_overflow,
                              host_skipped,
                              host_notice};
  char why[EXH_MAX_PATH + 256] = "";
  if (opts->backend != EXHUNT_WATCH_INOTIFY) {
    exhunt_err err = exh_notify_open(EXHUNT_WATCH_FANOTIFY, &w->host, &w->notify, why, sizeof why);
    if (err == EXHUNT_OK) {
      w->backend = EXHUNT_WATCH_FANOTIFY;
      notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "watch-backend", NULL,
             "fanotify: one mark per filesystem covers every folder below the roots at once");
      return EXHUNT_OK;
    }
    if (err == EXHUNT_ENOMEM)
      return err;
    if (opts->backend == EXHUNT_WATCH_FANOTIFY) {
      char reason[sizeof why + 64];
      snprintf(reason, sizeof reason, "fanotify cannot be used: %s", why);
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_EUNSUPPORTED, "watch-error", NULL, reason);
      return EXHUNT_EUNSUPPORTED;
    }
  }
  w->backend = EXHUNT_WATCH_INOTIFY;
  char failed[256];
  exhunt_err err =
      exh_notify_open(EXHUNT_WATCH_INOTIFY, &w->host, &w->notify, failed, sizeof failed);
  if (err) {
    /* An allocation that failed says nothing; the kernel's refusal does. */
    if (failed[0])
      notice(w, EXHUNT_NOTICE_ERROR, err, "watch-error", NULL, failed);
    return err;
  }
  char reason[sizeof why + 128];
  if (why[0])
    snprintf(reason, sizeof reason, "inotify, one watch per folder: fanotify was not used (%s)",
             why);
  else
    snprintf(reason, sizeof reason, "inotify, one watch per folder (asked for)");
  notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "watch-backend", NULL, reason);
  return EXHUNT_OK;
}

void exh_watcher_free(exh_watcher *w)
{
  for (size_t i = 0; i < w->n_batch; i++)
    exh_free(w->batch[i]);
  exh_free(w->batch);
  exh_notify_close(w->notify);
  w->notify = NULL;
  exh_free(w->root_missing);
  w->batch = NULL;
  w->root_missing = NULL;
  w->n_batch = 0;
}

exhunt_err exhunt_watch_run(const exhunt_rules *rules, const char *const *roots, size_t n_roots,
                            const exhunt_watch_opts *opts, const exhunt_sink *sink,
                            exhunt_scan_stats *stats)
{
  exh_watcher w;
  exhunt_err err = exh_watcher_init(&w, rules, roots, n_roots, opts, sink);
  if (err == EXHUNT_OK)
    err = exh_watch_loop(&w);
  if (stats)
    *stats = w.stats;
  exh_watcher_free(&w);
  return err;
}
