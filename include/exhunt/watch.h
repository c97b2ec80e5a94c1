/*
 * watch.h - libexhunt's live watch: scan files as they land in a tree.
 *
 * exhunt_watch_run() watches folders with fanotify (one mark per filesystem,
 * no per-folder watch) or inotify (one watch per folder), and scans every
 * file that is written (closed after writing) or moved into them, with the same
 * engine and rules as exhunt_scan_paths. It is a loop that only returns when
 * told to: the caller hands it a descriptor to poll and a callback to run
 * when that descriptor is readable (the exhunt command feeds it a signalfd,
 * so SIGTERM stops the loop and SIGHUP swaps the rules). The library never
 * installs signal handlers itself.
 *
 * Same ownership and sink conventions as exhunt.h. The sink is only called
 * from the thread running the loop (the scans inside are serialised).
 */
#ifndef EXHUNT_WATCH_H
#define EXHUNT_WATCH_H

#include "exhunt/exhunt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the control callback tells the loop to do next. */
typedef enum exhunt_watch_action {
  EXHUNT_WATCH_CONTINUE = 0,
  EXHUNT_WATCH_STOP = 1
} exhunt_watch_action;

/* How the kernel tells the loop about changes. AUTO: fanotify when it
 * initialises and every present root's filesystem can be marked (root,
 * kernel >= 5.9, a filesystem with file handles), else inotify; a
 * "watch-backend" note says which and why. */
typedef enum exhunt_watch_backend {
  EXHUNT_WATCH_AUTO = 0,
  EXHUNT_WATCH_INOTIFY = 1,
  EXHUNT_WATCH_FANOTIFY = 2
} exhunt_watch_backend;

typedef struct exhunt_watch_opts {
  /* resources, limits, max_filesize, scope.max_depth and
   * scope.excludes apply to every scan the loop runs; the excludes also drop
   * events for matching paths (the path, its name, or any folder between
   * the root and it). newer_than and scope.one_file_system are not used. */
  exhunt_scan_opts scan;
  /* Scan what the roots already hold once the watches are set. Off by
   * default: watch reports what arrives; `exhunt scan` covers the past. */
  bool scan_existing;
  /* Polled with the watches; -1 for none. When readable, on_control runs
   * on the loop's thread, between scans. */
  int control_fd;
  void *control_ctx;
  /* Must drain control_fd. May replace *rules with another compiled set:
   * the loop uses *rules from then on and never frees either set (the
   * caller may free the old one before returning, as no scan is running). */
  exhunt_watch_action (*on_control)(void *ctx, const exhunt_rules **rules);
  /* AUTO by default. FANOTIFY fails with EXHUNT_EUNSUPPORTED (after an
   * error notice saying why) when fanotify cannot be used. */
  exhunt_watch_backend backend;
} exhunt_watch_opts;

void exhunt_watch_opts_init(exhunt_watch_opts *opts);

/*
 * Watches each root folder (recursively) until on_control returns
 * EXHUNT_WATCH_STOP. Files closed after writing or moved in are scanned in
 * batches, usually well within a second of the write. New folders are
 * watched as they appear and their content scanned (files can land before
 * the watch is set); folders deleted or moved away are dropped; a root that
 * disappears (or is missing at the start) is looked for every second and
 * watched and scanned again when it is back. A kernel queue overflow makes
 * the loop rescan every root (a note says so). Notes: "watch-ready" once the
 * watches are set, "root-missing", "root-back", "watch-overflow",
 * "watch-limit" (no more inotify watches), "watch-backend" (which backend,
 * and why not fanotify), "symlink-not-followed". Totals add up in `stats` (may be
 * NULL). Returns EXHUNT_OK when stopped, EXHUNT_EINVAL for bad arguments,
 * EXHUNT_EIO if inotify, fanotify or poll fail, EXHUNT_EUNSUPPORTED
 * (fanotify asked for and not available), EXHUNT_ENOMEM, EXHUNT_ETHREAD.
 */
exhunt_err exhunt_watch_run(const exhunt_rules *rules, const char *const *roots, size_t n_roots,
                            const exhunt_watch_opts *opts, const exhunt_sink *sink,
                            exhunt_scan_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* EXHUNT_WATCH_H */
