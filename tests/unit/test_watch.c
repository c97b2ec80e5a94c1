/*
 * test_watch.c - the watch loop (lib/watch/) on real folders, in one thread.
 *
 * The control descriptor is a 10 ms timerfd, so the loop calls back into
 * the test between scans: each test is a little script run from that
 * callback (write a file, check what the sink got, stop). Nothing races,
 * and events the kernel will not produce on demand (a queue overflow) are
 * fed through exh_watch_event from the loop's own thread. An allocation
 * sweep covers the watcher's own code (setting watches, folder events).
 * Malformed event records (inotify and fanotify) are fed the same way.
 * Tests that run on both backends take fanotify from `backend`; where
 * fanotify is refused (not root) they are skipped, visibly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "exhunt/watch.h"
#include "watch/watch_int.h"

#define SHELL "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>"
#define TICKS_MAX 500 /* 5 s at 10 ms */

static exhunt_rules *rules;
static exhunt_rules *marker_rules;
static recorder rec;
static char root[256];
static exhunt_watch_backend backend = EXHUNT_WATCH_INOTIFY;
static const char *const *excludes;
static size_t n_excludes;

typedef struct script {
  int tfd;
  int step;
  int ticks;
  exh_watcher *w;
  char path[512];
  char dir[300];
  bool done;
} script;

static int group_setup(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  if (exhunt_rules_new(&rules) || exhunt_rules_add_default(rules, &sink) ||
      exhunt_rules_compile(rules, &sink))
    return -1;
  static const char marker[] = "rule marker_only { strings: $a = \"MARKER-c0ffee\" condition: $a }";
  if (exhunt_rules_new(&marker_rules))
    return -1;
  exhunt_rules_set_heuristics(marker_rules, false);
  if (exhunt_rules_add_yara(marker_rules, "marker", marker, sizeof marker - 1, &sink) ||
      exhunt_rules_compile(marker_rules, &sink))
    return -1;
  return 0;
}

static int group_teardown(void **state)
{
  (void)state;
  exhunt_rules_free(rules);
  exhunt_rules_free(marker_rules);
  return 0;
}

static int make_root(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  snprintf(root, sizeof root, "/tmp/exhunt-watch-XXXXXX");
  return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
  (void)state;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  return system(cmd) == 0 ? 0 : -1;
}

static void put_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static bool found(const char *path)
{
  for (size_t i = 0; i < rec.n_findings; i++)
    if (strcmp(rec.findings[i].path, path) == 0)
      return true;
  return false;
}

static bool noted(const char *what)
{
  for (size_t i = 0; i < rec.n_notices; i++)
    if (strcmp(rec.notices[i].what, what) == 0)
      return true;
  return false;
}

static size_t count_found(const char *path)
{
  size_t n = 0;
  for (size_t i = 0; i < rec.n_findings; i++)
    if (strcmp(rec.findings[i].path, path) == 0 &&
        strcmp(rec.findings[i].rule, "exhunt.heur.request_exec") == 0)
      n++;
  return n;
}

static int start_timer(void)
{
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  assert_true(fd >= 0);
  struct itimerspec its = {{0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000}};
  assert_int_equal(timerfd_settime(fd, 0, &its, NULL), 0);
  return fd;
}

static bool tick(script *s)
{
  uint64_t n;
  while (read(s->tfd, &n, sizeof n) == (ssize_t)sizeof n)
    ;
  return ++s->ticks < TICKS_MAX;
}

/* Runs the loop with `cb` as the script; returns what the loop returned. */
static exhunt_err run_script(const char *const *roots, size_t n_roots, bool scan_existing,
                             exhunt_watch_action (*cb)(void *, const exhunt_rules **), script *s)
{
  exhunt_sink sink = rec_sink(&rec);
  exhunt_watch_opts opts;
  exhunt_watch_opts_init(&opts);
  opts.scan.resources.threads = 2;
  opts.scan_existing = scan_existing;
  opts.backend = backend;
  opts.scan.scope.excludes = excludes;
  opts.scan.scope.n_excludes = n_excludes;
  s->tfd = start_timer();
  opts.control_fd = s->tfd;
  opts.control_ctx = s;
  opts.on_control = cb;
  exh_watcher w;
  s->w = &w;
  exhunt_err err = exh_watcher_init(&w, rules, roots, n_roots, &opts, &sink);
  if (!err)
    assert_int_equal(w.backend, backend == EXHUNT_WATCH_AUTO ? w.backend : backend);
  if (!err)
    err = exh_watch_loop(&w);
  exh_watcher_free(&w);
  close(s->tfd);
  return err;
}

/* ---------------------------------------------------------------------- */

static exhunt_watch_action new_file_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  switch (s->step) {
  case 0:
    assert_true(noted("watch-ready"));
    snprintf(s->path, sizeof s->path, "%s/shell.aspx", root);
    put_file(s->path, SHELL);
    s->step = 1;
    break;
  case 1:
    if (found(s->path)) {
      /* A folder made after the start, with a file already in it. */
      snprintf(s->dir, sizeof s->dir, "%s/new", root);
      assert_int_equal(mkdir(s->dir, 0755), 0);
      snprintf(s->path, sizeof s->path, "%s/new/inside.aspx", root);
      put_file(s->path, SHELL);
      s->step = 2;
    }
    break;
  case 2:
    if (found(s->path)) {
      s->done = true;
      return EXHUNT_WATCH_STOP;
    }
    break;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_new_files_found(void **state)
{
  (void)state;
  const char *roots[] = {root};
  script s = {0};
  assert_int_equal(run_script(roots, 1, false, new_file_cb, &s), EXHUNT_OK);
  assert_true(s.done);
}

/* A file there before the watch is not reported (no --scan-existing), until
 * a queue overflow forces a rescan. */
static exhunt_watch_action overflow_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  if (s->step == 0) {
    assert_false(found(s->path));
    struct inotify_event ev = {.wd = -1, .mask = IN_Q_OVERFLOW};
    assert_int_equal(exh_watch_event(s->w, &ev), EXHUNT_OK);
    s->step = 1;
  } else if (found(s->path)) {
    assert_true(noted("watch-overflow"));
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_overflow_rescans(void **state)
{
  (void)state;
  script s = {0};
  snprintf(s.dir, sizeof s.dir, "%s/a/b", root);
  char a[300];
  snprintf(a, sizeof a, "%s/a", root);
  assert_int_equal(mkdir(a, 0755), 0);
  assert_int_equal(mkdir(s.dir, 0755), 0);
  snprintf(s.path, sizeof s.path, "%s/old.aspx", s.dir);
  put_file(s.path, SHELL);
  const char *roots[] = {root};
  assert_int_equal(run_script(roots, 1, false, overflow_cb, &s), EXHUNT_OK);
  assert_true(s.done);
}

/* A root missing at the start is waited for, then watched and scanned. */
static exhunt_watch_action missing_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  if (s->step == 0) {
    assert_true(noted("root-missing"));
    assert_int_equal(mkdir(s->dir, 0755), 0);
    put_file(s->path, SHELL);
    s->step = 1;
  } else if (s->step == 1 && found(s->path)) {
    assert_true(noted("root-back"));
    /* And it is watched: a later file is found too. */
    snprintf(s->path, sizeof s->path, "%s/later.aspx", s->dir);
    put_file(s->path, SHELL);
    s->step = 2;
  } else if (s->step == 2 && found(s->path)) {
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_missing_root_comes_back(void **state)
{
  (void)state;
  script s = {0};
  snprintf(s.dir, sizeof s.dir, "%s/later", root);
  snprintf(s.path, sizeof s.path, "%s/first.aspx", s.dir);
  const char *roots[] = {s.dir};
  assert_int_equal(run_script(roots, 1, false, missing_cb, &s), EXHUNT_OK);
  assert_true(s.done);
}

/* The control callback may swap the rules; the next scan uses the new set. */
static exhunt_watch_action swap_cb(void *ctx, const exhunt_rules **r)
{
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  if (s->step == 0) {
    *r = marker_rules;
    snprintf(s->path, sizeof s->path, "%s/m.txt", root);
    put_file(s->path, "MARKER-c0ffee\n");
    snprintf(s->dir, sizeof s->dir, "%s/shell.aspx", root);
    put_file(s->dir, SHELL);
    s->step = 1;
  } else if (found(s->path)) {
    /* The shell is written first and scanned in the same batch: the
     * heuristics are off in the new set, so nothing about it. */
    assert_false(found(s->dir));
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_rules_swapped(void **state)
{
  (void)state;
  const char *roots[] = {root};
  script s = {0};
  assert_int_equal(run_script(roots, 1, false, swap_cb, &s), EXHUNT_OK);
  assert_true(s.done);
}

/* scan_existing: what is there at the start is scanned once. */
static exhunt_watch_action existing_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  if (found(s->path) && s->ticks > 20) {
    assert_int_equal(count_found(s->path), 1);
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_scan_existing(void **state)
{
  (void)state;
  script s = {0};
  snprintf(s.path, sizeof s.path, "%s/there.aspx", root);
  put_file(s.path, SHELL);
  const char *roots[] = {root};
  assert_int_equal(run_script(roots, 1, true, existing_cb, &s), EXHUNT_OK);
  assert_true(s.done);
}

/* Allocation failures in the watcher's own code: setting the watches of a
 * tree, then a new folder event. The script stops before any scan runs, so
 * no worker thread touches the (thread-unaware) failure counter. */
static exhunt_err sweep_event_err;

static exhunt_watch_action sweep_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  tick(s);
  union {
    struct inotify_event ev;
    char bytes[sizeof(struct inotify_event) + 8];
  } u;
  memset(&u, 0, sizeof u);
  struct inotify_event *ev = &u.ev;
  ev->wd = s->w->n_w ? s->w->w[0].wd : -2;
  ev->mask = IN_CREATE | IN_ISDIR;
  ev->len = 8;
  memcpy(u.bytes + sizeof(struct inotify_event), "new", 4);
  sweep_event_err = exh_watch_event(s->w, ev);
  return EXHUNT_WATCH_STOP;
}

static void test_sweep_allocations(void **state)
{
  (void)state;
  char p[300];
  const char *dirs[] = {"a", "a/b", "a/b/c", "d", "new", "new/x", "new/x/y"};
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
    snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
    assert_int_equal(mkdir(p, 0755), 0);
  }
  const char *roots[] = {root};
  for (unsigned long n = 1; n < 10000; n++) {
    script s = {0};
    sweep_event_err = EXHUNT_OK;
    exh_alloc_fail_at(n, 0);
    exhunt_err err = run_script(roots, 1, false, sweep_cb, &s);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    if (made < n) { /* the Nth allocation never happened: sweep complete */
      assert_int_equal(err, EXHUNT_OK);
      assert_int_equal(sweep_event_err, EXHUNT_OK);
      /* inotify: the watches of 8 folders, each a path; fanotify: one mark */
      assert_true(n > (backend == EXHUNT_WATCH_INOTIFY ? 20u : 5u));
      return;
    }
    assert_true(err == EXHUNT_OK || err == EXHUNT_ENOMEM);
    assert_true(sweep_event_err == EXHUNT_OK || sweep_event_err == EXHUNT_ENOMEM);
  }
  fail_msg("sweep did not finish");
}

/* Runs `fn` with the fanotify backend, or skips where it is refused. */
static bool fanotify_here(void)
{
  int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME, O_RDONLY);
  if (fd < 0)
    return false;
  bool ok =
      fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_CLOSE_WRITE, AT_FDCWD, root) == 0;
  close(fd);
  /* The backend also opens folder handles (CAP_DAC_READ_SEARCH). */
  union {
    struct file_handle fh;
    char bytes[sizeof(struct file_handle) + 128];
  } u;
  u.fh.handle_bytes = 128;
  int mnt, dfd = open(root, O_RDONLY | O_DIRECTORY), hfd = -1;
  ok = ok && dfd >= 0 && name_to_handle_at(dfd, "", &u.fh, &mnt, AT_EMPTY_PATH) == 0 &&
       (hfd = open_by_handle_at(dfd, &u.fh, O_PATH)) >= 0;
  if (hfd >= 0)
    close(hfd);
  if (dfd >= 0)
    close(dfd);
  return ok;
}

#define ON_FANOTIFY(fn)                                                                            \
  static void fn##_fan(void **state)                                                               \
  {                                                                                                \
    if (!fanotify_here()) {                                                                        \
      print_message("SKIP: fanotify cannot mark the filesystem of %s here\n", root);               \
      skip();                                                                                      \
    }                                                                                              \
    backend = EXHUNT_WATCH_FANOTIFY;                                                               \
    fn(state);                                                                                     \
    backend = EXHUNT_WATCH_INOTIFY;                                                                \
  }

ON_FANOTIFY(test_new_files_found)
ON_FANOTIFY(test_sweep_allocations)
ON_FANOTIFY(test_missing_root_comes_back)
ON_FANOTIFY(test_rules_swapped)

/* An inotify name is ev->len bytes, NUL-padded by the kernel; nothing past
 * len is ours. Here the bytes after it spell a longer name: the file that
 * exists is the short one. */
static exhunt_watch_action name_bounds_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  if (s->step == 0) {
    put_file(s->path, SHELL); /* an event the watch sees too: keep ours apart */
    union {
      struct inotify_event ev;
      char bytes[sizeof(struct inotify_event) + 16];
    } u;
    memset(&u, 0, sizeof u);
    u.ev.wd = s->w->w[0].wd;
    u.ev.mask = IN_MOVED_TO;
    u.ev.len = 4;
    memcpy(u.bytes + sizeof(struct inotify_event), "abcdXYZ", 8);
    assert_int_equal(exh_watch_event(s->w, &u.ev), EXHUNT_OK);
    s->step = 1;
  } else if (found(s->dir)) {
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_event_name_bounds(void **state)
{
  (void)state;
  script s = {0};
  snprintf(s.dir, sizeof s.dir, "%s/abcd", root);
  snprintf(s.path, sizeof s.path, "%s/other.txt", root);
  /* "abcd" exists before the watch (no event of its own) and is a shell. */
  put_file(s.dir, SHELL);
  const char *roots[] = {root};
  assert_int_equal(run_script(roots, 1, false, name_bounds_cb, &s), EXHUNT_OK);
  assert_true(s.done);
}

/* Records that run past the bytes read are refused, not followed. */
static exhunt_err corrupt_err[4];

static exhunt_watch_action truncated_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  union {
    struct inotify_event ev;
    unsigned char bytes[sizeof(struct inotify_event) + 16];
  } u;
  memset(&u, 0, sizeof u);
  u.ev.wd = s->w->w[0].wd;
  u.ev.mask = IN_CLOSE_WRITE;
  u.ev.len = 16;
  memcpy(u.bytes + sizeof(struct inotify_event), "name", 5);
  /* A header cut short, a name longer than what was read, then a good one. */
  corrupt_err[0] = exh_watch_events(s->w, u.bytes, sizeof(struct inotify_event) - 1);
  corrupt_err[1] = exh_watch_events(s->w, u.bytes, sizeof(struct inotify_event) + 8);
  corrupt_err[2] = exh_watch_events(s->w, u.bytes, sizeof u.bytes);
  return EXHUNT_WATCH_STOP;
}

static void test_inotify_records_bounded(void **state)
{
  (void)state;
  script s = {0};
  const char *roots[] = {root};
  assert_int_equal(run_script(roots, 1, false, truncated_cb, &s), EXHUNT_OK);
  assert_int_equal(corrupt_err[0], EXHUNT_ECORRUPT);
  assert_int_equal(corrupt_err[1], EXHUNT_ECORRUPT);
  assert_int_equal(corrupt_err[2], EXHUNT_OK);
  assert_true(noted("watch-error"));
}

/* fanotify records, built by hand: each length is checked before use. */
static size_t fan_record(unsigned char *buf, uint32_t event_len, uint32_t info_len,
                         uint32_t handle_bytes, const char *name, size_t name_len)
{
  struct fanotify_event_metadata md;
  memset(&md, 0, sizeof md);
  md.vers = FANOTIFY_METADATA_VERSION;
  md.metadata_len = sizeof md;
  md.mask = FAN_CLOSE_WRITE;
  md.fd = FAN_NOFD;
  struct fanotify_event_info_fid fid;
  memset(&fid, 0, sizeof fid);
  fid.hdr.info_type = FAN_EVENT_INFO_TYPE_DFID_NAME;
  fid.hdr.len = (uint16_t)info_len;
  struct file_handle fh = {handle_bytes, 1};
  size_t at = sizeof md;
  memcpy(buf + at, &fid, sizeof fid);
  at += sizeof fid;
  memcpy(buf + at, &fh, sizeof fh);
  at += sizeof fh;
  memset(buf + at, 0x41, 8);
  at += 8;
  memcpy(buf + at, name, name_len);
  at += name_len;
  md.event_len = event_len ? event_len : (uint32_t)at;
  memcpy(buf, &md, sizeof md);
  return at;
}

static exhunt_err fan_err[6];

static exhunt_watch_action fan_malformed_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  unsigned char buf[256];
  size_t info = sizeof(struct fanotify_event_info_fid) + sizeof(struct file_handle) + 8;
  memset(buf, 0, sizeof buf);
  /* event_len past the read */
  size_t n = fan_record(buf, 200, (uint32_t)(info + 4), 8, "x.a", 4);
  fan_err[0] = exh_fan_events(s->w, buf, n);
  /* header shorter than the metadata */
  fan_err[1] = exh_fan_events(s->w, buf, 10);
  /* info record longer than the event: noted, skipped, rescan asked */
  n = fan_record(buf, 0, 250, 8, "x.a", 4);
  fan_err[2] = exh_fan_events(s->w, buf, n);
  /* handle longer than its record */
  n = fan_record(buf, 0, (uint32_t)(info + 4), 100, "x.a", 4);
  fan_err[3] = exh_fan_events(s->w, buf, n);
  /* a name with no NUL inside its record */
  n = fan_record(buf, 0, (uint32_t)(info + 3), 8, "x.a", 3);
  fan_err[4] = exh_fan_events(s->w, buf, n);
  /* well formed, a handle that resolves nowhere: dropped quietly */
  n = fan_record(buf, 0, (uint32_t)(info + 4), 8, "x.a", 4);
  fan_err[5] = exh_fan_events(s->w, buf, n);
  return EXHUNT_WATCH_STOP;
}

static void test_fanotify_records_bounded(void **state)
{
  (void)state;
  if (!fanotify_here()) {
    print_message("SKIP: fanotify cannot mark the filesystem of %s here\n", root);
    skip();
  }
  backend = EXHUNT_WATCH_FANOTIFY;
  script s = {0};
  const char *roots[] = {root};
  exhunt_err err = run_script(roots, 1, false, fan_malformed_cb, &s);
  backend = EXHUNT_WATCH_INOTIFY;
  assert_int_equal(err, EXHUNT_OK);
  assert_int_equal(fan_err[0], EXHUNT_ECORRUPT);
  assert_int_equal(fan_err[1], EXHUNT_ECORRUPT);
  assert_int_equal(fan_err[2], EXHUNT_OK);
  assert_int_equal(fan_err[3], EXHUNT_OK);
  assert_int_equal(fan_err[4], EXHUNT_OK);
  assert_int_equal(fan_err[5], EXHUNT_OK);
  size_t errors = 0;
  for (size_t i = 0; i < rec.n_notices; i++)
    errors += strcmp(rec.notices[i].what, "watch-error") == 0;
  assert_int_equal(errors, 5);
}

/* A symlink that lands in the tree is never followed: not to a shell
 * outside, not to "/". A canary written after it proves the loop went on. */
static exhunt_watch_action symlink_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  char link[600];
  if (s->step == 0) {
    snprintf(link, sizeof link, "%s/in/link.aspx", root);
    assert_int_equal(symlink(s->dir, link), 0);
    snprintf(link, sizeof link, "%s/in/slash", root);
    assert_int_equal(symlink("/", link), 0);
    /* rename(2) into place: IN_MOVED_TO / FAN_MOVED_TO */
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/in/link.aspx", root);
    snprintf(to, sizeof to, "%s/in/moved.aspx", root);
    assert_int_equal(rename(from, to), 0);
    snprintf(from, sizeof from, "%s/in/slash", root);
    snprintf(to, sizeof to, "%s/in/root", root);
    assert_int_equal(rename(from, to), 0);
    put_file(s->path, SHELL);
    s->step = 1;
  } else if (found(s->path)) {
    assert_false(found(s->dir));
    snprintf(link, sizeof link, "%s/in/moved.aspx", root);
    assert_false(found(link));
    size_t notes = 0;
    for (size_t i = 0; i < rec.n_notices; i++)
      notes += strcmp(rec.notices[i].what, "symlink-not-followed") == 0;
    assert_int_equal(notes, 2);
    assert_int_equal(s->w->stats.skipped[EXHUNT_SKIP_SYMLINK], 2);
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_symlink_not_followed(void **state)
{
  (void)state;
  script s = {0};
  char in[300];
  snprintf(in, sizeof in, "%s/in", root);
  assert_int_equal(mkdir(in, 0755), 0);
  /* The target lives outside the watched root. */
  snprintf(s.dir, sizeof s.dir, "%s/outside.aspx", root);
  put_file(s.dir, SHELL);
  snprintf(s.path, sizeof s.path, "%s/in/canary.aspx", root);
  const char *roots[] = {in};
  assert_int_equal(run_script(roots, 1, false, symlink_cb, &s), EXHUNT_OK);
  assert_true(s.done);
}
ON_FANOTIFY(test_symlink_not_followed)

/* --exclude: a file matching by name, and files below an excluded folder
 * (made after the start, so only events could bring them) are not
 * scanned; a canary is. */
static exhunt_watch_action exclude_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  char p[600];
  if (s->step == 0) {
    snprintf(p, sizeof p, "%s/Cache", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/Cache/deep", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/Cache/deep/x.aspx", root);
    put_file(p, SHELL);
    snprintf(p, sizeof p, "%s/old/y.skip", root);
    put_file(p, SHELL);
    snprintf(p, sizeof p, "%s/old/z.aspx", root);
    put_file(p, SHELL);
    put_file(s->path, SHELL);
    s->step = 1;
  } else if (found(s->path)) {
    snprintf(p, sizeof p, "%s/old/z.aspx", root);
    assert_true(found(p));
    snprintf(p, sizeof p, "%s/Cache/deep/x.aspx", root);
    assert_false(found(p));
    snprintf(p, sizeof p, "%s/old/y.skip", root);
    assert_false(found(p));
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_exclude(void **state)
{
  (void)state;
  static const char *const globs[] = {"cache", "*.SKIP"};
  excludes = globs;
  n_excludes = 2;
  script s = {0};
  char old[300];
  snprintf(old, sizeof old, "%s/old", root);
  assert_int_equal(mkdir(old, 0755), 0);
  snprintf(s.path, sizeof s.path, "%s/old/zz-canary.aspx", root);
  const char *roots[] = {root};
  exhunt_err err = run_script(roots, 1, false, exclude_cb, &s);
  excludes = NULL;
  n_excludes = 0;
  assert_int_equal(err, EXHUNT_OK);
  assert_true(s.done);
}
ON_FANOTIFY(test_exclude)

/* fanotify sees the whole filesystem: a file written beside the root, on
 * the same filesystem, is dropped (and counted), never scanned. */
static exhunt_watch_action outside_cb(void *ctx, const exhunt_rules **r)
{
  (void)r;
  script *s = ctx;
  if (!tick(s))
    return EXHUNT_WATCH_STOP;
  if (s->step == 0) {
    /* 50 names in one outside folder (identical events would be merged by
     * the kernel): one lookup, then the cache. */
    char p[600];
    for (int i = 0; i < 50; i++) {
      snprintf(p, sizeof p, "%s/beside%d.aspx", s->dir, i);
      put_file(p, SHELL);
    }
    put_file(s->path, SHELL);
    s->step = 1;
  } else if (found(s->path)) {
    for (size_t i = 0; i < rec.n_findings; i++)
      assert_true(strncmp(rec.findings[i].path, s->dir, strlen(s->dir)) != 0);
    assert_true(s->w->fan_outside >= 50);
    s->done = true;
    return EXHUNT_WATCH_STOP;
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_fan_outside_dropped(void **state)
{
  (void)state;
  if (!fanotify_here()) {
    print_message("SKIP: fanotify cannot mark the filesystem of %s here\n", root);
    skip();
  }
  backend = EXHUNT_WATCH_FANOTIFY;
  script s = {0};
  char in[300];
  snprintf(in, sizeof in, "%s/in", root);
  assert_int_equal(mkdir(in, 0755), 0);
  snprintf(s.dir, sizeof s.dir, "%s/beside", root);
  assert_int_equal(mkdir(s.dir, 0755), 0);
  snprintf(s.path, sizeof s.path, "%s/in/inside.aspx", root);
  const char *roots[] = {in};
  exhunt_err err = run_script(roots, 1, false, outside_cb, &s);
  backend = EXHUNT_WATCH_INOTIFY;
  assert_int_equal(err, EXHUNT_OK);
  assert_true(s.done);
}

static void test_bad_arguments(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  exhunt_watch_opts opts;
  exhunt_watch_opts_init(&opts);
  const char *roots[] = {root};
  const char *empty[] = {""};
  assert_int_equal(exhunt_watch_run(NULL, roots, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(rules, NULL, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(rules, roots, 0, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(rules, empty, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(rules, roots, 1, NULL, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(rules, roots, 1, &opts, NULL, NULL), EXHUNT_EINVAL);
  opts.control_fd = 0; /* a descriptor without a callback */
  assert_int_equal(exhunt_watch_run(rules, roots, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_new_files_found, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_overflow_rescans, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_missing_root_comes_back, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_rules_swapped, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_scan_existing, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_sweep_allocations, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_bad_arguments, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_event_name_bounds, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_inotify_records_bounded, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_fanotify_records_bounded, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_symlink_not_followed, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_exclude, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_new_files_found_fan, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_missing_root_comes_back_fan, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_rules_swapped_fan, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_symlink_not_followed_fan, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_exclude_fan, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_fan_outside_dropped, make_root, remove_root),
      cmocka_unit_test_setup_teardown(test_sweep_allocations_fan, make_root, remove_root),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
