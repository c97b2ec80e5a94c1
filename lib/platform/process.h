/*
 * process.h - the process and the system it runs on: priority, identity,
 * user names, host name (lib/platform/; POSIX in posix/process.c).
 */
#ifndef EXH_PLATFORM_PROCESS_H
#define EXH_PLATFORM_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --nice: the idle I/O class (the disk serves this process only when no
 * one else asks) and the lowest CPU priority, for every thread of the
 * process. Each returns 0, or -1 with errno. */
int exh_lower_io_priority(void);
int exh_lower_cpu_priority(void);

/* The effective user and group ids (numeric owners as the file system
 * records them), and whether the process is privileged (root), so may give
 * a file any owner. */
uint32_t exh_euid(void);
uint32_t exh_egid(void);
bool exh_privileged(void);

/* The login name of user `uid` into out (NUL-terminated, cut to cap);
 * false when the user database has no such user. Thread-safe. */
bool exh_user_name(uint32_t uid, char *out, size_t cap);

/* n bytes from the OS's random source (for ids, not keys); -1 with errno
 * when it has none to give. n <= 256. */
int exh_random_bytes(void *buf, size_t n);

/* This machine's host name into out (NUL-terminated); -1 with errno. */
int exh_hostname(char *out, size_t cap);

/* Windows: enables SeBackupPrivilege when the process token holds it (an
 * elevated administrator, a backup operator), so that evidence opens read
 * files whose ACL refuses this account (they open with backup semantics);
 * true when it is now enabled, false (and nothing changed) otherwise.
 * POSIX: nothing of the kind, false. The CLI calls it once, before any
 * thread starts. */
bool exh_enable_backup_privilege(void);

#endif
