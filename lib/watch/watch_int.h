/*
 * watch_int.h - the state of one exhunt_watch_run loop (lib/watch/).
 *
 * Internal: the batch of paths waiting for a scan, the roots being looked
 * for, and the change-notification backend (platform/notify.h: fanotify or
 * inotify on Linux) that feeds the batch. Owned by the loop's thread alone.
 */
#ifndef EXH_WATCH_INT_H
#define EXH_WATCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/limits.h"
#include "exhunt/watch.h"
#include "platform/notify.h"

typedef struct exh_watcher {
  exhunt_watch_backend backend; /* the one in use, never AUTO */
  exh_notify *notify;           /* the backend; NULL until opened */
  exh_notify_host host;         /* what the backend calls back (this watcher) */
  const exhunt_rules *rules;
  const exhunt_watch_opts *opts;
  const exhunt_sink *sink;
  exhunt_scan_stats stats;
  const char *const *roots;
  size_t n_roots;
  bool *root_missing; /* per root: gone, looked for every second */
  size_t n_missing;
  char **batch; /* owned paths waiting for a scan */
  size_t n_batch, cap_batch;
  unsigned max_depth;
  bool overflowed;
} exh_watcher;

/* Checks the arguments and opens the backend (opts->backend; AUTO tries
 * fanotify, then inotify, and says which in a "watch-backend" note); on
 * failure *w is still safe to free. The pointers are borrowed for the
 * watcher's life. */
exhunt_err exh_watcher_init(exh_watcher *w, const exhunt_rules *rules, const char *const *roots,
                            size_t n_roots, const exhunt_watch_opts *opts, const exhunt_sink *sink);
/* Sets the roots' watches, says "watch-ready", then runs until stopped. */
exhunt_err exh_watch_loop(exh_watcher *w);
void exh_watcher_free(exh_watcher *w);

#endif
