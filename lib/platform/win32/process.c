/*
 * process.c - priority, identity, host name and randomness on Windows;
 * see platform/process.h.
 *
 * --nice is background mode (PROCESS_MODE_BACKGROUND_BEGIN): the scheduler
 * gives the whole process low CPU priority and very low I/O and memory
 * priority at once, which is what the idle I/O class and nice 19 are on
 * Linux, so both calls set it. Numeric owners do not exist on Windows
 * (owners are SIDs): exh_stat says 0, the ids here are 0, and "privileged"
 * means an elevated token.
 */
#include <errno.h>
#include <string.h>

#include "platform/process.h"
#include "win32_int.h"

#include <bcrypt.h> /* after windows.h */

#ifndef ERROR_PROCESS_MODE_ALREADY_BACKGROUND
#define ERROR_PROCESS_MODE_ALREADY_BACKGROUND 402L
#endif

static int background_mode(void)
{
  if (SetPriorityClass(GetCurrentProcess(), PROCESS_MODE_BACKGROUND_BEGIN) ||
      GetLastError() == ERROR_PROCESS_MODE_ALREADY_BACKGROUND)
    return 0;
  exh_w32_set_errno();
  return -1;
}

int exh_lower_io_priority(void)
{
  return background_mode();
}

int exh_lower_cpu_priority(void)
{
  return background_mode();
}

uint32_t exh_euid(void)
{
  return 0;
}

uint32_t exh_egid(void)
{
  return 0;
}

bool exh_privileged(void)
{
  HANDLE token;
  TOKEN_ELEVATION elevation = {0};
  DWORD len = 0;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
    return false;
  bool ok = GetTokenInformation(token, TokenElevation, &elevation, sizeof elevation, &len) &&
            elevation.TokenIsElevated;
  CloseHandle(token);
  return ok;
}

bool exh_user_name(uint32_t uid, char *out, size_t cap)
{
  /* No user database of numbers: exh_stat's owner is 0 for every file,
   * which names nobody, so the caller shows the number. */
  (void)uid;
  if (cap)
    out[0] = '\0';
  return false;
}

int exh_random_bytes(void *buf, size_t n)
{
  if (n > 256) {
    errno = EINVAL;
    return -1;
  }
  if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, buf, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
    errno = EIO;
    return -1;
  }
  return 0;
}

int exh_hostname(char *out, size_t cap)
{
  wchar_t w[256];
  DWORD len = sizeof w / sizeof *w;
  if (!GetComputerNameExW(ComputerNameDnsHostname, w, &len)) {
    exh_w32_set_errno();
    return -1;
  }
  return exh_w32_utf8(w, len, out, cap) ? 0 : -1;
}

bool exh_enable_backup_privilege(void)
{
  HANDLE token;
  TOKEN_PRIVILEGES tp = {.PrivilegeCount = 1};
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token))
    return false;
  bool ok = false;
  if (LookupPrivilegeValueW(NULL, L"SeBackupPrivilege", &tp.Privileges[0].Luid)) {
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    /* Succeeds without enabling anything when the token lacks it: only
     * ERROR_SUCCESS afterwards says it was enabled. */
    ok = AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL) && GetLastError() == ERROR_SUCCESS;
  }
  CloseHandle(token);
  return ok;
}
