/*
 * walk.c - the evidence walker; see walk.h for the rules it keeps.
 *
 * Depth-first, recursive to at most max_depth levels (each level holds one
 * directory descriptor, so the depth limit also bounds open descriptors).
 * Paths are built in one capped buffer; a path that would pass EXH_MAX_PATH
 * is skipped with a note instead of being truncated.
 */
#include "walk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dynbuf.h"
#include "core/errmap.h"
#include "core/limits.h"
#include "platform/fs.h"
#include "platform/glob.h"

/* Open-addressing set of (dev, inode) of the directories entered. */
typedef struct dirset {
  struct dirkey {
    uint64_t dev;
    uint64_t ino;
    bool used;
  } * slots;
  size_t cap, count;
} dirset;

typedef struct walker {
  const exh_walk_opts *opts;
  const exh_walk_cb *cb;
  exh_dynbuf path;
  dirset seen;
  uint64_t root_dev;
  char *root_real; /* realpath of the root, to tell links that leave it */
  exhunt_err fatal;
} walker;

static size_t dirkey_hash(uint64_t dev, uint64_t ino)
{
  uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4Full;
  return (size_t)(h ^ (h >> 29));
}

/* Returns 1 if added, 0 if already present, -1 on no memory. */
static int dirset_add(dirset *s, uint64_t dev, uint64_t ino)
{
  if ((s->count + 1) * 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    struct dirkey *slots = exh_calloc(cap, sizeof *slots);
    if (!slots)
      return -1;
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->slots[i].used)
        continue;
      size_t j = dirkey_hash(s->slots[i].dev, s->slots[i].ino) & (cap - 1);
      while (slots[j].used)
        j = (j + 1) & (cap - 1);
      slots[j] = s->slots[i];
    }
    exh_free(s->slots);
    s->slots = slots;
    s->cap = cap;
  }
  size_t j = dirkey_hash(dev, ino) & (s->cap - 1);
  while (s->slots[j].used) {
    if (s->slots[j].dev == dev && s->slots[j].ino == ino)
      return 0;
    j = (j + 1) & (s->cap - 1);
  }
  s->slots[j].dev = dev;
  s->slots[j].ino = ino;
  s->slots[j].used = true;
  s->count++;
  return 1;
}

/* True if a glob matches the path or its last component (case-insensitive). */
static bool excluded(const exh_walk_opts *opts, const char *path)
{
  if (opts->n_excludes == 0)
    return false;
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  for (size_t i = 0; i < opts->n_excludes; i++) {
    if (exh_glob_match(opts->excludes[i], path, EXH_GLOB_CASEFOLD) ||
        exh_glob_match(opts->excludes[i], base, EXH_GLOB_CASEFOLD))
      return true;
  }
  return false;
}

/* The walker's errno classes: none. ENOTDIR and ENOMEM from a stat or
 * opendir have always been EIO here (the walk's own ENOMEM is fatal and
 * said apart), and fd exhaustion is not a limit it reports. */
#define WALK_ERRNO 0u

static void skip(walker *w, exhunt_skip_reason why, exhunt_notice_kind kind, exhunt_err code,
                 const char *what, const char *reason)
{
  exhunt_notice n = {kind, code, what, w->path.data, reason};
  w->cb->skip(w->cb->ctx, why, what ? &n : NULL);
}

/* A symlink: never followed. Say so only when it matters to coverage. */
static void on_symlink(walker *w)
{
  char target[EXH_PATH_MAX];
  if (!exh_realpath(w->path.data, target)) {
    if (errno == ELOOP)
      skip(w, EXHUNT_SKIP_SYMLINK, EXHUNT_NOTICE_NOTE, EXHUNT_ELOOP, "symlink-loop",
           "symlink loop; not followed");
    else
      skip(w, EXHUNT_SKIP_SYMLINK, EXHUNT_NOTICE_NOTE, EXHUNT_OK, NULL, NULL);
    return;
  }
  size_t rl = w->root_real ? strlen(w->root_real) : 0;
  bool inside = w->root_real && strncmp(target, w->root_real, rl) == 0 &&
                (target[rl] == '/' || target[rl] == '\0' || (rl == 1 && w->root_real[0] == '/'));
  if (inside) {
    skip(w, EXHUNT_SKIP_SYMLINK, EXHUNT_NOTICE_NOTE, EXHUNT_OK, NULL, NULL);
  } else {
    char reason[EXH_MAX_PATH + 96];
    snprintf(reason, sizeof reason, "symlink leaves the scanned root (to %s); not followed",
             target);
    skip(w, EXHUNT_SKIP_SYMLINK, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "symlink-outside-root", reason);
  }
}

/* Opens a directory to list it. O_NOATIME where permitted (readdir
 * updates a directory's access time as read does a file's); *refused says
 * when it was not. */
static int open_dir_at(int parent, const char *name, bool *refused)
{
  return exh_open_noatime_at(parent, name, EXH_O_DIRECTORY | EXH_O_NOFOLLOW, refused);
}

/* True (after a note) if the directory fd is on a kernel pseudo file
 * system (proc, sysfs, cgroup...: the running system's state, not
 * evidence; reading it can have effects). */
static bool pseudo_fs(walker *w, int fd)
{
  const char *name = exh_fs_pseudo_name(fd);
  if (!name)
    return false;
  char reason[160];
  snprintf(reason, sizeof reason,
           "%s: a kernel pseudo file system, not evidence (reading it can change the "
           "system); not entered",
           name);
  skip(w, EXHUNT_SKIP_OTHER_FS, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "pseudo-filesystem", reason);
  return true;
}

static void walk_dir(walker *w, int dfd, unsigned depth, bool noatime_refused);

/* Handles one directory entry whose path is in w->path. */
static void walk_entry(walker *w, int dfd, uint64_t dir_dev, const char *name, unsigned depth)
{
  exh_stat st;
  if (exh_stat_at(dfd, name, EXH_AT_NOFOLLOW, &st) != 0) {
    int e = errno;
    skip(w, e == ENOENT ? EXHUNT_SKIP_VANISHED : EXHUNT_SKIP_UNREADABLE, EXHUNT_NOTICE_ERROR,
         exh_errno_map(e, WALK_ERRNO), "stat-error", strerror(e));
    return;
  }
  if (st.type == EXH_FT_LINK) {
    on_symlink(w);
    return;
  }
  if (excluded(w->opts, w->path.data)) {
    skip(w, EXHUNT_SKIP_EXCLUDED, EXHUNT_NOTICE_NOTE, EXHUNT_OK, NULL, NULL);
    return;
  }
  if (st.type == EXH_FT_DIR) {
    if (w->opts->one_file_system && st.dev != w->root_dev) {
      skip(w, EXHUNT_SKIP_OTHER_FS, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "other-filesystem",
           "mount point of another file system; not entered (--one-file-system)");
      return;
    }
    if (depth + 1 > w->opts->max_depth) {
      /* an error: what lies below was not examined */
      skip(w, EXHUNT_SKIP_DEPTH, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "too-deep",
           "directory deeper than the depth limit; not entered");
      return;
    }
    bool refused = false;
    int fd = open_dir_at(dfd, name, &refused);
    if (fd < 0) {
      int e = errno;
      skip(w, EXHUNT_SKIP_UNREADABLE, EXHUNT_NOTICE_ERROR, exh_errno_map(e, WALK_ERRNO),
           "opendir-error", strerror(e));
      return;
    }
    /* A mount point: what file system is it? (Only on a device change, so
     * the common case costs no syscall.) */
    if (st.dev != dir_dev && pseudo_fs(w, fd)) {
      exh_close(fd);
      return;
    }
    walk_dir(w, fd, depth + 1, refused);
    return;
  }
  if (st.type == EXH_FT_REG) {
    if (w->opts->newer_than != EXHUNT_NO_TIME && st.mtime.sec < w->opts->newer_than) {
      skip(w, EXHUNT_SKIP_OLDER, EXHUNT_NOTICE_NOTE, EXHUNT_OK, NULL, NULL);
      return;
    }
    w->cb->file(w->cb->ctx, w->path.data, &st);
    return;
  }
  const char *kind = st.type == EXH_FT_FIFO   ? "FIFO"
                     : st.type == EXH_FT_SOCK ? "socket"
                     : st.type == EXH_FT_CHR  ? "character device"
                     : st.type == EXH_FT_BLK  ? "block device"
                                              : "special file";
  char reason[64];
  snprintf(reason, sizeof reason, "%s; not read", kind);
  skip(w, EXHUNT_SKIP_SPECIAL, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "special-file", reason);
}

/* Takes ownership of dfd. w->path holds the directory's path. */
static void walk_dir(walker *w, int dfd, unsigned depth, bool noatime_refused)
{
  exh_stat st;
  if (exh_fstat(dfd, &st) != 0) {
    exh_close(dfd);
    return;
  }
  int added = dirset_add(&w->seen, st.dev, st.ino);
  if (added < 0) {
    w->fatal = EXHUNT_ENOMEM;
    exh_close(dfd);
    return;
  }
  if (added == 0) {
    skip(w, EXHUNT_SKIP_LOOP, EXHUNT_NOTICE_NOTE, EXHUNT_ELOOP, "directory-loop",
         "directory already visited (same device and inode: bind mount or loop); not entered "
         "again");
    exh_close(dfd);
    return;
  }
  exh_dir dir;
  if (exh_dir_open_fd(&dir, dfd) != 0) {
    int e = errno;
    skip(w, EXHUNT_SKIP_UNREADABLE, EXHUNT_NOTICE_ERROR, exh_errno_map(e, WALK_ERRNO),
         "opendir-error", strerror(e));
    exh_close(dfd);
    return;
  }
  w->cb->dir(w->cb->ctx, noatime_refused);
  size_t base_len = w->path.len;
  bool needs_slash = base_len > 0 && w->path.data[base_len - 1] != '/';
  for (;;) {
    exh_dirent de;
    int got = exh_dir_next(&dir, &de);
    if (got <= 0) {
      if (got < 0) {
        int e = errno;
        skip(w, EXHUNT_SKIP_UNREADABLE, EXHUNT_NOTICE_ERROR, exh_errno_map(e, WALK_ERRNO),
             "readdir-error", strerror(e));
      }
      break;
    }
    w->path.len = base_len;
    w->path.data[base_len] = '\0';
    exhunt_err perr = needs_slash ? exh_dynbuf_addc(&w->path, '/') : EXHUNT_OK;
    if (!perr)
      perr = exh_dynbuf_adds(&w->path, de.name);
    if (perr == EXHUNT_ENOMEM) { /* not a long path: the walk cannot go on */
      w->fatal = EXHUNT_ENOMEM;
      break;
    }
    if (perr) {
      /* Over EXH_MAX_PATH: report under the parent's path. */
      w->path.len = base_len;
      w->path.data[base_len] = '\0';
      skip(w, EXHUNT_SKIP_UNREADABLE, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "path-too-long",
           "an entry's path is longer than the path limit; entry skipped");
      continue;
    }
    walk_entry(w, exh_dir_fd(&dir), st.dev, de.name, depth);
    if (w->fatal)
      break;
  }
  w->path.len = base_len;
  w->path.data[base_len] = '\0';
  exh_dir_close(&dir);
}

exhunt_err exh_walk_root(exh_evidence_root *root, const exh_walk_opts *opts, const exh_walk_cb *cb)
{
  walker w;
  memset(&w, 0, sizeof w);
  w.opts = opts;
  w.cb = cb;
  exh_dynbuf_init(&w.path, EXH_MAX_PATH);
  exhunt_err err = exh_dynbuf_adds(&w.path, root->path);
  if (err) {
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "path-too-long", NULL,
                       "root path longer than the path limit"};
    cb->skip(cb->ctx, EXHUNT_SKIP_UNREADABLE, &n);
    err = err == EXHUNT_ENOMEM ? err : EXHUNT_OK;
    goto cleanup;
  }
  w.root_dev = root->st.dev;
  w.root_real = root->real;
  if (root->kind == EXH_ROOT_DIR) {
    /* The walker's own descriptor on the root, for readdir (atime). */
    bool refused = false;
    int fd = open_dir_at(root->fd, ".", &refused);
    if (fd < 0) {
      int e = errno;
      skip(&w, EXHUNT_SKIP_UNREADABLE, EXHUNT_NOTICE_ERROR, exh_errno_map(e, WALK_ERRNO),
           "opendir-error", strerror(e));
      goto cleanup;
    }
    if (pseudo_fs(&w, fd)) {
      exh_close(fd);
      goto cleanup;
    }
    walk_dir(&w, fd, 0, refused);
    err = w.fatal;
  } else if (root->kind == EXH_ROOT_FILE) {
    /* A file named explicitly is scanned even if it matches --exclude or is
     * older than --newer-than: the user asked for it by name. Its identity
     * is the one taken when the root was opened. */
    cb->file(cb->ctx, root->is_link && root->real ? root->real : root->path, &root->st);
  } else {
    skip(&w, EXHUNT_SKIP_SPECIAL, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "special-file",
         "not a regular file or directory; not read");
  }
cleanup:
  exh_free(w.seen.slots);
  exh_dynbuf_free(&w.path);
  return err;
}

exhunt_err exh_walk(const char *path, const exh_walk_opts *opts, const exh_walk_cb *cb)
{
  exh_evidence_root *root = NULL;
  const char *step = NULL;
  int e = exh_evidence_root_open(path, &root, &step);
  if (e == ENOMEM)
    return EXHUNT_ENOMEM;
  if (e) {
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, exh_errno_map(e, WALK_ERRNO), step, path, strerror(e)};
    cb->skip(cb->ctx, EXHUNT_SKIP_UNREADABLE, &n);
    return EXHUNT_OK;
  }
  exhunt_err err = exh_walk_root(root, opts, cb);
  exh_evidence_root_unref(root);
  return err;
}

exh_walk_opts exh_walk_opts_of(const exhunt_scope *scope, int64_t newer_than)
{
  exh_walk_opts w = {scope->one_file_system, scope->excludes, scope->n_excludes, newer_than,
                     scope->max_depth ? scope->max_depth : EXH_DEFAULT_MAX_DEPTH};
  return w;
}
