/*
 * test_evidence.c - the one open path for evidence (lib/core/evidence.c).
 *
 * Each test builds a small tree, lists a file the way the walker does
 * (its dev/ino), then changes the tree the way an attacker or a live
 * system can between listing and opening, and checks what
 * exh_open_evidence_at says: a symlink in a middle component or as the
 * file, another inode, a FIFO (without hanging), a file gone. Also the
 * O_NOATIME fallback (as an unprivileged user on a file it does not own),
 * roots given as files or symlinks, the per-worker directory cache, and
 * the notices made of each failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/alloc.h"
#include "core/evidence.h"

static char root[256];
static char outside[256];

static void rm_rf(const char *dir)
{
  assert_int_equal(tu_rmtree(dir), 0);
}

/* root/W3SVC1/u_ex1.log and root/W3SVC1/u_ex2.log; outside/W3SVC1/u_ex1.log
 * (the content an attacker would have reported under root's path). */
static int make_tree(void **state)
{
  (void)state;
  snprintf(root, sizeof root, "/tmp/exh-evidence-XXXXXX");
  snprintf(outside, sizeof outside, "/tmp/exh-outside-XXXXXX");
  if (!mkdtemp(root) || !mkdtemp(outside))
    return -1;
  if (mkdir(tu_path(root, "W3SVC1"), 0755) != 0 || mkdir(tu_path(outside, "W3SVC1"), 0755) != 0)
    return -1;
  tu_put(tu_path(root, "W3SVC1/u_ex1.log"), "inside\n");
  tu_put(tu_path(root, "W3SVC1/u_ex2.log"), "inside 2\n");
  tu_put(tu_path(outside, "W3SVC1/u_ex1.log"), "OUTSIDE\n");
  return 0;
}

static int remove_tree(void **state)
{
  (void)state;
  rm_rf(root);
  rm_rf(outside);
  return 0;
}

static exh_evidence_root *open_root(const char *path)
{
  exh_evidence_root *r = NULL;
  const char *step = NULL;
  assert_int_equal(exh_evidence_root_open(path, &r, &step), 0);
  assert_non_null(r);
  return r;
}

static void listed(const char *path, struct stat *st)
{
  assert_int_equal(lstat(path, st), 0);
}

static void read_back(int fd, const char *want)
{
  char buf[64] = {0};
  assert_true(read(fd, buf, sizeof buf - 1) >= 0);
  assert_string_equal(buf, want);
}

static void test_opens_listed_file(void **state)
{
  (void)state;
  exh_evidence_root *r = open_root(root);
  assert_int_equal(r->kind, EXH_ROOT_DIR);
  struct stat st;
  listed(tu_path(root, "W3SVC1/u_ex1.log"), &st);
  const char *rel = exh_evidence_rel(r, tu_path(root, "W3SVC1/u_ex1.log"));
  assert_string_equal(rel, "W3SVC1/u_ex1.log");
  exh_evidence_open o;
  int fd = exh_open_evidence_at(r, rel, st.st_dev, st.st_ino, NULL, &o);
  assert_true(fd >= 0);
  assert_int_equal(o.status, EXH_OPEN_OK);
  assert_int_equal(o.st.ino, st.st_ino);
  assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK); /* blocking for a regular file */
  read_back(fd, "inside\n");
  close(fd);
  exh_evidence_root_unref(r);
}

#define U_EX1 "W3SVC1/u_ex1.log"

/* The root opened, and root/W3SVC1/u_ex1.log as the walker listed it. */
static exh_evidence_root *open_listed(struct stat *st)
{
  exh_evidence_root *r = open_root(root);
  listed(tu_path(root, U_EX1), st);
  return r;
}

/* Opening rel with st's identity (st NULL: none given) is refused with
 * this status and, when want_err >= 0, this errno. */
static exh_evidence_open refused(exh_evidence_root *r, const char *rel, const struct stat *st,
                                 exh_open_status want, int want_err)
{
  exh_evidence_open o;
  assert_int_equal(exh_open_evidence_at(r, rel, st ? st->st_dev : 0, st ? st->st_ino : 0, NULL, &o),
                   -1);
  assert_int_equal(o.status, want);
  if (want_err >= 0)
    assert_int_equal(o.err, want_err);
  return o;
}

/* How o is told: this code and tag, a reason holding `has`; and the skip
 * reason unless skip is -1. */
static void told_as(const exh_evidence_open *o, exhunt_err want_code, const char *want_what,
                    int want_skip, const char *has)
{
  exhunt_err code;
  const char *what;
  exhunt_skip_reason skip;
  char reason[256];
  exh_evidence_open_describe(o, &code, &what, &skip, reason, sizeof reason);
  assert_string_equal(what, want_what);
  assert_int_equal(code, want_code);
  if (want_skip >= 0)
    assert_int_equal(skip, want_skip);
  assert_non_null(strstr(reason, has));
}

/* Item 5: W3SVC1 renamed and a symlink to an outside folder put in its
 * place. Refused even without the identity check: O_NOFOLLOW on the
 * component. */
static void test_middle_symlink_refused(void **state)
{
  (void)state;
  struct stat st;
  exh_evidence_root *r = open_listed(&st);
  assert_int_equal(rename(tu_path(root, "W3SVC1"), tu_path(root, "W3SVC1.old")), 0);
  assert_int_equal(symlink(tu_path(outside, "W3SVC1"), tu_path(root, "W3SVC1")), 0);
  refused(r, U_EX1, &st, EXH_OPEN_REPLACED, ELOOP);
  exh_evidence_open o = refused(r, U_EX1, NULL, EXH_OPEN_REPLACED, -1);
  told_as(&o, EXHUNT_ECHANGED, "file-replaced", EXHUNT_SKIP_VANISHED, "symlink");
  exh_evidence_root_unref(r);
}

static void test_final_symlink_refused(void **state)
{
  (void)state;
  struct stat st;
  exh_evidence_root *r = open_listed(&st);
  assert_int_equal(unlink(tu_path(root, U_EX1)), 0);
  assert_int_equal(symlink(tu_path(outside, U_EX1), tu_path(root, U_EX1)), 0);
  refused(r, U_EX1, NULL, EXH_OPEN_REPLACED, ELOOP);
  exh_evidence_root_unref(r);
}

/* Same name, another inode (renamed over): replaced, not vanished. */
static void test_other_inode_replaced(void **state)
{
  (void)state;
  struct stat st;
  exh_evidence_root *r = open_listed(&st);
  tu_put(tu_path(root, "W3SVC1/new"), "swapped\n");
  assert_int_equal(rename(tu_path(root, "W3SVC1/new"), tu_path(root, U_EX1)), 0);
  refused(r, U_EX1, &st, EXH_OPEN_REPLACED, 0);
  exh_evidence_root_unref(r);
}

/* A FIFO in the file's place is refused at once, never opened (an open
 * for reading would block until a writer came). */
static void test_fifo_does_not_hang(void **state)
{
  (void)state;
  exh_evidence_root *r = open_root(root);
  assert_int_equal(unlink(tu_path(root, U_EX1)), 0);
  assert_int_equal(mkfifo(tu_path(root, U_EX1), 0644), 0);
  alarm(10); /* a hang fails the test instead of the suite's timeout */
  refused(r, U_EX1, NULL, EXH_OPEN_REPLACED, -1);
  alarm(0);
  exh_evidence_root_unref(r);
}

/* Gone: vanished, with ENOENT (the errno behind it, not "I/O error"). */
static void test_vanished(void **state)
{
  (void)state;
  struct stat st;
  exh_evidence_root *r = open_listed(&st);
  assert_int_equal(unlink(tu_path(root, U_EX1)), 0);
  exh_evidence_open o = refused(r, U_EX1, &st, EXH_OPEN_VANISHED, ENOENT);
  told_as(&o, EXHUNT_ENOENT, "open-error", -1, "No such file");
  /* a whole folder gone */
  rm_rf(tu_path(root, "W3SVC1"));
  refused(r, "W3SVC1/u_ex2.log", NULL, EXH_OPEN_VANISHED, -1);
  exh_evidence_root_unref(r);
}

/* The cache keeps the folder the walker listed: a later swap of the folder
 * does not redirect the next file of it; a file of another folder is
 * walked again (and refused when its path now crosses a symlink). */
static void test_dircache(void **state)
{
  (void)state;
  exh_evidence_root *r = open_root(root);
  exh_evidence_dircache cache;
  exh_evidence_dircache_init(&cache);
  struct stat s1, s2;
  listed(tu_path(root, "W3SVC1/u_ex1.log"), &s1);
  listed(tu_path(root, "W3SVC1/u_ex2.log"), &s2);
  exh_evidence_open o;
  int fd = exh_open_evidence_at(r, "W3SVC1/u_ex1.log", s1.st_dev, s1.st_ino, &cache, &o);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(rename(tu_path(root, "W3SVC1"), tu_path(root, "W3SVC1.old")), 0);
  assert_int_equal(symlink(tu_path(outside, "W3SVC1"), tu_path(root, "W3SVC1")), 0);
  fd = exh_open_evidence_at(r, "W3SVC1/u_ex2.log", s2.st_dev, s2.st_ino, &cache, &o);
  assert_true(fd >= 0); /* the listed file, from the listed folder */
  read_back(fd, "inside 2\n");
  close(fd);
  /* another folder empties the cache's slot, then the swap is seen */
  assert_int_equal(mkdir(tu_path(root, "other"), 0755), 0);
  tu_put(tu_path(root, "other/x.log"), "x\n");
  fd = exh_open_evidence_at(r, "other/x.log", 0, 0, &cache, &o);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(exh_open_evidence_at(r, "W3SVC1/u_ex2.log", 0, 0, &cache, &o), -1);
  assert_int_equal(o.status, EXH_OPEN_REPLACED);
  exh_evidence_dircache_free(&cache);
  exh_evidence_root_unref(r);
}

/* A root given as a symlink is resolved once; a root given as a file is
 * opened by name from its directory with the identity taken at the start. */
static void test_roots(void **state)
{
  (void)state;
  char link[512];
  snprintf(link, sizeof link, "%s/evlink", outside);
  assert_int_equal(symlink(root, link), 0);
  exh_evidence_root *r = open_root(link);
  assert_true(r->is_link);
  assert_int_equal(r->kind, EXH_ROOT_DIR);
  struct stat st;
  listed(tu_path(root, "W3SVC1/u_ex1.log"), &st);
  assert_int_equal(unlink(link), 0); /* the link retargeted after the start */
  assert_int_equal(symlink(outside, link), 0);
  exh_evidence_open o;
  int fd = exh_open_evidence_at(r, exh_evidence_rel(r, tu_path(link, "W3SVC1/u_ex1.log")),
                                st.st_dev, st.st_ino, NULL, &o);
  assert_true(fd >= 0);
  read_back(fd, "inside\n");
  close(fd);
  exh_evidence_root_unref(r);

  /* a file root */
  r = open_root(tu_path(root, "W3SVC1/u_ex1.log"));
  assert_int_equal(r->kind, EXH_ROOT_FILE);
  assert_string_equal(exh_evidence_rel(r, tu_path(root, "W3SVC1/u_ex1.log")), "u_ex1.log");
  fd = exh_open_evidence_at(r, "u_ex1.log", r->st.dev, r->st.ino, NULL, &o);
  assert_true(fd >= 0);
  close(fd);
  tu_put(tu_path(root, "W3SVC1/new"), "swapped\n");
  assert_int_equal(rename(tu_path(root, "W3SVC1/new"), tu_path(root, "W3SVC1/u_ex1.log")), 0);
  assert_int_equal(exh_open_evidence_at(r, "u_ex1.log", r->st.dev, r->st.ino, NULL, &o), -1);
  assert_int_equal(o.status, EXH_OPEN_REPLACED);
  exh_evidence_root_unref(r);

  /* a path not under the root, and a missing root */
  r = open_root(root);
  char sibling[300];
  snprintf(sibling, sizeof sibling, "%s2/x", root);
  assert_null(exh_evidence_rel(r, sibling));
  assert_int_equal(exh_open_evidence_at(r, "../x", 0, 0, NULL, &o), -1);
  assert_int_equal(o.status, EXH_OPEN_UNREADABLE);
  exh_evidence_root_unref(r);
  exh_evidence_root *none = NULL;
  const char *step = NULL;
  assert_int_equal(exh_evidence_root_open(tu_path(root, "missing"), &none, &step), ENOENT);
  assert_null(none);
}

/* O_NOATIME needs ownership: as another user, on a file owned by root,
 * the open falls back and says so. Run in a child that drops to nobody
 * when we are root; as an ordinary user, root's /etc/passwd does. */
static void test_noatime_fallback(void **state)
{
  (void)state;
  struct stat st;
  assert_int_equal(stat("/etc/passwd", &st), 0);
  if (st.st_uid == geteuid() && geteuid() != 0) {
    skip();
    return;
  }
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
                           setresuid(65534, 65534, 65534) != 0))
      _exit(3);
    exh_evidence_root *r = NULL;
    const char *step = NULL;
    if (exh_evidence_root_open("/etc", &r, &step) != 0)
      _exit(4);
    exh_evidence_open o;
    int fd = exh_open_evidence_at(r, "passwd", st.st_dev, st.st_ino, NULL, &o);
    _exit(fd < 0 ? 5 : o.noatime_refused ? 0 : 6);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

#ifdef EXHUNT_FAULT_INJECTION
/* Every allocation of a root open can fail: ENOMEM, nothing leaked. */
static void test_root_alloc_failure(void **state)
{
  (void)state;
  for (unsigned long n = 1;; n++) {
    exh_alloc_fail_at(n, 0);
    exh_evidence_root *r = NULL;
    const char *step = NULL;
    int e = exh_evidence_root_open(tu_path(root, "W3SVC1/u_ex1.log"), &r, &step);
    exh_alloc_fail_at(0, 0);
    if (e == 0) {
      exh_evidence_root_unref(r);
      break;
    }
    assert_int_equal(e, ENOMEM);
    assert_null(r);
  }
}
#endif

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_opens_listed_file, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_middle_symlink_refused, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_final_symlink_refused, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_other_inode_replaced, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_fifo_does_not_hang, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_vanished, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_dircache, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_roots, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_noatime_fallback, make_tree, remove_tree),
#ifdef EXHUNT_FAULT_INJECTION
      cmocka_unit_test_setup_teardown(test_root_alloc_failure, make_tree, remove_tree),
#endif
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
