/*
 * notify.h - change notification: files written, moved in or created below
 * a set of folders (lib/platform/; Linux: fanotify and inotify in
 * posix/notify*.c; Windows will add ReadDirectoryChangesW).
 *
 * The split: a backend knows the OS mechanism (marks or watches, the
 * kernel's event records, folder handles, mount changes); its host,
 * lib/watch/watch.c, keeps the policy: the roots as the user spelled
 * them, the batch of paths for the scanner, --exclude, what every notice
 * says. The backend turns each event into a path and hands it over
 * (host->changed); it asks the host whether a folder is excluded before
 * watching below it, and tells it when a root is gone or the kernel's queue
 * overflowed. Every call, and every callback, runs on the host's one
 * thread.
 */
#ifndef EXH_PLATFORM_NOTIFY_H
#define EXH_PLATFORM_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "exhunt/exhunt.h"
#include "exhunt/watch.h"

typedef struct exh_notify exh_notify;

typedef struct exh_notify_host {
  void *ctx;
  const char *const *roots; /* folders to watch, as the user spelled them */
  size_t n_roots;
  unsigned max_depth; /* folders deeper than this below a root are not watched */
  /* A path for the scanner, owned by the host from here: a file written
   * and closed, moved in or given another name (a hard link), or a folder
   * made or moved in. */
  exhunt_err (*changed)(void *ctx, char *path);
  /* dir + "/" + name[0, len) (owned by the caller); NULL when the path
   * would be too long (the host said so) or on no memory (*oom set). */
  char *(*join)(void *ctx, const char *dir, const char *name, size_t len, bool *oom);
  /* Is `path` excluded (--exclude), itself or by a folder between its root
   * and it? An excluded folder is not watched below. */
  bool (*excluded)(void *ctx, const char *path);
  /* Root `root` was deleted, moved away or unmounted (-1: not a root). */
  void (*root_lost)(void *ctx, int root, const char *why);
  /* Is root i missing (the host looks for it every second)? */
  bool (*root_missing)(void *ctx, size_t root);
  /* Events were lost (the kernel's queue overflowed): rescan everything. */
  void (*overflow)(void *ctx);
  /* A file or folder not reported, counted (excluded, too deep). */
  void (*skipped)(void *ctx, exhunt_skip_reason why);
  void (*notice)(void *ctx, exhunt_notice_kind kind, exhunt_err code, const char *what,
                 const char *path, const char *reason);
} exh_notify_host;

/* Opens backend `which` (FANOTIFY or INOTIFY; never AUTO: choosing is the
 * host's). The host is borrowed for the backend's life. EXHUNT_OK with
 * *out; EXHUNT_EUNSUPPORTED (fanotify: not permitted, too old a kernel, a
 * root's file system without file handles) or EXHUNT_EIO with `why`
 * filled; EXHUNT_ENOMEM. Fanotify marks every root that exists now. */
exhunt_err exh_notify_open(exhunt_watch_backend which, const exh_notify_host *host,
                           exh_notify **out, char *why, size_t why_cap);
/* NULL is a no-op. */
void exh_notify_close(exh_notify *n);

/* How much is watched, for the host's "watch-ready" note: folders
 * (inotify) or file systems (fanotify). */
size_t exh_notify_count(const exh_notify *n);

/* Watches root i (there, a folder) and every folder below it to the depth
 * limit (inotify: one watch each; fanotify: its file system and those
 * mounted below it). 1 when the root itself is watched, 0 when not (said
 * in a notice), -1 on no memory. */
int exh_notify_watch_root(exh_notify *n, size_t root);

/* Readiness bits of exh_notify_wait. */
#define EXH_NOTIFY_EVENTS 1u  /* events to read: exh_notify_read */
#define EXH_NOTIFY_CONTROL 2u /* the control descriptor is readable or closed */
#define EXH_NOTIFY_MOUNTS 4u  /* the mount table changed: exh_notify_mounts_changed */

/* Waits for events, for `control_fd` (-1: none) or `timeout_ms` (-1: no
 * limit), whichever comes first; *ready gets the bits. 0, or -1 with errno
 * (EINTR: nothing is ready, call again). */
int exh_notify_wait(exh_notify *n, int control_fd, int timeout_ms, unsigned *ready);

/* Reads one batch of pending events and hands on what they name. *empty is
 * set when none was pending. EXHUNT_ECORRUPT: a record did not fit (said
 * in a notice; the host rescans, as what it named is unknown); ENOMEM;
 * EIO. */
exhunt_err exh_notify_read(exh_notify *n, bool *empty);

/* The mount table changed: a file system mounted below a root is watched
 * too, and that root handed to the host whole to be rescanned. */
exhunt_err exh_notify_mounts_changed(exh_notify *n);

/* After an overflow, before the rescan: forget what points at folders moved
 * or deleted meanwhile (inotify: their watches). */
void exh_notify_forget_stale(exh_notify *n);

/* True when the backend cannot tell that a root itself was deleted or
 * replaced (fanotify: one mark covers the file system): the host then asks
 * exh_notify_root_gone about every root every second. */
bool exh_notify_polls_roots(const exh_notify *n);
/* Is root i no longer the folder that was watched (gone, or another
 * folder at its path)? */
bool exh_notify_root_gone(exh_notify *n, size_t root);

#endif
