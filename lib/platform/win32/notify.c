/*
 * notify.c - change notification on Windows: not yet (docs/porting.md).
 *
 * `exhunt watch` on Windows needs a ReadDirectoryChangesW backend (a later
 * issue). Until then every entry point of platform/notify.h exists, so the
 * library links, and opening a backend fails with a reason the host puts
 * in its notice (errno ENOSYS); nothing else can be called without one.
 */
#include <errno.h>
#include <stdio.h>

#include "platform/notify.h"

exhunt_err exh_notify_open(exhunt_watch_backend which, const exh_notify_host *host,
                           exh_notify **out, char *why, size_t why_cap)
{
  (void)which;
  (void)host;
  *out = NULL;
  if (why_cap)
    snprintf(why, why_cap, "change notification (watch) is not implemented on Windows yet");
  errno = ENOSYS;
  return EXHUNT_EUNSUPPORTED;
}

void exh_notify_close(exh_notify *n)
{
  (void)n;
}

size_t exh_notify_count(const exh_notify *n)
{
  (void)n;
  return 0;
}

int exh_notify_watch_root(exh_notify *n, size_t root)
{
  (void)n;
  (void)root;
  return 0;
}

int exh_notify_wait(exh_notify *n, int control_fd, int timeout_ms, unsigned *ready)
{
  (void)n;
  (void)control_fd;
  (void)timeout_ms;
  *ready = 0;
  errno = ENOSYS;
  return -1;
}

exhunt_err exh_notify_read(exh_notify *n, bool *empty)
{
  (void)n;
  *empty = true;
  return EXHUNT_EUNSUPPORTED;
}

exhunt_err exh_notify_mounts_changed(exh_notify *n)
{
  (void)n;
  return EXHUNT_OK;
}

void exh_notify_forget_stale(exh_notify *n)
{
  (void)n;
}

bool exh_notify_polls_roots(const exh_notify *n)
{
  (void)n;
  return false;
}

bool exh_notify_root_gone(exh_notify *n, size_t root)
{
  (void)n;
  (void)root;
  return false;
}
