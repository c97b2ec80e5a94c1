/*
 * notify_int.h - the Linux change-notification backends behind
 * platform/notify.h: their shared state and the entry points each backend
 * file gives notify.c.
 *
 * Internal to lib/platform/posix/ (and the unit test, which feeds records
 * the kernel will not produce on demand: an overflow, malformed events).
 * One struct holds both backends' state; `backend` says which is in use,
 * and the other's part stays empty.
 */
#ifndef EXH_PLATFORM_POSIX_NOTIFY_INT_H
#define EXH_PLATFORM_POSIX_NOTIFY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/types.h>

#include "core/limits.h"
#include "platform/notify.h"

/* One watched folder (inotify). `path` is owned; (dev, ino) tell whether
 * the path still leads to the watched folder after a move. */
typedef struct exh_wentry {
  int wd;
  char *path;
  dev_t dev;
  ino_t ino;
  unsigned depth; /* 0 for a root */
  int root;       /* index in roots[] for a root's own watch, else -1 */
} exh_wentry;

/* One mount of a filesystem holding a root (fanotify). The filesystem is
 * marked whole once; each mount through which a root is reached keeps a
 * descriptor (`mfd`) for open_by_handle_at, as paths are read through it. */
typedef struct exh_fanfs {
  int32_t fsid[2];
  dev_t dev;
  int mnt_id;
  int mfd;
} exh_fanfs;

/* A directory file handle already resolved: which root it is under (-1:
 * outside every root, -2: empty slot) and its path as the user spelled the
 * root (owned, NULL when outside). Dropped wholesale when any folder is
 * renamed, as a rename can change every path below it. */
typedef struct exh_fancache {
  int root;
  int32_t fsid[2];
  int htype;
  uint32_t hlen;
  unsigned char h[EXH_WATCH_FAN_HANDLE_MAX];
  char *path;
} exh_fancache;

struct exh_notify {
  exhunt_watch_backend backend; /* FANOTIFY or INOTIFY */
  const exh_notify_host *host;
  int fd;    /* inotify or fanotify, non-blocking */
  char *buf; /* EXH_WATCH_READ_BUF bytes for read(fd) */
  /* inotify */
  exh_wentry *w; /* sorted by wd */
  size_t n_w, cap_w;
  bool limit_reported;
  /* fanotify */
  char **real_roots; /* per root: realpath, owned; NULL while missing */
  dev_t *root_dev;   /* per root: (dev, ino) when last seen */
  ino_t *root_ino;
  bool *fan_refused; /* per root: its last mark failed (noted once) */
  exh_fanfs *fs;     /* one per (filesystem, mount) */
  size_t n_fs;
  exh_fancache *cache;  /* EXH_WATCH_FAN_CACHE slots */
  uint64_t fan_outside; /* events dropped as outside every root */
  int mntfd;            /* /proc/self/mountinfo, polled for mount changes; -1 */
};

/* The host's notice, shorter. */
void exh_notify_note(exh_notify *n, exhunt_notice_kind kind, exhunt_err code, const char *what,
                     const char *path, const char *reason);

/* notify_inotify.c. */
exhunt_err exh_inotify_open(exh_notify *n, char *why, size_t why_cap);
/* Watches `path` and every folder below it to the depth limit (ENOMEM
 * only; the rest are notices). */
exhunt_err exh_inotify_watch_tree(exh_notify *n, const char *path, int root, unsigned depth);
/* Drops the watches at or below `dir` whose path no longer leads to their
 * folder. */
void exh_inotify_drop_stale_under(exh_notify *n, const char *dir);
/* Handles one event as if read from the descriptor; `ev->name` is read
 * within ev->len only. */
exhunt_err exh_inotify_event(exh_notify *n, const struct inotify_event *ev);
/* Handles `len` bytes of events as read from the descriptor. A record that
 * does not fit is EXHUNT_ECORRUPT (and an error notice). */
exhunt_err exh_inotify_events(exh_notify *n, const unsigned char *buf, size_t len);
void exh_inotify_free(exh_notify *n);

/* notify_fanotify.c. exh_fanotify_open initialises and marks the
 * filesystem of every root that exists; on failure it writes why into
 * `why` and leaves nothing open. */
exhunt_err exh_fanotify_open(exh_notify *n, char *why, size_t why_cap);
/* Marks the filesystem of root i (now present) if not yet marked, and
 * records its realpath and (dev, inode). 1 if watched, 0 if not (noted). */
int exh_fanotify_arm_root(exh_notify *n, size_t i);
/* Handles `len` bytes of events as read from the descriptor. */
exhunt_err exh_fanotify_events(exh_notify *n, const unsigned char *buf, size_t len);
exhunt_err exh_fanotify_mounts_changed(exh_notify *n);
bool exh_fanotify_root_gone(exh_notify *n, size_t i);
void exh_fanotify_free(exh_notify *n);

#endif
