/*
 * watch_int.h - the state of one exhunt_watch_run loop (lib/watch/).
 *
 * Internal: the table of inotify watches (inotify backend), the marked
 * filesystems and the directory-handle cache (fanotify backend, fan.c), the
 * batch of paths waiting for a scan, and the roots being looked for. Owned
 * by the loop's thread alone. watch.c owns the loop, the batch and the
 * inotify side; fan.c only turns fanotify events into paths for the batch.
 */
#ifndef EXH_WATCH_INT_H
#define EXH_WATCH_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/types.h>

#include "core/limits.h"
#include "exhunt/watch.h"

/* One watched folder. `path` is owned; (dev, ino) tell whether the path
 * still leads to the watched folder after a move. */
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

typedef struct exh_watcher {
  exhunt_watch_backend backend; /* the one in use, never AUTO */
  int ifd;                      /* inotify or fanotify, non-blocking */
  const exhunt_rules *rules;
  const exhunt_watch_opts *opts;
  const exhunt_sink *sink;
  exhunt_scan_stats stats;
  const char *const *roots;
  size_t n_roots;
  bool *root_missing; /* per root: gone, looked for every second */
  size_t n_missing;
  exh_wentry *w; /* sorted by wd (inotify) */
  size_t n_w, cap_w;
  char **batch; /* owned paths waiting for a scan */
  size_t n_batch, cap_batch;
  unsigned max_depth;
  bool overflowed;
  bool limit_reported;
  char *buf; /* EXH_WATCH_READ_BUF bytes for read(ifd) */
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
} exh_watcher;

/* Checks the arguments and opens the backend (opts->backend; AUTO tries
 * fanotify, then inotify, and says which in a "watch-backend" note); on
 * failure *w is still safe to free. The pointers are borrowed for the
 * watcher's life. */
exhunt_err exh_watcher_init(exh_watcher *w, const exhunt_rules *rules, const char *const *roots,
                            size_t n_roots, const exhunt_watch_opts *opts, const exhunt_sink *sink);
/* Sets the roots' watches, says "watch-ready", then runs until stopped. */
exhunt_err exh_watch_loop(exh_watcher *w);
/* Handles one inotify event as if read from the descriptor; `ev->name` is
 * read within ev->len only. Exposed so the unit test can feed events the
 * kernel will not produce on demand (a queue overflow), from the loop's
 * thread (its control callback). */
exhunt_err exh_watch_event(exh_watcher *w, const struct inotify_event *ev);
/* Handles `n` bytes of inotify events as read from the descriptor. A
 * record that does not fit is EXHUNT_ECORRUPT (and an error notice). */
exhunt_err exh_watch_events(exh_watcher *w, const unsigned char *buf, size_t n);
void exh_watcher_free(exh_watcher *w);

/* Shared by watch.c and fan.c. */
void exh_watch_notice(exh_watcher *w, exhunt_notice_kind kind, exhunt_err code, const char *what,
                      const char *path, const char *reason);
/* dir + "/" + the first name_len bytes of name; NULL if too long (after a
 * "path-too-long" note) or no memory (*oom set). */
char *exh_watch_join(exh_watcher *w, const char *dir, const char *name, size_t name_len, bool *oom);
/* Is `path` matched by an --exclude glob (itself, or a folder between its
 * root and it)? `root_len`: length of the root prefix not to test. */
bool exh_watch_excluded(const exh_watcher *w, const char *path, size_t root_len);
/* Takes ownership of `path` (may be NULL: nothing to do). */
exhunt_err exh_watch_queue(exh_watcher *w, char *path);
/* Which root `path` is under (by spelling): the length of its prefix, 0
 * if none. A root gone: noted once, then looked for every second. */
size_t exh_watch_root_prefix(const exh_watcher *w, const char *path);
void exh_watch_root_lost(exh_watcher *w, int root, const char *why);

/* inotify.c: the inotify backend. exh_ino_watch_tree watches `path` and
 * every folder below it to the depth limit (ENOMEM only; the rest are
 * notices); exh_ino_drop_stale_under drops the watches at or below `dir`
 * whose path no longer leads to their folder. */
exhunt_err exh_ino_watch_tree(exh_watcher *w, const char *path, int root, unsigned depth);
void exh_ino_drop_stale_under(exh_watcher *w, const char *dir);

/* fan.c: fanotify. exh_fan_open initialises and marks the filesystem of
 * every root that exists; on failure it writes why into `why` and leaves
 * nothing open. */
exhunt_err exh_fan_open(exh_watcher *w, char *why, size_t why_cap);
/* Marks the filesystem of root i (now present) if not yet marked, and
 * records its realpath and (dev, inode). 1 if watched, 0 if not (noted). */
int exh_fan_arm_root(exh_watcher *w, size_t i);
/* Handles `n` bytes of fanotify events as read from the descriptor. */
exhunt_err exh_fan_events(exh_watcher *w, const unsigned char *buf, size_t n);
/* The mount table changed: mark filesystems newly mounted below a root
 * and rescan that root. */
exhunt_err exh_fan_mounts_changed(exh_watcher *w);
void exh_fan_free(exh_watcher *w);

#endif
