/*
 * path.c - names and errors at the Windows seam (see win32_int.h): UTF-8
 * to UTF-16, paths to \\?\ long paths, the one open, and Win32 errors as
 * POSIX errno names.
 *
 * Why *_at opens go through NtCreateFile with RootDirectory rather than a
 * path joined to the directory's (GetFinalPathNameByHandleW): the walker
 * opens evidence one component at a time from a directory it holds so that
 * nothing swapped in above it (a junction, a renamed folder) can redirect
 * the open; a joined path is looked up again from the volume's root, every
 * intermediate junction followed, so it would give that up, and cost a
 * path query per open. A relative NtCreateFile is the kernel's openat: the
 * name is looked up in that directory object only, needs no path
 * normalisation (no MAX_PATH, a name ending in a dot or named "con" opens
 * as itself), and is what CreateFileW calls underneath. The one case that
 * takes the path route is a name with a ".." component (NT names have
 * none): the directory's final path with the components applied
 * lexically, which is what ".." means there (the parent of the directory
 * itself, not of the way it was reached).
 *
 * What users type (EXH_AT_CWD, absolute names) goes through CreateFileW on
 * the full path (GetFullPathNameW: '/' and '\\', drive-relative, "..")
 * with the \\?\ prefix (\\?\UNC\ for \\server\share), so that a path of
 * any length opens and is taken literally from there on.
 */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "core/alloc.h"
#include "platform/portable.h"
#include "win32_int.h"

_Static_assert(sizeof(wchar_t) == sizeof(uint16_t), "wchar_t is UTF-16 on Windows");

/* Codes some mingw-w64 headers lack. */
#ifndef ERROR_STOPPED_ON_SYMLINK
#define ERROR_STOPPED_ON_SYMLINK 681L
#endif
#ifndef ERROR_DISK_QUOTA_EXCEEDED
#define ERROR_DISK_QUOTA_EXCEEDED 1295L
#endif
#ifndef ERROR_CANT_WAIT
#define ERROR_CANT_WAIT 554L
#endif

/* The longest name the system opens, in UTF-16 units (UNICODE_STRING). */
#define W32_NAME_MAX 32767

/* ---------------------------------------------------------------------- */
/* Errors.                                                                 */

/* GetLastError() to errno: one table for the whole seam. Choices that are
 * not a name match: a sharing violation (another process opened the file
 * without sharing it) and a region locked by another process are EBUSY,
 * "in use", not EACCES: the caller is allowed, the file is busy, and an
 * administrator should not be told to get rights they have. ERROR_DIRECTORY
 * ("the directory name is invalid", what NT says for a file where a
 * directory was required) is ENOTDIR. mingw-w64 has no EDQUOT: a quota
 * exceeded is ENOSPC. */
static const struct {
  DWORD win;
  int posix;
} errtab[] = {
    {ERROR_INVALID_FUNCTION, ENOSYS},
    {ERROR_FILE_NOT_FOUND, ENOENT},
    {ERROR_PATH_NOT_FOUND, ENOENT},
    {ERROR_TOO_MANY_OPEN_FILES, EMFILE},
    {ERROR_ACCESS_DENIED, EACCES},
    {ERROR_INVALID_HANDLE, EBADF},
    {ERROR_NOT_ENOUGH_MEMORY, ENOMEM},
    {ERROR_INVALID_ACCESS, EACCES},
    {ERROR_OUTOFMEMORY, ENOMEM},
    {ERROR_INVALID_DRIVE, ENOENT},
    {ERROR_CURRENT_DIRECTORY, EBUSY},
    {ERROR_NOT_SAME_DEVICE, EXDEV},
    {ERROR_WRITE_PROTECT, EROFS},
    {ERROR_NOT_READY, EIO},
    {ERROR_CRC, EIO},
    {ERROR_SHARING_VIOLATION, EBUSY},
    {ERROR_LOCK_VIOLATION, EBUSY},
    {ERROR_HANDLE_DISK_FULL, ENOSPC},
    {ERROR_NOT_SUPPORTED, EOPNOTSUPP},
    {ERROR_BAD_NETPATH, ENOENT},
    {ERROR_NETNAME_DELETED, ENOENT},
    {ERROR_BAD_NET_NAME, ENOENT},
    {ERROR_FILE_EXISTS, EEXIST},
    {ERROR_CANNOT_MAKE, EACCES},
    {ERROR_INVALID_PARAMETER, EINVAL},
    {ERROR_BROKEN_PIPE, EPIPE},
    {ERROR_DISK_FULL, ENOSPC},
    {ERROR_CALL_NOT_IMPLEMENTED, ENOSYS},
    {ERROR_INSUFFICIENT_BUFFER, ERANGE},
    {ERROR_INVALID_NAME, ENOENT},
    {ERROR_NEGATIVE_SEEK, EINVAL},
    {ERROR_DIR_NOT_EMPTY, ENOTEMPTY},
    {ERROR_PATH_BUSY, EBUSY},
    {ERROR_BAD_PATHNAME, ENOENT},
    {ERROR_BUSY, EBUSY},
    {ERROR_ALREADY_EXISTS, EEXIST},
    {ERROR_FILENAME_EXCED_RANGE, ENAMETOOLONG},
    {ERROR_DIRECTORY, ENOTDIR},
    {ERROR_DELETE_PENDING, ENOENT},
    {ERROR_STOPPED_ON_SYMLINK, ELOOP},
    {ERROR_NOACCESS, EFAULT},
    {ERROR_INVALID_FLAGS, EINVAL},
    {ERROR_NO_UNICODE_TRANSLATION, EILSEQ},
    {ERROR_TOO_MANY_LINKS, EMLINK},
    {ERROR_USER_MAPPED_FILE, EBUSY},
    {ERROR_PRIVILEGE_NOT_HELD, EPERM},
    {ERROR_NO_SYSTEM_RESOURCES, ENOMEM},
    {ERROR_NONPAGED_SYSTEM_RESOURCES, ENOMEM},
    {ERROR_PAGED_SYSTEM_RESOURCES, ENOMEM},
    {ERROR_WORKING_SET_QUOTA, ENOMEM},
    {ERROR_CANT_ACCESS_FILE, EACCES},
    {ERROR_CANT_RESOLVE_FILENAME, ELOOP},
    {ERROR_DISK_QUOTA_EXCEEDED, ENOSPC},
    {ERROR_NOT_A_REPARSE_POINT, EINVAL},
    {ERROR_CANT_WAIT, EWOULDBLOCK},
    {ERROR_OPERATION_ABORTED, EINTR},
    {ERROR_TIMEOUT, ETIMEDOUT},
};

int exh_w32_errno(DWORD err)
{
  for (size_t i = 0; i < sizeof errtab / sizeof *errtab; i++)
    if (errtab[i].win == err)
      return errtab[i].posix;
  return EIO;
}

void exh_w32_set_errno(void)
{
  errno = exh_w32_errno(GetLastError());
}

void exh_w32_set_errno_nt(NTSTATUS st)
{
  errno = exh_w32_errno(RtlNtStatusToDosError(st));
}

/* ---------------------------------------------------------------------- */
/* UTF-8 and UTF-16.                                                       */

wchar_t *exh_w32_wide(const char *s, size_t *len)
{
  size_t n = strlen(s);
  if (n >= (SIZE_MAX / sizeof(wchar_t)) - 1) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  wchar_t *w = exh_malloc((n + 1) * sizeof *w);
  if (!w) {
    errno = ENOMEM;
    return NULL;
  }
  ptrdiff_t got = exh_utf8_to_utf16(s, n, (uint16_t *)w, n + 1);
  if (got < 0) {
    exh_free(w);
    errno = EILSEQ;
    return NULL;
  }
  *len = (size_t)got;
  return w;
}

bool exh_w32_utf8(const wchar_t *w, size_t len, char *out, size_t cap)
{
  if (exh_utf16_to_utf8((const uint16_t *)w, len, out, cap) < 0) {
    errno = ENAMETOOLONG;
    return false;
  }
  return true;
}

/* ---------------------------------------------------------------------- */
/* Names.                                                                  */

/* Room for `units` units and a NUL in n->w (its text is not kept). */
static bool name_room(exh_w32_name *n, size_t units)
{
  if (units > W32_NAME_MAX) {
    errno = ENAMETOOLONG;
    return false;
  }
  if (n->w && n->w != n->small)
    exh_free(n->w);
  n->w = n->small;
  if (units + 1 > sizeof n->small / sizeof *n->small) {
    n->w = exh_malloc((units + 1) * sizeof(wchar_t));
    if (!n->w) {
      n->w = n->small;
      errno = ENOMEM;
      return false;
    }
  }
  return true;
}

void exh_w32_name_free(exh_w32_name *n)
{
  if (n->w && n->w != n->small)
    exh_free(n->w);
  n->w = NULL;
}

static bool starts(const wchar_t *w, const wchar_t *prefix)
{
  return wcsncmp(w, prefix, wcslen(prefix)) == 0;
}

static void to_backslashes(wchar_t *w, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (w[i] == L'/')
      w[i] = L'\\';
}

/* prefix + rest into n. */
static bool name_set(exh_w32_name *n, const wchar_t *prefix, const wchar_t *rest, size_t rest_len)
{
  size_t pl = wcslen(prefix);
  if (!name_room(n, pl + rest_len))
    return false;
  memcpy(n->w, prefix, pl * sizeof(wchar_t));
  memcpy(n->w + pl, rest, rest_len * sizeof(wchar_t));
  n->len = pl + rest_len;
  n->w[n->len] = L'\0';
  return true;
}

/* The absolute path of `path` (\\?\ or \\.\ form) into n. */
static int path_of(const char *path, exh_w32_name *n)
{
  n->root = NULL;
  n->w = NULL;
  n->len = 0;
  size_t len;
  wchar_t *w = exh_w32_wide(path, &len), *full = NULL;
  int rc = -1;
  if (!w)
    goto cleanup;
  if (len == 0) {
    errno = ENOENT;
    goto cleanup;
  }
  to_backslashes(w, len);
  if (starts(w, L"\\\\?\\") || starts(w, L"\\\\.\\")) { /* already literal */
    rc = name_set(n, L"", w, len) ? 0 : -1;
    goto cleanup;
  }
  DWORD need = GetFullPathNameW(w, 0, NULL, NULL);
  if (need == 0) {
    exh_w32_set_errno();
    goto cleanup;
  }
  if (need > W32_NAME_MAX + 1) {
    errno = ENAMETOOLONG;
    goto cleanup;
  }
  full = exh_malloc(need * sizeof *full);
  if (!full) {
    errno = ENOMEM;
    goto cleanup;
  }
  DWORD got = GetFullPathNameW(w, need, full, NULL);
  if (got == 0 || got >= need) {
    if (got == 0)
      exh_w32_set_errno();
    else
      errno = ENAMETOOLONG; /* the current folder changed meanwhile */
    goto cleanup;
  }
  bool ok;
  if (starts(full, L"\\\\.\\") || starts(full, L"\\\\?\\")) /* a device: "nul", "\\.\pipe\x" */
    ok = name_set(n, L"", full, got);
  else if (starts(full, L"\\\\")) /* \\server\share\... */
    ok = name_set(n, L"\\\\?\\UNC\\", full + 2, got - 2);
  else
    ok = name_set(n, L"\\\\?\\", full, got);
  rc = ok ? 0 : -1;

cleanup:
  if (rc != 0)
    exh_w32_name_free(n);
  exh_free(w);
  exh_free(full);
  return rc;
}

static bool is_absolute(const char *name)
{
  return name[0] == '/' || name[0] == '\\' ||
         (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') && name[1] == ':');
}

/* Where the root of a \\?\ path ends: after \\?\C: or \\?\Volume{...}, or
 * after \\?\UNC\server\share. The path is never cut shorter by "..". */
static size_t root_len(const wchar_t *w, size_t len)
{
  size_t i = 4, parts = 1;
  if (starts(w, L"\\\\?\\UNC\\")) {
    i = 8;
    parts = 2;
  }
  while (parts > 0 && i < len) {
    while (i < len && w[i] != L'\\')
      i++;
    if (--parts > 0 && i < len)
      i++;
  }
  return i;
}

/* The final path of the directory open as `h` (\\?\ form, no trailing
 * separator beyond its root's), with the components of rel[0, rlen)
 * applied: "." nothing, ".." up (never above the root), others appended. */
static int join_lexically(HANDLE h, const wchar_t *rel, size_t rlen, exh_w32_name *n)
{
  DWORD cap = W32_NAME_MAX + 1;
  wchar_t *buf = exh_malloc((size_t)cap * 2 * sizeof *buf);
  int rc = -1;
  if (!buf) {
    errno = ENOMEM;
    goto cleanup;
  }
  DWORD len = GetFinalPathNameByHandleW(h, buf, cap, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (len == 0) /* a volume without a drive letter */
    len = GetFinalPathNameByHandleW(h, buf, cap, FILE_NAME_NORMALIZED | VOLUME_NAME_GUID);
  if (len == 0 || len >= cap) {
    if (len == 0)
      exh_w32_set_errno();
    else
      errno = ENAMETOOLONG;
    goto cleanup;
  }
  size_t root = root_len(buf, len), at = len;
  while (at > root && buf[at - 1] == L'\\')
    at--;
  for (size_t i = 0; i < rlen;) {
    size_t j = i;
    while (j < rlen && rel[j] != L'\\')
      j++;
    size_t cl = j - i;
    if (cl == 2 && rel[i] == L'.' && rel[i + 1] == L'.') {
      while (at > root && buf[at - 1] != L'\\')
        at--;
      if (at > root)
        at--;
    } else if (cl > 0 && !(cl == 1 && rel[i] == L'.')) {
      if (at + 1 + cl >= (size_t)cap * 2) {
        errno = ENAMETOOLONG;
        goto cleanup;
      }
      buf[at++] = L'\\';
      memcpy(buf + at, rel + i, cl * sizeof *buf);
      at += cl;
    }
    i = j + 1;
  }
  if (at == root) /* \\?\C: is the volume; its root folder is \\?\C:\ */
    buf[at++] = L'\\';
  rc = name_set(n, L"", buf, at) ? 0 : -1;

cleanup:
  exh_free(buf);
  return rc;
}

int exh_w32_name_of(int dirfd, const char *name, exh_w32_name *n)
{
  n->root = NULL;
  n->w = NULL;
  n->len = 0;
  if (!name) {
    errno = EFAULT;
    return -1;
  }
  if (name[0] == '\0') {
    errno = ENOENT;
    return -1;
  }
  if (dirfd == EXH_AT_CWD || is_absolute(name))
    return path_of(name, n);
  HANDLE root = exh_w32_handle(dirfd);
  if (root == INVALID_HANDLE_VALUE)
    return -1;
  size_t len;
  wchar_t *w = exh_w32_wide(name, &len);
  if (!w)
    return -1;
  to_backslashes(w, len);
  int rc = -1;
  /* The components, "." and empty ones dropped, joined by '\'; a ".."
   * sends the name the path way. */
  size_t o = 0;
  bool dotdot = false;
  for (size_t i = 0; i < len && !dotdot;) {
    size_t j = i;
    while (j < len && w[j] != L'\\')
      j++;
    size_t cl = j - i;
    if (cl == 2 && w[i] == L'.' && w[i + 1] == L'.') {
      dotdot = true;
    } else if (cl > 0 && !(cl == 1 && w[i] == L'.')) {
      if (o > 0)
        w[o++] = L'\\';
      memmove(w + o, w + i, cl * sizeof *w);
      o += cl;
    }
    i = j + 1;
  }
  if (dotdot) {
    /* w was rewritten in place: convert the original name again. */
    exh_free(w);
    if (!(w = exh_w32_wide(name, &len)))
      return -1;
    to_backslashes(w, len);
    rc = join_lexically(root, w, len, n);
  } else if (name_set(n, L"", w, o)) {
    n->root = root;
    rc = 0;
  }
  exh_free(w);
  if (rc != 0)
    exh_w32_name_free(n);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Opening.                                                                */

HANDLE exh_w32_open_name(const exh_w32_name *n, const exh_w32_open *o)
{
  HANDLE h = INVALID_HANDLE_VALUE;
  if (n->root) {
    if (n->len * sizeof(wchar_t) > 0xfffe) {
      errno = ENAMETOOLONG;
      return INVALID_HANDLE_VALUE;
    }
    UNICODE_STRING us = {(USHORT)(n->len * sizeof(wchar_t)), (USHORT)(n->len * sizeof(wchar_t)),
                         n->w};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE, n->root, NULL);
    IO_STATUS_BLOCK io;
    NTSTATUS st = NtCreateFile(
        &h, o->access | SYNCHRONIZE, &oa, &io, NULL,
        o->attributes ? o->attributes : FILE_ATTRIBUTE_NORMAL, o->share, o->disposition,
        o->options | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT, NULL, 0);
    if (!NT_SUCCESS(st)) {
      exh_w32_set_errno_nt(st);
      return INVALID_HANDLE_VALUE;
    }
    return h;
  }
  DWORD disposition = o->disposition == FILE_CREATE    ? CREATE_NEW
                      : o->disposition == FILE_OPEN_IF ? OPEN_ALWAYS
                                                       : OPEN_EXISTING;
  /* SECURITY_SQOS_PRESENT with anonymity: should a path lead to a named
   * pipe, its server cannot act with this (often elevated) process's
   * identity. */
  DWORD flags = FILE_FLAG_BACKUP_SEMANTICS | SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS |
                (o->attributes ? o->attributes : FILE_ATTRIBUTE_NORMAL);
  if (o->options & FILE_OPEN_REPARSE_POINT)
    flags |= FILE_FLAG_OPEN_REPARSE_POINT;
  if (o->options & FILE_DELETE_ON_CLOSE)
    flags |= FILE_FLAG_DELETE_ON_CLOSE;
  if (o->options & FILE_WRITE_THROUGH)
    flags |= FILE_FLAG_WRITE_THROUGH;
  h = CreateFileW(n->w, o->access | SYNCHRONIZE, o->share, NULL, disposition, flags, NULL);
  if (h == INVALID_HANDLE_VALUE)
    exh_w32_set_errno();
  return h;
}

HANDLE exh_w32_open_at(int dirfd, const char *name, const exh_w32_open *o)
{
  exh_w32_name n;
  if (exh_w32_name_of(dirfd, name, &n) != 0)
    return INVALID_HANDLE_VALUE;
  HANDLE h = exh_w32_open_name(&n, o);
  int e = errno;
  exh_w32_name_free(&n);
  errno = e;
  return h;
}

bool exh_w32_attr_tag(HANDLE h, DWORD *attrs, DWORD *tag)
{
  FILE_ATTRIBUTE_TAG_INFO info;
  if (!GetFileInformationByHandleEx(h, FileAttributeTagInfo, &info, sizeof info)) {
    exh_w32_set_errno();
    return false;
  }
  *attrs = info.FileAttributes;
  *tag = (info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? info.ReparseTag : 0;
  return true;
}

bool exh_w32_is_link(DWORD attrs, DWORD tag)
{
  return (attrs & FILE_ATTRIBUTE_REPARSE_POINT) && IsReparseTagNameSurrogate(tag);
}

/* The reparse tags of WSL's special files and of AF_UNIX sockets. */
#define TAG_AF_UNIX 0x80000023u
#define TAG_LX_FIFO 0x80000024u
#define TAG_LX_CHR 0x80000025u
#define TAG_LX_BLK 0x80000026u

exh_file_type exh_w32_type(DWORD attrs, DWORD tag)
{
  if (exh_w32_is_link(attrs, tag))
    return EXH_FT_LINK;
  if (attrs & FILE_ATTRIBUTE_REPARSE_POINT) {
    switch (tag) {
    case TAG_AF_UNIX:
      return EXH_FT_SOCK;
    case TAG_LX_FIFO:
      return EXH_FT_FIFO;
    case TAG_LX_CHR:
      return EXH_FT_CHR;
    case TAG_LX_BLK:
      return EXH_FT_BLK;
    default:
      break; /* deduplicated, compressed (WOF), cloud files: data as usual */
    }
  }
  if (attrs & FILE_ATTRIBUTE_DIRECTORY)
    return EXH_FT_DIR;
  if (attrs & FILE_ATTRIBUTE_DEVICE)
    return EXH_FT_CHR;
  return EXH_FT_REG;
}

HANDLE exh_w32_handle(int fd)
{
  intptr_t h = fd >= 0 ? _get_osfhandle(fd) : -1;
  if (h == -1 || h == -2) {
    errno = EBADF;
    return INVALID_HANDLE_VALUE;
  }
  return (HANDLE)h;
}

int exh_w32_fd(HANDLE h)
{
  int fd = _open_osfhandle((intptr_t)h, _O_BINARY);
  if (fd < 0) {
    CloseHandle(h);
    errno = EMFILE;
  }
  return fd;
}

uint64_t exh_w32_fold_id(const unsigned char id[16])
{
  uint64_t lo = 0, hi = 0;
  for (int i = 7; i >= 0; i--) {
    lo = lo << 8 | id[i];
    hi = hi << 8 | id[i + 8];
  }
  /* NTFS ids fit 64 bits (hi 0) and stay as they are; ReFS's 128-bit ones
   * are mixed so that ids differing in either half stay apart. */
  return hi ? lo ^ (hi * 0x9e3779b97f4a7c15u) : lo;
}

bool exh_w32_identity(HANDLE h, uint64_t *dev, uint64_t *ino)
{
  FILE_ID_INFO id;
  if (GetFileInformationByHandleEx(h, FileIdInfo, &id, sizeof id)) {
    *dev = id.VolumeSerialNumber;
    *ino = exh_w32_fold_id(id.FileId.Identifier);
    return true;
  }
  /* Before Windows 8 / Server 2012, or a file system without 128-bit ids. */
  BY_HANDLE_FILE_INFORMATION bh;
  if (!GetFileInformationByHandle(h, &bh)) {
    exh_w32_set_errno();
    return false;
  }
  *dev = bh.dwVolumeSerialNumber;
  *ino = (uint64_t)bh.nFileIndexHigh << 32 | bh.nFileIndexLow;
  return true;
}

/* 100 ns ticks from 1601-01-01 to 1970-01-01. */
#define EPOCH_TICKS 116444736000000000LL

exh_timespec exh_w32_time_of(int64_t ticks)
{
  int64_t t = ticks - EPOCH_TICKS;
  int64_t sec = t / 10000000, rem = t % 10000000;
  if (rem < 0) {
    sec--;
    rem += 10000000;
  }
  return (exh_timespec){sec, (long)(rem * 100)};
}

bool exh_w32_ticks_of(exh_timespec t, int64_t *ticks)
{
  const int64_t min_sec = -EPOCH_TICKS / 10000000,
                max_sec = (INT64_MAX - EPOCH_TICKS) / 10000000 - 1;
  if (t.sec < min_sec || t.sec > max_sec || t.nsec < 0 || t.nsec > 999999999)
    return false;
  *ticks = t.sec * 10000000 + t.nsec / 100 + EPOCH_TICKS;
  return *ticks >= 0;
}
