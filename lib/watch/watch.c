/*
 * watch.c - exhunt_watch_run: inotify over folder trees, feeding the scanner.
 *
 * One thread, one loop: poll the inotify descriptor and the caller's control
 * descriptor; drain every pending event into a batch of paths; scan the
 * batch with exhunt_scan_paths (its worker pool, the compiled rules, the
 * same checks and caps as `exhunt scan`); repeat. Batching keeps a burst of
 * thousands of files to a few scan calls, while a lone file is scanned as
 * soon as its event is read, so latency is the scan time of that file.
 *
 * inotify is not recursive: every folder has its own watch, kept in a table
 * sorted by watch descriptor (the kernel hands them out in increasing order,
 * so inserts append). A folder that appears is watched first and listed
 * second, and handed whole to the scanner: a file that lands before the
 * watch is found by the listing, one that lands after by its event (some
 * files may be scanned twice; none is missed). Moves are resolved by asking
 * the file system: a watch whose path no longer leads to its (dev, inode)
 * has moved away and is dropped; one that moved within the tree was already
 * renamed when its IN_MOVED_TO arrived, because inotify_add_watch on a
 * watched inode returns the same descriptor.
 *
 * The kernel queue is finite and we do not raise it. On IN_Q_OVERFLOW we
 * cannot know what was lost, so every root is listed and scanned again.
 * The library never installs a signal handler: stopping and reloading
 * rules go through opts->on_control.
 */
#include "exhunt/watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "watch_int.h"

/* IN_CREATE is needed for folders (mkdir sends nothing else) and hard
 * links; plain files are scanned on IN_CLOSE_WRITE, when complete. */
#define WATCH_MASK                                                                                 \
  (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |         \
   IN_EXCL_UNLINK)

void exhunt_watch_opts_init(exhunt_watch_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  exhunt_scan_opts_init(&opts->scan);
  opts->control_fd = -1;
}

/* ---------------------------------------------------------------------- */
/* Notices and totals.                                                      */

static void notice(exh_watcher *w, exhunt_notice_kind kind, exhunt_err code, const char *what,
                   const char *path, const char *reason)
{
  exhunt_notice n = {kind, code, what, path, reason};
  if (kind == EXHUNT_NOTICE_ERROR)
    w->stats.errors++;
  else
    w->stats.notes++;
  w->sink->on_notice(w->sink->ctx, &n);
}

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

static char *join(const char *dir, const char *name)
{
  size_t dl = strlen(dir), nl = strlen(name);
  if (dl + nl + 2 > EXH_MAX_PATH)
    return NULL;
  char *p = exh_malloc(dl + nl + 2);
  if (!p)
    return NULL;
  memcpy(p, dir, dl);
  /* A root given as "dir/" must not become "dir//name". */
  size_t at = dl;
  if (at == 0 || p[at - 1] != '/')
    p[at++] = '/';
  memcpy(p + at, name, nl + 1);
  return p;
}

/* Is `path` `dir` itself or below it? */
static bool under(const char *path, const char *dir)
{
  size_t dl = strlen(dir);
  while (dl > 1 && dir[dl - 1] == '/')
    dl--;
  return strncmp(path, dir, dl) == 0 && (path[dl] == '\0' || path[dl] == '/');
}

/* ---------------------------------------------------------------------- */
/* The watch table.                                                         */

static exh_wentry *find_wd(exh_watcher *w, int wd)
{
  size_t lo = 0, hi = w->n_w;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (w->w[mid].wd == wd)
      return &w->w[mid];
    if (w->w[mid].wd < wd)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static void remove_entry(exh_watcher *w, exh_wentry *e)
{
  size_t i = (size_t)(e - w->w);
  exh_free(e->path);
  memmove(&w->w[i], &w->w[i + 1], (w->n_w - i - 1) * sizeof *w->w);
  w->n_w--;
}

/* Does `path` still lead to the folder the watch was set on? */
static bool still_there(const exh_wentry *e)
{
  struct stat st;
  return lstat(e->path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == e->dev &&
         st.st_ino == e->ino;
}

static void root_lost(exh_watcher *w, int root, const char *why)
{
  if (root < 0 || w->root_missing[root])
    return;
  w->root_missing[root] = true;
  w->n_missing++;
  notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ENOENT, "root-missing", w->roots[root], why);
}

/* Drops every watch at or below `dir` whose path no longer leads to its
 * folder (moved out of the tree, or deleted). */
static void drop_stale_under(exh_watcher *w, const char *dir)
{
  char *copy = exh_strdup(dir); /* `dir` may be an entry's own path */
  if (!copy)
    return;
  for (size_t i = 0; i < w->n_w;) {
    exh_wentry *e = &w->w[i];
    if (under(e->path, copy) && !still_there(e)) {
      root_lost(w, e->root,
                "the watched root was moved away or deleted; looking for it every "
                "second");
      inotify_rm_watch(w->ifd, e->wd);
      remove_entry(w, e);
      continue;
    }
    i++;
  }
  exh_free(copy);
}

/*
 * Watches one folder. Returns 1 if the caller should list it (a new watch,
 * or one that moved here), 0 if not (gone, not a folder, or the same folder
 * already watched at another live path: a bind-mount loop), or -1 on no
 * memory.
 */
static int set_watch(exh_watcher *w, const char *path, int root, unsigned depth)
{
  uint32_t mask = WATCH_MASK;
  /* A root may be a symlink (a mounted evidence path), resolved once as
   * the walker does; below it, links are never followed. */
  if (root < 0)
    mask |= IN_DONT_FOLLOW;
  int wd = inotify_add_watch(w->ifd, path, mask);
  if (wd < 0) {
    int e = errno;
    if (e == ENOSPC) {
      if (!w->limit_reported)
        notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "watch-limit", path,
               "no more inotify watches (fs.inotify.max_user_watches); this folder and later "
               "ones are not watched");
      w->limit_reported = true;
    } else if (e != ENOENT && e != ENOTDIR) {
      notice(w, EXHUNT_NOTICE_ERROR, e == EACCES ? EXHUNT_EACCES : EXHUNT_EIO, "watch-error", path,
             strerror(e));
    }
    return 0;
  }
  struct stat st;
  if (stat(path, &st) != 0)
    return 0; /* vanished already; its IN_IGNORED will come */
  exh_wentry *e = find_wd(w, wd);
  if (e) {
    if (strcmp(e->path, path) == 0) {
      if (root >= 0)
        e->root = root;
      return 1;
    }
    if (still_there(e))
      return 0; /* same folder reachable twice: keep the first path */
    char *p = exh_strdup(path);
    if (!p)
      return -1;
    exh_free(e->path);
    e->path = p;
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->depth = depth;
    if (root >= 0)
      e->root = root;
    return 1;
  }
  if (w->n_w == w->cap_w) {
    size_t cap = w->cap_w ? w->cap_w * 2 : 64;
    exh_wentry *grown = exh_reallocarray(w->w, cap, sizeof *grown);
    if (!grown)
      return -1;
    w->w = grown;
    w->cap_w = cap;
  }
  char *p = exh_strdup(path);
  if (!p)
    return -1;
  /* Descriptors only grow, so this is nearly always an append. */
  size_t at = w->n_w;
  while (at > 0 && w->w[at - 1].wd > wd)
    at--;
  memmove(&w->w[at + 1], &w->w[at], (w->n_w - at) * sizeof *w->w);
  w->w[at] = (exh_wentry){wd, p, st.st_dev, st.st_ino, depth, root};
  w->n_w++;
  return 1;
}

/* Watches `path` and every folder below it, down to the depth limit.
 * Returns EXHUNT_ENOMEM only; everything else is a notice or nothing. */
static exhunt_err watch_tree(exh_watcher *w, const char *path, int root, unsigned depth)
{
  int r = set_watch(w, path, root, depth);
  if (r < 0)
    return EXHUNT_ENOMEM;
  if (r == 0 || depth >= w->max_depth)
    return EXHUNT_OK; /* the scanner's walk reports the depth cut */
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (root < 0 ? O_NOFOLLOW : 0));
  if (fd < 0)
    return EXHUNT_OK;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return EXHUNT_OK;
  }
  exhunt_err err = EXHUNT_OK;
  struct dirent *de;
  while (!err && (de = readdir(d))) {
    const char *n = de->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
      continue;
    bool is_dir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (!is_dir)
      continue;
    char *sub = join(path, n);
    if (!sub)
      continue; /* too long: the scanner's walk reports it */
    err = watch_tree(w, sub, -1, depth + 1);
    exh_free(sub);
  }
  closedir(d);
  return err;
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
    struct stat st;
    if ((n > 0 && strcmp(w->batch[n - 1], w->batch[i]) == 0) || lstat(w->batch[i], &st) != 0) {
      exh_free(w->batch[i]);
      continue;
    }
    dirs |= S_ISDIR(st.st_mode);
    w->batch[n++] = w->batch[i];
  }
  w->n_batch = n;
  exhunt_err err = EXHUNT_OK;
  if (n) {
    /* A lone file needs one worker, not one per core: starting them is
     * most of the latency. A folder may hold anything, so it gets all. */
    exhunt_scan_opts so = w->opts->scan;
    if (!dirs) {
      long cores = sysconf(_SC_NPROCESSORS_ONLN);
      unsigned most = so.threads ? so.threads : cores < 1 ? 1u : (unsigned)cores;
      so.threads = n < most ? (unsigned)n : most;
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

/* Takes ownership of `path`. */
static exhunt_err queue_owned(exh_watcher *w, char *path)
{
  if (!path)
    return EXHUNT_OK; /* join() refused an over-long path: nothing to do */
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
  struct stat st;
  if (stat(w->roots[i], &st) != 0 || !S_ISDIR(st.st_mode))
    return EXHUNT_OK;
  exhunt_err err = watch_tree(w, w->roots[i], (int)i, 0);
  if (err)
    return err;
  exh_wentry *e = NULL;
  for (size_t k = 0; k < w->n_w && !e; k++)
    if (w->w[k].root == (int)i)
      e = &w->w[k];
  if (!e)
    return EXHUNT_OK; /* could not be watched; reported by set_watch */
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
  for (size_t i = 0; i < w->n_roots && !err && w->n_missing; i++)
    if (w->root_missing[i])
      err = arm_root(w, i, true);
  return err;
}

static exhunt_err rescan_all(exh_watcher *w)
{
  notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "watch-overflow", NULL,
         "the kernel's inotify queue overflowed (fs.inotify.max_queued_events): events were "
         "lost, so every watched root is rescanned");
  exhunt_err err = flush(w);
  for (size_t i = 0; i < w->n_roots && !err; i++)
    if (!w->root_missing[i])
      err = arm_root(w, i, true);
  return err;
}

exhunt_err exh_watch_event(exh_watcher *w, const struct inotify_event *ev)
{
  if (ev->mask & IN_Q_OVERFLOW) {
    w->overflowed = true;
    return EXHUNT_OK;
  }
  exh_wentry *e = find_wd(w, ev->wd);
  if (!e)
    return EXHUNT_OK; /* a watch already dropped */
  if (ev->mask & IN_IGNORED) {
    /* The kernel removed the watch: folder deleted, or its file system
     * unmounted. */
    root_lost(w, e->root,
              "the watched root was deleted or unmounted; looking for it every "
              "second");
    remove_entry(w, e);
    return EXHUNT_OK;
  }
  if (ev->mask & IN_MOVE_SELF) {
    drop_stale_under(w, e->path);
    return EXHUNT_OK;
  }
  if (ev->len == 0 || ev->name[0] == '\0')
    return EXHUNT_OK;
  char *full = join(e->path, ev->name);
  if (!full)
    return EXHUNT_OK;
  if (ev->mask & IN_ISDIR) {
    if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
      unsigned depth = e->depth + 1;
      exhunt_err err = depth <= w->max_depth ? watch_tree(w, full, -1, depth) : EXHUNT_OK;
      if (err) {
        exh_free(full);
        return err;
      }
      return queue_owned(w, full);
    }
    exh_free(full);
    return EXHUNT_OK;
  }
  if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
    return queue_owned(w, full);
  if (ev->mask & IN_CREATE) {
    /* A hard link makes a file appear with no write: nothing else would
     * tell us. A fresh file has one link and a close to come. */
    struct stat st;
    if (lstat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1)
      return queue_owned(w, full);
  }
  exh_free(full);
  return EXHUNT_OK;
}

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads every pending event (the descriptor is non-blocking), or what
 * comes within EXH_WATCH_DRAIN_MS, whichever ends first. */
static exhunt_err drain(exh_watcher *w)
{
  int64_t until = now_ms() + EXH_WATCH_DRAIN_MS;
  for (;;) {
    ssize_t n = read(w->ifd, w->buf, EXH_WATCH_READ_BUF);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        return EXHUNT_OK;
      return EXHUNT_EIO;
    }
    if (n == 0)
      return EXHUNT_OK;
    for (ssize_t off = 0; off < n;) {
      const struct inotify_event *ev = (const struct inotify_event *)(w->buf + off);
      exhunt_err err = exh_watch_event(w, ev);
      if (err)
        return err;
      off += (ssize_t)(sizeof *ev + ev->len);
    }
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
    struct stat st;
    if (stat(w->roots[i], &st) != 0) {
      w->root_missing[i] = true;
      w->n_missing++;
      notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ENOENT, "root-missing", w->roots[i],
             "the root does not exist yet; looking for it every second");
    } else if (!S_ISDIR(st.st_mode)) {
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_EINVAL, "root-not-a-folder", w->roots[i],
             "watch takes folders; this one is left out");
    } else {
      err = arm_root(w, i, w->opts->scan_existing);
    }
  }
  if (err)
    return err;
  char reason[160];
  snprintf(reason, sizeof reason, "watching %zu folder(s) under %zu root(s)", w->n_w,
           w->n_roots - w->n_missing);
  notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "watch-ready", NULL, reason);
  if ((err = flush(w)) != EXHUNT_OK)
    return err;

  int64_t next_check = now_ms() + EXH_WATCH_ROOT_POLL_MS;
  for (;;) {
    struct pollfd pfd[2] = {{w->ifd, POLLIN, 0}, {w->opts->control_fd, POLLIN, 0}};
    nfds_t nfds = w->opts->control_fd >= 0 ? 2 : 1;
    int timeout = -1;
    if (w->n_missing) {
      int64_t left = next_check - now_ms();
      timeout = left < 0 ? 0 : (int)left;
    }
    int r = poll(pfd, nfds, timeout);
    if (r < 0 && errno != EINTR)
      return EXHUNT_EIO;
    if (r > 0 && nfds == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!w->opts->on_control ||
          w->opts->on_control(w->opts->control_ctx, &w->rules) == EXHUNT_WATCH_STOP)
        return EXHUNT_OK;
    }
    if (r > 0 && (pfd[0].revents & POLLIN) && (err = drain(w)) != EXHUNT_OK)
      return err;
    if (w->overflowed) {
      w->overflowed = false;
      if ((err = rescan_all(w)) != EXHUNT_OK)
        return err;
    }
    if ((err = flush(w)) != EXHUNT_OK)
      return err;
    if (w->n_missing && now_ms() >= next_check) {
      next_check = now_ms() + EXH_WATCH_ROOT_POLL_MS;
      if ((err = check_missing_roots(w)) != EXHUNT_OK || (err = flush(w)) != EXHUNT_OK)
        return err;
    }
  }
}

exhunt_err exh_watcher_init(exh_watcher *w, const exhunt_rules *rules, const char *const *roots,
                            size_t n_roots, const exhunt_watch_opts *opts, const exhunt_sink *sink)
{
  memset(w, 0, sizeof *w);
  w->ifd = -1;
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
  w->max_depth = opts->scan.max_depth ? opts->scan.max_depth : EXH_DEFAULT_MAX_DEPTH;
  w->root_missing = exh_calloc(n_roots, sizeof *w->root_missing);
  w->buf = exh_malloc(EXH_WATCH_READ_BUF);
  if (!w->root_missing || !w->buf)
    return EXHUNT_ENOMEM;
  w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (w->ifd < 0) {
    int e = errno;
    exhunt_err err = e == ENOMEM ? EXHUNT_ENOMEM : EXHUNT_EIO;
    notice(w, EXHUNT_NOTICE_ERROR, err, "watch-error", NULL, strerror(e));
    return err;
  }
  return EXHUNT_OK;
}

void exh_watcher_free(exh_watcher *w)
{
  for (size_t i = 0; i < w->n_batch; i++)
    exh_free(w->batch[i]);
  exh_free(w->batch);
  for (size_t i = 0; i < w->n_w; i++)
    exh_free(w->w[i].path);
  exh_free(w->w);
  if (w->ifd >= 0)
    close(w->ifd);
  exh_free(w->buf);
  exh_free(w->root_missing);
  w->batch = NULL;
  w->w = NULL;
  w->buf = NULL;
  w->root_missing = NULL;
  w->n_batch = w->n_w = 0;
  w->ifd = -1;
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
