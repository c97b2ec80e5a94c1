/*
 * notify_inotify.c - the inotify backend of platform/notify.h: one watch
 * per folder, the table of watches (sorted by watch descriptor), and
 * inotify events turned into paths for the host (lib/watch/watch.c owns
 * the loop, the batch and the roots; notify_fanotify.c is the fanotify
 * backend).
 *
 * inotify is not recursive: every folder has its own watch, kept in a table
 * sorted by watch descriptor (the kernel hands them out in increasing order,
 * so inserts append). A folder that appears is watched first and listed
 * second, and handed whole to the scanner: a file that lands before the
 * watch is found by the listing, one that lands after by its event (some
 * files may be scanned twice; none is missed). Moves are resolved by asking
 * the file system: a watch whose path no longer leads to its (dev, inode)
 * has moved away and is dropped; one that moved within the tree was already
 * renamed when its IN_MOVED_TO arrived, because inotify_add_watch on a
 * watched inode returns the same descriptor.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "notify_int.h"

#define notice exh_notify_note

/* IN_CREATE is needed for folders (mkdir sends nothing else) and hard
 * links; plain files are scanned on IN_CLOSE_WRITE, when complete. */
#define WATCH_MASK                                                                                 \
  (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |         \
   IN_EXCL_UNLINK)

/* Is `path` `dir` itself or below it? */
static bool under(const char *path, const char *dir)
{
  size_t dl = strlen(dir);
  while (dl > 1 && dir[dl - 1] == '/')
    dl--;
  return strncmp(path, dir, dl) == 0 && (path[dl] == '\0' || path[dl] == '/');
}

/* ---------------------------------------------------------------------- */
/* The watch table.                                                         */

static exh_wentry *find_wd(exh_notify *w, int wd)
{
  size_t lo = 0, hi = w->n_w;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (w->w[mid].wd == wd)
      return &w->w[mid];
    if (w->w[mid].wd < wd)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static void remove_entry(exh_notify *w, exh_wentry *e)
{
  size_t i = (size_t)(e - w->w);
  exh_free(e->path);
  memmove(&w->w[i], &w->w[i + 1], (w->n_w - i - 1) * sizeof *w->w);
  w->n_w--;
}

/* Does `path` still lead to the folder the watch was set on? */
static bool still_there(const exh_wentry *e)
{
  struct stat st;
  return lstat(e->path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == e->dev &&
         st.st_ino == e->ino;
}

/* Drops every watch at or below `dir` whose path no longer leads to its
 * folder (moved out of the tree, or deleted). */
void exh_inotify_drop_stale_under(exh_notify *w, const char *dir)
{
  char *copy = exh_strdup(dir); /* `dir` may be an entry's own path */
  if (!copy)
    return;
  for (size_t i = 0; i < w->n_w;) {
    exh_wentry *e = &w->w[i];
    if (under(e->path, copy) && !still_there(e)) {
      w->host->root_lost(w->host->ctx, e->root,
                         "the watched root was moved away or deleted; looking for it every "
                         "second");
      inotify_rm_watch(w->fd, e->wd);
      remove_entry(w, e);
      continue;
    }
    i++;
  }
  exh_free(copy);
}

/*
 * Watches one folder. Returns 1 if the caller should list it (a new watch,
 * or one that moved here), 0 if not (gone, not a folder, or the same folder
 * already watched at another live path: a bind-mount loop), or -1 on no
 * memory.
 */
static int set_watch(exh_notify *w, const char *path, int root, unsigned depth)
{
  uint32_t mask = WATCH_MASK;
  /* A root may be a symlink (a mounted evidence path), resolved once as
   * the walker does; below it, links are never followed. */
  if (root < 0)
    mask |= IN_DONT_FOLLOW;
  int wd = inotify_add_watch(w->fd, path, mask);
  if (wd < 0) {
    int e = errno;
    if (e == ENOSPC) {
      if (!w->limit_reported)
        notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "watch-limit", path,
               "no more inotify watches (fs.inotify.max_user_watches); this folder and later "
               "ones are not watched");
      w->limit_reported = true;
    } else if (e != ENOENT && e != ENOTDIR) {
      notice(w, EXHUNT_NOTICE_ERROR, e == EACCES ? EXHUNT_EACCES : EXHUNT_EIO, "watch-error", path,
             strerror(e));
    }
    return 0;
  }
  struct stat st;
  /* lstat below a root: a folder replaced by a symlink since the watch was
   * set must not be taken for the folder. */
  if ((root < 0 ? lstat(path, &st) : stat(path, &st)) != 0 || !S_ISDIR(st.st_mode))
    return 0; /* vanished already; its IN_IGNORED will come */
  exh_wentry *e = find_wd(w, wd);
  if (e) {
    if (strcmp(e->path, path) == 0) {
      if (root >= 0)
        e->root = root;
      return 1;
    }
    if (still_there(e))
      return 0; /* same folder reachable twice: keep the first path */
    char *p = exh_strdup(path);
    if (!p)
      return -1;
    exh_free(e->path);
    e->path = p;
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->depth = depth;
    if (root >= 0)
      e->root = root;
    return 1;
  }
  if (w->n_w == w->cap_w) {
    size_t cap = w->cap_w ? w->cap_w * 2 : 64;
    exh_wentry *grown = exh_reallocarray(w->w, cap, sizeof *grown);
    if (!grown)
      return -1;
    w->w = grown;
    w->cap_w = cap;
  }
  char *p = exh_strdup(path);
  if (!p)
    return -1;
  /* Descriptors only grow, so this is nearly always an append. */
  size_t at = w->n_w;
  while (at > 0 && w->w[at - 1].wd > wd)
    at--;
  memmove(&w->w[at + 1], &w->w[at], (w->n_w - at) * sizeof *w->w);
  w->w[at] = (exh_wentry){wd, p, st.st_dev, st.st_ino, depth, root};
  w->n_w++;
  return 1;
}

/* Watches `path` and every folder below it, down to the depth limit.
 * Returns EXHUNT_ENOMEM only; everything else is a notice or nothing. */
exhunt_err exh_inotify_watch_tree(exh_notify *w, const char *path, int root, unsigned depth)
{
  int r = set_watch(w, path, root, depth);
  if (r < 0)
    return EXHUNT_ENOMEM;
  if (r == 0 || depth >= w->host->max_depth)
    return EXHUNT_OK; /* the scanner's walk reports the depth cut */
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (root < 0 ? O_NOFOLLOW : 0));
  if (fd < 0) {
    int e = errno;
    /* Gone or replaced is a race, not news; anything else (EMFILE, EACCES)
     * leaves folders below unwatched and must be said. */
    if (e != ENOENT && e != ENOTDIR && e != ELOOP)
      notice(w, EXHUNT_NOTICE_ERROR, e == EACCES ? EXHUNT_EACCES : EXHUNT_EIO, "watch-error", path,
             strerror(e));
    return EXHUNT_OK;
  }
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return EXHUNT_OK;
  }
  exhunt_err err = EXHUNT_OK;
  struct dirent *de;
  while (!err && (de = readdir(d))) {
    const char *n = de->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
      continue;
    bool is_dir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (!is_dir)
      continue;
    bool oom = false;
    char *sub = w->host->join(w->host->ctx, path, n, strlen(n), &oom);
    if (!sub) {
      if (oom)
        err = EXHUNT_ENOMEM;
      continue;
    }
    if (w->host->excluded(w->host->ctx, sub)) {
      exh_free(sub); /* not entered, as the walker does not enter it */
      continue;
    }
    err = exh_inotify_watch_tree(w, sub, -1, depth + 1);
    exh_free(sub);
  }
  closedir(d);
  return err;
}

exhunt_err exh_inotify_event(exh_notify *w, const struct inotify_event *ev)
{
  if (ev->mask & IN_Q_OVERFLOW) {
    w->host->overflow(w->host->ctx);
    return EXHUNT_OK;
  }
  exh_wentry *e = find_wd(w, ev->wd);
  if (!e)
    return EXHUNT_OK; /* a watch already dropped */
  if (ev->mask & IN_IGNORED) {
    /* The kernel removed the watch: folder deleted, or its file system
     * unmounted. */
    w->host->root_lost(w->host->ctx, e->root,
                       "the watched root was deleted or unmounted; looking for it every "
                       "second");
    remove_entry(w, e);
    return EXHUNT_OK;
  }
  if (ev->mask & IN_MOVE_SELF) {
    exh_inotify_drop_stale_under(w, e->path);
    return EXHUNT_OK;
  }
  /* The kernel pads the name with NULs, but only ev->len bytes are ours. */
  size_t nl = strnlen(ev->name, ev->len);
  if (nl == 0)
    return EXHUNT_OK;
  bool oom = false;
  char *full = w->host->join(w->host->ctx, e->path, ev->name, nl, &oom);
  if (!full)
    return oom ? EXHUNT_ENOMEM : EXHUNT_OK;
  if (w->host->excluded(w->host->ctx, full)) {
    w->host->skipped(w->host->ctx, EXHUNT_SKIP_EXCLUDED);
    exh_free(full); /* an excluded folder is not watched either */
    return EXHUNT_OK;
  }
  if (ev->mask & IN_ISDIR) {
    if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
      unsigned depth = e->depth + 1;
      exhunt_err err =
          depth <= w->host->max_depth ? exh_inotify_watch_tree(w, full, -1, depth) : EXHUNT_OK;
      if (err) {
        exh_free(full);
        return err;
      }
      return w->host->changed(w->host->ctx, full);
    }
    exh_free(full);
    return EXHUNT_OK;
  }
  if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
    return w->host->changed(w->host->ctx, full);
  if (ev->mask & IN_CREATE) {
    /* A hard link makes a file appear with no write: nothing else would
     * tell us. A fresh file has one link and a close to come. */
    struct stat st;
    if (lstat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1)
      return w->host->changed(w->host->ctx, full);
  }
  exh_free(full);
  return EXHUNT_OK;
}

exhunt_err exh_inotify_events(exh_notify *w, const unsigned char *buf, size_t n)
{
  for (size_t off = 0; off < n;) {
    struct inotify_event head;
    /* The kernel never hands out part of an event; if it ever did, reading
     * on would take a name for a header. */
    if (n - off < sizeof head) {
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, "watch-error", NULL,
             "inotify returned a truncated event; the rest of the read is dropped");
      return EXHUNT_ECORRUPT;
    }
    memcpy(&head, buf + off, sizeof head);
    if (head.len > n - off - sizeof head) {
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, "watch-error", NULL,
             "inotify returned an event whose name runs past the read; the rest is dropped");
      return EXHUNT_ECORRUPT;
    }
    /* Events are 4-byte aligned in the buffer (the kernel pads names), so
     * the record can be used in place. */
    exhunt_err err = exh_inotify_event(w, (const struct inotify_event *)(const void *)(buf + off));
    if (err)
      return err;
    off += sizeof head + head.len;
  }
  return EXHUNT_OK;
}

exhunt_err exh_inotify_open(exh_notify *w, char *why, size_t cap)
{
  w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (w->fd < 0) {
    int e = errno;
    snprintf(why, cap, "%s", strerror(e));
    return e == ENOMEM ? EXHUNT_ENOMEM : EXHUNT_EIO;
  }
  return EXHUNT_OK;
}

void exh_inotify_free(exh_notify *w)
{
  for (size_t i = 0; i < w->n_w; i++)
    exh_free(w->w[i].path);
  exh_free(w->w);
  w->w = NULL;
  w->n_w = w->cap_w = 0;
}
