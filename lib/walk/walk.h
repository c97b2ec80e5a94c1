/*
 * walk.h - the evidence walker: lists the regular files under a root.
 *
 * It never follows a symlink (a symlink given as the root itself is resolved
 * once, like `find -H`): a link inside the root reaches nothing the walk
 * does not reach anyway, and a link that leaves the root, dangles or loops is
 * reported. Directories are opened relative to their parent's descriptor with
 * O_NOFOLLOW, so a directory swapped for a symlink mid-walk is not entered.
 * Directory loops (bind mounts) are cut by remembering each (dev, inode).
 * Kernel pseudo file systems (proc, sysfs, debugfs, cgroup...) are not
 * entered: a note names the file system.
 * The walker only lists; reading is the workers' job.
 */
#ifndef EXH_WALK_H
#define EXH_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/evidence.h"
#include "exhunt/exhunt.h"
#include "platform/fs.h"

typedef struct exh_walk_opts {
  bool one_file_system;
  const char *const *excludes;
  size_t n_excludes;
  int64_t newer_than; /* EXHUNT_NO_TIME for all */
  unsigned max_depth;
} exh_walk_opts;

/* The walk an engine's scope asks for, its default depth filled in. The
 * excludes stay the caller's (borrowed). */
exh_walk_opts exh_walk_opts_of(const exhunt_scope *scope, int64_t newer_than);

typedef struct exh_walk_cb {
  void *ctx;
  /* A regular file to scan. `path` is valid only during the call. */
  void (*file)(void *ctx, const char *path, const exh_stat *st);
  /* Something not scanned; `n` is NULL when it is only counted. */
  void (*skip)(void *ctx, exhunt_skip_reason why, const exhunt_notice *n);
  /* A directory entered; noatime_refused: it was opened without O_NOATIME
   * (not the owner), so listing it may update its access time. */
  void (*dir)(void *ctx, bool noatime_refused);
} exh_walk_cb;

/* Walks one root opened by exh_evidence_root_open: the files listed are
 * under it, and their readers open them through it (exh_evidence_rel,
 * exh_open_evidence_at). Returns ENOMEM only; everything else is a skip. */
exhunt_err exh_walk_root(exh_evidence_root *root, const exh_walk_opts *opts, const exh_walk_cb *cb);

/* Opens the root (a failure is a skip), walks it, releases it. */
exhunt_err exh_walk(const char *root, const exh_walk_opts *opts, const exh_walk_cb *cb);

#endif
