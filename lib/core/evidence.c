/*
 * evidence.c - read-only opening of evidence; see evidence.h.
 *
 * Directory components are opened with O_PATH: it needs no read
 * permission and touches no access time (only readdir and read do), so
 * the walk to a file costs neither O_NOATIME fallbacks nor atime updates.
 * Only the file itself is opened for reading.
 */
#define _GNU_SOURCE /* O_NOATIME, O_PATH */
#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/errmap.h"

#define FILE_FLAGS (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* ---------------------------------------------------------------------- */
/* Roots.                                                                  */

int exh_evidence_root_open(const char *path, exh_evidence_root **out, const char **step)
{
  int e = 0;
  *out = NULL;
  *step = "root-error";
  exh_evidence_root *r = exh_calloc(1, sizeof *r);
  if (!r) {
    e = ENOMEM;
    goto fail;
  }
  /* before anything can fail: the unref below closes fd and frees at 0 */
  r->fd = -1;
  atomic_init(&r->refs, 1);
  if (!(r->path = exh_strdup(path))) {
    e = ENOMEM;
    goto fail;
  }
  r->path_len = strlen(path);
  /* The root may be a symlink (a mounted evidence path): resolved here,
   * once; nothing under it is followed. */
  if (stat(path, &r->st) != 0) {
    e = errno;
    goto fail;
  }
  struct stat lst;
  r->is_link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
  r->real = realpath(path, NULL); /* malloc'd by libc; freed with free() */
  if (S_ISDIR(r->st.st_mode)) {
    r->kind = EXH_ROOT_DIR;
    *step = "opendir-error";
    r->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (r->is_link ? 0 : O_NOFOLLOW));
    if (r->fd < 0) {
      e = errno;
      goto fail;
    }
    /* What was opened is the root, whatever stat saw a moment before. */
    if (fstat(r->fd, &r->st) != 0) {
      e = errno;
      goto fail;
    }
  } else if (S_ISREG(r->st.st_mode)) {
    /* A file root: its parent directory is the descriptor, the file is
     * opened from it by name. A symlink is resolved through realpath. */
    r->kind = EXH_ROOT_FILE;
    const char *full = r->is_link && r->real ? r->real : r->path;
    const char *slash = strrchr(full, '/');
    r->name = slash ? slash + 1 : full;
    char *dir = NULL;
    if (!slash)
      dir = exh_strdup(".");
    else if (slash == full)
      dir = exh_strdup("/");
    else if ((dir = exh_malloc((size_t)(slash - full) + 1)) != NULL) {
      memcpy(dir, full, (size_t)(slash - full));
      dir[slash - full] = '\0';
    }
    if (!dir) {
      e = ENOMEM;
      goto fail;
    }
    r->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    e = errno;
    exh_free(dir);
    if (r->fd < 0)
      goto fail;
    /* The identity is taken now, from the directory just opened. */
    if (fstatat(r->fd, r->name, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
      e = errno;
      goto fail;
    }
    if (!S_ISREG(lst.st_mode)) {
      e = ENOENT; /* swapped between stat and open: gone as a file */
      goto fail;
    }
    r->st = lst;
    e = 0;
  } else {
    r->kind = EXH_ROOT_OTHER;
  }
  *out = r;
  return 0;
fail:
  exh_evidence_root_unref(r);
  return e ? e : EIO;
}

exh_evidence_root *exh_evidence_root_ref(exh_evidence_root *root)
{
  if (root)
    atomic_fetch_add_explicit(&root->refs, 1, memory_order_relaxed);
  return root;
}

void exh_evidence_root_unref(exh_evidence_root *root)
{
  if (!root)
    return;
  if (atomic_fetch_sub_explicit(&root->refs, 1, memory_order_acq_rel) != 1)
    return;
  if (root->fd >= 0)
    close(root->fd);
  free(root->real); /* from realpath() */
  exh_free(root->path);
  exh_free(root);
}

const char *exh_evidence_rel(const exh_evidence_root *root, const char *display)
{
  if (root->kind == EXH_ROOT_FILE) {
    const char *slash = strrchr(display, '/');
    return slash ? slash + 1 : display;
  }
  if (strncmp(display, root->path, root->path_len) != 0)
    return NULL;
  const char *rest = display + root->path_len;
  if (*rest == '/')
    rest++;
  else if (*rest != '\0' && root->path_len > 0 && root->path[root->path_len - 1] != '/')
    return NULL; /* "/ev2/x" is not under "/ev" */
  return rest;
}

/* ---------------------------------------------------------------------- */
/* Opening.                                                                */

void exh_evidence_dircache_init(exh_evidence_dircache *c)
{
  memset(c, 0, sizeof *c);
  c->fd = -1;
}

static void cache_drop(exh_evidence_dircache *c)
{
  /* fd is only ever set with root: a zeroed cache holds no descriptor */
  if (c->root && c->fd >= 0)
    close(c->fd);
  c->fd = -1;
  exh_evidence_root_unref(c->root);
  c->root = NULL;
  c->len = 0;
}

void exh_evidence_dircache_free(exh_evidence_dircache *c)
{
  cache_drop(c);
  exh_free(c->dir);
  c->dir = NULL;
  c->cap = 0;
}

static int fail(exh_evidence_open *res, exh_open_status status, int err, const char *detail)
{
  res->status = status;
  res->err = err;
  res->detail = detail;
  return -1;
}

/* What an openat/fstatat error on a component means. */
static int component_error(exh_evidence_open *res, int e, bool final)
{
  switch (e) {
  case ELOOP: /* O_NOFOLLOW met a symlink */
    return fail(res, EXH_OPEN_REPLACED, e,
                final ? "the file is now a symlink" : "a directory on its path is now a symlink");
  case ENOTDIR:
    return fail(res, EXH_OPEN_REPLACED, e, "a directory on its path is no longer a directory");
  case ENOENT:
    return fail(res, EXH_OPEN_VANISHED, e, NULL);
  default:
    return fail(res, EXH_OPEN_UNREADABLE, e, NULL);
  }
}

/* Walks the directory components of rel[0, dir_len) from the root (or the
 * cache); returns a descriptor the caller must not close if it is the
 * cache's or the root's (*owned false). */
static int open_parent(exh_evidence_root *root, const char *rel, size_t dir_len,
                       exh_evidence_dircache *cache, bool *owned, exh_evidence_open *res)
{
  *owned = false;
  if (dir_len == 0)
    return root->fd;
  if (cache && cache->root == root && cache->fd >= 0 && cache->len == dir_len &&
      memcmp(cache->dir, rel, dir_len) == 0)
    return cache->fd;
  int cur = root->fd;
  size_t i = 0;
  char comp[NAME_MAX + 1];
  while (i < dir_len) {
    size_t j = i;
    while (j < dir_len && rel[j] != '/')
      j++;
    size_t n = j - i;
    if (n == 0 || (n == 1 && rel[i] == '.')) {
      i = j + 1;
      continue;
    }
    if (n > NAME_MAX || (n == 2 && rel[i] == '.' && rel[i + 1] == '.')) {
      if (cur != root->fd)
        close(cur);
      return fail(res, EXH_OPEN_UNREADABLE, EINVAL, "not a path under the root");
    }
    memcpy(comp, rel + i, n);
    comp[n] = '\0';
    int next = openat(cur, comp, DIR_FLAGS);
    int e = errno;
    struct stat lst;
    /* O_PATH|O_NOFOLLOW|O_DIRECTORY on a symlink says ENOTDIR: tell it. */
    if (next < 0 && e == ENOTDIR && fstatat(cur, comp, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(lst.st_mode))
      e = ELOOP;
    if (cur != root->fd)
      close(cur);
    if (next < 0)
      return component_error(res, e, false);
    cur = next;
    i = j + 1;
  }
  if (cur == root->fd)
    return cur;
  if (cache) {
    /* Kept for the next file of the same folder (a log folder, a site). */
    if (cache->cap < dir_len) {
      char *grown = exh_realloc(cache->dir, dir_len);
      if (!grown) {
        *owned = true;
        return cur;
      }
      cache->dir = grown;
      cache->cap = dir_len;
    }
    if (cache->fd >= 0)
      close(cache->fd);
    if (cache->root != root) {
      exh_evidence_root_unref(cache->root);
      cache->root = exh_evidence_root_ref(root);
    }
    cache->fd = cur;
    memcpy(cache->dir, rel, dir_len);
    cache->len = dir_len;
    return cur;
  }
  *owned = true;
  return cur;
}

int exh_open_evidence_at(exh_evidence_root *root, const char *rel, dev_t dev, ino_t ino,
                         exh_evidence_dircache *cache, exh_evidence_open *res)
{
  memset(res, 0, sizeof *res);
  if (!root || root->fd < 0 || !rel)
    return fail(res, EXH_OPEN_UNREADABLE, EINVAL, "not under an evidence root");
  const char *name = rel;
  size_t dir_len = 0;
  const char *slash = strrchr(rel, '/');
  if (slash) {
    dir_len = (size_t)(slash - rel);
    name = slash + 1;
  }
  if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return fail(res, EXH_OPEN_UNREADABLE, EINVAL, "not a file under the root");
  bool owned = false;
  int dfd = open_parent(root, rel, dir_len, cache, &owned, res);
  if (dfd < 0)
    return -1;
  int fd = -1;
  /* Look before opening: a FIFO or device that took the file's place is
   * never opened (opening one can block, or consume a byte). */
  struct stat pre;
  if (fstatat(dfd, name, &pre, AT_SYMLINK_NOFOLLOW) != 0) {
    component_error(res, errno, true);
    goto cleanup;
  }
  if (S_ISLNK(pre.st_mode)) {
    fail(res, EXH_OPEN_REPLACED, ELOOP, "the file is now a symlink");
    goto cleanup;
  }
  if (!S_ISREG(pre.st_mode)) {
    fail(res, EXH_OPEN_REPLACED, 0, "the file is no longer a regular file");
    goto cleanup;
  }
  if ((dev || ino) && (pre.st_dev != dev || pre.st_ino != ino)) {
    fail(res, EXH_OPEN_REPLACED, 0, "another file (device and inode differ) stands at its path");
    goto cleanup;
  }
  fd = openat(dfd, name, FILE_FLAGS | O_NOATIME);
  if (fd < 0 && errno == EPERM) {
    fd = openat(dfd, name, FILE_FLAGS);
    res->noatime_refused = fd >= 0;
  }
  if (fd < 0) {
    component_error(res, errno, true);
    goto cleanup;
  }
  /* And after: the race between fstatat and openat. */
  if (fstat(fd, &res->st) != 0 || !S_ISREG(res->st.st_mode) || res->st.st_dev != pre.st_dev ||
      res->st.st_ino != pre.st_ino) {
    close(fd);
    fd = -1;
    fail(res, EXH_OPEN_REPLACED, 0, "the file changed while it was being opened");
    goto cleanup;
  }
  /* A regular file: blocking reads from here on. */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  res->status = EXH_OPEN_OK;
cleanup:
  if (owned)
    close(dfd);
  return fd;
}

void exh_evidence_open_describe(const exh_evidence_open *res, exhunt_err *code, const char **what,
                                exhunt_skip_reason *skip, char *reason, size_t cap)
{
  switch (res->status) {
  case EXH_OPEN_REPLACED:
    *code = EXHUNT_ECHANGED;
    *what = "file-replaced";
    *skip = EXHUNT_SKIP_VANISHED;
    snprintf(reason, cap, "the file was replaced between listing and opening (%s); not read",
             res->detail ? res->detail : "identity differs");
    return;
  case EXH_OPEN_VANISHED:
    *code = EXHUNT_ENOENT;
    *what = "open-error";
    *skip = EXHUNT_SKIP_VANISHED;
    snprintf(reason, cap, "cannot open: %s (vanished after it was listed)", strerror(res->err));
    return;
  default:
    *code = res->err ? exh_errno_code(res->err) : EXHUNT_EIO;
    *what = "open-error";
    *skip = EXHUNT_SKIP_UNREADABLE;
    snprintf(reason, cap, "cannot open: %s%s%s", strerror(res->err ? res->err : EIO),
             res->detail ? "; " : "", res->detail ? res->detail : "");
    return;
  }
}
