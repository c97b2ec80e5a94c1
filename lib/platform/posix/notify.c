/*
 * notify.c - change notification on Linux: what both backends share (see
 * platform/notify.h). notify_fanotify.c is the fanotify backend (one mark
 * per file system), notify_inotify.c the inotify one (one watch per
 * folder); this file opens the one asked for, waits on its descriptor,
 * reads its events and hands them to it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "notify_int.h"

void exh_notify_note(exh_notify *n, exhunt_notice_kind kind, exhunt_err code, const char *what,
                     const char *path, const char *reason)
{
  n->host->notice(n->host->ctx, kind, code, what, path, reason);
}

exhunt_err exh_notify_open(exhunt_watch_backend which, const exh_notify_host *host,
                           exh_notify **out, char *why, size_t why_cap)
{
  *out = NULL;
  if (why_cap)
    why[0] = '\0';
  if (which != EXHUNT_WATCH_FANOTIFY && which != EXHUNT_WATCH_INOTIFY)
    return EXHUNT_EINVAL;
  exh_notify *n = exh_calloc(1, sizeof *n);
  if (!n)
    return EXHUNT_ENOMEM;
  n->backend = which;
  n->host = host;
  n->fd = -1;
  n->mntfd = -1;
  n->buf = exh_malloc(EXH_WATCH_READ_BUF);
  exhunt_err err = EXHUNT_ENOMEM;
  if (n->buf)
    err = which == EXHUNT_WATCH_FANOTIFY ? exh_fanotify_open(n, why, why_cap)
                                         : exh_inotify_open(n, why, why_cap);
  if (err) {
    exh_notify_close(n);
    return err;
  }
  *out = n;
  return EXHUNT_OK;
}

void exh_notify_close(exh_notify *n)
{
  if (!n)
    return;
  exh_inotify_free(n);
  exh_fanotify_free(n);
  if (n->fd >= 0)
    close(n->fd);
  exh_free(n->buf);
  exh_free(n);
}

size_t exh_notify_count(const exh_notify *n)
{
  return n->backend == EXHUNT_WATCH_FANOTIFY ? n->n_fs : n->n_w;
}

int exh_notify_watch_root(exh_notify *n, size_t root)
{
  if (n->backend == EXHUNT_WATCH_FANOTIFY)
    return exh_fanotify_arm_root(n, root);
  if (exh_inotify_watch_tree(n, n->host->roots[root], (int)root, 0) != EXHUNT_OK)
    return -1;
  for (size_t k = 0; k < n->n_w; k++)
    if (n->w[k].root == (int)root)
      return 1;
  return 0; /* could not be watched; said by the watch itself */
}

int exh_notify_wait(exh_notify *n, int control_fd, int timeout_ms, unsigned *ready)
{
  /* A negative descriptor (no control, no mount table) is ignored by poll. */
  struct pollfd pfd[3] = {{n->fd, POLLIN, 0}, {control_fd, POLLIN, 0}, {n->mntfd, POLLPRI, 0}};
  *ready = 0;
  int r = poll(pfd, 3, timeout_ms);
  if (r < 0)
    return -1;
  if (r == 0)
    return 0;
  if (pfd[0].revents & POLLIN)
    *ready |= EXH_NOTIFY_EVENTS;
  if (control_fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
    *ready |= EXH_NOTIFY_CONTROL;
  if (n->mntfd >= 0 && (pfd[2].revents & (POLLPRI | POLLERR)))
    *ready |= EXH_NOTIFY_MOUNTS;
  return 0;
}

exhunt_err exh_notify_read(exh_notify *n, bool *empty)
{
  *empty = false;
  for (;;) {
    ssize_t got = read(n->fd, n->buf, EXH_WATCH_READ_BUF);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0 && errno == EAGAIN) {
      *empty = true;
      return EXHUNT_OK;
    }
    if (got < 0)
      return EXHUNT_EIO;
    if (got == 0) {
      *empty = true;
      return EXHUNT_OK;
    }
    const unsigned char *buf = (const unsigned char *)n->buf;
    return n->backend == EXHUNT_WATCH_FANOTIFY ? exh_fanotify_events(n, buf, (size_t)got)
                                               : exh_inotify_events(n, buf, (size_t)got);
  }
}

exhunt_err exh_notify_mounts_changed(exh_notify *n)
{
  return n->backend == EXHUNT_WATCH_FANOTIFY ? exh_fanotify_mounts_changed(n) : EXHUNT_OK;
}

void exh_notify_forget_stale(exh_notify *n)
{
  if (n->backend != EXHUNT_WATCH_INOTIFY)
    return;
  for (size_t i = 0; i < n->host->n_roots; i++)
    exh_inotify_drop_stale_under(n, n->host->roots[i]);
}

bool exh_notify_polls_roots(const exh_notify *n)
{
  return n->backend == EXHUNT_WATCH_FANOTIFY;
}

bool exh_notify_root_gone(exh_notify *n, size_t root)
{
  return n->backend == EXHUNT_WATCH_FANOTIFY && exh_fanotify_root_gone(n, root);
}
