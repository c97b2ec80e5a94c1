/*
 * os.h - what the exhunt command asks of the operating system beyond the
 * library's seam (lib/platform/): the process's start (its arguments and
 * console), the interrupt (signals or console events), terminals, and the
 * shape of paths. One implementation per OS, each file guarded whole by
 * _WIN32, so CMake's glob of the cli/ sources builds both and only the
 * current one has code: os_posix.c (Linux), os_win32.c (Windows,
 * mingw-w64).
 *
 * The rest of cli/ reaches files only through the seam (platform/fs.h,
 * UTF-8 paths on every OS) and through these calls, never through an OS
 * header of its own (cmd_watch.c's Linux loop excepted: watch is not
 * ported yet).
 */
#ifndef EXH_CLI_OS_H
#define EXH_CLI_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "platform/fs.h"

/* Called first in main, before any output. POSIX: nothing. Windows:
 * replaces *argv with the UTF-8 form of the wide command line (so a path
 * in any script reaches the library intact; the narrow argv the C runtime
 * made is in the ANSI code page and loses what it cannot encode), puts
 * stdin, stdout and stderr in binary mode (the bytes written are the
 * bytes Linux writes: JSONL, CSV and text end lines with "\n" in files and
 * pipes alike), and, where stdout or stderr is a console, switches it to
 * the UTF-8 code page with VT sequences on, restored at exit. Returns 0,
 * or -1 after saying why on stderr. */
int cli_os_start(int *argc, char ***argv);

/* Whether `fd` is an interactive terminal that takes ANSI sequences
 * (colour, the "\r\033[K" of the progress line): isatty on POSIX; on
 * Windows a console whose VT processing is on (not NUL, which the C
 * runtime's isatty calls a terminal, nor a pipe). */
bool cli_os_is_terminal(int fd);

/* The crypto library the seam's digests come from, for --version. */
const char *cli_os_crypto_name(void);

/* ---------------------------------------------------------------------- */
/* Interrupts (cli/interrupt.c is the only caller).                        */

/* Makes `fn` run when the user stops the process: SIGINT or SIGTERM on
 * POSIX (in the signal handler, the other one held meanwhile); Ctrl-C,
 * Ctrl-Break or the console window closed on Windows (on the console's
 * handler thread). fn does not return (cli_os_exit_now). 0, or -1 with
 * errno. */
int cli_os_on_interrupt(void (*fn)(void));

/* true: fn cannot start until hold(false) (POSIX: SIGINT and SIGTERM
 * blocked in the calling thread; Windows: the handler waits on a lock).
 * Brackets the creation and registration of a temporary. Not nestable. */
void cli_os_hold_interrupts(bool hold);

/* For fn: safe in a signal handler (write(2), unlink(2), _exit(2)). */
void cli_os_raw_stderr(const char *s, size_t n);
void cli_os_raw_remove(const char *path);
/* Ends the process now with `code` (no atexit, no stdio flush); on
 * Windows the console is restored first. */
_Noreturn void cli_os_exit_now(int code);

/* ---------------------------------------------------------------------- */
/* Output paths (cli/outfile.c, cli/hunt_out.c).                           */

/* Splits `path` into its folder and its last name: the name starts at
 * path + *name_off; the folder to open is path[0, *folder_len), or the
 * current folder when *folder_len is 0. POSIX: at the last '/', the
 * folder of "/x" being "/". Windows: at the last '/' or '\', or after a
 * drive's "C:"; the folder of "C:\x" is "C:\" (not "C:", the drive's
 * current folder). */
void cli_os_split_path(const char *path, size_t *folder_len, size_t *name_off);

/* Calls visit(st, ctx) on the folder open as `dir` (whose path, as given,
 * is `path`) and then on every folder above it up to the top of its tree
 * ("/"; a drive's or share's root), stopping when visit returns true.
 * POSIX: by opening ".." from each folder, so a symlinked folder, a bind
 * mount or a "../" in the path is followed as the kernel does. Windows
 * (".." cannot be opened relative to a handle there): by the folder's
 * real path, checked to still name the folder opened, then each shorter
 * prefix of it. 1 when visit returned true, 0 at the top, -1 with errno
 * when the chain could not be walked. */
int cli_os_walk_up(int dir, const char *path, bool (*visit)(const exh_stat *st, void *ctx),
                   void *ctx);

/* Whether the symbolic link `name` in `dir` (given as `path`) leads to a
 * descriptor this process already holds (/dev/stdout, /dev/fd/N,
 * /proc/self/fd/N): a stream the shell opened for the user. POSIX only:
 * false on Windows, which has none. */
bool cli_os_names_own_stream(int dir, const char *name, const char *path);

/* Windows' reserved device names (NUL, CON, PRN, AUX, COM1..9, LPT1..9, as
 * the whole last name of `path`): `-o NUL` is how an administrator throws
 * output away there, and the seam's NT paths would create a file of that
 * name instead. 1 with *out opened on the device (written directly, as
 * /dev/null is on Linux); -1 with errno when it could not be opened; 0
 * when `path` is no device name (always on POSIX). */
int cli_os_device_output(const char *path, FILE **out);

/* A descriptor about to become a FILE: binary mode on Windows (no "\n" to
 * "\r\n" translation), nothing on POSIX. */
void cli_os_binary(int fd);

/* ---------------------------------------------------------------------- */
/* The live server (cli/cmd_hunt.c: `exhunt hunt` with no EVIDENCE).      */

/* What the server this runs on says of itself, for exhunt/live.h: read
 * only (the registry queried, never opened for writing; the file read
 * through the seam, shared with IIS). Strings are UTF-8, owned. */
typedef struct cli_live_facts {
  char *exchange_install;    /* MsiInstallPath, or NULL */
  char *exchange_source;     /* the value it came from: "registry HKLM\SOFTWARE\Microsoft\
                                ExchangeServer\v15\Setup MsiInstallPath" (v14: Exchange 2010) */
  char *exchange_error;      /* a key that is there but could not be read, and why; or NULL */
  unsigned char *iis_config; /* applicationHost.config's bytes, or NULL */
  size_t iis_config_len;
  char *iis_config_path;  /* where it was looked for */
  char *iis_config_error; /* why it could not be read, when iis_config is NULL */
  char *env_value;        /* cli_os_live_env's last answer */
} cli_live_facts;

/* Gathers them. 0; or -1 with *why set (a static string): POSIX "no live
 * server discovery on this OS", Windows "out of memory". */
int cli_os_live_facts(cli_live_facts *f, const char **why);
void cli_os_live_facts_free(cli_live_facts *f);

/* exhunt_env_lookup over this process's environment (ctx: the facts,
 * whose env_value holds the answer until the next call). */
const char *cli_os_live_env(void *ctx, const char *name);

#endif
