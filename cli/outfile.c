/*
 * outfile.c - see outfile.h. The steps, and why each:
 *   open:   split the path into folder and name; open the folder once
 *           (EXH_O_DIRECTORY) and walk up from it to the top ("/": its
 *           ".." chain on POSIX; cli/os.h), comparing each (device,
 *           inode) with the evidence roots: identities, not path strings,
 *           so no alias of a root gets through. Then lstat the name
 *           (exh_stat_at, EXH_AT_NOFOLLOW) and refuse a link (a reparse
 *           point on Windows), a file with several names, a root, a block
 *           device or a socket. Then create the temporary in that folder
 *           with EXH_O_CREATE|EXH_O_EXCL|EXH_O_NOFOLLOW, interrupts held so
 *           it is registered for removal before a signal can land.
 *   finish: fflush + exh_fsync + fclose, then exh_rename_at (one step for
 *           the reader: the old content or the new, never a mix; a rename
 *           replaces the name, never writes into what it named), then
 *           forget the registration; on any failure unlink the temporary.
 * Files are reached only through the platform seam (platform/fs.h), and
 * what differs between OSes (the walk up, path separators, /dev/fd links,
 * Windows' NUL and CON) through cli/os.h.
 */
#include "outfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "interrupt.h"
#include "os.h"
#include "output/escape.h"
#include "platform/clock.h"
#include "platform/fs.h"
#include "platform/process.h"
#include "report.h"

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
static bool is_root(const exh_stat *st, char **roots, int n_roots, bool dirs)
{
  for (int i = 0; i < n_roots; i++) {
    exh_stat rs;
    for (int follow = 0; follow < 2; follow++) {
      if ((follow ? exh_stat_path(roots[i], &rs) : exh_lstat_path(roots[i], &rs)) != 0)
        continue;
      if (dirs != (rs.type == EXH_FT_DIR))
        continue;
      if (rs.dev == st->dev && rs.ino == st->ino)
        return true;
    }
  }
  return false;
}

typedef struct root_list {
  char **roots;
  int n_roots;
} root_list;

static bool folder_is_root(const exh_stat *st, void *ctx)
{
  const root_list *r = ctx;
  return is_root(st, r->roots, r->n_roots, true);
}

/* 1 when the folder open at `dir` (path `folder`) is a root folder or
 * under one, 0 when it is not, -1 (errno set) when the chain could not be
 * walked to the top. */
static int dir_inside_roots(int dir, const char *folder, char **roots, int n_roots)
{
  if (n_roots <= 0)
    return 0;
  root_list r = {roots, n_roots};
  return cli_os_walk_up(dir, folder, folder_is_root, &r);
}

/* A character device or a FIFO: a stream, written as it is (there is
 * nothing to replace, and renaming a file over a device node would be a
 * disaster). */
static bool is_char_or_fifo(const exh_stat *st)
{
  return st->type == EXH_FT_CHR || st->type == EXH_FT_FIFO;
}

/* Splits path into o->name and an opened o->dir; *folder_out is the
 * folder's path (owned by the caller from here). */
static int open_folder(cli_outfile *o, const char *command, const char *path, char **folder_out)
{
  size_t dl, name_off;
  cli_os_split_path(path, &dl, &name_off);
  const char *base = path + name_off;
  if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
    return cannot(command, path, EISDIR);
  char *folder = exh_malloc(dl + 2);
  o->name = exh_strdup(base);
  if (!folder || !o->name) {
    exh_free(folder);
    fprintf(stderr, "exhunt %s: out of memory\n", command);
    return EXIT_ERROR;
  }
  if (dl == 0) {
    memcpy(folder, ".", 2);
  } else {
    memcpy(folder, path, dl);
    folder[dl] = '\0';
  }
  o->dir = exh_open(folder, EXH_O_DIRECTORY, 0);
  if (o->dir < 0) {
    int saved = errno;
    exh_free(folder);
    return cannot(command, path, saved);
  }
  *folder_out = folder;
  return 0;
}

/* Whether a file with this status may be written: a character device or
 * a FIFO as it is, a regular file only with one name and not a root. */
static int check_stat(const char *command, const char *path, const exh_stat *st, char **roots,
                      int n_roots)
{
  if (is_char_or_fifo(st))
    return 0;
  if (st->type == EXH_FT_DIR)
    return cannot(command, path, EISDIR);
  if (st->type != EXH_FT_REG)
    return refuse(command, path, "it is not a regular file, a character device or a FIFO");
  if (st->nlink > 1)
    return refuse(command, path,
                  "it has other names (a hard link; one may be in the evidence, which is "
                  "read-only): remove it or choose another name");
  if (is_root(st, roots, n_roots, false))
    return refuse(command, path, "it is a scanned path (evidence is read-only)");
  return 0;
}

/* The checks every output goes through before a byte is written; sets
 * *direct when the name is a device or FIFO to write as it is. */
static int check_path(cli_outfile *o, const char *command, const char *path, char **roots,
                      int n_roots, bool *direct)
{
  *direct = false;
  char *folder = NULL;
  int rc = open_folder(o, command, path, &folder);
  if (rc)
    return rc;
  int in = dir_inside_roots(o->dir, folder, roots, n_roots);
  int walk_errno = errno;
  exh_free(folder);
  if (in < 0) {
    char why[160];
    snprintf(why, sizeof why,
             "cannot tell whether it is inside a scanned path (walking up its folder: %s)",
             strerror(walk_errno));
    return refuse(command, path, why);
  }
  if (in)
    return cli_usage_error(command,
                           "refusing to write '%s' inside a scanned path (evidence is "
                           "read-only)",
                           path);
  exh_stat st;
  if (exh_stat_at(o->dir, o->name, EXH_AT_NOFOLLOW, &st) != 0)
    return errno == ENOENT ? 0 : cannot(command, path, errno); /* ENOENT: a new file */
  if (st.type == EXH_FT_LINK) {
    /* -o /dev/stdout, /dev/fd/3: links the system made to a stream or to
     * a descriptor the shell opened (exhunt scan -o /dev/stdout
     * >report.txt: the file behind it is written, even a regular one).
     * Any other link may have been planted to lead into the evidence. */
    exh_stat to;
    if (exh_stat_at(o->dir, o->name, 0, &to) == 0 &&
        (is_char_or_fifo(&to) ||
         (to.type == EXH_FT_REG && cli_os_names_own_stream(o->dir, o->name, path)))) {
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
  *direct = is_char_or_fifo(&st);
  return 0;
}

/* Opens o->name in place (no temporary) and checks what was opened before
 * anything is written: the name may have changed since check_path. */
static int open_in_place(cli_outfile *o, const char *command, const char *path, bool follow,
                         bool create, char **roots, int n_roots)
{
  /* Close-on-exec, and on POSIX O_NOCTTY (the seam's): a terminal named
   * here never becomes the process's controlling one. */
  unsigned flags = EXH_O_WRITE | (follow ? 0 : EXH_O_NOFOLLOW) | (create ? EXH_O_CREATE : 0);
  int fd = exh_open_at(o->dir, o->name, flags, 0666);
  if (fd < 0)
    return errno == ELOOP ? refuse(command, path, "it is a symbolic link")
                          : cannot(command, path, errno);
  exh_stat st;
  int rc = exh_fstat(fd, &st) != 0 ? cannot(command, path, errno) : 0;
  if (!rc && follow && !is_char_or_fifo(&st) &&
      !(st.type == EXH_FT_REG && cli_os_names_own_stream(o->dir, o->name, path)))
    rc = refuse(command, path, "it is a symbolic link that no longer leads to a device");
  if (!rc)
    rc = check_stat(command, path, &st, roots, n_roots);
  /* Truncated only now, after the checks (O_TRUNC would have emptied
   * whatever the name led to at open). */
  if (!rc && st.type == EXH_FT_REG && exh_ftruncate(fd, 0) != 0)
    rc = cannot(command, path, errno);
  if (!rc) {
    cli_os_binary(fd);
    if (!(o->f = fdopen(fd, "wb")))
      rc = cannot(command, path, errno);
  }
  if (rc)
    exh_close(fd);
  return rc;
}

/* "<name>.exhunt-tmp-XXXXXX" in the folder: same file system, and a name
 * that says what it is if a power cut leaves it behind. O_EXCL and
 * O_NOFOLLOW: never an existing file, never through a link. */
static int create_temp(cli_outfile *o, const char *command, const char *path)
{
  static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  size_t nl = strlen(o->name) + sizeof ".exhunt-tmp-XXXXXX";
  size_t folder_len, dl; /* dl: the path up to the name, separator included */
  cli_os_split_path(path, &folder_len, &dl);
  o->tmp_name = exh_malloc(nl);
  o->tmp = exh_malloc(dl + nl);
  if (!o->tmp_name || !o->tmp) {
    fprintf(stderr, "exhunt %s: out of memory\n", command);
    return EXIT_ERROR;
  }
  /* Not a secret, only unlikely to be taken: O_EXCL refuses a name that is. */
  uint64_t seed = 0;
  if (exh_random_bytes(&seed, sizeof seed) != 0)
    seed = ((uint64_t)exh_wall_seconds() << 30) ^ (uint64_t)exh_monotonic_ns();
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
    fd = exh_open_at(o->dir, o->tmp_name, EXH_O_WRITE | EXH_O_CREATE | EXH_O_EXCL | EXH_O_NOFOLLOW,
                     0666);
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
  cli_os_binary(fd);
  if (!(o->f = fdopen(fd, "wb"))) {
    saved = errno;
    exh_close(fd);
    return cannot(command, path, saved);
  }
  return 0;
}

static void drop(cli_outfile *o)
{
  if (o->tmp_name) {
    exh_unlink_at(o->dir, o->tmp_name, false);
    cli_interrupt_remove_temp(o->slot);
    o->slot = -1;
  }
  exh_free(o->tmp_name);
  exh_free(o->tmp);
  exh_free(o->name);
  o->tmp_name = o->tmp = o->name = NULL;
  if (o->dir >= 0)
    exh_close(o->dir);
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
  /* Windows' NUL, CON...: a device, not a name in a folder. */
  int device = cli_os_device_output(path, &o->f);
  if (device != 0)
    return device > 0 ? 0 : cannot(command, path, errno);
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
  if (o->tmp_name && !o->failed && exh_fsync(fileno(o->f)) != 0) {
    fprintf(stderr, "exhunt %s: writing '%s' failed: %s\n", command, o->path, strerror(errno));
    o->failed = true;
  }
  if (fclose(o->f) != 0 && !o->failed) {
    fprintf(stderr, "exhunt %s: closing '%s' failed: %s\n", command, o->path, strerror(errno));
    o->failed = true;
  }
  o->f = NULL;
}

/* Phase two: into place, or away. A rename in the folder checked at open:
 * it replaces the name (even one swapped for a link since), and never
 * writes into what the name led to. */
static void place(cli_outfile *o, const char *command, bool keep)
{
  if (o->tmp_name) {
    if (keep && exh_rename_at(o->dir, o->tmp_name, o->dir, o->name, 0) != 0) {
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
