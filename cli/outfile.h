/*
 * outfile.h - output files that are either whole or untouched.
 *
 * A report written over a previous one must never leave half of each: an
 * analyst (or a scheduled job) that finds a file under the name reads it as
 * the run's answer. So an output file is written to a temporary beside it
 * (same folder, so the rename stays on one file system) and renamed over
 * the name only when the run has finished writing it. On failure the
 * temporary is removed; on Ctrl-C or SIGTERM cli/interrupt.c removes it.
 * Either way the previous file is untouched.
 *
 * "-" (or no path) is standard output. A path that exists and is no
 * regular file (/dev/null, a FIFO, a terminal) is written directly: there
 * is nothing there to replace. A path inside an evidence root is refused
 * (evidence is read-only). The temporary gets the mode a plain fopen()
 * would give a new file: 0666 minus the umask. The folder must be
 * writable, since the temporary is created there (a file writable in a
 * read-only folder is refused with the reason, not half-replaced).
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
  char *tmp;        /* the temporary (owned); NULL when writing directly */
  char *target;     /* what the rename replaces: path, or where a symlink
                       at path leads (owned); NULL when writing directly */
  int slot;         /* cli/interrupt.h registration, or -1 */
  bool failed;      /* set by the caller (or finish) when a write failed */
} cli_outfile;

void cli_outfile_init(cli_outfile *o);

/* Opens `path` ("-" or NULL: stdout) for `command`'s report; roots are
 * the evidence it must not be written inside. Returns 0, or 2 (EXIT_ERROR)
 * after saying why on stderr. */
int cli_outfile_open(cli_outfile *o, const char *command, const char *path, char **roots,
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
