/*
 * tap.h - the scan engine with a tap: a documented internal face of the scan
 * engine, for exhunt hunt's single walk (lib/hunt may include it).
 *
 * The tap sees every regular file the scan's walker lists, in the walker's
 * thread, before it is queued for the workers, and says whether its content
 * is to be scanned. exhunt hunt uses it to examine builds and to collect
 * the logs for the log engine in the same walk. The tap must serialise its
 * own use of any sink it shares with the scan.
 */
#ifndef EXH_SCAN_TAP_H
#define EXH_SCAN_TAP_H

#include <stdbool.h>

#include "exhunt/exhunt.h"
#include "platform/fs.h"

typedef struct exh_scan_tap {
  void *ctx;
  /* True: scan the content. False: the file is the tap's (still counted
   * as seen). */
  bool (*file)(void *ctx, const char *path, const exh_stat *st);
} exh_scan_tap;

/* exhunt_scan_paths with a tap (NULL: none). */
exhunt_err exh_scan_run(const exhunt_rules *rules, const char *const *paths, size_t n_paths,
                        const exhunt_scan_opts *opts, const exhunt_sink *sink,
                        exhunt_scan_stats *stats, const exh_scan_tap *tap);

#endif
