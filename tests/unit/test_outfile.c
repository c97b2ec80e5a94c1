/*
 * test_outfile.c - cli/outfile.c and cli/interrupt.c, the two pieces hunt
 * will share with the other commands: an output is whole or untouched,
 * several outputs are put in place together or not at all, and a signal
 * removes the temporaries and exits 130 with its message. Since both reach
 * the OS through the platform seam and cli/os.h, the words of every
 * refusal are pinned here as they were before (scripts grep for them), and
 * so are the POSIX path split and the held signal around a temporary's
 * registration.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "interrupt.h"
#include "os.h"
#include "outfile.h"

/* The report.c function outfile.c calls for its usage message. */
int cli_usage_error(const char *command, const char *fmt, ...);

int cli_usage_error(const char *command, const char *fmt, ...)
{
  (void)command;
  (void)fmt;
  return 2;
}

static char dir[64];

static int setup(void **state)
{
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/exhunt-outfile-XXXXXX");
  assert_non_null(mkdtemp(dir));
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  DIR *d = opendir(dir);
  struct dirent *de;
  char p[512];
  while (d && (de = readdir(d)))
    if (de->d_name[0] != '.') {
      snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
      unlink(p);
    }
  if (d)
    closedir(d);
  rmdir(dir);
  return 0;
}

static size_t entries(void)
{
  size_t n = 0;
  DIR *d = opendir(dir);
  struct dirent *de;
  while ((de = readdir(d)))
    n += de->d_name[0] != '.';
  closedir(d);
  return n;
}

static void test_replaced_only_when_kept(void **state)
{
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/report.txt", dir);
  tu_put(path, "old\n");
  cli_outfile o;
  assert_int_equal(cli_outfile_open(&o, "test", path, NULL, 0), 0);
  fputs("new\n", o.f);
  fflush(o.f);
  tu_assert_content(path, "old\n"); /* the name is untouched while writing */
  assert_int_equal(entries(), 2);   /* the temporary is beside it */
  assert_int_equal(cli_outfile_finish(&o, "test", false), 0);
  tu_assert_content(path, "old\n");
  assert_int_equal(entries(), 1);

  assert_int_equal(cli_outfile_open(&o, "test", path, NULL, 0), 0);
  fputs("new\n", o.f);
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
  tu_assert_content(path, "new\n");
  assert_int_equal(entries(), 1);
  /* the mode a plain fopen would give a new file */
  mode_t mask = umask(0);
  umask(mask);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
  /* finishing twice does nothing */
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
}

static void test_all_or_none(void **state)
{
  (void)state;
  char a[128], b[128];
  snprintf(a, sizeof a, "%s/a.jsonl", dir);
  snprintf(b, sizeof b, "%s/b.html", dir);
  tu_put(a, "old a\n");
  tu_put(b, "old b\n");
  cli_outfile o[2];
  assert_int_equal(cli_outfile_open(&o[0], "test", a, NULL, 0), 0);
  assert_int_equal(cli_outfile_open(&o[1], "test", b, NULL, 0), 0);
  fputs("new a\n", o[0].f);
  /* the second output's descriptor goes away: its flush fails */
  setvbuf(o[1].f, NULL, _IOFBF, 4096);
  fputs("new b\n", o[1].f);
  close(fileno(o[1].f));
  assert_int_equal(cli_outfile_finish_all(o, 2, "test", true), 2);
  tu_assert_content(a, "old a\n"); /* not replaced: its sibling failed */
  tu_assert_content(b, "old b\n");
  assert_int_equal(entries(), 2);

  /* and both when both are written */
  assert_int_equal(cli_outfile_open(&o[0], "test", a, NULL, 0), 0);
  assert_int_equal(cli_outfile_open(&o[1], "test", b, NULL, 0), 0);
  fputs("new a\n", o[0].f);
  fputs("new b\n", o[1].f);
  assert_int_equal(cli_outfile_finish_all(o, 2, "test", true), 0);
  tu_assert_content(a, "new a\n");
  tu_assert_content(b, "new b\n");
  assert_int_equal(entries(), 2);
}

static void test_stdout_devices_refusals(void **state)
{
  (void)state;
  cli_outfile o;
  assert_int_equal(cli_outfile_open(&o, "test", "-", NULL, 0), 0);
  assert_true(cli_outfile_is_stdout(&o));
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
  /* /dev/null is written directly: nothing is renamed over a device */
  assert_int_equal(cli_outfile_open(&o, "test", "/dev/null", NULL, 0), 0);
  assert_null(o.tmp);
  fputs("x", o.f);
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
  struct stat st;
  assert_int_equal(stat("/dev/null", &st), 0);
  assert_true(S_ISCHR(st.st_mode));
  /* inside the evidence: refused, nothing created */
  char path[128];
  snprintf(path, sizeof path, "%s/r.txt", dir);
  char *roots[] = {dir};
  assert_int_equal(cli_outfile_open(&o, "test", path, roots, 1), 2);
  assert_int_equal(entries(), 0);
  /* a folder that does not exist: an error, said */
  snprintf(path, sizeof path, "%s/nope/r.txt", dir);
  assert_int_equal(cli_outfile_open(&o, "test", path, NULL, 0), 2);
}

/* Reads a whole small file, for before/after comparisons. */
static void slurp(const char *path, char *buf, size_t cap)
{
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
}

/* issue 14 item 7: an output name planted as a link into the evidence is
 * refused before a byte is written, whether the evidence root is a folder
 * or a file, and whatever path leads to the root. */
static void test_links_into_evidence_refused(void **state)
{
  (void)state;
  char ev[128], evfile[160], out[128], lnk[160], hard[160], alias[160], p[200];
  snprintf(ev, sizeof ev, "%s/ev", dir);
  snprintf(evfile, sizeof evfile, "%s/a.aspx", ev);
  snprintf(out, sizeof out, "%s/out", dir);
  assert_int_equal(mkdir(ev, 0755), 0);
  assert_int_equal(mkdir(out, 0755), 0);
  tu_put(evfile, "evidence\n");
  struct stat before, after;
  assert_int_equal(stat(evfile, &before), 0);
  char *dir_root[] = {ev};
  char *file_root[] = {evfile};
  cli_outfile o;

  /* a symbolic link at the output name: refused, with either root, and
   * with no root at all (exhunt does not write through links) */
  snprintf(lnk, sizeof lnk, "%s/lnk.jsonl", out);
  assert_int_equal(symlink(evfile, lnk), 0);
  assert_int_equal(cli_outfile_open(&o, "test", lnk, dir_root, 1), 2);
  assert_int_equal(cli_outfile_open(&o, "test", lnk, file_root, 1), 2);
  assert_int_equal(cli_outfile_open(&o, "test", lnk, NULL, 0), 2);
  assert_null(o.f);
  /* a hard link to an evidence file: refused (it has two names) */
  snprintf(hard, sizeof hard, "%s/hard.jsonl", out);
  assert_int_equal(link(evfile, hard), 0);
  assert_int_equal(cli_outfile_open(&o, "test", hard, file_root, 1), 2);
  assert_int_equal(cli_outfile_open_direct(&o, "test", hard, NULL, 0), 2);
  assert_int_equal(unlink(hard), 0);
  /* the evidence file named directly, when it is the root */
  assert_int_equal(cli_outfile_open(&o, "test", evfile, file_root, 1), 2);
  assert_int_equal(cli_outfile_open_direct(&o, "test", evfile, file_root, 1), 2);
  /* the root folder reached through a symlinked folder and through "..":
   * the identity is compared, not the string */
  snprintf(alias, sizeof alias, "%s/alias", dir);
  assert_int_equal(symlink(ev, alias), 0);
  snprintf(p, sizeof p, "%s/new.jsonl", alias);
  assert_int_equal(cli_outfile_open(&o, "test", p, dir_root, 1), 2);
  snprintf(p, sizeof p, "%s/../ev/new.jsonl", out);
  assert_int_equal(cli_outfile_open(&o, "test", p, dir_root, 1), 2);
  /* and a folder under the root */
  snprintf(p, sizeof p, "%s/sub", ev);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof p, "%s/sub/new.jsonl", alias);
  assert_int_equal(cli_outfile_open_direct(&o, "test", p, dir_root, 1), 2);

  /* the evidence is as it was: bytes, inode, mtime, one name */
  char buf[64];
  slurp(evfile, buf, sizeof buf);
  assert_string_equal(buf, "evidence\n");
  assert_int_equal(stat(evfile, &after), 0);
  assert_int_equal(after.st_ino, before.st_ino);
  assert_int_equal(after.st_nlink, 1);
  assert_true(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
              after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  /* nothing was created in the evidence or beside the link */
  snprintf(p, sizeof p, "%s/new.jsonl", ev);
  assert_int_not_equal(access(p, F_OK), 0);
  DIR *d = opendir(out);
  struct dirent *de;
  size_t n = 0;
  while ((de = readdir(d)))
    n += de->d_name[0] != '.';
  closedir(d);
  assert_int_equal(n, 1); /* lnk.jsonl only: nothing beside it */

  /* a file outside the evidence with one name is still written, whole */
  snprintf(p, sizeof p, "%s/report.jsonl", out);
  assert_int_equal(cli_outfile_open(&o, "test", p, dir_root, 1), 0);
  fputs("ok\n", o.f);
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
  tu_assert_content(p, "ok\n");
  /* in place too, truncating what was there */
  assert_int_equal(cli_outfile_open_direct(&o, "test", p, dir_root, 1), 0);
  assert_null(o.tmp);
  fputs("in place\n", o.f);
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
  tu_assert_content(p, "in place\n");

  /* cleanup for teardown, which removes one level only */
  unlink(p);
  unlink(lnk);
  unlink(alias);
  snprintf(p, sizeof p, "%s/sub", ev);
  rmdir(p);
  unlink(evfile);
  rmdir(ev);
  rmdir(out);
}

/* A link to a character device is a stream the system made (-o
 * /dev/stdout is one): written directly. A folder is no output. */
static void test_link_to_device_and_folder(void **state)
{
  (void)state;
  char lnk[128];
  snprintf(lnk, sizeof lnk, "%s/null", dir);
  assert_int_equal(symlink("/dev/null", lnk), 0);
  cli_outfile o;
  assert_int_equal(cli_outfile_open(&o, "test", lnk, NULL, 0), 0);
  assert_null(o.tmp);
  fputs("x", o.f);
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
  struct stat st;
  assert_int_equal(lstat(lnk, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  /* a link to a descriptor the shell opened (-o /dev/stdout >file): the
   * file behind it is written, in place */
  char file[128], fdname[64];
  snprintf(file, sizeof file, "%s/redirected", dir);
  int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  snprintf(fdname, sizeof fdname, "/dev/fd/%d", fd);
  assert_int_equal(cli_outfile_open(&o, "test", fdname, NULL, 0), 0);
  assert_null(o.tmp);
  fputs("through the descriptor\n", o.f);
  assert_int_equal(cli_outfile_finish(&o, "test", true), 0);
  close(fd);
  tu_assert_content(file, "through the descriptor\n");
  unlink(file);
  /* but a planted link to a regular file is not written through */
  char other[128];
  snprintf(other, sizeof other, "%s/other", dir);
  tu_put(other, "keep\n");
  unlink(lnk);
  assert_int_equal(symlink(other, lnk), 0);
  assert_int_equal(cli_outfile_open(&o, "test", lnk, NULL, 0), 2);
  tu_assert_content(other, "keep\n");
  unlink(other);
  assert_int_equal(cli_outfile_open(&o, "test", dir, NULL, 0), 2);
  char slash[128];
  snprintf(slash, sizeof slash, "%s/", dir);
  assert_int_equal(cli_outfile_open(&o, "test", slash, NULL, 0), 2);
  assert_int_equal(entries(), 1);
}

static void test_signal_removes_temporaries(void **state)
{
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/report.txt", dir);
  tu_put(path, "old\n");
  int err_pipe[2];
  assert_int_equal(pipe(err_pipe), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(err_pipe[1], STDERR_FILENO);
    if (cli_interrupt_install("test") != 0)
      _exit(3);
    cli_outfile o;
    if (cli_outfile_open(&o, "test", path, NULL, 0) != 0)
      _exit(4);
    fputs("half a report", o.f);
    fflush(o.f);
    cli_interrupt_progress(true);
    raise(SIGINT);
    _exit(5); /* never reached */
  }
  close(err_pipe[1]);
  /* The handler writes twice (clear the line, then the message): read to
   * the end, which comes when the child exits. */
  char msg[128] = "";
  size_t got = 0;
  ssize_t n;
  while (got < sizeof msg - 1 && (n = read(err_pipe[0], msg + got, sizeof msg - 1 - got)) > 0)
    got += (size_t)n;
  msg[got] = '\0';
  close(err_pipe[0]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 130);
  assert_string_equal(msg, "\r\033[Kexhunt test: interrupted\n");
  tu_assert_content(path, "old\n");
  assert_int_equal(entries(), 1); /* the temporary is gone */
}

/* A signal that lands while a temporary is being created waits for its
 * registration, then removes it: held, not lost, not early. */
static void test_held_signal_waits_for_registration(void **state)
{
  (void)state;
  char tmp[128];
  snprintf(tmp, sizeof tmp, "%s/held.exhunt-tmp-abcdef", dir);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDERR_FILENO);
    if (cli_interrupt_install("test") != 0)
      _exit(3);
    cli_interrupt_hold(true);
    raise(SIGTERM); /* pending: the handler must not run yet */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || cli_interrupt_add_temp(tmp) < 0)
      _exit(4);
    cli_interrupt_hold(false); /* delivered here, the temporary known */
    _exit(5);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 130);
  assert_int_not_equal(access(tmp, F_OK), 0);
  assert_int_equal(entries(), 0);
}

/* What outfile.c writes on stderr while opening `path`, into buf. */
static int open_said(const char *path, char **roots, int n_roots, char *buf, size_t cap)
{
  char errf[128];
  snprintf(errf, sizeof errf, "%s.stderr", dir);
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(saved >= 0 && fd >= 0);
  dup2(fd, STDERR_FILENO);
  close(fd);
  cli_outfile o;
  int rc = cli_outfile_open(&o, "test", path, roots, n_roots);
  if (rc == 0)
    cli_outfile_finish(&o, "test", false);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  slurp(errf, buf, cap);
  unlink(errf);
  return rc;
}

/* The words of every refusal, as scripts and users know them. */
static void test_refusal_messages(void **state)
{
  (void)state;
  char evfile[128], lnk[128], hard[128], sock[128], p[160], want[512], got[512];
  snprintf(evfile, sizeof evfile, "%s/ev.aspx", dir);
  snprintf(lnk, sizeof lnk, "%s/lnk.jsonl", dir);
  snprintf(hard, sizeof hard, "%s/hard.jsonl", dir);
  snprintf(sock, sizeof sock, "%s/sock", dir);
  tu_put(evfile, "evidence\n");
  assert_int_equal(symlink(evfile, lnk), 0);
  assert_int_equal(link(evfile, hard), 0);
  char *file_root[] = {evfile};

  assert_int_equal(open_said(lnk, NULL, 0, got, sizeof got), 2);
  snprintf(want, sizeof want,
           "exhunt test: refusing to write '%s': it is a symbolic link (exhunt does not write "
           "through a link at an output path: it may lead into the evidence); name the file "
           "itself\n",
           lnk);
  assert_string_equal(got, want);

  assert_int_equal(open_said(hard, NULL, 0, got, sizeof got), 2);
  snprintf(want, sizeof want,
           "exhunt test: refusing to write '%s': it has other names (a hard link; one may be in "
           "the evidence, which is read-only): remove it or choose another name\n",
           hard);
  assert_string_equal(got, want);
  unlink(hard);

  assert_int_equal(open_said(evfile, file_root, 1, got, sizeof got), 2);
  snprintf(want, sizeof want,
           "exhunt test: refusing to write '%s': it is a scanned path (evidence is read-only)\n",
           evfile);
  assert_string_equal(got, want);

  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  assert_true(strlen(sock) < sizeof sa.sun_path);
  memcpy(sa.sun_path, sock, strlen(sock) + 1);
  assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
  assert_int_equal(open_said(sock, NULL, 0, got, sizeof got), 2);
  snprintf(want, sizeof want,
           "exhunt test: refusing to write '%s': it is not a regular file, a character device "
           "or a FIFO\n",
           sock);
  assert_string_equal(got, want);
  close(s);
  unlink(sock);

  assert_int_equal(open_said(dir, NULL, 0, got, sizeof got), 2);
  snprintf(want, sizeof want, "exhunt test: cannot write '%s': Is a directory\n", dir);
  assert_string_equal(got, want);

  snprintf(p, sizeof p, "%s/nope/r.txt", dir);
  assert_int_equal(open_said(p, NULL, 0, got, sizeof got), 2);
  snprintf(want, sizeof want, "exhunt test: cannot write '%s': No such file or directory\n", p);
  assert_string_equal(got, want);

  /* a control character in the path is shown escaped, never raw */
  snprintf(p, sizeof p, "%s/no\033pe/r.txt", dir);
  assert_int_equal(open_said(p, NULL, 0, got, sizeof got), 2);
  assert_null(strchr(got, '\033'));

  unlink(lnk);
  unlink(evfile);
  assert_int_equal(entries(), 0);
}

/* POSIX paths split at the last '/', "/" the folder of "/x" (cli/os.h). */
static void test_split_path(void **state)
{
  (void)state;
  static const struct {
    const char *path;
    size_t folder_len, name_off;
  } cases[] = {
      {"r.txt", 0, 0},      {"/r.txt", 1, 1}, {"a/r.txt", 1, 2}, {"a//r.txt", 2, 3},
      {"/a/b/r.txt", 4, 5}, {"a/", 1, 2},     {"C:\\x", 0, 0},   {"./r.txt", 1, 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    size_t folder_len = 99, name_off = 99;
    cli_os_split_path(cases[i].path, &folder_len, &name_off);
    assert_int_equal(folder_len, cases[i].folder_len);
    assert_int_equal(name_off, cases[i].name_off);
  }
}

static tu_fixture fx = {.setup = setup, .teardown = teardown};

TU_MAIN(&fx, test_replaced_only_when_kept, test_all_or_none, test_stdout_devices_refusals,
        test_links_into_evidence_refused, test_link_to_device_and_folder,
        test_signal_removes_temporaries, test_held_signal_waits_for_registration,
        test_refusal_messages, test_split_path)
