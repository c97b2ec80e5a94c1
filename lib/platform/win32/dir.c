/*
 * dir.c - directory enumeration on Windows; see platform/fs.h.
 *
 * A listing reads its directory's handle in batches with
 * GetFileInformationByHandleEx: FileIdExtdDirectoryInfo (Windows 8 /
 * Server 2012 and later: 128-bit file ids and the reparse tag), else
 * FileIdBothDirectoryInfo (64-bit ids; the tag in EaSize). Each entry
 * carries its file id, folded as exh_stat folds it, so (exh_dir_dev, ino)
 * is the identity an open would see; a name-surrogate reparse point
 * (symbolic link, junction, mount point) is EXH_FT_LINK, and never
 * entered. Names come back as UTF-8 (WTF-8 for an unpaired surrogate, so
 * that every name opens again).
 */
#include <errno.h>
#include <string.h>

#include "core/alloc.h"
#include "win32_int.h"

/* Bytes asked of the file system per batch: a few hundred entries. */
#define DIR_BATCH (64 * 1024)
/* NTFS's longest name is 255 UTF-16 units: at most 3 bytes each. */
#define DIR_NAME_CAP (255 * 3 + 1)

typedef struct w32dir {
  int fd;
  HANDLE h;
  unsigned char *buf; /* DIR_BATCH bytes, 8-aligned (malloc) */
  size_t used, next;  /* bytes of the batch; offset of the next entry */
  bool restart;       /* the next batch starts from the first entry */
  bool extd;          /* FileIdExtdDirectoryInfo works here */
  bool done;
  char name[DIR_NAME_CAP];
} w32dir;

int exh_dir_open_fd(exh_dir *d, int fd)
{
  d->dev = 0;
  d->dev_known = false;
  d->os = NULL;
  HANDLE h = exh_w32_handle(fd);
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  FILE_STANDARD_INFO std;
  if (!GetFileInformationByHandleEx(h, FileStandardInfo, &std, sizeof std)) {
    exh_w32_set_errno();
    return -1;
  }
  if (!std.Directory) {
    errno = ENOTDIR;
    return -1;
  }
  w32dir *w = exh_calloc(1, sizeof *w);
  if (!w || !(w->buf = exh_malloc(DIR_BATCH))) {
    exh_free(w);
    errno = ENOMEM;
    return -1;
  }
  w->fd = fd;
  w->h = h;
  w->restart = true;
  w->extd = true;
  d->os = w;
  return 0;
}

int exh_dir_open(exh_dir *d, const char *path)
{
  int fd = exh_open(path, EXH_O_DIRECTORY, 0);
  if (fd < 0)
    return -1;
  if (exh_dir_open_fd(d, fd) != 0) {
    int e = errno;
    exh_close(fd);
    errno = e;
    return -1;
  }
  return 0;
}

/* The next batch into w->buf; false at the end (errno 0) or on an error. */
static bool next_batch(w32dir *w)
{
  for (;;) {
    FILE_INFO_BY_HANDLE_CLASS cls =
        w->extd ? (w->restart ? FileIdExtdDirectoryRestartInfo : FileIdExtdDirectoryInfo)
                : (w->restart ? FileIdBothDirectoryRestartInfo : FileIdBothDirectoryInfo);
    if (GetFileInformationByHandleEx(w->h, cls, w->buf, DIR_BATCH)) {
      w->restart = false;
      w->next = 0;
      w->used = DIR_BATCH; /* entries chain by NextEntryOffset; the last has 0 */
      return true;
    }
    DWORD e = GetLastError();
    if (e == ERROR_NO_MORE_FILES) {
      w->done = true;
      errno = 0;
      return false;
    }
    if (w->extd &&
        (e == ERROR_INVALID_PARAMETER || e == ERROR_NOT_SUPPORTED || e == ERROR_INVALID_FUNCTION ||
         e == ERROR_CALL_NOT_IMPLEMENTED || e == ERROR_INVALID_LEVEL)) {
      w->extd = false; /* an older system or a file system without it */
      w->restart = true;
      continue;
    }
    errno = exh_w32_errno(e);
    return false;
  }
}

int exh_dir_next(exh_dir *d, exh_dirent *ent)
{
  w32dir *w = d->os;
  for (;;) {
    if (w->next >= w->used) {
      if (w->done)
        return 0;
      if (!next_batch(w))
        return errno ? -1 : 0;
    }
    const unsigned char *at = w->buf + w->next;
    const wchar_t *name;
    DWORD name_bytes, attrs, tag, step;
    uint64_t ino;
    if (w->extd) {
      const FILE_ID_EXTD_DIR_INFO *e = (const FILE_ID_EXTD_DIR_INFO *)(const void *)at;
      name = e->FileName;
      name_bytes = e->FileNameLength;
      attrs = e->FileAttributes;
      tag = e->ReparsePointTag;
      ino = exh_w32_fold_id(e->FileId.Identifier);
      step = e->NextEntryOffset;
    } else {
      const FILE_ID_BOTH_DIR_INFO *e = (const FILE_ID_BOTH_DIR_INFO *)(const void *)at;
      name = e->FileName;
      name_bytes = e->FileNameLength;
      attrs = e->FileAttributes;
      tag = (attrs & FILE_ATTRIBUTE_REPARSE_POINT) ? e->EaSize : 0; /* documented */
      ino = (uint64_t)e->FileId.QuadPart;
      step = e->NextEntryOffset;
    }
    w->next = step ? w->next + step : w->used;
    size_t units = name_bytes / sizeof(wchar_t);
    if ((units == 1 && name[0] == L'.') || (units == 2 && name[0] == L'.' && name[1] == L'.'))
      continue;
    if (!exh_w32_utf8(name, units, w->name, sizeof w->name))
      return -1;
    ent->name = w->name;
    ent->ino = ino;
    ent->type = exh_w32_type(attrs, (attrs & FILE_ATTRIBUTE_REPARSE_POINT) ? tag : 0);
    return 1;
  }
}

void exh_dir_rewind(exh_dir *d)
{
  w32dir *w = d->os;
  w->restart = true;
  w->done = false;
  w->next = w->used = 0;
}

uint64_t exh_dir_dev(exh_dir *d)
{
  if (!d->dev_known) {
    w32dir *w = d->os;
    uint64_t ino;
    if (!exh_w32_identity(w->h, &d->dev, &ino))
      d->dev = 0;
    d->dev_known = true;
  }
  return d->dev;
}

int exh_dir_fd(const exh_dir *d)
{
  return ((const w32dir *)d->os)->fd;
}

void exh_dir_close(exh_dir *d)
{
  w32dir *w = d->os;
  if (w) {
    exh_close(w->fd);
    exh_free(w->buf);
    exh_free(w);
  }
  d->os = NULL;
}
