/*
 * interrupt.h - Ctrl-C and SIGTERM for the reporting commands (scan, logs,
 * exposure, probe, baseline, and hunt): stop at once, leave no half-written
 * output, and say so. On Windows the same path is taken on Ctrl-C,
 * Ctrl-Break, the console window closed, and system shutdown (cli/os.h).
 *
 * The handler does only what is async-signal-safe (write, unlink, _exit):
 * it clears the progress line if one is drawn, writes "exhunt CMD:
 * interrupted" on stderr, removes every temporary output file registered
 * here (cli/outfile.c registers them: the files the run was writing, never
 * the outputs they would replace), and exits with EXIT_INTERRUPTED (130,
 * docs/exit-codes.md). Output files keep their previous content.
 *
 * Not for `watch`, which stops cleanly on the same signals through its own
 * signalfd and exits 0.
 *
 * State is process-wide (a signal handler has nothing else): the command
 * name and up to CLI_INTERRUPT_MAX_TEMPS paths, copied into static storage
 * so the handler never reads memory a caller may be freeing.
 */
#ifndef EXH_CLI_INTERRUPT_H
#define EXH_CLI_INTERRUPT_H

#include <stdbool.h>

#define CLI_INTERRUPT_MAX_TEMPS 16

/* Installs the SIGINT and SIGTERM handlers (Windows: a console control
 * handler) for `command` ("scan", ...; copied, truncated to 32 bytes).
 * Returns 0, or -1 with errno set. */
int cli_interrupt_install(const char *command);

/* Registers a temporary file to remove if the run is interrupted. The path
 * is copied. Returns the slot (>= 0), or -1 if it is not shorter than
 * EXH_PATH_MAX or every slot is taken (the file is then not removed on
 * interrupt). */
int cli_interrupt_add_temp(const char *path);

/* Forgets a slot (the file was renamed into place or removed); -1 is
 * ignored. */
void cli_interrupt_remove_temp(int slot);

/* Says whether a progress line is on stderr now, so the handler clears it
 * before its message. */
void cli_interrupt_progress(bool drawn);

/* Blocks SIGINT and SIGTERM in the calling thread (true), or restores the
 * mask saved by the blocking call (false): for the few steps between
 * creating a temporary file and registering it (Windows: the control
 * handler waits for the false). Not nestable. */
void cli_interrupt_hold(bool hold);

#endif
