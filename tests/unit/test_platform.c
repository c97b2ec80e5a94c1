/*
 * test_platform.c - the platform seam (lib/platform/) keeps its promises,
 * whatever OS implements it: an open with EXH_O_NOFOLLOW refuses a symlink
 * (ELOOP, also for a directory held for search), an evidence open leaves
 * the access time alone, a directory listing gives each entry's identity
 * and never "." or "..", a rename replaces atomically (a reader never sees
 * the name missing or half a file) and NOREPLACE never replaces, a
 * temporary file has no name, globs fold case only when asked, the
 * threads, mutex, condition variable and run-once synchronise, the
 * monotonic clock moves forward by at least what was slept, and the lock,
 * calendar, user and pseudo-file-system answers are the OS's.
 *
 * The change-notification backends are tested through the watch loop
 * (test_watch.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "platform/platform.h"

/* Each test runs in a fresh temporary folder, `root`. */
static tu_fixture fx = {.each = TU_ROOT, .tag = "platform"};
static char *const root = fx.root;

static void put(const char *rel, const char *text)
{
  tu_put(tu_at(rel), text);
}

/* ---------------------------------------------------------------------- */
/* Opening.                                                                */

static void test_open_refuses_symlink(void **state)
{
  (void)state;
  put("file", "content\n");
  assert_int_equal(mkdir(tu_at("dir"), 0755), 0);
  assert_int_equal(symlink("file", tu_at("link")), 0);
  assert_int_equal(symlink("dir", tu_at("dirlink")), 0);
  int dfd = exh_open(root, EXH_O_DIRECTORY, 0);
  assert_true(dfd >= 0);

  errno = 0;
  assert_int_equal(exh_open_at(dfd, "link", EXH_O_NOFOLLOW, 0), -1);
  assert_int_equal(errno, ELOOP);
  bool refused = true;
  errno = 0;
  assert_int_equal(exh_open_noatime_at(dfd, "link", EXH_O_NOFOLLOW | EXH_O_NONBLOCK, &refused), -1);
  assert_int_equal(errno, ELOOP);
  /* A folder held only for search, the way evidence paths are walked. */
  errno = 0;
  assert_int_equal(exh_open_at(dfd, "dirlink", EXH_O_SEARCH | EXH_O_DIRECTORY | EXH_O_NOFOLLOW, 0),
                   -1);
  assert_int_equal(errno, ELOOP);
  errno = 0;
  assert_int_equal(exh_open_at(dfd, "file", EXH_O_DIRECTORY, 0), -1);
  assert_int_equal(errno, ENOTDIR);

  /* Without NOFOLLOW the link is followed; the real names open. */
  int fd = exh_open_at(dfd, "link", 0, 0);
  assert_true(fd >= 0);
  char buf[16] = "";
  assert_int_equal(exh_read(fd, buf, sizeof buf), 8);
  assert_memory_equal(buf, "content\n", 8);
  assert_int_equal(exh_close(fd), 0);
  int sfd = exh_open_at(dfd, "dir", EXH_O_SEARCH | EXH_O_DIRECTORY | EXH_O_NOFOLLOW, 0);
  assert_true(sfd >= 0);
  exh_stat st;
  assert_int_equal(exh_fstat(sfd, &st), 0);
  assert_int_equal(st.type, EXH_FT_DIR);
  exh_close(sfd);
  exh_close(dfd);
}

static void test_open_keeps_atime(void **state)
{
  (void)state;
  put("old", "read me\n");
  /* Two days old, before the mtime: relatime would update it on a read. */
  struct timespec ts[2] = {{1000000000, 0}, {UTIME_OMIT, 0}};
  assert_int_equal(utimensat(AT_FDCWD, tu_at("old"), ts, 0), 0);
  int dfd = exh_open(root, EXH_O_DIRECTORY, 0);
  bool refused = true;
  int fd = exh_open_noatime_at(dfd, "old", EXH_O_NOFOLLOW | EXH_O_NONBLOCK, &refused);
  assert_true(fd >= 0);
  exh_set_blocking(fd);
  char buf[16];
  assert_int_equal(exh_read(fd, buf, sizeof buf), 8);
  exh_close(fd);
  exh_stat st;
  assert_int_equal(exh_stat_at(dfd, "old", EXH_AT_NOFOLLOW, &st), 0);
  if (!refused)
    assert_int_equal(st.atime.sec, 1000000000);
  /* The control: a plain open and read does move it, where the mount
   * updates access times at all. */
  fd = exh_open_at(dfd, "old", 0, 0);
  assert_int_equal(exh_read(fd, buf, sizeof buf), 8);
  exh_close(fd);
  assert_int_equal(exh_stat_at(dfd, "old", EXH_AT_NOFOLLOW, &st), 0);
  if (st.atime.sec == 1000000000)
    print_message("note: this mount does not update access times; the control shows nothing\n");
  /* Read-only whatever the flags: no file is created, none written. */
  fd = exh_open_noatime_at(dfd, "new", EXH_O_CREATE | EXH_O_WRITE, &refused);
  assert_true(fd < 0);
  assert_int_equal(errno, ENOENT);
  fd = exh_open_noatime_at(dfd, "old", EXH_O_RDWR | EXH_O_APPEND, &refused);
  assert_true(fd >= 0);
  assert_true(exh_write(fd, "x", 1) < 0);
  exh_close(fd);
  exh_close(dfd);
}

static void test_stat_and_io(void **state)
{
  (void)state;
  put("f", "0123456789");
  struct timespec ts[2] = {{1614643200, 5}, {1614643200, 123456789}};
  assert_int_equal(utimensat(AT_FDCWD, tu_at("f"), ts, 0), 0);
  assert_int_equal(chmod(tu_at("f"), 0640), 0);
  exh_stat st;
  assert_int_equal(exh_stat_path(tu_at("f"), &st), 0);
  assert_int_equal(st.type, EXH_FT_REG);
  assert_int_equal(st.size, 10);
  assert_int_equal(st.mode, 0640);
  assert_int_equal(st.nlink, 1);
  assert_int_equal(st.mtime.sec, 1614643200);
  assert_int_equal(st.mtime.nsec, 123456789);
  assert_int_equal(st.uid, (uint32_t)geteuid());
  struct stat os;
  assert_int_equal(stat(tu_at("f"), &os), 0);
  assert_int_equal(st.dev, (uint64_t)os.st_dev);
  assert_int_equal(st.ino, (uint64_t)os.st_ino);

  int fd = exh_open(tu_at("f"), EXH_O_RDWR, 0);
  char b[4] = "";
  assert_int_equal(exh_pread(fd, b, 3, 7), 3);
  assert_memory_equal(b, "789", 3);
  assert_int_equal(exh_ftruncate(fd, 4), 0);
  assert_int_equal(exh_fstat(fd, &st), 0);
  assert_int_equal(st.size, 4);
  assert_int_equal(exh_fsync(fd), 0);
  exh_close(fd);
  assert_int_equal(symlink("f", tu_at("l")), 0);
  assert_int_equal(exh_lstat_path(tu_at("l"), &st), 0);
  assert_int_equal(st.type, EXH_FT_LINK);
  assert_int_equal(exh_stat_path(tu_at("l"), &st), 0);
  assert_int_equal(st.type, EXH_FT_REG);
  char real[EXH_PATH_MAX];
  assert_true(exh_realpath(tu_at("l"), real));
  char want[EXH_PATH_MAX];
  assert_non_null(realpath(tu_at("f"), want));
  assert_string_equal(real, want);
  errno = 0;
  assert_false(exh_realpath(tu_at("missing/x"), real));
  assert_int_equal(errno, ENOENT);
}

/* ---------------------------------------------------------------------- */
/* Directory enumeration.                                                  */

static void test_dir_identity(void **state)
{
  (void)state;
  put("a", "a");
  put("b", "bb");
  assert_int_equal(mkdir(tu_at("sub"), 0755), 0);
  assert_int_equal(symlink("a", tu_at("ln")), 0);
  assert_int_equal(mkfifo(tu_at("fifo"), 0600), 0);
  int fd = exh_open(root, EXH_O_DIRECTORY | EXH_O_NOFOLLOW, 0);
  assert_true(fd >= 0);
  exh_dir d;
  assert_int_equal(exh_dir_open_fd(&d, fd), 0);
  exh_stat dst;
  assert_int_equal(exh_stat_path(root, &dst), 0);
  assert_int_equal(exh_dir_dev(&d), dst.dev);
  exh_dirent e;
  int n = 0, got;
  while ((got = exh_dir_next(&d, &e)) > 0) {
    assert_string_not_equal(e.name, ".");
    assert_string_not_equal(e.name, "..");
    exh_stat st;
    assert_int_equal(exh_stat_at(exh_dir_fd(&d), e.name, EXH_AT_NOFOLLOW, &st), 0);
    /* (dev, ino) as listed is the entry's identity */
    assert_int_equal(e.ino, st.ino);
    assert_int_equal(exh_dir_dev(&d), st.dev);
    assert_true(e.type == EXH_FT_UNKNOWN || e.type == st.type);
    n++;
  }
  assert_int_equal(got, 0);
  assert_int_equal(n, 5);
  /* Again from the start. */
  exh_dir_rewind(&d);
  n = 0;
  while (exh_dir_next(&d, &e) > 0)
    n++;
  assert_int_equal(n, 5);
  exh_dir_close(&d);

  exh_dir empty;
  assert_int_equal(exh_dir_open(&empty, tu_at("sub")), 0);
  assert_int_equal(exh_dir_next(&empty, &e), 0);
  exh_dir_close(&empty);
  errno = 0;
  assert_int_equal(exh_dir_open(&empty, tu_at("nothere")), -1);
  assert_int_equal(errno, ENOENT);
}

/* ---------------------------------------------------------------------- */
/* Rename, link, unlink, lock.                                             */

typedef struct reader {
  const char *path;
  exh_mutex lock;
  bool stop;
  unsigned reads, missing, torn;
} reader;

static void *read_loop(void *arg)
{
  reader *r = arg;
  for (;;) {
    exh_mutex_lock(&r->lock);
    bool stop = r->stop;
    exh_mutex_unlock(&r->lock);
    if (stop)
      break;
    int fd = exh_open(r->path, 0, 0);
    if (fd < 0) {
      r->missing++;
      continue;
    }
    char buf[8192];
    exh_ssize n = exh_read(fd, buf, sizeof buf);
    exh_close(fd);
    /* Every version is 4096 bytes of one letter. */
    bool whole = n == 4096;
    for (exh_ssize i = 1; whole && i < n; i++)
      whole = buf[i] == buf[0];
    if (!whole)
      r->torn++;
    r->reads++;
  }
  return NULL;
}

static void write_version(int dfd, const char *name, char letter)
{
  char buf[4096];
  memset(buf, letter, sizeof buf);
  int fd = exh_open_at(dfd, name, EXH_O_WRITE | EXH_O_CREATE | EXH_O_EXCL, 0600);
  assert_true(fd >= 0);
  assert_int_equal(exh_write(fd, buf, sizeof buf), (exh_ssize)sizeof buf);
  assert_int_equal(exh_fsync(fd), 0);
  exh_close(fd);
}

static void test_rename_atomic_replace(void **state)
{
  (void)state;
  int dfd = exh_open(root, EXH_O_DIRECTORY, 0);
  write_version(dfd, "target", 'a');
  char target[512];
  snprintf(target, sizeof target, "%s", tu_at("target")); /* tu_at's buffers rotate */
  reader r = {.path = target};
  assert_int_equal(exh_mutex_init(&r.lock), 0);
  exh_thread t;
  assert_int_equal(exh_thread_start(&t, read_loop, &r), 0);
  for (int i = 0; i < 300; i++) {
    write_version(dfd, "next.tmp", (char)('b' + i % 20));
    assert_int_equal(exh_rename_at(dfd, "next.tmp", dfd, "target", 0), 0);
  }
  assert_int_equal(exh_fsync(dfd), 0);
  exh_mutex_lock(&r.lock);
  r.stop = true;
  exh_mutex_unlock(&r.lock);
  exh_thread_join(&t);
  exh_mutex_destroy(&r.lock);
  assert_true(r.reads > 0);
  assert_int_equal(r.missing, 0);
  assert_int_equal(r.torn, 0);
  exh_stat st;
  assert_int_equal(exh_stat_at(dfd, "next.tmp", EXH_AT_NOFOLLOW, &st), -1);

  /* NOREPLACE: an existing name is never replaced. */
  write_version(dfd, "other", 'z');
  errno = 0;
  assert_int_equal(exh_rename_at(dfd, "other", dfd, "target", EXH_RENAME_NOREPLACE), -1);
  assert_int_equal(errno, EEXIST);
  assert_int_equal(exh_stat_at(dfd, "other", EXH_AT_NOFOLLOW, &st), 0);
  assert_int_equal(exh_rename_at(dfd, "other", dfd, "fresh", EXH_RENAME_NOREPLACE), 0);
  assert_int_equal(exh_stat_at(dfd, "other", EXH_AT_NOFOLLOW, &st), -1);

  /* Another name, then the first removed; a folder made and removed. */
  assert_int_equal(exh_link_at(dfd, "fresh", dfd, "second"), 0);
  assert_int_equal(exh_stat_at(dfd, "fresh", EXH_AT_NOFOLLOW, &st), 0);
  assert_int_equal(st.nlink, 2);
  errno = 0;
  assert_int_equal(exh_link_at(dfd, "fresh", dfd, "second"), -1);
  assert_int_equal(errno, EEXIST);
  assert_int_equal(exh_unlink_at(dfd, "fresh", false), 0);
  assert_int_equal(exh_mkdir_at(dfd, "made", 0700), 0);
  assert_int_equal(exh_stat_at(dfd, "made", 0, &st), 0);
  assert_int_equal(st.type, EXH_FT_DIR);
  assert_int_equal(exh_unlink_at(dfd, "made", true), 0);
  exh_close(dfd);
}

static void test_lock_nowait(void **state)
{
  (void)state;
  put("lock", "");
  int a = exh_open(tu_at("lock"), EXH_O_RDWR, 0), b = exh_open(tu_at("lock"), 0, 0);
  assert_true(a >= 0 && b >= 0);
  assert_int_equal(exh_lock_nowait(a, true), 0);
  errno = 0;
  assert_int_equal(exh_lock_nowait(b, false), -1);
  assert_int_equal(errno, EWOULDBLOCK);
  exh_close(a);
  assert_int_equal(exh_lock_nowait(b, false), 0);
  exh_close(b);
}

/* ---------------------------------------------------------------------- */
/* Temporary files.                                                        */

static void test_tmpfile_unnamed(void **state)
{
  (void)state;
  int dfd = exh_open(root, EXH_O_DIRECTORY, 0);
  int fd = exh_tmpfile_at(dfd, root);
  assert_true(fd >= 0);
  assert_int_equal(exh_write(fd, "spill", 5), 5);
  char b[5];
  assert_int_equal(exh_pread(fd, b, 5, 0), 5);
  assert_memory_equal(b, "spill", 5);
  exh_stat st;
  assert_int_equal(exh_fstat(fd, &st), 0);
  assert_int_equal(st.nlink, 0); /* no name anywhere, however the process ends */
  exh_dir d;
  exh_dirent e;
  assert_int_equal(exh_dir_open(&d, root), 0);
  assert_int_equal(exh_dir_next(&d, &e), 0); /* and none in its folder */
  exh_dir_close(&d);
  exh_close(fd);
  exh_close(dfd);
  assert_non_null(exh_tmp_dir_default());
}

/* ---------------------------------------------------------------------- */
/* Globs.                                                                  */

static void test_glob(void **state)
{
  (void)state;
  assert_true(exh_glob_match("*.aspx", "shell.aspx", 0));
  assert_false(exh_glob_match("*.aspx", "shell.ASPX", 0));
  assert_true(exh_glob_match("*.aspx", "shell.ASPX", EXH_GLOB_CASEFOLD));
  assert_true(exh_glob_match("*/AspNet_Client/*", "/inetpub/wwwroot/aspnet_client/x.aspx",
                             EXH_GLOB_CASEFOLD));
  /* '*' crosses '/': a glob matches a whole path as well as a name */
  assert_true(exh_glob_match("*.log", "/var/log/u_ex1.log", 0));
  assert_true(exh_glob_match("u_ex[0-9]?.log", "u_ex21.log", 0));
  assert_false(exh_glob_match("u_ex[0-9]?.log", "u_exa1.log", 0));
  assert_true(exh_glob_match("a\\*b", "a*b", 0));
  assert_false(exh_glob_match("a\\*b", "axb", 0));
  assert_false(exh_glob_match("*.aspx", "shell.aspx.txt", EXH_GLOB_CASEFOLD));
}

/* ---------------------------------------------------------------------- */
/* Threads, mutex, condition variable, run-once.                           */

#define THREADS 4
#define ROUNDS 100000

typedef struct counter {
  exh_mutex lock;
  exh_cond changed;
  uint64_t n;
  unsigned ready;
} counter;

static void *count_up(void *arg)
{
  counter *c = arg;
  exh_mutex_lock(&c->lock);
  c->ready++;
  exh_cond_broadcast(&c->changed);
  exh_mutex_unlock(&c->lock);
  for (int i = 0; i < ROUNDS; i++) {
    exh_mutex_lock(&c->lock);
    c->n++;
    exh_mutex_unlock(&c->lock);
  }
  return NULL;
}

static int once_runs;
static void once_fn(void)
{
  once_runs++;
}
static exh_once once_flag = EXH_ONCE_INIT;
static void *call_once(void *arg)
{
  (void)arg;
  exh_call_once(&once_flag, once_fn);
  return NULL;
}

static void test_threads(void **state)
{
  (void)state;
  counter c = {.n = 0};
  assert_int_equal(exh_mutex_init(&c.lock), 0);
  assert_int_equal(exh_cond_init(&c.changed), 0);
  exh_thread t[THREADS];
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(exh_thread_start(&t[i], count_up, &c), 0);
  /* The condition variable: wait until every thread has started. */
  exh_mutex_lock(&c.lock);
  while (c.ready < THREADS)
    exh_cond_wait(&c.changed, &c.lock);
  exh_mutex_unlock(&c.lock);
  for (int i = 0; i < THREADS; i++)
    exh_thread_join(&t[i]);
  assert_int_equal(c.n, (uint64_t)THREADS * ROUNDS);
  exh_cond_signal(&c.changed); /* nobody waits: a no-op */
  exh_cond_destroy(&c.changed);
  exh_mutex_destroy(&c.lock);

  for (int i = 0; i < THREADS; i++)
    assert_int_equal(exh_thread_start(&t[i], call_once, NULL), 0);
  exh_call_once(&once_flag, once_fn);
  for (int i = 0; i < THREADS; i++)
    exh_thread_join(&t[i]);
  assert_int_equal(once_runs, 1);
  assert_true(exh_cpu_count() >= 1);
}

/* ---------------------------------------------------------------------- */
/* Clocks, process, system.                                                */

static void test_clocks(void **state)
{
  (void)state;
  int64_t t0 = exh_monotonic_ns();
  exh_sleep_ns(20 * 1000 * 1000);
  int64_t t1 = exh_monotonic_ns();
  assert_true(t1 - t0 >= 20 * 1000 * 1000);
  int64_t prev = t1;
  for (int i = 0; i < 1000; i++) {
    int64_t now = exh_monotonic_ns();
    assert_true(now >= prev);
    prev = now;
  }
  exh_sleep_ns(0);
  exh_sleep_ns(-5);
  int64_t c0 = exh_process_cpu_ns();
  volatile uint64_t spin = 0;
  for (uint64_t i = 0; i < 20000000; i++)
    spin += i;
  assert_true(exh_process_cpu_ns() > c0);
  int64_t wall = exh_wall_seconds();
  assert_true(wall > 1600000000); /* after 2020 */
  struct tm tm;
  assert_true(exh_gmtime(0, &tm));
  assert_int_equal(tm.tm_year, 70);
  assert_int_equal(tm.tm_yday, 0);
  assert_true(exh_gmtime(1614643200 + 3 * 3600 + 7, &tm)); /* 2021-03-02T03:00:07Z */
  assert_int_equal(tm.tm_mon, 2);
  assert_int_equal(tm.tm_mday, 2);
  assert_int_equal(tm.tm_hour, 3);
  assert_int_equal(tm.tm_sec, 7);
}

static void test_process_and_system(void **state)
{
  (void)state;
  char name[64];
  assert_true(exh_user_name(0, name, sizeof name));
  assert_string_equal(name, "root");
  assert_false(exh_user_name(4000000000u, name, sizeof name));
  assert_int_equal(exh_euid(), (uint32_t)geteuid());
  assert_int_equal(exh_egid(), (uint32_t)getegid());
  assert_int_equal(exh_privileged(), geteuid() == 0);
  char host[256] = "";
  assert_int_equal(exh_hostname(host, sizeof host), 0);
  assert_true(host[0] != '\0');
  unsigned char r1[16], r2[16];
  assert_int_equal(exh_random_bytes(r1, sizeof r1), 0);
  assert_int_equal(exh_random_bytes(r2, sizeof r2), 0);
  assert_memory_not_equal(r1, r2, sizeof r1);
  assert_true(exh_readable(root));
  assert_false(exh_readable(tu_at("nothere")));

  int fd = exh_open("/proc", EXH_O_DIRECTORY, 0);
  if (fd >= 0) {
    assert_non_null(exh_fs_pseudo_name(fd));
    assert_string_equal(exh_fs_pseudo_name(fd), "proc");
    exh_close(fd);
  }
  fd = exh_open(root, EXH_O_DIRECTORY, 0);
  assert_null(exh_fs_pseudo_name(fd));
  int copy = exh_dup(fd);
  assert_true(copy >= 0 && copy != fd);
  exh_close(copy);
  exh_close(fd);
}

/* The string searches the engines run on attacker bytes: embedded NULs,
 * matches at both ends, a needle longer than the haystack, either case. */
static void test_string_searches(void **state)
{
  (void)state;
  static const char hay[] = "ab\0cab\0cAB";
  size_t n = sizeof hay - 1;
  assert_ptr_equal(exh_memmem(hay, n, "ab", 2), hay);
  assert_ptr_equal(exh_memmem(hay, n, "\0cA", 3), hay + 6);
  assert_ptr_equal(exh_memmem(hay, n, "AB", 2), hay + 8);
  assert_null(exh_memmem(hay, n, "abc", 3));
  assert_null(exh_memmem(hay, 2, "abc", 3));
  assert_ptr_equal(exh_memmem(hay, n, "x", 0), hay);
  assert_ptr_equal(exh_memrchr(hay, 'b', n), hay + 5);
  assert_ptr_equal(exh_memrchr(hay, '\0', n), hay + 6);
  assert_null(exh_memrchr(hay, 'b', 1));
  assert_null(exh_memrchr(hay, 'a', 0));
  const char *path = "C:/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa";
  assert_ptr_equal(exh_strcasestr(path, "httpproxy/"), strstr(path, "HttpProxy/"));
  assert_null(exh_strcasestr(path, "httpproxy\\"));
  assert_ptr_equal(exh_strchrnul("a/b", '/'), "a/b" + 1);
  const char *none = "ab";
  assert_ptr_equal(exh_strchrnul(none, '/'), none + 2);
}

TU_MAIN(&fx, test_open_refuses_symlink, test_open_keeps_atime, test_stat_and_io, test_dir_identity,
        test_rename_atomic_replace, test_lock_nowait, test_tmpfile_unnamed, test_glob, test_threads,
        test_clocks, test_process_and_system, test_string_searches)
