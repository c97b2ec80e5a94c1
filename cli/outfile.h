/*
 * outfile.h - output files that are either whole or untouched, and never
 * a write into the evidence.
 *
 * A report written over a previous one must never leave half of each: an
 * analyst (or a scheduled job) that finds a file under the name reads it as
 * the run's answer. So an output file is written to a temporary beside it
 * (same folder, so the rename stays on one file system) and renamed over
 * the name only when the run has finished writing it. On failure the
 * temporary is removed; on Ctrl-C or SIGTERM cli/interrupt.c removes it.
 * Either way the previous file is untouched.
 *
 * Evidence is read-only, and on an attacked server the output path itself
 * may have been planted. Before a byte is written, an output is refused
 * when:
 *   - its folder is, or is under, an evidence root: decided by walking the
 *     opened folder's ".." chain and comparing (device, inode) with every
 *     root, so a symlinked folder, a bind mount or a "../" path cannot get
 *     around it;
 *   - the name is a symbolic link (the output is opened O_NOFOLLOW): exhunt
 *     does not write through a link it did not make. The one exception is
 *     a link to a character device or FIFO (-o /dev/stdout, /dev/fd/N),
 *     checked again with fstat on what was opened;
 *   - the name is a regular file with more than one name (a hard link: one
 *     of them may be in the evidence, and exhunt cannot search for it), or
 *     is itself an evidence root given as a file;
 *   - the name is a block device, socket or folder.
 * The messages say which, and the exit code is 2.
 *
 * "-" (or no path) is standard output. A character device or FIFO
 * (/dev/null, a terminal) is written directly: there is nothing there to
 * replace. The temporary is created with openat(O_CREAT|O_EXCL|O_NOFOLLOW)
 * in the folder opened once, so the folder checked is the folder written;
 * it gets the mode a plain fopen() would give a new file (0666 minus the
 * umask). The folder must be writable, since the temporary is created
 * there (a file writable in a read-only folder is refused with the reason,
 * not half-replaced).
 *
 * Several outputs of one run (exhunt hunt's reports) finish together with
 * cli_outfile_finish_all: every file is flushed and synced first, and only
 * if all of them were written is any renamed into place.
 */
#ifndef EXH_CLI_OUTFILE_H
#define EXH_CLI_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct cli_outfile {
  const char *path; /* as given (borrowed); NULL when writing stdout */
  FILE *f;          /* where to write; NULL until opened and after finish */
  char *tmp;        /* the temporary's path, for the interrupt handler and
                       messages (owned); NULL when writing directly */
  char *tmp_name;   /* the temporary's name in dir (owned), or NULL */
  char *name;       /* the output's name in dir (owned), or NULL */
  int dir;          /* the output's folder, opened once; -1 if none */
  int slot;         /* cli/interrupt.h registration, or -1 */
  bool failed;      /* set by the caller (or finish) when a write failed */
} cli_outfile;

void cli_outfile_init(cli_outfile *o);

/* Opens `path` ("-" or NULL: stdout) for `command`'s report; roots are
 * the evidence it must not be written into (see above). Returns 0, or 2
 * (EXIT_ERROR) after saying why on stderr; nothing was created then. */
int cli_outfile_open(cli_outfile *o, const char *command, const char *path, char **roots,
                     int n_roots);

/* The same checks, but the file is written in place as the run goes (an
 * output read while it grows: exhunt watch). A regular file is opened
 * without O_TRUNC, checked with fstat (one name, not a root) and only then
 * truncated, so a link swapped in after the checks is refused unharmed. */
int cli_outfile_open_direct(cli_outfile *o, const char *command, const char *path, char **roots,
                            int n_roots);

/* Whether this output is standard output. */
bool cli_outfile_is_stdout(const cli_outfile *o);

/* Ends one output: with `keep`, flushes, syncs, closes and renames the
 * temporary over the path; without (or if o->failed, or any step fails),
 * closes and removes the temporary, and the previous file stays as it
 * was. Standard output is flushed only. Returns 0, or 2 after saying why.
 * Does nothing for an output never opened or already finished. */
int cli_outfile_finish(cli_outfile *o, const char *command, bool keep);

/* The same for n outputs at once: all written whole, then all renamed; if
 * any one cannot be written, none replaces its previous file. */
int cli_outfile_finish_all(cli_outfile *o, size_t n, const char *command, bool keep);

#endif
