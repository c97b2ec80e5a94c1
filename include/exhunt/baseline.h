/*
 * baseline.h - known-good baselines of web folders, and diffs against them.
 *
 * NSA's web-shell guidance calls a known-good comparison of web folders the
 * most effective detection: a shell is a file that was not there, or a file
 * that changed. exhunt_baseline_create() walks roots and streams one JSON
 * line per regular file (path relative to its root, the root's name, size,
 * mode, mtime, SHA-256), constant memory in the number of files.
 * exhunt_baseline_parse() reads such a file back, from spans fed in any
 * pieces, into a hash table (memory proportional to the baseline), and
 * exhunt_baseline_diff() walks roots against it: new, changed, mode/mtime
 * only changed and removed files become findings (category "baseline"), and
 * every new or changed file also goes through the content scan.
 *
 * Same conventions as exhunt.h: nothing is printed, everything goes to the
 * sink; pointers given to callbacks are borrowed for the call. Evidence is
 * only read (the walker, exh_open_evidence with O_NOATIME where permitted).
 */
#ifndef EXHUNT_BASELINE_H
#define EXHUNT_BASELINE_H

#include "exhunt/exhunt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Schema id of the header line of a baseline file. */
#define EXHUNT_BASELINE_SCHEMA "exhunt-baseline/1"

/* Where create writes its lines: called once per complete line (newline
 * included). A non-OK return stops the walk and is returned by create. */
typedef struct exhunt_baseline_writer {
  void *ctx;
  exhunt_err (*write)(void *ctx, const char *data, size_t len);
} exhunt_baseline_writer;

typedef struct exhunt_baseline_opts {
  exhunt_scope scope;
  /* CPU share and read rate (a whole tree is hashed); the pace alone of
   * exhunt_resources, as files are read one at a time. */
  exhunt_pace pace;
  int64_t created;  /* header "created", seconds since the epoch */
  const char *host; /* header "host"; may be NULL */
  /* diff only: extra web folders (substrings of a path, '/'-separated,
   * case-insensitive) besides inetpub/wwwroot, FrontEnd/HttpProxy and
   * ClientAccess. */
  const char *const *web_dirs;
  size_t n_web_dirs;
  uint64_t max_filesize; /* diff: content scan limit; 0 = default (32 MiB) */
} exhunt_baseline_opts;

void exhunt_baseline_opts_init(exhunt_baseline_opts *opts);

/*
 * Walks each root and writes the header line, then one record per regular
 * file, as each is read. Unreadable files and skips are notices. Returns
 * EXHUNT_EINVAL on bad arguments, EXHUNT_ENOMEM, or the writer's error.
 */
exhunt_err exhunt_baseline_create(const char *const *roots, size_t n_roots,
                                  const exhunt_baseline_opts *opts,
                                  const exhunt_baseline_writer *out, const exhunt_sink *sink,
                                  exhunt_scan_stats *stats);

/* A parsed baseline: owned by the caller, freed by exhunt_baseline_free. */
typedef struct exhunt_baseline exhunt_baseline;

exhunt_err exhunt_baseline_new(exhunt_baseline **out);
void exhunt_baseline_free(exhunt_baseline *bl);

/*
 * Parses baseline text fed in pieces of any size (a whole file, or chunks
 * as read); exhunt_baseline_parse_end() takes a last line without newline.
 * Lines are bounded (EXH_BASELINE_MAX_LINE); a malformed, over-long or
 * duplicate line is a note (what "baseline-malformed", with the line
 * number) and is skipped. Fails only on no memory or when the baseline
 * exceeds EXH_BASELINE_MAX_ENTRIES (EXHUNT_ELIMIT).
 */
exhunt_err exhunt_baseline_parse(exhunt_baseline *bl, const char *data, size_t len,
                                 const exhunt_sink *sink);
exhunt_err exhunt_baseline_parse_end(exhunt_baseline *bl, const exhunt_sink *sink);

/* Records held. */
size_t exhunt_baseline_count(const exhunt_baseline *bl);

typedef struct exhunt_baseline_stats {
  uint64_t unchanged, added, changed, meta_changed, removed;
} exhunt_baseline_stats;

/*
 * Walks each root against the baseline. A diff root is paired with the
 * baseline root of the same name; failing that, when both sides have the
 * same number of roots, with the one in the same position (so a reference
 * tree under another folder name compares by relative path). Reports:
 *   exhunt.baseline.new_script / changed_script (high): a script in a web
 *     folder; exhunt.baseline.new_file / changed_file (low): other files;
 *   exhunt.baseline.meta_changed (info): same content, mode or mtime differ;
 *   exhunt.baseline.removed_file (low): in the baseline, not on disk;
 * and every new or changed file through exhunt_scan_buffer with `rules`
 * (compiled; may be NULL for no content scan). Marks the baseline's
 * records as seen, so call it once per parsed baseline. Not thread-safe.
 */
exhunt_err exhunt_baseline_diff(exhunt_baseline *bl, const exhunt_rules *rules,
                                const char *const *roots, size_t n_roots,
                                const exhunt_baseline_opts *opts, const exhunt_sink *sink,
                                exhunt_scan_stats *stats, exhunt_baseline_stats *diff);

#ifdef __cplusplus
}
#endif

#endif /* EXHUNT_BASELINE_H */
