/*
 * test_scan.c - exhunt_scan_paths on real trees made by the test: the
 * walker's rules (symlinks, loops, special files, scope options), hostile
 * names, huge/empty/binary files, files that vanish, are replaced or
 * change while being read, unreadable files, and the promise that evidence
 * is left exactly as it was (content, mtime, atime).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/dynbuf.h"
#include "output/format.h"
#include "scan/filescan.h"

static recorder rec;
static tu_fixture fx = {.each = TU_ROOT, .tag = "test", .rec = &rec, .default_rules = true};

static exhunt_scan_stats scan_root(const exhunt_scan_opts *given)
{
  exhunt_scan_opts opts;
  if (given)
    opts = *given;
  else
    exhunt_scan_opts_init(&opts);
  exhunt_sink sink = rec_sink(&rec);
  exhunt_scan_stats stats;
  const char *paths[] = {fx.root};
  assert_int_equal(exhunt_scan_paths(fx.rules, paths, 1, &opts, &sink, &stats), EXHUNT_OK);
  return stats;
}

/* ---------------------------------------------------------------------- */

static void test_finds_shell_and_counts(void **state)
{
  (void)state;
  mkdir(tu_at("owa"), 0755);
  mkdir(tu_at("owa/auth"), 0755);
  write_file(tu_at("owa/auth/x.aspx"), CHOPPER, strlen(CHOPPER));
  write_file(tu_at("owa/auth/readme.txt"), "hello\n", 6);
  exhunt_scan_stats st = scan_root(NULL);
  assert_int_equal(st.files_seen, 2);
  assert_int_equal(st.files_scanned, 2);
  assert_int_equal(st.dirs_seen, 3);
  assert_true(rec_count_path(&rec, "x.aspx") >= 1);
  assert_int_equal(rec_count_path(&rec, "readme.txt"), 0);
  assert_int_equal(st.errors, 0);
  assert_int_equal(st.bytes_read, strlen(CHOPPER) + 6);
}

static void test_symlinks_never_followed(void **state)
{
  (void)state;
  mkdir(tu_at("d"), 0755);
  write_file(tu_at("d/real.aspx"), CHOPPER, strlen(CHOPPER));
  assert_int_equal(symlink("loop2", tu_at("loop1")), 0);
  assert_int_equal(symlink("loop1", tu_at("loop2")), 0);
  assert_int_equal(symlink("..", tu_at("d/up")), 0);                /* loops back to the root */
  assert_int_equal(symlink("/etc", tu_at("d/etc")), 0);             /* leaves the root */
  assert_int_equal(symlink("real.aspx", tu_at("d/alias.aspx")), 0); /* inside: reached anyway */
  assert_int_equal(symlink("/nonexistent/x", tu_at("dangling")), 0);
  exhunt_scan_stats st = scan_root(NULL);
  assert_int_equal(st.files_seen, 1);
  assert_int_equal(st.skipped[EXHUNT_SKIP_SYMLINK], 6);
  assert_int_equal(rec_count_what(&rec, "symlink-loop"), 2);
  assert_int_equal(rec_count_what(&rec, "symlink-outside-root"), 1);
  assert_true(rec_count_path(&rec, "real.aspx") >= 1);
  assert_int_equal(rec_count_path(&rec, "alias.aspx"), 0);
}

static void test_special_files_skipped_with_note(void **state)
{
  (void)state;
  assert_int_equal(mkfifo(tu_at("pipe.aspx"), 0644), 0);
  write_file(tu_at("ok.txt"), "x", 1);
  exhunt_scan_stats st = scan_root(NULL);
  assert_int_equal(st.skipped[EXHUNT_SKIP_SPECIAL], 1);
  assert_int_equal(rec_count_what(&rec, "special-file"), 1);
  assert_int_equal(st.files_scanned, 1);
}

static void test_scope_exclude_newer_depth(void **state)
{
  (void)state;
  mkdir(tu_at("logs"), 0755);
  write_file(tu_at("logs/u_ex210303.log"), CHOPPER, strlen(CHOPPER));
  write_file(tu_at("old.aspx"), CHOPPER, strlen(CHOPPER));
  write_file(tu_at("new.aspx"), CHOPPER, strlen(CHOPPER));
  struct timespec old[2] = {{1500000000, 0}, {1500000000, 0}};
  utimensat(AT_FDCWD, tu_at("old.aspx"), old, 0);
  mkdir(tu_at("a"), 0755);
  mkdir(tu_at("a/b"), 0755);
  write_file(tu_at("a/b/deep.aspx"), CHOPPER, strlen(CHOPPER));

  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  const char *ex[] = {"LOGS"}; /* case-insensitive, matches the directory name */
  opts.scope.excludes = ex;
  opts.scope.n_excludes = 1;
  opts.newer_than = 1600000000;
  opts.scope.max_depth = 1;
  exhunt_scan_stats st = scan_root(&opts);
  assert_int_equal(st.skipped[EXHUNT_SKIP_EXCLUDED], 1);
  assert_int_equal(st.skipped[EXHUNT_SKIP_OLDER], 1);
  assert_int_equal(st.skipped[EXHUNT_SKIP_DEPTH], 1);
  assert_int_equal(rec_count_what(&rec, "too-deep"), 1);
  assert_true(rec_count_path(&rec, "new.aspx") >= 1);
  assert_int_equal(rec_count_path(&rec, "old.aspx"), 0);
  assert_int_equal(rec_count_path(&rec, "deep.aspx"), 0);
  assert_int_equal(rec_count_path(&rec, "u_ex210303.log"), 0);
}

static void test_hostile_names_escaped(void **state)
{
  (void)state;
  const char *names[] = {"new\nline.aspx", "\x1b[31mred\x1b[0m.aspx", "bad\xff\xfe.aspx",
                         "=cmd|' -C calc'!A0.aspx"};
  for (size_t i = 0; i < 4; i++)
    write_file(tu_at(names[i]), CHOPPER, strlen(CHOPPER));
  /* Format every finding as JSONL and as text, the way the CLI does. */
  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  exhunt_scan_stats st = scan_root(&opts);
  assert_int_equal(st.files_scanned, 4);
  for (size_t i = 0; i < 4; i++) {
    size_t n = 0;
    for (size_t k = 0; k < rec.n_findings; k++)
      n += strstr(rec.findings[k].path, names[i]) != NULL;
    assert_true(n >= 1);
  }
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  exhunt_finding f;
  memset(&f, 0, sizeof f);
  f.category = "webshell";
  f.rule = "r";
  f.title = "t";
  for (size_t i = 0; i < 4; i++) {
    f.path = tu_at(names[i]);
    exh_dynbuf_reset(&b);
    assert_int_equal(exh_jsonl_finding(&b, &f), EXHUNT_OK);
    /* exactly one line, no raw control byte */
    assert_int_equal(strchr(b.data, '\n') - b.data, (long)b.len - 1);
    for (size_t k = 0; k + 1 < b.len; k++)
      assert_true((unsigned char)b.data[k] >= 0x20);
    if (i == 2)
      assert_non_null(strstr(b.data, "\"path_b64\":"));
    exh_dynbuf_reset(&b);
    assert_int_equal(exh_text_finding(&b, &f, false, true), EXHUNT_OK);
    for (size_t k = 0; k < b.len; k++)
      assert_true((unsigned char)b.data[k] >= 0x20 || b.data[k] == '\n');
    assert_null(strstr(b.data, "\x1b"));
  }
  exh_dynbuf_free(&b);
}

static void test_huge_empty_binary(void **state)
{
  (void)state;
  /* 200 MiB sparse file: over the content limit, so streamed for hashes. */
  int fd = open(tu_at("huge.bin"), O_CREAT | O_WRONLY, 0644);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, 200ll * 1024 * 1024), 0);
  close(fd);
  write_file(tu_at("empty.aspx"), "", 0);
  uint8_t bin[65536];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof bin; i++) {
    x = x * 1103515245u + 12345u;
    bin[i] = (uint8_t)(x >> 24);
  }
  write_file(tu_at("random.dll"), bin, sizeof bin);
  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  opts.max_filesize = 1024 * 1024;
  exhunt_scan_stats st = scan_root(&opts);
  assert_int_equal(st.files_scanned, 3);
  assert_int_equal(st.skipped[EXHUNT_SKIP_CONTENT_SIZE], 1);
  assert_int_equal(rec_count_what(&rec, "content-too-large"), 1);
  assert_int_equal(st.bytes_read, 200ull * 1024 * 1024 + sizeof bin);
  assert_int_equal(rec.n_findings, 0);
  assert_int_equal(st.errors, 0);
}

/* Files that change between listing and reading, driven directly. */
static void test_vanished_and_replaced(void **state)
{
  (void)state;
  exh_filescan *fs;
  assert_int_equal(exh_filescan_new(fx.rules, 0, &fs), EXHUNT_OK);
  exhunt_sink sink = rec_sink(&rec);
  write_file(tu_at("a.aspx"), CHOPPER, strlen(CHOPPER));
  struct stat st;
  stat(tu_at("a.aspx"), &st);
  exh_fileinfo info = {
      tu_at("a.aspx"), (uint64_t)st.st_size, st.st_mtime, 0, st.st_dev, st.st_ino, NULL, NULL};
  exh_fileresult res;

  unlink(tu_at("a.aspx")); /* vanished */
  exh_filescan_path(fs, &info, &sink, &res);
  assert_true(res.skipped);
  assert_int_equal(res.skip, EXHUNT_SKIP_VANISHED);
  assert_int_equal(rec_count_what(&rec, "open-error"), 1);

  write_file(tu_at("a.aspx"), "other", 5); /* a new inode under the same name */
  info.ino = st.st_ino + 1000000;
  exh_filescan_path(fs, &info, &sink, &res);
  assert_true(res.skipped);
  assert_int_equal(rec_count_what(&rec, "file-replaced"), 1);

  unlink(tu_at("a.aspx")); /* swapped for a symlink: O_NOFOLLOW refuses it */
  assert_int_equal(symlink("/etc/passwd", tu_at("a.aspx")), 0);
  exh_filescan_path(fs, &info, &sink, &res);
  assert_true(res.skipped);
  assert_int_equal(rec.n_findings, 0);

  /* A file that grows while read: /proc files report size 0. */
  struct stat pst;
  stat("/proc/self/status", &pst);
  exh_fileinfo pinfo = {"/proc/self/status", 0, 0, 0, pst.st_dev, pst.st_ino, NULL, NULL};
  exh_filescan_path(fs, &pinfo, &sink, &res);
  assert_true(res.scanned);
  assert_int_equal(rec_count_what(&rec, "file-grew"), 1);
  exh_filescan_free(fs);
}

typedef struct shrinker {
  const char *path;
  volatile int stop;
} shrinker;

static void *shrink_loop(void *arg)
{
  shrinker *s = arg;
  while (!s->stop) {
    truncate(s->path, 4 * 1024 * 1024);
    truncate(s->path, 4096);
  }
  return NULL;
}

/* A file shrinking and growing under the scanner, many times: every scan
 * ends with either a full read or a "file-shrank"/"file-grew" note, never
 * a crash or a read past the data. */
static void test_file_shrinking_mid_scan(void **state)
{
  (void)state;
  exh_filescan *fs;
  assert_int_equal(exh_filescan_new(fx.rules, 0, &fs), EXHUNT_OK);
  exhunt_sink sink = rec_sink(&rec);
  write_file(tu_at("s.log"), "x", 1);
  shrinker s = {tu_at("s.log"), 0};
  pthread_t t;
  pthread_create(&t, NULL, shrink_loop, &s);
  size_t scanned = 0;
  for (int i = 0; i < 100; i++) {
    struct stat st;
    if (stat(tu_at("s.log"), &st) != 0)
      continue;
    exh_fileinfo info = {
        tu_at("s.log"), (uint64_t)st.st_size, 0, 0, st.st_dev, st.st_ino, NULL, NULL};
    exh_fileresult res;
    rec.n_notices = 0;
    exh_filescan_path(fs, &info, &sink, &res);
    scanned += res.scanned;
    assert_true(res.bytes_read <= 4 * 1024 * 1024);
  }
  s.stop = 1;
  pthread_join(t, NULL);
  assert_int_equal(scanned, 100);
  exh_filescan_free(fs);
}

/* Evidence is read-only: content, mtime and atime are unchanged. The atime
 * is set older than the mtime first, so that a relatime mount would update
 * it on any read that is not O_NOATIME. */
static void test_evidence_untouched(void **state)
{
  (void)state;
  const char *files[] = {"a.aspx", "b.txt", "c.bin"};
  write_file(tu_at("a.aspx"), CHOPPER, strlen(CHOPPER));
  write_file(tu_at("b.txt"), "text\n", 5);
  write_file(tu_at("c.bin"), "\0\1\2", 3);
  struct stat before[3], after[3];
  for (int i = 0; i < 3; i++) {
    struct timespec times[2] = {{1600000000, 0}, {1600000100, 0}};
    utimensat(AT_FDCWD, tu_at(files[i]), times, 0);
    stat(tu_at(files[i]), &before[i]);
  }
  struct stat dir_before, dir_after;
  stat(fx.root, &dir_before);
  scan_root(NULL);
  for (int i = 0; i < 3; i++) {
    stat(tu_at(files[i]), &after[i]);
    assert_int_equal(before[i].st_mtim.tv_sec, after[i].st_mtim.tv_sec);
    assert_int_equal(before[i].st_atim.tv_sec, after[i].st_atim.tv_sec);
    assert_int_equal(before[i].st_ctim.tv_sec, after[i].st_ctim.tv_sec);
    assert_int_equal(before[i].st_ctim.tv_nsec, after[i].st_ctim.tv_nsec);
    assert_int_equal(before[i].st_size, after[i].st_size);
  }
  stat(fx.root, &dir_after);
  assert_int_equal(dir_before.st_mtim.tv_nsec, dir_after.st_mtim.tv_nsec);
  assert_int_equal(rec_count_what(&rec, "atime-not-preserved"), 0);
}

/* Unreadable files and folders give an error each and the scan goes on.
 * Root reads everything, so the scan runs in a child as 'nobody'. */
static void test_unreadable(void **state)
{
  (void)state;
  write_file(tu_at("locked.aspx"), CHOPPER, strlen(CHOPPER));
  write_file(tu_at("open.aspx"), CHOPPER, strlen(CHOPPER));
  mkdir(tu_at("sealed"), 0755);
  write_file(tu_at("sealed/inner.aspx"), CHOPPER, strlen(CHOPPER));
  chmod(tu_at("locked.aspx"), 0);
  chmod(tu_at("open.aspx"), 0644);
  chmod(tu_at("sealed"), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (geteuid() == 0) {
      struct passwd *pw = getpwnam("nobody");
      if (!pw || setgid(pw->pw_gid) || setuid(pw->pw_uid))
        _exit(3);
    }
    memset(&rec, 0, sizeof rec);
    exhunt_scan_opts opts;
    exhunt_scan_opts_init(&opts);
    exhunt_sink sink = rec_sink(&rec);
    exhunt_scan_stats st;
    const char *paths[] = {fx.root};
    if (exhunt_scan_paths(fx.rules, paths, 1, &opts, &sink, &st) != EXHUNT_OK)
      _exit(4);
    int ok = st.skipped[EXHUNT_SKIP_UNREADABLE] == 2 && st.errors == 2 &&
             rec_count_what(&rec, "open-error") == 1 &&
             rec_count_what(&rec, "opendir-error") == 1 && rec_count_path(&rec, "open.aspx") >= 1;
    _exit(ok ? 0 : 5);
  }
  int status;
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_threads_agree(void **state)
{
  (void)state;
  for (int i = 0; i < 40; i++) {
    char name[32];
    snprintf(name, sizeof name, "f%02d.aspx", i);
    write_file(tu_at(name), i % 3 ? "benign\n" : CHOPPER, i % 3 ? 7 : strlen(CHOPPER));
  }
  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  opts.resources.threads = 1;
  scan_root(&opts);
  size_t one = rec.n_findings;
  memset(&rec, 0, sizeof rec);
  opts.resources.threads = 4;
  scan_root(&opts);
  assert_int_equal(rec.n_findings, one);
  assert_true(one >= 14);
}

TU_MAIN(&fx, test_finds_shell_and_counts, test_symlinks_never_followed,
        test_special_files_skipped_with_note, test_scope_exclude_newer_depth,
        test_hostile_names_escaped, test_huge_empty_binary, test_vanished_and_replaced,
        test_file_shrinking_mid_scan, test_evidence_untouched, test_unreadable, test_threads_agree)
