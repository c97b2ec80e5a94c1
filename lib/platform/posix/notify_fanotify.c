/*
 * notify_fanotify.c - the fanotify backend of platform/notify.h: one mark
 * per filesystem.
 *
 * inotify needs a watch per folder, set after the folder appears (a race
 * the inotify side closes by listing every new folder) and counted against
 * fs.inotify.max_user_watches. fanotify with FAN_MARK_FILESYSTEM sees every
 * file closed after writing, moved, or created anywhere on the filesystem
 * from one mark: no race, no per-folder limit. It needs CAP_SYS_ADMIN,
 * kernel >= 5.9 (FAN_REPORT_DFID_NAME) and a filesystem with file handles
 * (ext4, xfs, btrfs, tmpfs do; overlayfs and most FUSE do not).
 *
 * Each event names the parent folder by file handle plus the entry's name.
 * The handle is resolved with open_by_handle_at (CAP_DAC_READ_SEARCH) and
 * readlink of /proc/self/fd, then kept against the roots' real paths: the
 * mark covers the whole filesystem, so most events are someone else's
 * (logs, builds, caches). Resolved handles, inside or outside, stay in a
 * small direct-mapped cache, so a busy folder elsewhere costs a hash and a
 * memcmp per event, not three syscalls. A folder rename anywhere may change
 * every path below it, so any folder moved drops the whole cache.
 *
 * Event records are the kernel's, but they are parsed as untrusted bytes:
 * every length is checked against what was read before it is followed.
 */
#define _GNU_SOURCE /* open_by_handle_at, struct file_handle */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "notify_int.h"

/* Files closed after writing, entries moved in, entries created (folders,
 * hard links), each with the parent's handle and the entry's name. */
#define FAN_WATCH_MASK (FAN_CLOSE_WRITE | FAN_MOVED_TO | FAN_CREATE | FAN_ONDIR)

#define notice exh_notify_note

static void cache_clear(exh_notify *w)
{
  if (!w->cache)
    return;
  for (size_t i = 0; i < EXH_WATCH_FAN_CACHE; i++) {
    exh_free(w->cache[i].path);
    w->cache[i].path = NULL;
    w->cache[i].root = -2;
  }
}

void exh_fanotify_free(exh_notify *w)
{
  cache_clear(w);
  exh_free(w->cache);
  w->cache = NULL;
  for (size_t i = 0; i < w->n_fs; i++)
    close(w->fs[i].mfd);
  exh_free(w->fs);
  w->fs = NULL;
  w->n_fs = 0;
  if (w->real_roots)
    for (size_t i = 0; i < w->host->n_roots; i++)
      exh_free(w->real_roots[i]);
  exh_free(w->real_roots);
  exh_free(w->root_dev);
  exh_free(w->root_ino);
  exh_free(w->fan_refused);
  w->fan_refused = NULL;
  if (w->mntfd >= 0)
    close(w->mntfd);
  w->mntfd = -1;
  w->real_roots = NULL;
  w->root_dev = NULL;
  w->root_ino = NULL;
}

static const char *mark_hint(int e)
{
  switch (e) {
  case EPERM:
    return " (needs CAP_SYS_ADMIN)";
  case ENODEV:
  case EXDEV:
  case EOPNOTSUPP:
    return " (this filesystem has no usable file handles, e.g. overlayfs, FUSE, NFS)";
  case EINVAL:
    return " (kernel too old for filesystem marks with these events; 5.9 or later needed)";
  default:
    return "";
  }
}

/*
 * Marks the filesystem holding the folder `path` (spelled `label` in
 * messages) unless it is marked already; fills *st with the folder's stat.
 * 1 on success, 0 with `why` filled when fanotify cannot watch it, -1 on no
 * memory.
 */
static int mark_fs(exh_notify *w, const char *label, const char *path, struct stat *st, char *why,
                   size_t cap)
{
  int ret = 0;
  int mfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct statfs sfs;
  if (mfd < 0 || fstatfs(mfd, &sfs) != 0 || fstat(mfd, st) != 0) {
    snprintf(why, cap, "%s: %s", label, strerror(errno));
    goto cleanup;
  }
  int32_t fsid[2];
  memcpy(fsid, &sfs.f_fsid, sizeof fsid);
  /* Events name folders by handle: check that a handle made here can be
   * opened again (CAP_DAC_READ_SEARCH), or every event would be lost. The
   * mount id tells a second mount of a marked filesystem. */
  union {
    struct file_handle fh;
    char bytes[sizeof(struct file_handle) + EXH_WATCH_FAN_HANDLE_MAX];
  } u;
  u.fh.handle_bytes = EXH_WATCH_FAN_HANDLE_MAX;
  int mnt = -1, pfd = -1;
  if (name_to_handle_at(mfd, "", &u.fh, &mnt, AT_EMPTY_PATH) != 0 ||
      (pfd = open_by_handle_at(mfd, &u.fh, O_PATH | O_CLOEXEC)) < 0) {
    int e = errno;
    snprintf(why, cap, "resolving file handles on the filesystem of %s: %s%s", label, strerror(e),
             e == EPERM        ? " (needs CAP_DAC_READ_SEARCH)"
             : e == EOPNOTSUPP ? " (this filesystem has no file handles, e.g. overlayfs, FUSE)"
                               : "");
    goto cleanup;
  }
  close(pfd);
  bool marked = false;
  for (size_t k = 0; k < w->n_fs; k++) {
    if (memcmp(w->fs[k].fsid, fsid, sizeof fsid) != 0)
      continue;
    marked = true;
    if (w->fs[k].mnt_id == mnt) {
      ret = 1;
      goto cleanup;
    }
  }
  if (!marked &&
      fanotify_mark(w->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_WATCH_MASK, mfd, NULL) != 0) {
    int e = errno;
    snprintf(why, cap, "marking the filesystem of %s: %s%s", label, strerror(e), mark_hint(e));
    goto cleanup;
  }
  exh_fanfs *grown = exh_reallocarray(w->fs, w->n_fs + 1, sizeof *grown);
  if (!grown) {
    ret = -1;
    goto cleanup;
  }
  w->fs = grown;
  w->fs[w->n_fs++] = (exh_fanfs){{fsid[0], fsid[1]}, st->st_dev, mnt, mfd};
  mfd = -1; /* owned by the table now */
  ret = 1;

cleanup:
  if (mfd >= 0)
    close(mfd);
  return ret;
}

/* /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_mount(char *s)
{
  char *o = s;
  for (char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
        p[3] <= '7') {
      *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 3;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
}

/*
 * A mark covers one filesystem; a web root can hold others (a data volume
 * mounted below it), which inotify would have walked into. Mark every
 * filesystem mounted below `real` too. 1, 0 (why filled), -1 as mark_fs.
 * Not `strict` (a watch already running): one that cannot be marked is an
 * error notice and the others go on.
 */
static int mark_submounts(exh_notify *w, const char *real, bool strict, char *why, size_t cap)
{
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) {
    snprintf(why, cap,
             "/proc/self/mountinfo: %s (filesystems mounted below a root cannot be "
             "found)",
             strerror(errno));
    return 0;
  }
  int ret = 1;
  size_t rl = strlen(real);
  char line[EXH_MAX_PATH * 2 + 512];
  while (ret == 1 && fgets(line, sizeof line, f)) {
    /* id parent major:minor root MOUNTPOINT options ... */
    char *p = line;
    for (int field = 0; field < 4 && p; field++) {
      p = strchr(p, ' ');
      if (p)
        p++;
    }
    if (!p)
      continue;
    char *endp = strchr(p, ' ');
    if (!endp)
      continue;
    *endp = '\0';
    unescape_mount(p);
    bool below = strcmp(real, "/") == 0 ? p[1] != '\0'
                                        : strncmp(p, real, rl) == 0 && p[rl] == '/' && p[rl + 1];
    if (!below)
      continue;
    struct stat st;
    if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode))
      continue; /* a file bind-mounted, or gone since */
    ret = mark_fs(w, p, p, &st, why, cap);
    if (ret == 0 && !strict) {
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_EUNSUPPORTED, "watch-error", p, why);
      ret = 1;
    }
  }
  fclose(f);
  return ret;
}

/*
 * Marks the filesystem under root i (and those mounted below it, see
 * mark_submounts) and records where the root really is. 1 on success, 0 with `why` filled when
 * fanotify cannot watch it, -1 on no memory.
 */
static int mark_root(exh_notify *w, size_t i, bool strict, char *why, size_t cap)
{
  char real[PATH_MAX];
  if (!realpath(w->host->roots[i], real)) {
    snprintf(why, cap, "%s: %s", w->host->roots[i], strerror(errno));
    return 0;
  }
  struct stat st;
  int r = mark_fs(w, w->host->roots[i], real, &st, why, cap);
  if (r == 1)
    r = mark_submounts(w, real, strict, why, cap);
  if (r != 1)
    return r;
  char *copy = exh_strdup(real);
  if (!copy)
    return -1;
  exh_free(w->real_roots[i]);
  w->real_roots[i] = copy;
  w->root_dev[i] = st.st_dev;
  w->root_ino[i] = st.st_ino;
  /* The root may now be somewhere new: cached verdicts may be wrong. */
  cache_clear(w);
  return 1;
}

exhunt_err exh_fanotify_open(exh_notify *w, char *why, size_t cap)
{
  exhunt_err err = EXHUNT_EUNSUPPORTED;
  int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME,
                         O_RDONLY | O_CLOEXEC | O_LARGEFILE);
  if (fd < 0) {
    int e = errno;
    snprintf(why, cap, "fanotify_init: %s%s", strerror(e),
             e == EPERM    ? " (needs CAP_SYS_ADMIN)"
             : e == EINVAL ? " (kernel older than 5.9)"
             : e == ENOSYS ? " (kernel built without fanotify)"
                           : "");
    goto cleanup;
  }
  w->fd = fd;
  w->real_roots = exh_calloc(w->host->n_roots, sizeof *w->real_roots);
  w->root_dev = exh_calloc(w->host->n_roots, sizeof *w->root_dev);
  w->root_ino = exh_calloc(w->host->n_roots, sizeof *w->root_ino);
  w->cache = exh_calloc(EXH_WATCH_FAN_CACHE, sizeof *w->cache);
  w->fan_refused = exh_calloc(w->host->n_roots, sizeof *w->fan_refused);
  if (!w->real_roots || !w->root_dev || !w->root_ino || !w->cache || !w->fan_refused) {
    err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  for (size_t i = 0; i < EXH_WATCH_FAN_CACHE; i++)
    w->cache[i].root = -2;
  /* Polled for POLLPRI: a mount made below a root later is marked too. */
  w->mntfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  /* Every root there now must be markable, or inotify (which watches any
   * local folder) is the safer choice. A missing root is marked when it
   * appears. */
  for (size_t i = 0; i < w->host->n_roots; i++) {
    struct stat st;
    if (stat(w->host->roots[i], &st) != 0 || !S_ISDIR(st.st_mode))
      continue;
    int r = mark_root(w, i, true, why, cap);
    if (r <= 0) {
      err = r < 0 ? EXHUNT_ENOMEM : EXHUNT_EUNSUPPORTED;
      goto cleanup;
    }
  }
  err = EXHUNT_OK;

cleanup:
  if (err) {
    exh_fanotify_free(w);
    if (w->fd >= 0)
      close(w->fd);
    w->fd = -1;
  }
  return err;
}

int exh_fanotify_arm_root(exh_notify *w, size_t i)
{
  char why[EXH_MAX_PATH + 256];
  int r = mark_root(w, i, false, why, sizeof why);
  /* A root back on a filesystem that cannot be marked is retried every
   * second (it may be remounted): say so once, not every second. */
  if (r == 0 && !w->fan_refused[i])
    notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_EUNSUPPORTED, "watch-error", w->host->roots[i], why);
  w->fan_refused[i] = r == 0;
  return r;
}

/* One mark covers the filesystem, so nothing tells us when a root is
 * deleted or replaced: the host asks, every second. */
bool exh_fanotify_root_gone(exh_notify *w, size_t i)
{
  struct stat st;
  return stat(w->host->roots[i], &st) != 0 || !S_ISDIR(st.st_mode) || st.st_dev != w->root_dev[i] ||
         st.st_ino != w->root_ino[i];
}

exhunt_err exh_fanotify_mounts_changed(exh_notify *w)
{
  for (size_t i = 0; i < w->host->n_roots; i++) {
    if (w->host->root_missing(w->host->ctx, i) || !w->real_roots[i])
      continue;
    size_t before = w->n_fs;
    int r = exh_fanotify_arm_root(w, i);
    if (r < 0)
      return EXHUNT_ENOMEM;
    if (w->n_fs > before) {
      notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "watch-mount", w->host->roots[i],
             "a filesystem was mounted below this root: it is watched too, and the root "
             "rescanned");
      char *p = exh_strdup(w->host->roots[i]);
      if (!p)
        return EXHUNT_ENOMEM;
      exhunt_err err = w->host->changed(w->host->ctx, p);
      if (err)
        return err;
    }
  }
  return EXHUNT_OK;
}

/* ---------------------------------------------------------------------- */
/* Events.                                                                   */

static size_t slot_of(const int32_t fsid[2], int htype, const unsigned char *h, uint32_t hlen)
{
  uint64_t x = 1469598103934665603ull; /* FNV-1a */
  const unsigned char *parts[3] = {(const unsigned char *)fsid, (const unsigned char *)&htype, h};
  size_t lens[3] = {2 * sizeof *fsid, sizeof htype, hlen};
  for (int p = 0; p < 3; p++)
    for (size_t i = 0; i < lens[p]; i++)
      x = (x ^ parts[p][i]) * 1099511628211ull;
  return (size_t)(x % EXH_WATCH_FAN_CACHE);
}

/* The user's spelling of root i followed by `rest` ("" or "/a/b"). */
static char *user_path(exh_notify *w, size_t i, const char *rest)
{
  const char *r = w->host->roots[i];
  size_t rl = strlen(r);
  if (rest[0] == '/' && rl > 0 && r[rl - 1] == '/')
    rest++;
  size_t nl = strlen(rest);
  if (rl + nl + 1 > EXH_MAX_PATH + 1)
    return NULL;
  char *p = exh_malloc(rl + nl + 1);
  if (p) {
    memcpy(p, r, rl);
    memcpy(p + rl, rest, nl + 1);
  }
  return p;
}

/*
 * Opens the handle through the mount `mfd` and finds the root its path is
 * under: 1 with *root (-1: outside) and *path (owned, the user's spelling;
 * NULL when outside) set, 0 when it cannot be resolved through this mount
 * (deleted since: ESTALE), -1 on no memory.
 */
static int resolve_at(exh_notify *w, int mfd, struct file_handle *fh, int *root, char **path)
{
  *root = -1;
  *path = NULL;
  int fd = open_by_handle_at(mfd, fh, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char link[64], real[EXH_MAX_PATH + 1];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, real, sizeof real);
  close(fd);
  if (n <= 0 || (size_t)n >= sizeof real)
    return 0;
  real[n] = '\0';
  /* A folder deleted after its event reads "... (deleted)": its entries
   * are gone too. */
  static const char deleted[] = " (deleted)";
  if ((size_t)n > sizeof deleted - 1 &&
      memcmp(real + n - (sizeof deleted - 1), deleted, sizeof deleted - 1) == 0)
    return 0;
  size_t best = 0;
  for (size_t i = 0; i < w->host->n_roots; i++) {
    const char *rr = w->real_roots[i];
    if (!rr)
      continue;
    size_t rl = strlen(rr);
    bool in = strcmp(rr, "/") == 0 ||
              (strncmp(real, rr, rl) == 0 && (real[rl] == '\0' || real[rl] == '/'));
    if (in && (*root < 0 || rl > best)) {
      *root = (int)i;
      best = rl;
    }
  }
  if (*root < 0)
    return 1;
  const char *rest = strcmp(w->real_roots[*root], "/") == 0 ? real : real + best;
  if (strcmp(rest, "/") == 0)
    rest = "";
  if (strlen(w->host->roots[*root]) + strlen(rest) > EXH_MAX_PATH) {
    notice(w, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "path-too-long", w->host->roots[*root],
           "a folder below this root has a path longer than the path limit; not scanned");
    *root = -1;
    return 0;
  }
  *path = user_path(w, (size_t)*root, rest);
  return *path ? 1 : -1;
}

/*
 * Which root is the folder with this handle under, and what is its path?
 * Returns the cache slot (root -1: outside every root), or NULL when the
 * handle cannot be resolved now (not cached: a later event may succeed) or
 * on no memory (*oom). A filesystem may be reached through several mounts
 * (a root on a bind mount of a subfolder, another on the filesystem's own
 * mount): each is tried, as a path read through one may not lead to a
 * folder seen through another.
 */
static exh_fancache *resolve(exh_notify *w, const int32_t fsid[2], int htype,
                             const unsigned char *h, uint32_t hlen, bool *oom)
{
  exh_fancache *c = &w->cache[slot_of(fsid, htype, h, hlen)];
  if (c->root != -2 && c->htype == htype && c->hlen == hlen &&
      memcmp(c->fsid, fsid, sizeof c->fsid) == 0 && memcmp(c->h, h, hlen) == 0)
    return c;
  union {
    struct file_handle fh;
    char bytes[sizeof(struct file_handle) + EXH_WATCH_FAN_HANDLE_MAX];
  } u;
  u.fh.handle_bytes = hlen;
  u.fh.handle_type = htype;
  memcpy(u.fh.f_handle, h, hlen);
  int root = -1;
  char *path = NULL;
  bool opened = false;
  for (size_t k = 0; k < w->n_fs && root < 0; k++) {
    if (memcmp(w->fs[k].fsid, fsid, sizeof w->fs[k].fsid) != 0)
      continue;
    int r = resolve_at(w, w->fs[k].mfd, &u.fh, &root, &path);
    if (r < 0) {
      *oom = true;
      return NULL;
    }
    opened |= r > 0;
  }
  if (!opened && root < 0)
    return NULL; /* deleted since: not cached, a handle is never reused */
  exh_free(c->path);
  c->root = root;
  c->path = path;
  memcpy(c->fsid, fsid, sizeof c->fsid);
  c->htype = htype;
  c->hlen = hlen;
  memcpy(c->h, h, hlen);
  return c;
}

/* Folder depth of `path` below root `i` (0: the root itself). */
static unsigned depth_below(const exh_notify *w, size_t i, const char *path)
{
  unsigned d = 0;
  for (const char *p = path + strlen(w->host->roots[i]); *p; p++)
    if (*p == '/' && p[1] && p[1] != '/')
      d++;
  /* A root spelled "dir/" leaves the first name without a slash before. */
  size_t rl = strlen(w->host->roots[i]);
  if (rl && w->host->roots[i][rl - 1] == '/' && path[rl])
    d++;
  return d;
}

static exhunt_err one_event(exh_notify *w, uint64_t mask, const unsigned char *info, size_t len)
{
  if (mask & FAN_Q_OVERFLOW) {
    w->host->overflow(w->host->ctx);
    return EXHUNT_OK;
  }
  /* A folder renamed anywhere (the mark sees the whole filesystem) may
   * change every cached path below it. Rare; start again. */
  if ((mask & FAN_ONDIR) && (mask & FAN_MOVED_TO))
    cache_clear(w);
  struct fanotify_event_info_header hdr;
  for (size_t off = 0; off < len;) {
    if (len - off < sizeof hdr)
      return EXHUNT_ECORRUPT;
    memcpy(&hdr, info + off, sizeof hdr);
    if (hdr.len < sizeof hdr || hdr.len > len - off)
      return EXHUNT_ECORRUPT;
    const unsigned char *rec = info + off;
    size_t rlen = hdr.len;
    off += hdr.len;
    if (hdr.info_type != FAN_EVENT_INFO_TYPE_DFID_NAME)
      continue;
    /* header, fsid, then struct file_handle, then the name. */
    size_t at = sizeof(struct fanotify_event_info_fid);
    struct file_handle fh;
    size_t fh_head = offsetof(struct file_handle, f_handle);
    if (rlen < at + fh_head)
      return EXHUNT_ECORRUPT;
    int32_t fsid[2];
    memcpy(fsid, rec + offsetof(struct fanotify_event_info_fid, fsid), sizeof fsid);
    memcpy(&fh, rec + at, fh_head);
    at += fh_head;
    if (fh.handle_bytes > EXH_WATCH_FAN_HANDLE_MAX || fh.handle_bytes > rlen - at)
      return EXHUNT_ECORRUPT;
    const unsigned char *h = rec + at;
    at += fh.handle_bytes;
    const char *name = (const char *)rec + at;
    size_t nl = strnlen(name, rlen - at);
    if (nl == rlen - at)
      return EXHUNT_ECORRUPT; /* no NUL within the record */
    if (nl == 0 || (nl == 1 && name[0] == '.'))
      return EXHUNT_OK; /* an event on the folder itself: not one we asked for */
    bool oom = false;
    exh_fancache *c = resolve(w, fsid, fh.handle_type, h, fh.handle_bytes, &oom);
    if (!c)
      return oom ? EXHUNT_ENOMEM : EXHUNT_OK;
    if (c->root < 0) {
      w->fan_outside++;
      return EXHUNT_OK;
    }
    int root = c->root;
    char *full = w->host->join(w->host->ctx, c->path, name, nl, &oom);
    if (!full)
      return oom ? EXHUNT_ENOMEM : EXHUNT_OK;
    unsigned depth = depth_below(w, (size_t)root, full);
    /* The entry's own folder must be within the depth limit, as with
     * inotify (which sets no watch deeper). */
    if (depth - ((mask & FAN_ONDIR) ? 0u : 1u) > w->host->max_depth) {
      w->host->skipped(w->host->ctx, EXHUNT_SKIP_DEPTH);
      exh_free(full);
      return EXHUNT_OK;
    }
    if (mask & FAN_ONDIR) {
      /* A new folder is empty, and what lands in it has its own events; a
       * folder moved in brings content that has none. */
      if (mask & FAN_MOVED_TO)
        return w->host->changed(w->host->ctx, full);
      exh_free(full);
      return EXHUNT_OK;
    }
    if (mask & (FAN_CLOSE_WRITE | FAN_MOVED_TO))
      return w->host->changed(w->host->ctx, full);
    if (mask & FAN_CREATE) {
      /* A hard link brings content with no write. */
      struct stat st;
      if (lstat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1)
        return w->host->changed(w->host->ctx, full);
    }
    exh_free(full);
    return EXHUNT_OK;
  }
  return EXHUNT_OK;
}

exhunt_err exh_fanotify_events(exh_notify *w, const unsigned char *buf, size_t n)
{
  struct fanotify_event_metadata md;
  for (size_t off = 0; off < n;) {
    const char *bad = NULL;
    if (n - off < sizeof md) {
      bad = "fanotify returned a truncated event";
    } else {
      memcpy(&md, buf + off, sizeof md);
      if (md.vers != FANOTIFY_METADATA_VERSION)
        bad = "fanotify returned events of an unknown version";
      else if (md.event_len < sizeof md || md.event_len > n - off || md.metadata_len < sizeof md ||
               md.metadata_len > md.event_len)
        bad = "fanotify returned an event whose length runs past the read";
    }
    if (bad) {
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, "watch-error", NULL, bad);
      return EXHUNT_ECORRUPT;
    }
    if (md.fd >= 0)
      close(md.fd); /* not expected in handle mode; never leak one */
    exhunt_err err =
        one_event(w, md.mask, buf + off + md.metadata_len, md.event_len - md.metadata_len);
    if (err == EXHUNT_ECORRUPT) {
      notice(w, EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, "watch-error", NULL,
             "fanotify returned a malformed event record; it is skipped and the roots rescanned");
      w->host->overflow(w->host->ctx); /* what it named is unknown */
    } else if (err) {
      return err;
    }
    off += md.event_len;
  }
  return EXHUNT_OK;
}
