/*
 * evidence.c - read-only opening of evidence; see evidence.h.
 *
 * Directory components are opened with O_PATH: it needs no read
 * permission and touches no access time (only readdir and read do), so
 * the walk to a file costs neither O_NOATIME fallbacks nor atime updates.
 * Only the file itself is opened for reading.
 */
#include "evidence.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/errmap.h"
#include "platform/fs.h"

#define FILE_FLAGS (EXH_O_NOFOLLOW | EXH_O_NONBLOCK)
#define DIR_FLAGS (EXH_O_SEARCH | EXH_O_DIRECTORY | EXH_O_NOFOLLOW)

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
  if (exh_stat_path(path, &r->st) != 0) {
    e = errno;
    goto fail;
  }
  exh_stat lst;
  r->is_link = exh_lstat_path(path, &lst) == 0 && lst.type == EXH_FT_LINK;
  char real[EXH_PATH_MAX];
  if (exh_realpath(path, real) && !(r->real = exh_strdup(real))) {
    e = ENOMEM;
    goto fail;
  }
  if (r->st.type == EXH_FT_DIR) {
    r->kind = EXH_ROOT_DIR;
    *step = "opendir-error";
    r->fd = exh_open(path, EXH_O_DIRECTORY | (r->is_link ? 0 : EXH_O_NOFOLLOW), 0);
    if (r->fd < 0) {
      e = errno;
      goto fail;
    }
    /* What was opened is the root, whatever stat saw a moment before. */
    if (exh_fstat(r->fd, &r->st) != 0) {
      e = errno;
      goto fail;
    }
  } else if (r->st.type == EXH_FT_REG) {
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
    r->fd = exh_open(dir, EXH_O_DIRECTORY, 0);
    e = errno;
    exh_free(dir);
    if (r->fd < 0)
      goto fail;
    /* The identity is taken now, from the directory just opened. */
    if (exh_stat_at(r->fd, r->name, EXH_AT_NOFOLLOW, &lst) != 0) {
      e = errno;
      goto fail;
    }
    if (lst.type != EXH_FT_REG) {
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
    exh_close(root->fd);
  exh_free(root->real);
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
    exh_close(c->fd);
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
  char comp[EXH_NAME_MAX + 1];
  while (i < dir_len) {
    size_t j = i;
    while (j < dir_len && rel[j] != '/')
      j++;
    size_t n = j - i;
    if (n == 0 || (n == 1 && rel[i] == '.')) {
      i = j + 1;
      continue;
    }
    if (n > EXH_NAME_MAX || (n == 2 && rel[i] == '.' && rel[i + 1] == '.')) {
      if (cur != root->fd)
        exh_close(cur);
      return fail(res, EXH_OPEN_UNREADABLE, EINVAL, "not a path under the root");
    }
    memcpy(comp, rel + i, n);
    comp[n] = '\0';
    /* A symlink in the way fails ELOOP (the seam's promise). */
    int next = exh_open_at(cur, comp, DIR_FLAGS, 0);
    int e = errno;
    if (cur != root->fd)
      exh_close(cur);
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
      exh_close(cache->fd);
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

int exh_open_evidence_at(exh_evidence_root *root, const char *rel, uint64_t dev, uint64_t ino,
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
  exh_stat pre;
  if (exh_stat_at(dfd, name, EXH_AT_NOFOLLOW, &pre) != 0) {
    component_error(res, errno, true);
    goto cleanup;
  }
  if (pre.type == EXH_FT_LINK) {
    fail(res, EXH_OPEN_REPLACED, ELOOP, "the file is now a symlink");
    goto cleanup;
  }
  if (pre.type != EXH_FT_REG) {
    fail(res, EXH_OPEN_REPLACED, 0, "the file is no longer a regular file");
    goto cleanup;
  }
  if ((dev || ino) && (pre.dev != dev || pre.ino != ino)) {
    fail(res, EXH_OPEN_REPLACED, 0, "another file (device and inode differ) stands at its path");
    goto cleanup;
  }
  fd = exh_open_noatime_at(dfd, name, FILE_FLAGS, &res->noatime_refused);
  if (fd < 0) {
    component_error(res, errno, true);
    goto cleanup;
  }
  /* And after: the race between fstatat and openat. */
  if (exh_fstat(fd, &res->st) != 0 || res->st.type != EXH_FT_REG || res->st.dev != pre.dev ||
      res->st.ino != pre.ino) {
    exh_close(fd);
    fd = -1;
    fail(res, EXH_OPEN_REPLACED, 0, "the file changed while it was being opened");
    goto cleanup;
  }
  /* A regular file: blocking reads from here on. */
  exh_set_blocking(fd);
  res->status = EXH_OPEN_OK;
cleanup:
  if (owned)
    exh_close(dfd);
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
