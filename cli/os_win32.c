/*
 * os_win32.c - cli/os.h on Windows (mingw-w64): UTF-8 arguments from the
 * wide command line, the console, console control events as the
 * interrupt, drive-letter paths, and Windows' device names.
 *
 * Console output: the bytes exhunt writes are UTF-8 everywhere. On a
 * console, the output code page is switched to UTF-8 (CP_UTF8) for the
 * run and restored at exit, at Ctrl-C/Ctrl-Break/close, and on the
 * interrupt path; VT processing is turned on for colour and the progress
 * line. Chosen over WriteConsoleW because every line of cli/ goes through
 * stdio (some 150 call sites, and mingw's printf hands the stream one
 * character at a time): WriteConsoleW would need a relay thread owning
 * descriptors 1 and 2 through a pipe, whose unwritten bytes are lost on
 * the interrupt's _exit and on a crash. The console host of Windows 10 and
 * Server 2016 on assembles UTF-8 sequences split across writes, so every
 * character displays. The cost: the code page is the console's, shared
 * with the shell that started exhunt, for the length of the run (a crash
 * or TerminateProcess leaves it at UTF-8; `chcp` sets it back).
 *
 * Files and pipes get the same bytes as on Linux: descriptors 0, 1 and 2
 * are in binary mode, so "\n" stays "\n" (JSON Lines and CSV are
 * "\n"-terminated on every OS; Notepad reads them since Windows 10 1809).
 */
#ifdef _WIN32

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif

#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "cli.h"
#include "core/alloc.h"
#include "core/limits.h"

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

/* ---------------------------------------------------------------------- */
/* The console, as found at the start and restored at the end.            */

static struct {
  HANDLE handle;
  DWORD mode;
  bool mode_changed;
} consoles[2]; /* stdout, stderr */
static UINT saved_output_cp;
static volatile LONG cp_changed;

static void restore_console(void)
{
  for (size_t i = 0; i < 2; i++)
    if (consoles[i].mode_changed) {
      SetConsoleMode(consoles[i].handle, consoles[i].mode);
      consoles[i].mode_changed = false;
    }
  if (InterlockedExchange(&cp_changed, 0))
    SetConsoleOutputCP(saved_output_cp);
}

/* The first control handler, called last: when no interrupt handler of
 * exhunt took the event (a command that installs none), the default one
 * ends the process next; the console is given back first. */
static BOOL WINAPI restore_on_event(DWORD event)
{
  (void)event;
  restore_console();
  return FALSE;
}

static void setup_console(void)
{
  bool any = false;
  for (int i = 0; i < 2; i++) {
    HANDLE h = (HANDLE)_get_osfhandle(i + 1);
    DWORD mode;
    if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
      continue;
    any = true;
    consoles[i].handle = h;
    consoles[i].mode = mode;
    if (!(mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) &&
        SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING))
      consoles[i].mode_changed = true;
  }
  if (!any)
    return;
  saved_output_cp = GetConsoleOutputCP();
  if (saved_output_cp != CP_UTF8 && SetConsoleOutputCP(CP_UTF8))
    InterlockedExchange(&cp_changed, 1);
  atexit(restore_console);
  SetConsoleCtrlHandler(restore_on_event, TRUE);
}

/* ---------------------------------------------------------------------- */

/* UTF-16 to a new UTF-8 string (malloc), or NULL. A lone surrogate (a
 * name no Unicode text can spell) becomes U+FFFD, as the system's
 * converter does. */
static char *to_utf8(const wchar_t *w)
{
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  if (n <= 0)
    return NULL;
  char *s = malloc((size_t)n);
  if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
    free(s);
    s = NULL;
  }
  return s;
}

/* The C runtime's wide arguments: what mingw-w64's own start-up code
 * passes to wmain (-municode), split by the same rules as the narrow argv
 * main got, and without pulling in shell32 (CommandLineToArgvW). msvcrt
 * exports it; mingw-w64 declares it only in its internal headers. */
typedef struct crt_startupinfo {
  int newmode;
} crt_startupinfo;
__declspec(dllimport) int __cdecl __wgetmainargs(int *argc, wchar_t ***argv, wchar_t ***env,
                                                 int expand_wildcards, crt_startupinfo *info);

/* The arguments as the user typed them, in UTF-8. Kept for the life of the
 * process (getopt permutes them; the run record quotes them). No wildcard
 * is expanded: a path reaches the library as given, as on Linux after the
 * shell. */
static int utf8_arguments(int *argc, char ***argv)
{
  int n = 0;
  wchar_t **wide = NULL, **env = NULL;
  crt_startupinfo info = {0};
  if (__wgetmainargs(&n, &wide, &env, 0, &info) < 0 || !wide || n < 1)
    return -1;
  char **out = calloc((size_t)n + 1, sizeof *out);
  int rc = out ? 0 : -1;
  for (int i = 0; i < n && rc == 0; i++)
    if (!(out[i] = to_utf8(wide[i])))
      rc = -1;
  if (rc != 0) {
    for (int i = 0; out && i < n; i++)
      free(out[i]);
    free(out);
    return -1;
  }
  *argc = n;
  *argv = out;
  return 0;
}

int cli_os_start(int *argc, char ***argv)
{
  _setmode(0, _O_BINARY);
  _setmode(1, _O_BINARY);
  _setmode(2, _O_BINARY);
  setup_console();
  if (utf8_arguments(argc, argv) != 0) {
    fputs("exhunt: cannot convert the command line to UTF-8\n", stderr);
    return -1;
  }
  return 0;
}

bool cli_os_is_terminal(int fd)
{
  HANDLE h = (HANDLE)_get_osfhandle(fd);
  DWORD mode;
  return h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode) &&
         (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING);
}

const char *cli_os_crypto_name(void)
{
  return "CNG (BCrypt)";
}

/* ---------------------------------------------------------------------- */
/* Console control events as the interrupt. The handler runs on a thread
 * of its own while the program goes on: the hold is a lock it takes
 * first, so a temporary is never created unregistered under it. */

static void (*interrupt_fn)(void);
static SRWLOCK hold_lock = SRWLOCK_INIT;

static BOOL WINAPI on_console_event(DWORD event)
{
  /* Not CTRL_LOGOFF_EVENT: a process of a service or a scheduled task
   * receives it when any user logs off. */
  if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && event != CTRL_CLOSE_EVENT &&
      event != CTRL_SHUTDOWN_EVENT)
    return FALSE;
  AcquireSRWLockExclusive(&hold_lock);
  interrupt_fn(); /* exits */
  return TRUE;
}

int cli_os_on_interrupt(void (*fn)(void))
{
  interrupt_fn = fn;
  if (!SetConsoleCtrlHandler(on_console_event, TRUE)) {
    errno = EINVAL;
    return -1;
  }
  return 0;
}

void cli_os_hold_interrupts(bool hold)
{
  if (hold)
    AcquireSRWLockExclusive(&hold_lock);
  else
    ReleaseSRWLockExclusive(&hold_lock);
}

void cli_os_raw_stderr(const char *s, size_t n)
{
  (void)!_write(2, s, (unsigned)n);
}

void cli_os_raw_remove(const char *path)
{
  exh_unlink_at(EXH_AT_CWD, path, false);
}

_Noreturn void cli_os_exit_now(int code)
{
  restore_console();
  _exit(code);
}

/* ---------------------------------------------------------------------- */

static bool is_sep(char c)
{
  return c == '/' || c == '\\';
}

static bool is_letter(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* "C:" */
static size_t drive_len(const char *path)
{
  return is_letter(path[0]) && path[1] == ':' ? 2 : 0;
}

void cli_os_split_path(const char *path, size_t *folder_len, size_t *name_off)
{
  size_t drive = drive_len(path);
  size_t last = SIZE_MAX;
  for (size_t i = drive; path[i]; i++)
    if (is_sep(path[i]))
      last = i;
  if (last == SIZE_MAX) { /* "x" (0: the current folder) or "C:x" ("C:") */
    *folder_len = *name_off = drive;
    return;
  }
  *name_off = last + 1;
  /* "C:\x" and "\x": the folder is the root, separator kept */
  *folder_len = last == drive ? last + 1 : last;
}

/* How much of a real path is its top: "C:\", "\\server\share\" (or
 * "UNC\server\share\"), "\". */
static size_t top_len(const char *p)
{
  size_t d = drive_len(p);
  if (d)
    return is_sep(p[d]) ? d + 1 : d;
  size_t i;
  if (is_sep(p[0]) && is_sep(p[1]))
    i = 2;
  else if (strncmp(p, "UNC", 3) == 0 && is_sep(p[3]))
    i = 4;
  else
    return is_sep(p[0]) ? 1 : 0;
  for (int part = 0; part < 2 && p[i]; part++) { /* server, then share */
    while (p[i] && !is_sep(p[i]))
      i++;
    if (p[i])
      i++;
  }
  return i;
}

int cli_os_walk_up(int dir, const char *path, bool (*visit)(const exh_stat *st, void *ctx),
                   void *ctx)
{
  char real[EXH_PATH_MAX];
  exh_stat opened, st;
  if (exh_fstat(dir, &opened) != 0 || !exh_realpath(path, real) || exh_stat_path(real, &st) != 0)
    return -1;
  if (st.dev != opened.dev || st.ino != opened.ino) {
    errno = EAGAIN; /* the path names another folder now: the caller says so */
    return -1;
  }
  size_t top = top_len(real), len = strlen(real);
  for (;;) {
    if (visit(&st, ctx))
      return 1;
    if (len <= top)
      return 0;
    size_t i = len;
    while (i > top && !is_sep(real[i - 1]))
      i--;
    len = i > top ? i - 1 : top; /* the parent, without its separator unless the top */
    real[len] = '\0';
    if (exh_stat_path(real, &st) != 0)
      return -1;
  }
}

bool cli_os_names_own_stream(int dir, const char *name, const char *path)
{
  (void)dir;
  (void)name;
  (void)path;
  return false; /* no /dev/fd: a link at an output path is refused */
}

/* CON, PRN, AUX, NUL, COM1..COM9, LPT1..LPT9, any case, a ':' after. */
static bool is_device_name(const char *name)
{
  static const char *const three[] = {"CON", "PRN", "AUX", "NUL"};
  char up[6] = "";
  size_t n = 0;
  for (; name[n] && n < sizeof up - 1; n++)
    up[n] = (char)(name[n] >= 'a' && name[n] <= 'z' ? name[n] - 32 : name[n]);
  if (name[n] && !(name[n] == ':' && !name[n + 1]))
    return false;
  if (n > 0 && up[n - 1] == ':')
    n--;
  up[n] = '\0';
  for (size_t i = 0; i < sizeof three / sizeof *three; i++)
    if (strcmp(up, three[i]) == 0)
      return true;
  return n == 4 && (strncmp(up, "COM", 3) == 0 || strncmp(up, "LPT", 3) == 0) && up[3] >= '1' &&
         up[3] <= '9';
}

int cli_os_device_output(const char *path, FILE **out)
{
  size_t folder_len, name_off;
  cli_os_split_path(path, &folder_len, &name_off);
  if (!is_device_name(path + name_off))
    return 0;
  /* The device's own name (ASCII): a Win32 path, not the seam's NT path,
   * so the system maps it to the device. */
  char dev[8];
  size_t n = strcspn(path + name_off, ":");
  memcpy(dev, path + name_off, n);
  dev[n] = '\0';
  *out = fopen(dev, "wb");
  return *out ? 1 : -1;
}

void cli_os_binary(int fd)
{
  _setmode(fd, _O_BINARY);
}

/* ---------------------------------------------------------------------- */
/* The live server: the registry's Exchange install path, IIS's
 * configuration and the environment, all read, nothing written. */

#define INSTALL_VALUE L"MsiInstallPath"
#define MAX_REG_BYTES 65536u
#define MAX_ENV_CHARS 32768u

/* UTF-16 to a new UTF-8 string (exh_malloc), or NULL. */
static char *utf8_of(const wchar_t *w)
{
  char *tmp = to_utf8(w);
  char *s = tmp ? exh_strdup(tmp) : NULL;
  free(tmp);
  return s;
}

/* An error of the registry or of a file, as an administrator reads it. */
static char *win_error_text(DWORD err)
{
  char buf[64];
  if (err == ERROR_ACCESS_DENIED)
    return exh_strdup("access denied: run exhunt as an administrator");
  snprintf(buf, sizeof buf, "Windows error %lu", (unsigned long)err);
  return exh_strdup(buf);
}

/* MsiInstallPath under HKLM\`key`: 1 read into *out, 0 not there, -1
 * there but not read (*err). The value is only queried (RegGetValueW opens
 * the key for reading and closes it). */
static int install_path(const wchar_t *key, char **out, DWORD *err)
{
  DWORD size = 0;
  LSTATUS st =
      RegGetValueW(HKEY_LOCAL_MACHINE, key, INSTALL_VALUE, RRF_RT_REG_SZ, NULL, NULL, &size);
  for (int tries = 0; tries < 4; tries++) {
    if (st == ERROR_FILE_NOT_FOUND || st == ERROR_PATH_NOT_FOUND)
      return 0;
    if (st != ERROR_SUCCESS && st != ERROR_MORE_DATA) {
      *err = (DWORD)st;
      return -1;
    }
    if (size < 2 * sizeof(wchar_t) || size > MAX_REG_BYTES) { /* empty, or no path */
      *err = ERROR_INVALID_DATA;
      return -1;
    }
    wchar_t *buf = exh_malloc(size + sizeof(wchar_t));
    if (!buf) {
      *err = ERROR_NOT_ENOUGH_MEMORY;
      return -1;
    }
    DWORD got = size;
    st = RegGetValueW(HKEY_LOCAL_MACHINE, key, INSTALL_VALUE, RRF_RT_REG_SZ, NULL, buf, &got);
    if (st == ERROR_SUCCESS) {
      buf[got / sizeof(wchar_t)] = L'\0'; /* got <= size: in the room allocated */
      *out = utf8_of(buf);
      exh_free(buf);
      if (!*out)
        *err = ERROR_NOT_ENOUGH_MEMORY;
      return *out ? 1 : -1;
    }
    exh_free(buf);
    size = got; /* ERROR_MORE_DATA: it grew meanwhile */
  }
  *err = ERROR_MORE_DATA;
  return -1;
}

static bool exchange_facts(cli_live_facts *f)
{
  /* Exchange 2013 to 2019 and SE are v15; 2010 is v14 */
  static const struct {
    const wchar_t *key;
    const char *source;
  } setups[] = {
      {L"SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup",
       "registry HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup MsiInstallPath"},
      {L"SOFTWARE\\Microsoft\\ExchangeServer\\v14\\Setup",
       "registry HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v14\\Setup MsiInstallPath"},
  };
  for (size_t i = 0; i < sizeof setups / sizeof *setups; i++) {
    char *path = NULL;
    DWORD err = 0;
    int got = install_path(setups[i].key, &path, &err);
    if (got == 0)
      continue;
    const char *source = setups[i].source;
    if (got < 0) {
      if (err == ERROR_NOT_ENOUGH_MEMORY)
        return false;
      char *why = win_error_text(err);
      char line[256];
      snprintf(line, sizeof line, "%s: %s", source, why ? why : "not read");
      exh_free(why);
      if (!f->exchange_error && !(f->exchange_error = exh_strdup(line)))
        return false;
      continue;
    }
    f->exchange_install = path;
    return (f->exchange_source = exh_strdup(source)) != NULL;
  }
  return true;
}

static bool iis_facts(cli_live_facts *f)
{
  /* the system's own folder, whatever the environment says */
  wchar_t dir[MAX_PATH];
  UINT n = GetSystemWindowsDirectoryW(dir, MAX_PATH);
  char *windows = n > 0 && n < MAX_PATH ? utf8_of(dir) : exh_strdup("C:\\Windows");
  if (!windows)
    return false;
  size_t len = strlen(windows) + 64;
  f->iis_config_path = exh_malloc(len);
  if (f->iis_config_path)
    snprintf(f->iis_config_path, len, "%s\\System32\\inetsrv\\config\\applicationHost.config",
             windows);
  exh_free(windows);
  if (!f->iis_config_path)
    return false;
  char *data = NULL;
  size_t got = 0;
  if (cli_read_file(f->iis_config_path, EXH_IIS_MAX_CONFIG, &data, &got) == 0) {
    f->iis_config = (unsigned char *)data;
    f->iis_config_len = got;
    return true;
  }
  int e = errno;
  if (e == ENOMEM)
    return false;
  const char *why = e == ENOENT || e == ENOTDIR ? "not found: IIS is not installed"
                    : e == EACCES               ? "access denied: run exhunt as an administrator"
                    : e == EBUSY                ? "in use by another process"
                    : e == EFBIG                ? "larger than exhunt reads (64 MiB)"
                                                : strerror(e);
  return (f->iis_config_error = exh_strdup(why)) != NULL;
}

int cli_os_live_facts(cli_live_facts *f, const char **why)
{
  memset(f, 0, sizeof *f);
  *why = "out of memory";
  if (!exchange_facts(f) || !iis_facts(f)) {
    cli_os_live_facts_free(f);
    return -1;
  }
  return 0;
}

void cli_os_live_facts_free(cli_live_facts *f)
{
  exh_free(f->exchange_install);
  exh_free(f->exchange_source);
  exh_free(f->exchange_error);
  exh_free(f->iis_config);
  exh_free(f->iis_config_path);
  exh_free(f->iis_config_error);
  exh_free(f->env_value);
  memset(f, 0, sizeof *f);
}

const char *cli_os_live_env(void *ctx, const char *name)
{
  cli_live_facts *f = ctx;
  wchar_t wname[256];
  if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, -1, wname, 256) <= 0)
    return NULL;
  DWORD n = GetEnvironmentVariableW(wname, NULL, 0);
  if (n == 0 || n > MAX_ENV_CHARS)
    return NULL;
  wchar_t *buf = exh_malloc((size_t)n * sizeof *buf);
  DWORD got = buf ? GetEnvironmentVariableW(wname, buf, n) : 0;
  char *value = got > 0 && got < n ? utf8_of(buf) : NULL;
  exh_free(buf);
  if (!value)
    return NULL;
  exh_free(f->env_value);
  f->env_value = value;
  return value;
}

#endif /* _WIN32 */
