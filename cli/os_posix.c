/*
 * os_posix.c - cli/os.h on POSIX (Linux): signals with sigaction and a
 * held mask, isatty, the '/' path, the ".." walk up from a folder
 * descriptor, and the /dev/fd links a shell opens for the user. What this
 * file did lived in interrupt.c and outfile.c before the Windows port, and
 * does exactly what it did there.
 */
#ifndef _WIN32

#include "os.h"

#include <errno.h>
#include <limits.h>
#include <openssl/opensslv.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_os_start(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  return 0;
}

bool cli_os_is_terminal(int fd)
{
  return isatty(fd) == 1;
}

const char *cli_os_crypto_name(void)
{
  return OPENSSL_VERSION_TEXT;
}

/* ---------------------------------------------------------------------- */

static void (*interrupt_fn)(void);
static sigset_t held_mask;

static void on_signal(int sig)
{
  (void)sig;
  interrupt_fn();
}

int cli_os_on_interrupt(void (*fn)(void))
{
  interrupt_fn = fn;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  /* A second signal while the first is handled waits: the handler exits. */
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
    return -1;
  return 0;
}

void cli_os_hold_interrupts(bool hold)
{
  if (hold) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &held_mask);
  } else {
    pthread_sigmask(SIG_SETMASK, &held_mask, NULL);
  }
}

void cli_os_raw_stderr(const char *s, size_t n)
{
  (void)!write(STDERR_FILENO, s, n);
}

void cli_os_raw_remove(const char *path)
{
  unlink(path);
}

_Noreturn void cli_os_exit_now(int code)
{
  _exit(code);
}

/* ---------------------------------------------------------------------- */

void cli_os_split_path(const char *path, size_t *folder_len, size_t *name_off)
{
  const char *slash = strrchr(path, '/');
  if (!slash) {
    *folder_len = *name_off = 0;
    return;
  }
  *name_off = (size_t)(slash - path) + 1;
  *folder_len = slash == path ? 1 : (size_t)(slash - path); /* "/x": the folder is "/" */
}

/* The walk stops here whatever happens: no real path is this deep. */
#define WALK_MAX_DEPTH 4096

int cli_os_walk_up(int dir, const char *path, bool (*visit)(const exh_stat *st, void *ctx),
                   void *ctx)
{
  (void)path; /* the descriptor is the folder: its path may have changed */
  int cur = exh_dup(dir);
  if (cur < 0)
    return -1;
  int result = -1;
  exh_stat st;
  if (exh_fstat(cur, &st) != 0)
    goto done;
  for (int depth = 0; depth < WALK_MAX_DEPTH; depth++) {
    if (visit(&st, ctx)) {
      result = 1;
      goto done;
    }
    int up = exh_open_at(cur, "..", EXH_O_DIRECTORY, 0);
    if (up < 0)
      goto done;
    exh_stat ust;
    if (exh_fstat(up, &ust) != 0) {
      int saved = errno;
      exh_close(up);
      errno = saved;
      goto done;
    }
    exh_close(cur);
    cur = up;
    if (ust.dev == st.dev && ust.ino == st.ino) {
      result = 0; /* ".." of "/" is "/" */
      goto done;
    }
    st = ust;
  }
  errno = ELOOP;
done:
  if (cur >= 0) {
    int saved = errno;
    exh_close(cur);
    errno = saved;
  }
  return result;
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

/* Through links the system made: absolute link texts only, a few hops. */
bool cli_os_names_own_stream(int dir, const char *name, const char *path)
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

int cli_os_device_output(const char *path, FILE **out)
{
  (void)path;
  (void)out;
  return 0; /* /dev/null and kin are files with a type: outfile.c sees them */
}

void cli_os_binary(int fd)
{
  (void)fd;
}

/* ---------------------------------------------------------------------- */

int cli_os_live_facts(cli_live_facts *f, const char **why)
{
  memset(f, 0, sizeof *f);
  *why = "no live server discovery on this OS";
  return -1;
}

void cli_os_live_facts_free(cli_live_facts *f)
{
  (void)f;
}

const char *cli_os_live_env(void *ctx, const char *name)
{
  (void)ctx;
  return getenv(name);
}

#endif /* !_WIN32 */
