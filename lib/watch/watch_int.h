/*
 * watch_int.h - the state of one exhunt_watch_run loop (lib/watch/watch.c).
 *
 * Internal: the table of inotify watches, the batch of paths waiting for a
 * scan, and the roots being looked for. Owned by the loop's thread alone.
 */
#ifndef EXH_WATCH_INT_H
#define EXH_WATCH_INT_H

#include <stdbool.h>
#include <sys/inotify.h>
#include <sys/types.h>

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

typedef struct exh_watcher {
  int ifd; /* inotify, non-blocking */
  const exhunt_rules *rules;
  const exhunt_watch_opts *opts;
  const exhunt_sink *sink;
  exhunt_scan_stats stats;
  const char *const *roots;
  size_t n_roots;
  bool *root_missing; /* per root: gone, looked for every second */
  size_t n_missing;
  exh_wentry *w; /* sorted by wd */
  size_t n_w, cap_w;
  char **batch; /* owned paths waiting for a scan */
  size_t n_batch, cap_batch;
  unsigned max_depth;
  bool overflowed;
  bool limit_reported;
  char *buf; /* EXH_WATCH_READ_BUF bytes for read(ifd) */
} exh_watcher;

/* Checks the arguments and opens inotify; on failure *w is still safe to
 * free. The pointers are borrowed for the watcher's life. */
exhunt_err exh_watcher_init(exh_watcher *w, const exhunt_rules *rules, const char *const *roots,
                            size_t n_roots, const exhunt_watch_opts *opts, const exhunt_sink *sink);
/* Sets the roots' watches, says "watch-ready", then runs until stopped. */
exhunt_err exh_watch_loop(exh_watcher *w);
/* Handles one inotify event as if read from the descriptor. Exposed so the
 * unit test can feed events the kernel will not produce on demand (a queue
 * overflow), from the loop's thread (its control callback). */
exhunt_err exh_watch_event(exh_watcher *w, const struct inotify_event *ev);
void exh_watcher_free(exh_watcher *w);

#endif
