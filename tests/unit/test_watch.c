/*
 * test_watch.c - the watch loop (lib/watch/) on real folders, in one thread.
 *
 * The control descriptor is a 10 ms timerfd, so the loop calls back into
 * the test between scans: each test is a little script run from that
 * callback (write a file, check what the sink got, stop). Nothing races,
 * and events the kernel will not produce on demand (a queue overflow) are
 * fed through the backend (exh_inotify_event) from the loop's own thread. An allocation
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
#include "platform/posix/notify_int.h"
#include "watch/watch_int.h"

#define SHELL "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>"
#define TICKS_MAX 500 /* 5 s at 10 ms */

static exhunt_rules *marker_rules;
static recorder rec;
static exhunt_watch_backend backend = EXHUNT_WATCH_INOTIFY;
static const char *const *excludes;
static size_t n_excludes;

/* A test's script: on_tick runs from the loop's control callback every
 * 10 ms (after the tick is counted), and may swap *rules. */
typedef struct script script;
struct script {
  exhunt_watch_action (*on_tick)(script *s);
  const exhunt_rules **rules;
  int tfd;
  int step;
  int ticks;
  exh_watcher *w;
  char path[512];
  char dir[300];
  bool done;
};

/* The marker-only rule set a script may swap in (the default rules are
 * the fixture's). */
static int marker_setup(void **state)
{
  (void)state;
  static const char marker[] = "rule marker_only { strings: $a = \"MARKER-c0ffee\" condition: $a }";
  exhunt_sink sink = rec_sink(&rec);
  if (exhunt_rules_new(&marker_rules))
    return -1;
  exhunt_rules_set_heuristics(marker_rules, false);
  if (exhunt_rules_add_yara(marker_rules, "marker", marker, sizeof marker - 1, &sink) ||
      exhunt_rules_compile(marker_rules, &sink))
    return -1;
  return 0;
}

static int marker_teardown(void **state)
{
  (void)state;
  exhunt_rules_free(marker_rules);
  return 0;
}

static tu_fixture fx = {.each = TU_ROOT,
                        .tag = "watch",
                        .rec = &rec,
                        .default_rules = true,
                        .group_setup = marker_setup,
                        .group_teardown = marker_teardown};
static char *const root = fx.root;

static bool found(const char *path)
{
  return rec_found(&rec, path);
}

static bool noted(const char *what)
{
  return rec_count_what(&rec, what) > 0;
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

/* The control callback: counts the tick, stops after TICKS_MAX of them,
 * else runs the script's step. */
static exhunt_watch_action on_control(void *ctx, const exhunt_rules **r)
{
  script *s = ctx;
  uint64_t n;
  while (read(s->tfd, &n, sizeof n) == (ssize_t)sizeof n)
    ;
  if (++s->ticks >= TICKS_MAX)
    return EXHUNT_WATCH_STOP;
  s->rules = r;
  return s->on_tick(s);
}

/* The script has seen what it waited for: stop the loop. */
static exhunt_watch_action script_done(script *s)
{
  s->done = true;
  return EXHUNT_WATCH_STOP;
}

/* Runs the loop under the script s; returns what the loop returned. */
static exhunt_err run_script(const char *const *roots, size_t n_roots, bool scan_existing,
                             script *s)
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
  opts.on_control = on_control;
  exh_watcher w;
  s->w = &w;
  exhunt_err err = exh_watcher_init(&w, fx.rules, roots, n_roots, &opts, &sink);
  if (!err)
    assert_int_equal(w.backend, backend == EXHUNT_WATCH_AUTO ? w.backend : backend);
  if (!err)
    err = exh_watch_loop(&w);
  exh_watcher_free(&w);
  close(s->tfd);
  return err;
}

/* Runs the script on the one root `watched`: the loop ends well and the
 * script saw all it waited for. */
static void run_to_done(const char *watched, bool scan_existing, script *s)
{
  const char *roots[] = {watched};
  assert_int_equal(run_script(roots, 1, scan_existing, s), EXHUNT_OK);
  assert_true(s->done);
}

/* root/rel into out. */
static void in_root(char *out, size_t cap, const char *rel)
{
  snprintf(out, cap, "%s/%s", root, rel);
}

/* A shell at root/rel. */
static void put_shell(const char *rel)
{
  char p[600];
  in_root(p, sizeof p, rel);
  tu_put(p, SHELL);
}

/* Whether a finding names root/rel. */
static bool found_in_root(const char *rel)
{
  char p[600];
  in_root(p, sizeof p, rel);
  return found(p);
}

/* A test that runs `step` on the whole root until it is done. */
#define SCRIPT_TEST(name, step)                                                                    \
  static void name(void **state)                                                                   \
  {                                                                                                \
    (void)state;                                                                                   \
    script s = {.on_tick = step};                                                                  \
    run_to_done(root, false, &s);                                                                  \
  }

/* ---------------------------------------------------------------------- */

static exhunt_watch_action new_file_step(script *s)
{
  switch (s->step) {
  case 0:
    assert_true(noted("watch-ready"));
    in_root(s->path, sizeof s->path, "shell.aspx");
    tu_put(s->path, SHELL);
    s->step = 1;
    break;
  case 1:
    if (found(s->path)) {
      /* A folder made after the start, with a file already in it. */
      in_root(s->dir, sizeof s->dir, "new");
      assert_int_equal(mkdir(s->dir, 0755), 0);
      in_root(s->path, sizeof s->path, "new/inside.aspx");
      tu_put(s->path, SHELL);
      s->step = 2;
    }
    break;
  case 2:
    if (found(s->path))
      return script_done(s);
    break;
  }
  return EXHUNT_WATCH_CONTINUE;
}

SCRIPT_TEST(test_new_files_found, new_file_step)

/* A file there before the watch is not reported (no --scan-existing), until
 * a queue overflow forces a rescan. */
static exhunt_watch_action overflow_step(script *s)
{
  if (s->step == 0) {
    assert_false(found(s->path));
    struct inotify_event ev = {.wd = -1, .mask = IN_Q_OVERFLOW};
    assert_int_equal(exh_inotify_event(s->w->notify, &ev), EXHUNT_OK);
    s->step = 1;
  } else if (found(s->path)) {
    assert_true(noted("watch-overflow"));
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_overflow_rescans(void **state)
{
  (void)state;
  script s = {.on_tick = overflow_step};
  tu_mkdirs(tu_at("a/b"));
  in_root(s.path, sizeof s.path, "a/b/old.aspx");
  tu_put(s.path, SHELL);
  run_to_done(root, false, &s);
}

/* A root missing at the start is waited for, then watched and scanned. */
static exhunt_watch_action missing_step(script *s)
{
  if (s->step == 0) {
    assert_true(noted("root-missing"));
    assert_int_equal(mkdir(s->dir, 0755), 0);
    tu_put(s->path, SHELL);
    s->step = 1;
  } else if (s->step == 1 && found(s->path)) {
    assert_true(noted("root-back"));
    /* And it is watched: a later file is found too. */
    snprintf(s->path, sizeof s->path, "%s/later.aspx", s->dir);
    tu_put(s->path, SHELL);
    s->step = 2;
  } else if (s->step == 2 && found(s->path)) {
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_missing_root_comes_back(void **state)
{
  (void)state;
  script s = {.on_tick = missing_step};
  in_root(s.dir, sizeof s.dir, "later");
  snprintf(s.path, sizeof s.path, "%s/first.aspx", s.dir);
  run_to_done(s.dir, false, &s);
}

/* The control callback may swap the rules; the next scan uses the new set. */
static exhunt_watch_action swap_step(script *s)
{
  if (s->step == 0) {
    *s->rules = marker_rules;
    in_root(s->path, sizeof s->path, "m.txt");
    tu_put(s->path, "MARKER-c0ffee\n");
    put_shell("shell.aspx");
    s->step = 1;
  } else if (found(s->path)) {
    /* The shell is written first and scanned in the same batch: the
     * heuristics are off in the new set, so nothing about it. */
    assert_false(found_in_root("shell.aspx"));
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

SCRIPT_TEST(test_rules_swapped, swap_step)

/* scan_existing: what is there at the start is scanned once. */
static exhunt_watch_action existing_step(script *s)
{
  if (found(s->path) && s->ticks > 20) {
    assert_int_equal(count_found(s->path), 1);
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_scan_existing(void **state)
{
  (void)state;
  script s = {.on_tick = existing_step};
  in_root(s.path, sizeof s.path, "there.aspx");
  tu_put(s.path, SHELL);
  run_to_done(root, true, &s);
}

/* Allocation failures in the watcher's own code: setting the watches of a
 * tree, then a new folder event. The script stops before any scan runs, so
 * no worker thread touches the (thread-unaware) failure counter. */
static exhunt_err sweep_event_err;

static exhunt_watch_action sweep_step(script *s)
{
  union {
    struct inotify_event ev;
    char bytes[sizeof(struct inotify_event) + 8];
  } u;
  memset(&u, 0, sizeof u);
  struct inotify_event *ev = &u.ev;
  ev->wd = s->w->notify->n_w ? s->w->notify->w[0].wd : -2;
  ev->mask = IN_CREATE | IN_ISDIR;
  ev->len = 8;
  memcpy(u.bytes + sizeof(struct inotify_event), "new", 4);
  sweep_event_err = exh_inotify_event(s->w->notify, ev);
  return EXHUNT_WATCH_STOP;
}

static void test_sweep_allocations(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("a/b/c"));
  tu_mkdirs(tu_at("d"));
  tu_mkdirs(tu_at("new/x/y"));
  const char *roots[] = {root};
  for (unsigned long n = 1; n < 10000; n++) {
    script s = {.on_tick = sweep_step};
    sweep_event_err = EXHUNT_OK;
    exh_alloc_fail_at(n, 0);
    exhunt_err err = run_script(roots, 1, false, &s);
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

/* Whether the fanotify backend can run here. */
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

/* Skips the test, visibly, where fanotify is refused; else the fanotify
 * backend is the one run until use_inotify(). */
static void use_fanotify(void)
{
  if (!fanotify_here()) {
    print_message("SKIP: fanotify cannot mark the filesystem of %s here\n", root);
    skip();
  }
  backend = EXHUNT_WATCH_FANOTIFY;
}

static void use_inotify(void)
{
  backend = EXHUNT_WATCH_INOTIFY;
}

/* fn again with the fanotify backend, or skipped where it is refused. */
#define ON_FANOTIFY(fn)                                                                            \
  static void fn##_fan(void **state)                                                               \
  {                                                                                                \
    use_fanotify();                                                                                \
    fn(state);                                                                                     \
    use_inotify();                                                                                 \
  }

ON_FANOTIFY(test_new_files_found)
ON_FANOTIFY(test_sweep_allocations)
ON_FANOTIFY(test_missing_root_comes_back)
ON_FANOTIFY(test_rules_swapped)

/* An inotify name is ev->len bytes, NUL-padded by the kernel; nothing past
 * len is ours. Here the bytes after it spell a longer name: the file that
 * exists is the short one. */
static exhunt_watch_action name_bounds_step(script *s)
{
  if (s->step == 0) {
    tu_put(s->path, SHELL); /* an event the watch sees too: keep ours apart */
    union {
      struct inotify_event ev;
      char bytes[sizeof(struct inotify_event) + 16];
    } u;
    memset(&u, 0, sizeof u);
    u.ev.wd = s->w->notify->w[0].wd;
    u.ev.mask = IN_MOVED_TO;
    u.ev.len = 4;
    memcpy(u.bytes + sizeof(struct inotify_event), "abcdXYZ", 8);
    assert_int_equal(exh_inotify_event(s->w->notify, &u.ev), EXHUNT_OK);
    s->step = 1;
  } else if (found_in_root("abcd")) {
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_event_name_bounds(void **state)
{
  (void)state;
  script s = {.on_tick = name_bounds_step};
  in_root(s.path, sizeof s.path, "other.txt");
  /* "abcd" exists before the watch (no event of its own) and is a shell. */
  put_shell("abcd");
  run_to_done(root, false, &s);
}

/* Records that run past the bytes read are refused, not followed. */
static exhunt_err corrupt_err[4];

static exhunt_watch_action truncated_step(script *s)
{
  union {
    struct inotify_event ev;
    unsigned char bytes[sizeof(struct inotify_event) + 16];
  } u;
  memset(&u, 0, sizeof u);
  u.ev.wd = s->w->notify->w[0].wd;
  u.ev.mask = IN_CLOSE_WRITE;
  u.ev.len = 16;
  memcpy(u.bytes + sizeof(struct inotify_event), "name", 5);
  /* A header cut short, a name longer than what was read, then a good one. */
  corrupt_err[0] = exh_inotify_events(s->w->notify, u.bytes, sizeof(struct inotify_event) - 1);
  corrupt_err[1] = exh_inotify_events(s->w->notify, u.bytes, sizeof(struct inotify_event) + 8);
  corrupt_err[2] = exh_inotify_events(s->w->notify, u.bytes, sizeof u.bytes);
  return EXHUNT_WATCH_STOP;
}

static void test_inotify_records_bounded(void **state)
{
  (void)state;
  script s = {.on_tick = truncated_step};
  const char *roots[] = {root};
  assert_int_equal(run_script(roots, 1, false, &s), EXHUNT_OK);
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

static exhunt_watch_action fan_malformed_step(script *s)
{
  unsigned char buf[256];
  size_t info = sizeof(struct fanotify_event_info_fid) + sizeof(struct file_handle) + 8;
  memset(buf, 0, sizeof buf);
  /* event_len past the read */
  size_t n = fan_record(buf, 200, (uint32_t)(info + 4), 8, "x.a", 4);
  fan_err[0] = exh_fanotify_events(s->w->notify, buf, n);
  /* header shorter than the metadata */
  fan_err[1] = exh_fanotify_events(s->w->notify, buf, 10);
  /* info record longer than the event: noted, skipped, rescan asked */
  n = fan_record(buf, 0, 250, 8, "x.a", 4);
  fan_err[2] = exh_fanotify_events(s->w->notify, buf, n);
  /* handle longer than its record */
  n = fan_record(buf, 0, (uint32_t)(info + 4), 100, "x.a", 4);
  fan_err[3] = exh_fanotify_events(s->w->notify, buf, n);
  /* a name with no NUL inside its record */
  n = fan_record(buf, 0, (uint32_t)(info + 3), 8, "x.a", 3);
  fan_err[4] = exh_fanotify_events(s->w->notify, buf, n);
  /* well formed, a handle that resolves nowhere: dropped quietly */
  n = fan_record(buf, 0, (uint32_t)(info + 4), 8, "x.a", 4);
  fan_err[5] = exh_fanotify_events(s->w->notify, buf, n);
  return EXHUNT_WATCH_STOP;
}

static void test_fanotify_records_bounded(void **state)
{
  (void)state;
  use_fanotify();
  script s = {.on_tick = fan_malformed_step};
  const char *roots[] = {root};
  exhunt_err err = run_script(roots, 1, false, &s);
  use_inotify();
  assert_int_equal(err, EXHUNT_OK);
  static const exhunt_err want[6] = {EXHUNT_ECORRUPT, EXHUNT_ECORRUPT, EXHUNT_OK,
                                     EXHUNT_OK,       EXHUNT_OK,       EXHUNT_OK};
  for (size_t i = 0; i < 6; i++)
    if (fan_err[i] != want[i])
      fail_msg("record %zu: %s, want %s", i, exhunt_strerror(fan_err[i]), exhunt_strerror(want[i]));
  assert_int_equal(rec_count_what(&rec, "watch-error"), 5);
}

/* A symlink that lands in the tree is never followed: not to a shell
 * outside, not to "/". A canary written after it proves the loop went on. */
static exhunt_watch_action symlink_step(script *s)
{
  if (s->step == 0) {
    assert_int_equal(symlink(s->dir, tu_at("in/link.aspx")), 0);
    assert_int_equal(symlink("/", tu_at("in/slash")), 0);
    /* rename(2) into place: IN_MOVED_TO / FAN_MOVED_TO */
    assert_int_equal(rename(tu_at("in/link.aspx"), tu_at("in/moved.aspx")), 0);
    assert_int_equal(rename(tu_at("in/slash"), tu_at("in/root")), 0);
    tu_put(s->path, SHELL);
    s->step = 1;
  } else if (found(s->path)) {
    assert_false(found(s->dir));
    assert_false(found_in_root("in/moved.aspx"));
    assert_int_equal(rec_count_what(&rec, "symlink-not-followed"), 2);
    assert_int_equal(s->w->stats.skipped[EXHUNT_SKIP_SYMLINK], 2);
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_symlink_not_followed(void **state)
{
  (void)state;
  script s = {.on_tick = symlink_step};
  char in[300];
  in_root(in, sizeof in, "in");
  assert_int_equal(mkdir(in, 0755), 0);
  /* The target lives outside the watched root. */
  in_root(s.dir, sizeof s.dir, "outside.aspx");
  tu_put(s.dir, SHELL);
  in_root(s.path, sizeof s.path, "in/canary.aspx");
  run_to_done(in, false, &s);
}
ON_FANOTIFY(test_symlink_not_followed)

/* --exclude: a file matching by name, and files below an excluded folder
 * (made after the start, so only events could bring them) are not
 * scanned; a canary is. */
static exhunt_watch_action exclude_step(script *s)
{
  if (s->step == 0) {
    tu_mkdirs(tu_at("Cache/deep"));
    put_shell("Cache/deep/x.aspx");
    put_shell("old/y.skip");
    put_shell("old/z.aspx");
    tu_put(s->path, SHELL);
    s->step = 1;
  } else if (found(s->path)) {
    assert_true(found_in_root("old/z.aspx"));
    assert_false(found_in_root("Cache/deep/x.aspx"));
    assert_false(found_in_root("old/y.skip"));
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_exclude(void **state)
{
  (void)state;
  static const char *const globs[] = {"cache", "*.SKIP"};
  excludes = globs;
  n_excludes = 2;
  script s = {.on_tick = exclude_step};
  tu_mkdirs(tu_at("old"));
  in_root(s.path, sizeof s.path, "old/zz-canary.aspx");
  const char *roots[] = {root};
  exhunt_err err = run_script(roots, 1, false, &s);
  excludes = NULL;
  n_excludes = 0;
  assert_int_equal(err, EXHUNT_OK);
  assert_true(s.done);
}
ON_FANOTIFY(test_exclude)

/* fanotify sees the whole filesystem: a file written beside the root, on
 * the same filesystem, is dropped (and counted), never scanned. */
static exhunt_watch_action outside_step(script *s)
{
  if (s->step == 0) {
    /* 50 names in one outside folder (identical events would be merged by
     * the kernel): one lookup, then the cache. */
    char p[600];
    for (int i = 0; i < 50; i++) {
      snprintf(p, sizeof p, "%s/beside%d.aspx", s->dir, i);
      tu_put(p, SHELL);
    }
    tu_put(s->path, SHELL);
    s->step = 1;
  } else if (found(s->path)) {
    for (size_t i = 0; i < rec.n_findings; i++)
      assert_true(strncmp(rec.findings[i].path, s->dir, strlen(s->dir)) != 0);
    assert_true(s->w->notify->fan_outside >= 50);
    return script_done(s);
  }
  return EXHUNT_WATCH_CONTINUE;
}

static void test_fan_outside_dropped(void **state)
{
  (void)state;
  use_fanotify();
  script s = {.on_tick = outside_step};
  char in[300];
  in_root(in, sizeof in, "in");
  assert_int_equal(mkdir(in, 0755), 0);
  in_root(s.dir, sizeof s.dir, "beside");
  assert_int_equal(mkdir(s.dir, 0755), 0);
  in_root(s.path, sizeof s.path, "in/inside.aspx");
  const char *roots[] = {in};
  exhunt_err err = run_script(roots, 1, false, &s);
  use_inotify();
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
  assert_int_equal(exhunt_watch_run(fx.rules, NULL, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(fx.rules, roots, 0, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(fx.rules, empty, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(fx.rules, roots, 1, NULL, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_watch_run(fx.rules, roots, 1, &opts, NULL, NULL), EXHUNT_EINVAL);
  opts.control_fd = 0; /* a descriptor without a callback */
  assert_int_equal(exhunt_watch_run(fx.rules, roots, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
}

TU_MAIN(&fx, test_new_files_found, test_overflow_rescans, test_missing_root_comes_back,
        test_rules_swapped, test_scan_existing, test_sweep_allocations, test_bad_arguments,
        test_event_name_bounds, test_inotify_records_bounded, test_fanotify_records_bounded,
        test_symlink_not_followed, test_exclude, test_new_files_found_fan,
        test_missing_root_comes_back_fan, test_rules_swapped_fan, test_symlink_not_followed_fan,
        test_exclude_fan, test_fan_outside_dropped, test_sweep_allocations_fan)
