/*
 * process.c - priority, identity, user and host names on POSIX (Linux);
 * see platform/process.h.
 */
#define _GNU_SOURCE
#include "platform/process.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ioprio_set(2) has no glibc wrapper; these are its ABI constants. */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13

int exh_lower_io_priority(void)
{
  return syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) ==
                 0
             ? 0
             : -1;
}

int exh_lower_cpu_priority(void)
{
  return setpriority(PRIO_PROCESS, 0, 19);
}

uint32_t exh_euid(void)
{
  return (uint32_t)geteuid();
}

uint32_t exh_egid(void)
{
  return (uint32_t)getegid();
}

bool exh_privileged(void)
{
  return geteuid() == 0;
}

bool exh_user_name(uint32_t uid, char *out, size_t cap)
{
  struct passwd pw, *res = NULL;
  char pwbuf[1024];
  if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof pwbuf, &res) != 0 || !res)
    return false;
  snprintf(out, cap, "%s", res->pw_name);
  return true;
}

int exh_random_bytes(void *buf, size_t n)
{
  return getentropy(buf, n);
}

int exh_hostname(char *out, size_t cap)
{
  return gethostname(out, cap);
}

bool exh_enable_backup_privilege(void)
{
  return false; /* a Windows privilege; root reads every file here already */
}
