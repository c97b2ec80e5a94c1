/*
 * outfile.c - see outfile.h. The steps, and why each:
 *   open:   lstat the path; a symlink is followed once (fopen would write
 *           through it, so the rename replaces what it leads to and the
 *           link stays); a non-regular file is written directly. Then
 *           mkstemp beside the target with SIGINT/SIGTERM held, so the
 *           temporary is registered for removal before a signal can land.
 *   finish: fflush + fsync + fclose, then rename (one step for the
 *           reader: the old content or the new, never a mix), then forget
 *           the registration; on any failure unlink the temporary.
 */
#include "outfile.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/alloc.h"
#include "interrupt.h"
#include "report.h"

void cli_outfile_init(cli_outfile *o)
{
  memset(o, 0, sizeof *o);
  o->slot = -1;
}

bool cli_outfile_is_stdout(const cli_outfile *o)
{
  return o->f == stdout;
}

/* The mode fopen() gives a new file. umask can only be read by setting it;
 * this runs before any worker thread exists, so nothing creates a file in
 * between. */
static mode_t fopen_mode(void)
{
  mode_t mask = umask(0);
  umask(mask);
  return (mode_t)(0666 & ~mask);
}

int cli_outfile_open(cli_outfile *o, const char *command, const char *path, char **roots,
                     int n_roots)
{
  int rc = EXIT_ERROR;
  cli_outfile_init(o);
  if (!path || strcmp(path, "-") == 0) {
    o->f = stdout;
    return 0;
  }
  o->path = path;
  if (cli_output_inside_roots(path, roots, n_roots))
    return cli_usage_error(command,
                           "refusing to write '%s' inside a scanned path (evidence is "
                           "read-only)",
                           path);
  struct stat st;
  bool exists = lstat(path, &st) == 0;
  if (exists && S_ISLNK(st.st_mode)) {
    /* Written through, as fopen would; the link itself stays. */
    char *real = realpath(path, NULL);
    if (real) {
      o->target = exh_strdup(real);
      free(real); /* realpath's own malloc */
      if (!o->target) {
        fprintf(stderr, "exhunt %s: out of memory\n", command);
        goto fail;
      }
    }
    if (o->target && cli_output_inside_roots(o->target, roots, n_roots)) {
      rc = cli_usage_error(command,
                           "refusing to write '%s' (it leads inside a scanned path; evidence is "
                           "read-only)",
                           path);
      goto fail;
    }
    exists = o->target && stat(o->target, &st) == 0;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    /* /dev/null, a FIFO, a terminal: nothing to replace, and renaming a
     * file over a device node would be a disaster. */
    exh_free(o->target);
    o->target = NULL;
    o->f = fopen(path, "w");
    if (!o->f) {
      fprintf(stderr, "exhunt %s: cannot write '%s': %s\n", command, path, strerror(errno));
      goto fail;
    }
    return 0;
  }
  if (!o->target && !(o->target = exh_strdup(path))) {
    fprintf(stderr, "exhunt %s: out of memory\n", command);
    goto fail;
  }
  /* "<name>.tmp-XXXXXX" beside the target: same folder, same file system,
   * and a name that says what it is if a power cut leaves it behind. */
  size_t tl = strlen(o->target) + sizeof ".exhunt-tmp-XXXXXX";
  o->tmp = exh_malloc(tl);
  if (!o->tmp) {
    fprintf(stderr, "exhunt %s: out of memory\n", command);
    goto fail;
  }
  snprintf(o->tmp, tl, "%s.exhunt-tmp-XXXXXX", o->target);
  cli_interrupt_hold(true);
  int fd = mkstemp(o->tmp);
  int saved = errno;
  if (fd >= 0)
    o->slot = cli_interrupt_add_temp(o->tmp);
  cli_interrupt_hold(false);
  if (fd < 0) {
    fprintf(stderr, "exhunt %s: cannot write '%s': %s\n", command, path, strerror(saved));
    exh_free(o->tmp);
    o->tmp = NULL;
    goto fail;
  }
  if (fchmod(fd, fopen_mode()) != 0 || !(o->f = fdopen(fd, "w"))) {
    fprintf(stderr, "exhunt %s: cannot write '%s': %s\n", command, path, strerror(errno));
    close(fd);
    goto fail;
  }
  return 0;
fail:
  if (o->tmp) {
    unlink(o->tmp);
    cli_interrupt_remove_temp(o->slot);
    o->slot = -1;
    exh_free(o->tmp);
    o->tmp = NULL;
  }
  exh_free(o->target);
  o->target = NULL;
  o->f = NULL;
  return rc;
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
  if (o->tmp && !o->failed && fsync(fileno(o->f)) != 0) {
    fprintf(stderr, "exhunt %s: writing '%s' failed: %s\n", command, o->path, strerror(errno));
    o->failed = true;
  }
  if (fclose(o->f) != 0 && !o->failed) {
    fprintf(stderr, "exhunt %s: closing '%s' failed: %s\n", command, o->path, strerror(errno));
    o->failed = true;
  }
  o->f = NULL;
}

/* Phase two: into place, or away. */
static void place(cli_outfile *o, const char *command, bool keep)
{
  if (o->tmp) {
    if (keep && rename(o->tmp, o->target) != 0) {
      fprintf(stderr, "exhunt %s: cannot write '%s': %s\n", command, o->path, strerror(errno));
      o->failed = true;
      keep = false;
    }
    if (!keep)
      unlink(o->tmp);
    cli_interrupt_remove_temp(o->slot);
    o->slot = -1;
    exh_free(o->tmp);
    o->tmp = NULL;
  }
  exh_free(o->target);
  o->target = NULL;
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
