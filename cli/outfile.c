/*
 * outfile.c - see outfile.h. The steps, and why each:
 *   open:   split the path into folder and name; open the folder once
 *           (O_DIRECTORY) and walk its ".." chain to "/", comparing each
 *           (device, inode) with the evidence roots: identities, not path
 *           strings, so no alias of a root gets through. Then lstat the
 *           name (fstatat, AT_SYMLINK_NOFOLLOW) and refuse a link, a file
 *           with several names, a root, a block device or a socket. Then
 *           create the temporary in that folder with
 *           O_CREAT|O_EXCL|O_NOFOLLOW, SIGINT/SIGTERM held so it is
 *           registered for removal before a signal can land.
 *   finish: fflush + fsync + fclose, then renameat (one step for the
 *           reader: the old content or the new, never a mix; a rename
 *           replaces the name, never writes into what it named), then
 *           forget the registration; on any failure unlink the temporary.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/alloc.h"
#include "interrupt.h"
#include "output/escape.h"
#include "report.h"

/* The ".." walk stops here whatever happens: no real path is this deep. */
#define OUTFILE_MAX_DEPTH 4096

void cli_outfile_init(cli_outfile *o)
{
  memset(o, 0, sizeof *o);
  o->dir = -1;
  o->slot = -1;
}

bool cli_outfile_is_stdout(const cli_outfile *o)
{
  return o->f == stdout;
}

/* Says why `path` is refused, the path in its display form (it may hold
 * anything a shell lets through). Returns EXIT_ERROR. */
static int refuse(const char *command, const char *path, const char *why)
{
  exh_dynbuf shown;
  exh_dynbuf_init(&shown, 0);
  exh_escape_display(&shown, path, strlen(path));
  fprintf(stderr, "exhunt %s: refusing to write '%s': %s\n", command, shown.data ? shown.data : "",
          why);
  exh_dynbuf_free(&shown);
  return EXIT_ERROR;
}

static int cannot(const char *command, const char *path, int err)
{
  exh_dynbuf shown;
  exh_dynbuf_init(&shown, 0);
  exh_escape_display(&shown, path, strlen(path));
  fprintf(stderr, "exhunt %s: cannot write '%s': %s\n", command, shown.data ? shown.data : "",
          strerror(err));
  exh_dynbuf_free(&shown);
  return EXIT_ERROR;
}

/* Is (dev, ino) an evidence root? Both what a root names and, when it is
 * a symbolic link, the link itself: the walker may start from either. */
static bool is_root(const struct stat *st, char **roots, int n_roots, bool dirs)
{
  for (int i = 0; i < n_roots; i++) {
    struct stat rs;
    for (int follow = 0; follow < 2; follow++) {
      if ((follow ? stat(roots[i], &rs) : lstat(roots[i], &rs)) != 0)
        continue;
      if (dirs != !!S_ISDIR(rs.st_mode))
        continue;
      if (rs.st_dev == st->st_dev && rs.st_ino == st->st_ino)
        return true;
    }
  }
  return false;
}

/* 1 when the folder open at `dir` is a root folder or under one, 0 when
 * it is not, -1 (errno set) when the chain could not be walked to "/". */
static int dir_inside_roots(int dir, char **roots, int n_roots)
{
  if (n_roots <= 0)
    return 0;
  int cur = dup(dir);
  if (cur < 0)
    return -1;
  int result = -1;
  struct stat st;
  if (fstat(cur, &st) != 0)
    goto done;
  for (int depth = 0; depth < OUTFILE_MAX_DEPTH; depth++) {
    if (is_root(&st, roots, n_roots, true)) {
      result = 1;
      goto done;
    }
    int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (up < 0)
      goto done;
    struct stat ust;
    if (fstat(up, &ust) != 0) {
      int saved = errno;
      close(up);
      errno = saved;
      goto done;
    }
    close(cur);
    cur = up;
    if (ust.st_dev == st.st_dev && ust.st_ino == st.st_ino) {
      result = 0; /* ".." of "/" is "/" */
      goto done;
    }
    st = ust;
  }
  errno = ELOOP;
done:
  if (cur >= 0) {
    int saved = errno;
    close(cur);
    errno = saved;
  }
  return result;
}

/* Splits path into o->name and an opened o->dir. */
static int open_folder(cli_outfile *o, const char *command, const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
    return cannot(command, path, EISDIR);
  size_t dl = slash ? (size_t)(slash - path) : 0;
  char *folder = exh_malloc(dl + 2);
  o->name = exh_strdup(base);
  if (!folder || !o->name) {
    exh_free(folder);
    fprintf(stderr, "exhunt %s: out of memory\n", command);
    return EXIT_ERROR;
  }
  if (!slash)
    memcpy(folder, ".", 2);
  else if (dl == 0)
    memcpy(folder, "/", 2);
  else {
    memcpy(folder, path, dl);
    folder[dl] = '\0';
  }
  o->dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved = errno;
  exh_free(folder);
  if (o->dir < 0)
    return cannot(command, path, saved);
  return 0;
}

/* Whether a file with this status may be written: a character device or
 * a FIFO as it is, a regular file only with one name and not a root. */
static int check_stat(const char *command, const char *path, const struct stat *st, char **roots,
                      int n_roots)
{
  if (S_ISCHR(st->st_mode) || S_ISFIFO(st->st_mode))
    return 0;
  if (S_ISDIR(st->st_mode))
    return cannot(command, path, EISDIR);
  if (!S_ISREG(st->st_mode))
    return refuse(command, path, "it is not a regular file, a character device or a FIFO");
  if (st->st_nlink > 1)
    return refuse(command, path,
                  "it has other names (a hard link; one may be in the evidence, which is "
                  "read-only): remove it or choose another name");
  if (is_root(st, roots, n_roots, false))
    return refuse(command, path, "it is a scanned path (evidence is read-only)");
  return 0;
}

/* Whether text names one of this process's descriptors: /dev/fd/N,
 * /proc/self/fd/N, /proc/PID/fd/N. */
static bool is_descriptor_name(const char *text)
{
  char own[64];
  snprintf(own, sizeof own, "/proc/%ld/fd/", (long)getpid());
  const char *prefixes[] = {"/dev/fd/", "/proc/self/fd/", own};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t pl = strlen(prefixes[i]);
    if (strncmp(text, prefixes[i], pl) != 0 || !text[pl])
      continue;
    const char *d = text + pl;
    while (*d >= '0' && *d <= '9')
      d++;
    if (!*d)
      return true;
  }
  return false;
}

/* Whether the link at `name` (path as given: `path`) leads, through links
 * the system made, to a descriptor this process already holds: -o
 * /dev/stdout, /dev/stderr, /dev/fd/3. The shell opened that file for the
 * user (exhunt scan -o /dev/stdout >report.txt), so it is written even when
 * it is a regular file. Absolute link texts only, a few hops. */
static bool leads_to_descriptor(int dir, const char *name, const char *path)
{
  if (is_descriptor_name(path))
    return true;
  char text[PATH_MAX];
  ssize_t n = readlinkat(dir, name, text, sizeof text - 1);
  for (int hop = 0; hop < 8 && n > 0; hop++) {
    text[n] = '\0';
    if (text[0] != '/')
      return false;
    if (is_descriptor_name(text))
      return true;
    char next[PATH_MAX];
    n = readlink(text, next, sizeof next - 1);
    if (n > 0)
      memcpy(text, next, (size_t)n);
  }
  return false;
}

/* The checks every output goes through before a byte is written; sets
 * *direct when the name is a device or FIFO to write as it is. */
static int check_path(cli_outfile *o, const char *command, const char *path, char **roots,
                      int n_roots, bool *direct)
{
  *direct = false;
  int rc = open_folder(o, command, path);
  if (rc)
    return rc;
  int in = dir_inside_roots(o->dir, roots, n_roots);
  if (in < 0) {
    char why[160];
    snprintf(why, sizeof why,
             "cannot tell whether it is inside a scanned path (walking up its folder: %s)",
             strerror(errno));
    return refuse(command, path, why);
  }
  if (in)
    return cli_usage_error(command,
                           "refusing to write '%s' inside a scanned path (evidence is "
                           "read-only)",
                           path);
  struct stat st;
  if (fstatat(o->dir, o->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? 0 : cannot(command, path, errno); /* ENOENT: a new file */
  if (S_ISLNK(st.st_mode)) {
    /* -o /dev/stdout, /dev/fd/3: links the system made to a stream or to
     * a descriptor the shell opened. Any other link may have been planted
     * to lead into the evidence. */
    struct stat to;
    if (fstatat(o->dir, o->name, &to, 0) == 0 &&
        (S_ISCHR(to.st_mode) || S_ISFIFO(to.st_mode) ||
         (S_ISREG(to.st_mode) && leads_to_descriptor(o->dir, o->name, path)))) {
      *direct = true;
      return 0;
    }
    return refuse(command, path,
                  "it is a symbolic link (exhunt does not write through a link at an output "
                  "path: it may lead into the evidence); name the file itself");
  }
  if ((rc = check_stat(command, path, &st, roots, n_roots)) != 0)
    return rc;
  /* /dev/null, a FIFO, a terminal: nothing to replace, and renaming a file
   * over a device node would be a disaster. */
  *direct = S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode);
  return 0;
}

/* Opens o->name in place (no temporary) and checks what was opened before
 * anything is written: the name may have changed since check_path. */
static int open_in_place(cli_outfile *o, const char *command, const char *path, bool follow,
                         bool create, char **roots, int n_roots)
{
  int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW) | (create ? O_CREAT : 0);
  int fd = openat(o->dir, o->name, flags, 0666);
  if (fd < 0)
    return errno == ELOOP ? refuse(command, path, "it is a symbolic link")
                          : cannot(command, path, errno);
  struct stat st;
  int rc = fstat(fd, &st) != 0 ? cannot(command, path, errno) : 0;
  if (!rc && follow && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) &&
      !(S_ISREG(st.st_mode) && leads_to_descriptor(o->dir, o->name, path)))
    rc = refuse(command, path, "it is a symbolic link that no longer leads to a device");
  if (!rc)
    rc = check_stat(command, path, &st, roots, n_roots);
  /* Truncated only now, after the checks (O_TRUNC would have emptied
   * whatever the name led to at open). */
  if (!rc && S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0)
    rc = cannot(command, path, errno);
  if (!rc && !(o->f = fdopen(fd, "w")))
    rc = cannot(command, path, errno);
  if (rc)
    close(fd);
  return rc;
}

/* "<name>.exhunt-tmp-XXXXXX" in the folder: same file system, and a name
 * that says what it is if a power cut leaves it behind. O_EXCL and
 * O_NOFOLLOW: never an existing file, never through a link. */
static int create_temp(cli_outfile *o, const char *command, const char *path)
{
  static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  size_t nl = strlen(o->name) + sizeof ".exhunt-tmp-XXXXXX";
  const char *slash = strrchr(path, '/');
  size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
  o->tmp_name = exh_malloc(nl);
  o->tmp = exh_malloc(dl + nl);
  if (!o->tmp_name || !o->tmp) {
    fprintf(stderr, "exhunt %s: out of memory\n", command);
    return EXIT_ERROR;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t seed = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
  int fd = -1, saved = EEXIST;
  for (int attempt = 0; attempt < 100 && fd < 0 && saved == EEXIST; attempt++) {
    char suffix[7];
    for (int k = 0; k < 6; k++) {
      seed = seed * 6364136223846793005u + 1442695040888963407u;
      suffix[k] = alnum[(seed >> 33) % (sizeof alnum - 1)];
    }
    suffix[6] = '\0';
    snprintf(o->tmp_name, nl, "%s.exhunt-tmp-%s", o->name, suffix);
    snprintf(o->tmp, dl + nl, "%.*s%s", (int)dl, path, o->tmp_name);
    cli_interrupt_hold(true);
    fd = openat(o->dir, o->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    saved = errno;
    if (fd >= 0)
      o->slot = cli_interrupt_add_temp(o->tmp);
    cli_interrupt_hold(false);
  }
  if (fd < 0) {
    exh_free(o->tmp_name);
    o->tmp_name = NULL;
    return cannot(command, path, saved);
  }
  if (!(o->f = fdopen(fd, "w"))) {
    saved = errno;
    close(fd);
    return cannot(command, path, saved);
  }
  return 0;
}

static void drop(cli_outfile *o)
{
  if (o->tmp_name) {
    unlinkat(o->dir, o->tmp_name, 0);
    cli_interrupt_remove_temp(o->slot);
    o->slot = -1;
  }
  exh_free(o->tmp_name);
  exh_free(o->tmp);
  exh_free(o->name);
  o->tmp_name = o->tmp = o->name = NULL;
  if (o->dir >= 0)
    close(o->dir);
  o->dir = -1;
}

static int open_output(cli_outfile *o, const char *command, const char *path, char **roots,
                       int n_roots, bool in_place)
{
  cli_outfile_init(o);
  if (!path || strcmp(path, "-") == 0) {
    o->f = stdout;
    return 0;
  }
  o->path = path;
  bool direct = false;
  int rc = check_path(o, command, path, roots, n_roots, &direct);
  if (!rc && (direct || in_place))
    rc = open_in_place(o, command, path, direct, !direct, roots, n_roots);
  else if (!rc)
    rc = create_temp(o, command, path);
  if (rc) {
    if (o->f)
      fclose(o->f);
    o->f = NULL;
    drop(o);
  }
  return rc;
}

int cli_outfile_open(cli_outfile *o, const char *command, const char *path, char **roots,
                     int n_roots)
{
  return open_output(o, command, path, roots, n_roots, false);
}

int cli_outfile_open_direct(cli_outfile *o, const char *command, const char *path, char **roots,
                            int n_roots)
{
  return open_output(o, command, path, roots, n_roots, true);
}

/* Phase one: the bytes on disk. Marks o->failed on any error. */
static void settle(cli_outfile *o, const char *command)
{
  if (!o->f)
    return;
  if (fflush(o->f) != 0 || ferror(o->f)) {
    fprintf(stderr, "exhunt %s: writing '%s' failed: %s\n", command, o->path ? o->path : "-",
            strerror(errno));
    o->failed = true;
  }
  if (o->f == stdout) {
    o->f = NULL;
    return;
  }
  if (o->tmp_name && !o->failed && fsync(fileno(o->f)) != 0) {
    fprintf(stderr, "exhunt %s: writing '%s' failed: %s\n", command, o->path, strerror(errno));
    o->failed = true;
  }
  if (fclose(o->f) != 0 && !o->failed) {
    fprintf(stderr, "exhunt %s: closing '%s' failed: %s\n", command, o->path, strerror(errno));
    o->failed = true;
  }
  o->f = NULL;
}

/* Phase two: into place, or away. renameat in the folder checked at open:
 * it replaces the name (even one swapped for a link since), and never
 * writes into what the name led to. */
static void place(cli_outfile *o, const char *command, bool keep)
{
  if (o->tmp_name) {
    if (keep && renameat(o->dir, o->tmp_name, o->dir, o->name) != 0) {
      fprintf(stderr, "exhunt %s: cannot write '%s': %s\n", command, o->path, strerror(errno));
      o->failed = true;
      keep = false;
    }
    if (keep) {
      cli_interrupt_remove_temp(o->slot);
      o->slot = -1;
      exh_free(o->tmp_name);
      o->tmp_name = NULL;
    }
  }
  drop(o); /* removes the temporary if it is still there */
}

int cli_outfile_finish_all(cli_outfile *o, size_t n, const char *command, bool keep)
{
  bool all_ok = true;
  for (size_t i = 0; i < n; i++) {
    bool open = o[i].f != NULL;
    settle(&o[i], command);
    if (open && o[i].failed)
      all_ok = false;
  }
  for (size_t i = 0; i < n; i++)
    place(&o[i], command, keep && all_ok);
  return all_ok ? 0 : EXIT_ERROR;
}

int cli_outfile_finish(cli_outfile *o, const char *command, bool keep)
{
  return cli_outfile_finish_all(o, 1, command, keep);
}
