/*
 * evidence.h - opening evidence read-only, the one way every engine does.
 *
 * A walk lists a file and a worker opens it later; in between, anything on
 * the path may be renamed, or swapped for a symlink to somewhere else. So
 * no engine opens evidence by a joined path string. A root is opened once
 * (exh_evidence_root_open; a root given as a symlink is resolved then, like
 * `find -H`) and every file under it is opened from the root's descriptor,
 * one component at a time, each with O_NOFOLLOW (exh_open_evidence_at). The
 * file opened must be the regular file the walker saw (same device and
 * inode): anything else is told apart as "replaced", "vanished" or
 * "unreadable", and the caller makes a notice of it
 * (exh_evidence_open_describe), so that content from outside the evidence
 * never reaches a finding under an evidence path.
 *
 * A worker may keep a exh_evidence_dircache: the descriptor of the last
 * parent directory it walked to, so files of one folder cost one openat.
 */
#ifndef EXH_EVIDENCE_H
#define EXH_EVIDENCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"
#include "platform/fs.h"

typedef enum exh_root_kind {
  EXH_ROOT_DIR,   /* fd is the directory itself */
  EXH_ROOT_FILE,  /* fd is the file's parent directory; `name` is the file */
  EXH_ROOT_OTHER, /* neither (a FIFO, a device): nothing to read, fd is -1 */
} exh_root_kind;

/* One root of a walk, opened once. Shared (reference-counted) by the
 * walker and the workers that read files under it; the counting is
 * thread-safe, the rest is read-only after exh_evidence_root_open. */
typedef struct exh_evidence_root {
  exh_root_kind kind;
  int fd;      /* O_RDONLY|O_DIRECTORY; -1 for EXH_ROOT_OTHER */
  exh_stat st; /* the root as resolved (for a file root: the file) */
  char *path;  /* as given; display paths under it start with it */
  size_t path_len;
  char *real;       /* exh_realpath() of the root, NULL if it failed */
  const char *name; /* EXH_ROOT_FILE: the file's name in fd (points into real or path) */
  bool is_link;     /* the root path itself was a symlink (resolved once) */
  atomic_uint refs; /* exh_evidence_root_ref/unref */
} exh_evidence_root;

/* Opens a root. Returns 0 with *out (one reference, the caller's), or an
 * errno value (ENOMEM when out of memory) with *out NULL; `*step` then
 * names what failed ("root-error": stat, "opendir-error": open). */
int exh_evidence_root_open(const char *path, exh_evidence_root **out, const char **step);
exh_evidence_root *exh_evidence_root_ref(exh_evidence_root *root);
/* Drops one reference; the last closes the descriptor and frees. NULL ok. */
void exh_evidence_root_unref(exh_evidence_root *root);

/* The path of `display` relative to the root's descriptor: the part after
 * the root's path (a directory root), or the last component (a file
 * root). NULL when display is not under the root. Points into display. */
const char *exh_evidence_rel(const exh_evidence_root *root, const char *display);

/* Per-worker cache of the last parent directory opened. Not shared. */
typedef struct exh_evidence_dircache {
  exh_evidence_root *root; /* a reference, so the directory fd stays its own */
  int fd;
  char *dir; /* relative path of fd's directory */
  size_t len, cap;
} exh_evidence_dircache;
void exh_evidence_dircache_init(exh_evidence_dircache *c);
void exh_evidence_dircache_free(exh_evidence_dircache *c);

typedef enum exh_open_status {
  EXH_OPEN_OK,
  EXH_OPEN_REPLACED,   /* something else now stands at the path (a symlink in
                          any component, another inode, not a regular file) */
  EXH_OPEN_VANISHED,   /* a component no longer exists */
  EXH_OPEN_UNREADABLE, /* permission, I/O, no memory, descriptors... */
} exh_open_status;

typedef struct exh_evidence_open {
  exh_open_status status;
  int err;              /* errno behind a failure (0 for an identity mismatch) */
  const char *detail;   /* static text saying what was found instead, or NULL */
  bool noatime_refused; /* the file was opened without O_NOATIME (EPERM) */
  exh_stat st;          /* fstat of the opened file (status OK) */
} exh_evidence_open;

/* Opens `rel` under `root` read-only (for a file root, rel is the file's
 * name in the root's directory, as exh_evidence_rel gives it): O_RDONLY|O_NOFOLLOW|O_CLOEXEC|
 * O_NOCTTY, O_NOATIME when permitted (EPERM: opened without it and
 * res->noatime_refused set), every directory component opened with
 * O_NOFOLLOW|O_DIRECTORY from its parent's descriptor. The final component
 * is checked with fstatat before it is opened (a device or FIFO that took
 * the file's place is never opened) and with fstat after: it must be a
 * regular file with dev/ino `dev`/`ino`. Pass dev == 0 && ino == 0 to
 * skip the identity check (only for files whose identity was never seen).
 * The returned descriptor is in blocking mode. `cache` may be NULL.
 * Returns the descriptor, or -1 with res->status saying why. Thread-safe
 * with one cache per thread. */
int exh_open_evidence_at(exh_evidence_root *root, const char *rel, uint64_t dev, uint64_t ino,
                         exh_evidence_dircache *cache, exh_evidence_open *res);

/* The notice for a failed open: `what` is "file-replaced" (EXHUNT_ECHANGED)
 * or "open-error" (an errno-mapped code); `reason` is filled; `*skip` the
 * skip reason to count. */
void exh_evidence_open_describe(const exh_evidence_open *res, exhunt_err *code, const char **what,
                                exhunt_skip_reason *skip, char *reason, size_t cap);

#endif
