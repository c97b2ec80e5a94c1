/*
 * fs.c - files and their metadata on Windows; see platform/fs.h, and
 * win32_int.h for how names are opened.
 *
 * What a production server's administrator expects of a tool run on it,
 * and how this file keeps it:
 *   - nothing blocked: every open shares read, write and delete, so IIS
 *     and Exchange go on writing and rotating the logs being read; handles
 *     live as long as the caller's descriptor, nothing is cached;
 *   - nothing changed: evidence opens (exh_open_noatime_at) are read-only
 *     whatever the flags say, and tell the file system not to record the
 *     access (SetFileTime with -1, which needs FILE_WRITE_ATTRIBUTES, an
 *     access to the attributes, never to the data);
 *   - no link followed unasked: a reparse point is opened as itself first;
 *     a name surrogate (symbolic link, junction, mount point) is a link,
 *     ELOOP under EXH_O_NOFOLLOW; other reparse points (deduplicated,
 *     WOF-compressed, cloud files) are files whose data their filter
 *     serves, so they are opened again through it, checked to be the same
 *     file;
 *   - a clear answer: Win32 errors become errno names in one table
 *     (path.c), a file opened elsewhere without sharing is EBUSY.
 *
 * Descriptors are C runtime descriptors over the handles (_open_osfhandle),
 * but I/O goes to the handle itself: ReadFile and WriteFile, so errors keep
 * their Win32 codes and a descriptor has no text mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "core/alloc.h"
#include "platform/process.h"
#include "platform/thread.h"
#include "win32_int.h"

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)

/* Information classes NtSetInformationFile takes that winternl.h does not
 * name. */
#define CLASS_DISPOSITION ((FILE_INFORMATION_CLASS)13)
#define CLASS_DISPOSITION_EX ((FILE_INFORMATION_CLASS)64)
#define CLASS_RENAME ((FILE_INFORMATION_CLASS)10)
#define CLASS_LINK ((FILE_INFORMATION_CLASS)11)
#define CLASS_RENAME_EX ((FILE_INFORMATION_CLASS)65)
#define CLASS_ACCESS ((FILE_INFORMATION_CLASS)8)

#define RENAME_REPLACE_IF_EXISTS 0x1u
#define RENAME_POSIX_SEMANTICS 0x2u
#define RENAME_IGNORE_READONLY 0x40u

#define DISPOSITION_DELETE 0x1u
#define DISPOSITION_POSIX_SEMANTICS 0x2u
#define DISPOSITION_IGNORE_READONLY 0x10u

/* The NTSTATUS of an information class this system or file system does
 * not have (the Ex forms came with Windows 10): try the older one. */
static bool class_unsupported(NTSTATUS st)
{
  return st == (NTSTATUS)0xC0000003L    /* STATUS_INVALID_INFO_CLASS */
         || st == (NTSTATUS)0xC000000DL /* STATUS_INVALID_PARAMETER */
         || st == (NTSTATUS)0xC00000BBL /* STATUS_NOT_SUPPORTED */
         || st == (NTSTATUS)0xC0000002L /* STATUS_NOT_IMPLEMENTED */;
}

/* The access a handle was opened with (0 when it cannot be told). */
static ACCESS_MASK access_of(HANDLE h)
{
  IO_STATUS_BLOCK io;
  ACCESS_MASK a = 0;
  return NT_SUCCESS(NtQueryInformationFile(h, &io, &a, sizeof a, CLASS_ACCESS)) ? a : 0;
}

/* What an exhunt open asks for, as access rights, disposition and
 * options. */
static exh_w32_open open_spec(unsigned flags)
{
  exh_w32_open o = {.share = SHARE_ALL, .disposition = FILE_OPEN};
  if (flags & EXH_O_SEARCH) {
    o.access = FILE_READ_ATTRIBUTES; /* reach what is below, read nothing */
  } else {
    bool read = !(flags & EXH_O_WRITE) || (flags & EXH_O_RDWR);
    bool write = (flags & (EXH_O_WRITE | EXH_O_RDWR)) != 0;
    o.access = FILE_READ_ATTRIBUTES;
    if (read)
      o.access |= FILE_READ_DATA;
    /* Appending: FILE_APPEND_DATA without FILE_WRITE_DATA makes the file
     * system put every write at the end, atomically, as O_APPEND does. */
    if (write)
      o.access |=
          FILE_WRITE_ATTRIBUTES | FILE_APPEND_DATA | ((flags & EXH_O_APPEND) ? 0 : FILE_WRITE_DATA);
  }
  if (flags & EXH_O_CREATE)
    o.disposition = (flags & EXH_O_EXCL) ? FILE_CREATE : FILE_OPEN_IF;
  o.options = FILE_OPEN_REPARSE_POINT;
  return o;
}

/* Opens n as o says, then decides about a reparse point: a link is ELOOP
 * when `nofollow`, else followed; another reparse point is opened through
 * its filter (same file, checked). The final handle, or
 * INVALID_HANDLE_VALUE with errno. *attrs gets its attributes. */
static HANDLE open_resolved(const exh_w32_name *n, exh_w32_open o, bool nofollow, DWORD *attrs)
{
  HANDLE h = exh_w32_open_name(n, &o);
  DWORD tag = 0;
  if (h == INVALID_HANDLE_VALUE)
    return h;
  if (!exh_w32_attr_tag(h, attrs, &tag))
    goto fail;
  if (!(*attrs & FILE_ATTRIBUTE_REPARSE_POINT))
    return h;
  exh_file_type t = exh_w32_type(*attrs, tag);
  if (t == EXH_FT_LINK && nofollow) {
    CloseHandle(h);
    errno = ELOOP;
    return INVALID_HANDLE_VALUE;
  }
  if (t != EXH_FT_LINK && t != EXH_FT_REG && t != EXH_FT_DIR)
    return h; /* a WSL FIFO or device, an AF_UNIX socket: only the reparse point opens */
  uint64_t dev0 = 0, ino0 = 0, dev1 = 0, ino1 = 0;
  if (t != EXH_FT_LINK && !exh_w32_identity(h, &dev0, &ino0))
    goto fail;
  CloseHandle(h);
  o.options &= ~(ULONG)FILE_OPEN_REPARSE_POINT;
  o.disposition = FILE_OPEN;
  h = exh_w32_open_name(n, &o);
  if (h == INVALID_HANDLE_VALUE)
    return h;
  if (!exh_w32_attr_tag(h, attrs, &tag))
    goto fail;
  if (t != EXH_FT_LINK) {
    /* Replaced by a link between the two opens: the second followed it. */
    if (!exh_w32_identity(h, &dev1, &ino1))
      goto fail;
    if (dev0 != dev1 || ino0 != ino1) {
      errno = nofollow ? ELOOP : EAGAIN;
      goto fail;
    }
  }
  return h;

fail:;
  int e = errno;
  CloseHandle(h);
  errno = e;
  return INVALID_HANDLE_VALUE;
}

/* open_resolved, then the checks the flags ask for. */
static HANDLE open_checked(int dirfd, const char *name, unsigned flags, exh_w32_open o)
{
  exh_w32_name n;
  if (exh_w32_name_of(dirfd, name, &n) != 0)
    return INVALID_HANDLE_VALUE;
  DWORD attrs = 0;
  HANDLE h = open_resolved(&n, o, (flags & EXH_O_NOFOLLOW) != 0, &attrs);
  exh_w32_name_free(&n);
  if (h == INVALID_HANDLE_VALUE)
    return h;
  bool dir = (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0;
  int e = 0;
  if ((flags & EXH_O_DIRECTORY) && !dir)
    e = ENOTDIR;
  else if (dir && (o.access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
    e = EISDIR;
  if (e) {
    CloseHandle(h);
    errno = e;
    return INVALID_HANDLE_VALUE;
  }
  return h;
}

int exh_open_at(int dirfd, const char *name, unsigned flags, unsigned mode)
{
  (void)mode; /* a new file takes its folder's inherited ACL (docs/porting.md) */
  HANDLE h = open_checked(dirfd, name, flags, open_spec(flags));
  return h == INVALID_HANDLE_VALUE ? -1 : exh_w32_fd(h);
}

int exh_open(const char *path, unsigned flags, unsigned mode)
{
  return exh_open_at(EXH_AT_CWD, path, flags, mode);
}

int exh_open_noatime_at(int dirfd, const char *name, unsigned flags, bool *noatime_refused)
{
  /* Read-only whatever the flags: no create, no write, no truncate. */
  flags &= ~(unsigned)(EXH_O_WRITE | EXH_O_RDWR | EXH_O_CREATE | EXH_O_EXCL | EXH_O_APPEND);
  exh_w32_open o = open_spec(flags);
  *noatime_refused = false;
  o.access |= FILE_WRITE_ATTRIBUTES;
  HANDLE h = open_checked(dirfd, name, flags, o);
  if (h != INVALID_HANDLE_VALUE) {
    /* -1 for the last-access time: no operation on this handle updates it. */
    FILETIME keep = {0xFFFFFFFFu, 0xFFFFFFFFu};
    if (SetFileTime(h, NULL, &keep, NULL))
      return exh_w32_fd(h);
    CloseHandle(h);
  } else if (errno != EACCES && errno != EPERM && errno != EROFS && errno != EOPNOTSUPP &&
             errno != EINVAL) {
    return -1; /* not a refusal of the attribute access: the same again */
  }
  /* Refused (read-only media, a volume or ACL that denies the attributes):
   * read without it, and say so. */
  h = open_checked(dirfd, name, flags, open_spec(flags));
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  *noatime_refused = true;
  return exh_w32_fd(h);
}

void exh_set_blocking(int fd)
{
  (void)fd; /* a file handle never blocks on open: nothing to clear */
}

int exh_close(int fd)
{
  return _close(fd);
}

int exh_dup(int fd)
{
  HANDLE h = exh_w32_handle(fd), copy;
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &copy, 0, FALSE,
                       DUPLICATE_SAME_ACCESS)) {
    exh_w32_set_errno();
    return -1;
  }
  return exh_w32_fd(copy);
}

/* ReadFile and WriteFile take a DWORD count. */
#define IO_MAX (1u << 30)

exh_ssize exh_read(int fd, void *buf, size_t n)
{
  HANDLE h = exh_w32_handle(fd);
  DWORD got = 0;
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  if (!ReadFile(h, buf, (DWORD)(n < IO_MAX ? n : IO_MAX), &got, NULL)) {
    DWORD e = GetLastError();
    if (e == ERROR_HANDLE_EOF || e == ERROR_BROKEN_PIPE)
      return 0;
    errno = exh_w32_errno(e);
    return -1;
  }
  return (exh_ssize)got;
}

exh_ssize exh_pread(int fd, void *buf, size_t n, uint64_t offset)
{
  HANDLE h = exh_w32_handle(fd);
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  if (offset > (uint64_t)INT64_MAX) {
    errno = EINVAL;
    return -1;
  }
  /* A positioned read on a synchronous handle moves its file pointer:
   * put it back, as pread leaves the offset alone. */
  LARGE_INTEGER zero = {0}, here;
  bool restore = SetFilePointerEx(h, zero, &here, FILE_CURRENT) != 0;
  OVERLAPPED ov = {0};
  ov.Offset = (DWORD)offset;
  ov.OffsetHigh = (DWORD)(offset >> 32);
  DWORD got = 0;
  BOOL ok = ReadFile(h, buf, (DWORD)(n < IO_MAX ? n : IO_MAX), &got, &ov);
  DWORD e = ok ? 0 : GetLastError();
  if (restore)
    SetFilePointerEx(h, here, NULL, FILE_BEGIN);
  if (!ok) {
    if (e == ERROR_HANDLE_EOF)
      return 0;
    errno = exh_w32_errno(e);
    return -1;
  }
  return (exh_ssize)got;
}

exh_ssize exh_write(int fd, const void *buf, size_t n)
{
  HANDLE h = exh_w32_handle(fd);
  DWORD put = 0;
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  if (!WriteFile(h, buf, (DWORD)(n < IO_MAX ? n : IO_MAX), &put, NULL)) {
    exh_w32_set_errno();
    return -1;
  }
  return (exh_ssize)put;
}

/* A second handle on the same file with `access`, for a call the
 * descriptor's own access does not allow (a truncate on an append-only
 * handle). */
static HANDLE reopen(HANDLE h, ACCESS_MASK access)
{
  HANDLE again = ReOpenFile(h, access, SHARE_ALL, FILE_FLAG_BACKUP_SEMANTICS);
  if (again == INVALID_HANDLE_VALUE)
    exh_w32_set_errno();
  return again;
}

int exh_ftruncate(int fd, uint64_t size)
{
  HANDLE h = exh_w32_handle(fd);
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  if (size > (uint64_t)INT64_MAX) {
    errno = EINVAL;
    return -1;
  }
  /* Only a descriptor opened for writing cuts its file, checked here and
   * not left to the file system: an evidence descriptor holds
   * FILE_WRITE_ATTRIBUTES, which some (wine) let truncate. */
  ACCESS_MASK access = access_of(h);
  if (!(access & (FILE_WRITE_DATA | FILE_APPEND_DATA))) {
    errno = EINVAL;
    return -1;
  }
  FILE_END_OF_FILE_INFO eof;
  eof.EndOfFile.QuadPart = (LONGLONG)size;
  if (access & FILE_WRITE_DATA) {
    if (SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof))
      return 0;
    exh_w32_set_errno();
    return -1;
  }
  /* Append-only (EXH_O_APPEND) may cut its file, as O_APPEND may: through a
   * second handle with the write access the first left out on purpose. */
  HANDLE w = reopen(h, FILE_WRITE_DATA);
  if (w == INVALID_HANDLE_VALUE)
    return -1;
  int rc = 0;
  if (!SetFileInformationByHandle(w, FileEndOfFileInfo, &eof, sizeof eof)) {
    exh_w32_set_errno();
    rc = -1;
  }
  CloseHandle(w);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Metadata.                                                               */

/* The permission bits a Windows file shows, as the C runtime's stat gives
 * them: readable by all, writable unless read-only, directories
 * searchable. Owners and ACLs are not POSIX bits (docs/porting.md). */
static uint32_t mode_of(DWORD attrs)
{
  uint32_t m = (attrs & FILE_ATTRIBUTE_READONLY) ? 0444 : 0666;
  return (attrs & FILE_ATTRIBUTE_DIRECTORY) ? m | 0111 : m;
}

static int stat_handle(HANDLE h, exh_stat *st)
{
  FILE_BASIC_INFO basic;
  FILE_STANDARD_INFO std;
  DWORD attrs, tag;
  if (!GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic) ||
      !GetFileInformationByHandleEx(h, FileStandardInfo, &std, sizeof std)) {
    exh_w32_set_errno();
    return -1;
  }
  if (!exh_w32_attr_tag(h, &attrs, &tag) || !exh_w32_identity(h, &st->dev, &st->ino))
    return -1;
  st->type = exh_w32_type(attrs, tag);
  st->mode = mode_of(attrs);
  /* A name being deleted is no name: a file whose last link is delete
   * pending (an unnamed temporary file) has none left. */
  st->nlink = std.NumberOfLinks;
  if (std.DeletePending && st->nlink > 0)
    st->nlink--;
  st->size = st->type == EXH_FT_DIR ? 0 : std.EndOfFile.QuadPart;
  st->uid = st->gid = 0;
  st->atime = exh_w32_time_of(basic.LastAccessTime.QuadPart);
  st->mtime = exh_w32_time_of(basic.LastWriteTime.QuadPart);
  st->ctime = exh_w32_time_of(basic.ChangeTime.QuadPart);
  return 0;
}

int exh_fstat(int fd, exh_stat *st)
{
  HANDLE h = exh_w32_handle(fd);
  return h == INVALID_HANDLE_VALUE ? -1 : stat_handle(h, st);
}

int exh_stat_at(int dirfd, const char *name, unsigned flags, exh_stat *st)
{
  /* Attributes only: no data access, so no share mode can refuse it and
   * no access time moves. */
  exh_w32_open o = {.access = FILE_READ_ATTRIBUTES,
                    .share = SHARE_ALL,
                    .disposition = FILE_OPEN,
                    .options = FILE_OPEN_REPARSE_POINT};
  exh_w32_name n;
  if (exh_w32_name_of(dirfd, name, &n) != 0)
    return -1;
  HANDLE h = exh_w32_open_name(&n, &o);
  DWORD attrs, tag;
  int rc = -1;
  if (h == INVALID_HANDLE_VALUE)
    goto cleanup;
  if (!(flags & EXH_AT_NOFOLLOW)) {
    if (!exh_w32_attr_tag(h, &attrs, &tag))
      goto cleanup;
    if (exh_w32_is_link(attrs, tag)) {
      CloseHandle(h);
      o.options = 0;
      if ((h = exh_w32_open_name(&n, &o)) == INVALID_HANDLE_VALUE)
        goto cleanup;
    }
  }
  rc = stat_handle(h, st);

cleanup:
  if (h != INVALID_HANDLE_VALUE) {
    int e = errno;
    CloseHandle(h);
    errno = e;
  }
  exh_w32_name_free(&n);
  return rc;
}

int exh_stat_path(const char *path, exh_stat *st)
{
  return exh_stat_at(EXH_AT_CWD, path, 0, st);
}

int exh_lstat_path(const char *path, exh_stat *st)
{
  return exh_stat_at(EXH_AT_CWD, path, EXH_AT_NOFOLLOW, st);
}

/* Opens the path, following links, with `access` only. */
static HANDLE open_path(const char *path, ACCESS_MASK access)
{
  exh_w32_open o = {.access = access, .share = SHARE_ALL, .disposition = FILE_OPEN};
  return exh_w32_open_at(EXH_AT_CWD, path, &o);
}

bool exh_readable(const char *path)
{
  HANDLE h = open_path(path, FILE_READ_DATA);
  if (h == INVALID_HANDLE_VALUE)
    return false;
  CloseHandle(h);
  return true;
}

int exh_fchmod(int fd, uint32_t mode)
{
  /* The one permission bit a Windows file has: read-only, from the
   * owner's write bit. */
  HANDLE h = exh_w32_handle(fd);
  FILE_BASIC_INFO basic;
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  if (!GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic)) {
    exh_w32_set_errno();
    return -1;
  }
  DWORD attrs = basic.FileAttributes;
  attrs = (mode & 0200) ? attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY : attrs | FILE_ATTRIBUTE_READONLY;
  if (attrs == basic.FileAttributes)
    return 0;
  memset(&basic, 0, sizeof basic); /* times 0: left as they are */
  basic.FileAttributes = attrs ? attrs : FILE_ATTRIBUTE_NORMAL;
  if (!SetFileInformationByHandle(h, FileBasicInfo, &basic, sizeof basic)) {
    exh_w32_set_errno();
    return -1;
  }
  return 0;
}

int exh_fchown(int fd, uint32_t uid, uint32_t gid)
{
  /* exh_stat says 0 for every owner: giving that back changes nothing;
   * any other numeric owner has no meaning here. */
  if (exh_w32_handle(fd) == INVALID_HANDLE_VALUE)
    return -1;
  if (uid != 0 || gid != 0) {
    errno = EPERM;
    return -1;
  }
  return 0;
}

int exh_set_times(int fd, exh_timespec atime, exh_timespec mtime)
{
  HANDLE h = exh_w32_handle(fd);
  int64_t a, m;
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  if (!exh_w32_ticks_of(atime, &a) || !exh_w32_ticks_of(mtime, &m) || a == 0 || m == 0) {
    errno = EINVAL; /* before 1601 (or exactly then: 0 means "unchanged") */
    return -1;
  }
  FILETIME fa = {(DWORD)a, (DWORD)(a >> 32)}, fm = {(DWORD)m, (DWORD)(m >> 32)};
  if (!SetFileTime(h, NULL, &fa, &fm)) {
    exh_w32_set_errno();
    return -1;
  }
  return 0;
}

/* The final path of an open file as the seam gives paths: a drive letter
 * and '/' ("C:/inetpub/wwwroot"), "//server/share/..." for UNC, and the
 * volume GUID form ("//?/Volume{...}/...") for a volume without a letter. */
static bool final_path(HANDLE h, char *out, size_t cap)
{
  DWORD wcap = 32768;
  wchar_t *w = exh_malloc(wcap * sizeof *w);
  bool ok = false;
  if (!w) {
    errno = ENOMEM;
    return false;
  }
  DWORD len = GetFinalPathNameByHandleW(h, w, wcap, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (len == 0)
    len = GetFinalPathNameByHandleW(h, w, wcap, FILE_NAME_NORMALIZED | VOLUME_NAME_GUID);
  if (len == 0 || len >= wcap) {
    if (len == 0)
      exh_w32_set_errno();
    else
      errno = ENAMETOOLONG;
    goto cleanup;
  }
  const wchar_t *p = w;
  size_t n = len;
  if (wcsncmp(w, L"\\\\?\\UNC\\", 8) == 0) {
    p = w + 6; /* keep two separators: \\server\share */
    n -= 6;
    w[6] = L'\\';
  } else if (wcsncmp(w, L"\\\\?\\", 4) == 0 && len >= 6 && w[5] == L':') {
    p = w + 4;
    n -= 4;
  }
  if (!exh_w32_utf8(p, n, out, cap))
    goto cleanup;
  for (char *c = out; *c; c++)
    if (*c == '\\')
      *c = '/';
  ok = true;

cleanup:
  exh_free(w);
  return ok;
}

bool exh_realpath(const char *path, char out[EXH_PATH_MAX])
{
  HANDLE h = open_path(path, FILE_READ_ATTRIBUTES);
  if (h == INVALID_HANDLE_VALUE)
    return false;
  bool ok = final_path(h, out, EXH_PATH_MAX);
  int e = errno;
  CloseHandle(h);
  errno = e;
  return ok;
}

const char *exh_fs_pseudo_name(int dirfd)
{
  (void)dirfd; /* no kernel pseudo file system lives under a drive */
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Names in directories.                                                   */

int exh_mkdir_at(int dirfd, const char *name, unsigned mode)
{
  (void)mode; /* the folder inherits its parent's ACL (docs/porting.md) */
  exh_w32_name n;
  if (exh_w32_name_of(dirfd, name, &n) != 0)
    return -1;
  int rc = 0;
  if (n.root) {
    exh_w32_open o = {.access = FILE_LIST_DIRECTORY,
                      .share = SHARE_ALL,
                      .disposition = FILE_CREATE,
                      .options = FILE_DIRECTORY_FILE | FILE_OPEN_REPARSE_POINT};
    HANDLE h = exh_w32_open_name(&n, &o);
    if (h == INVALID_HANDLE_VALUE)
      rc = -1;
    else
      CloseHandle(h);
  } else if (!CreateDirectoryW(n.w, NULL)) {
    exh_w32_set_errno();
    rc = -1;
  }
  exh_w32_name_free(&n);
  return rc;
}

/* Marks the file open as h for deletion: at once where the file system
 * has POSIX semantics (NTFS on Windows 10 1709 and later: the name goes
 * now, the data when the last handle closes), else when the last handle
 * closes. A read-only file is deleted all the same, as unlink does. */
static int delete_by_handle(HANDLE h)
{
  IO_STATUS_BLOCK io;
  /* Ignoring the read-only attribute came a release after POSIX deletes
   * (1809, 1709): without it the attribute is cleared first, below. */
  ULONG ex = DISPOSITION_DELETE | DISPOSITION_POSIX_SEMANTICS | DISPOSITION_IGNORE_READONLY;
  NTSTATUS st = NtSetInformationFile(h, &io, &ex, sizeof ex, CLASS_DISPOSITION_EX);
  if (NT_SUCCESS(st))
    return 0;
  if (!class_unsupported(st)) {
    exh_w32_set_errno_nt(st);
    return -1;
  }
  FILE_BASIC_INFO basic;
  bool was_readonly = GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic) &&
                      (basic.FileAttributes & FILE_ATTRIBUTE_READONLY);
  if (was_readonly) {
    FILE_BASIC_INFO clear = {0};
    clear.FileAttributes = basic.FileAttributes & ~(DWORD)FILE_ATTRIBUTE_READONLY;
    if (!clear.FileAttributes)
      clear.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    SetFileInformationByHandle(h, FileBasicInfo, &clear, sizeof clear);
  }
  BOOLEAN del = TRUE;
  st = NtSetInformationFile(h, &io, &del, sizeof del, CLASS_DISPOSITION);
  if (NT_SUCCESS(st))
    return 0;
  exh_w32_set_errno_nt(st);
  if (was_readonly) {
    FILE_BASIC_INFO back = {0};
    back.FileAttributes = basic.FileAttributes;
    SetFileInformationByHandle(h, FileBasicInfo, &back, sizeof back);
  }
  return -1;
}

int exh_unlink_at(int dirfd, const char *name, bool dir)
{
  /* The name itself: a link is removed, never what it points to. */
  exh_w32_open o = {.access = DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES,
                    .share = SHARE_ALL,
                    .disposition = FILE_OPEN,
                    .options = FILE_OPEN_REPARSE_POINT};
  HANDLE h = exh_w32_open_at(dirfd, name, &o);
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  DWORD attrs, tag;
  int rc = -1;
  if (!exh_w32_attr_tag(h, &attrs, &tag))
    goto cleanup;
  bool is_dir = (attrs & FILE_ATTRIBUTE_DIRECTORY) && !exh_w32_is_link(attrs, tag);
  if (dir && !is_dir) {
    errno = ENOTDIR;
    goto cleanup;
  }
  if (!dir && is_dir) {
    errno = EISDIR;
    goto cleanup;
  }
  rc = delete_by_handle(h);

cleanup:;
  int e = errno;
  CloseHandle(h);
  errno = e;
  return rc;
}

/* The information block of a rename or a hard link (the same layout):
 * `to` relative to its directory's handle, or as an NT path (\??\...).
 * exh_malloc'd; NULL with errno. */
static FILE_RENAME_INFORMATION *target_info(const exh_w32_name *to, bool replace, ULONG *size)
{
  size_t bytes = to->len * sizeof(wchar_t);
  *size = (ULONG)(offsetof(FILE_RENAME_INFORMATION, FileName) + bytes + sizeof(wchar_t));
  FILE_RENAME_INFORMATION *info = exh_calloc(1, *size);
  if (!info) {
    errno = ENOMEM;
    return NULL;
  }
  info->ReplaceIfExists = replace;
  info->RootDirectory = to->root;
  info->FileNameLength = (ULONG)bytes;
  memcpy(info->FileName, to->w, bytes);
  if (!to->root) /* \\?\C:\x and \\.\x are \??\C:\x and \??\x to NT */
    info->FileName[1] = info->FileName[2] = L'?';
  return info;
}

/* Gives the file at from (under fromdir) the name `to` (under todir), as a
 * rename (`link` false) or an extra hard link. */
static int name_again(int fromdir, const char *from, int todir, const char *to, bool link,
                      bool replace)
{
  /* MoveFileExW and CreateHardLinkW take paths; with directory handles the
   * same is one NtSetInformationFile on the source, its target relative to
   * the target directory's handle. The source opens as itself (a link is
   * renamed, not followed), with FILE_WRITE_THROUGH: what
   * MOVEFILE_WRITE_THROUGH asks for, the rename on disk when this returns. */
  exh_w32_open o = {.access = link ? FILE_WRITE_ATTRIBUTES : DELETE,
                    .share = SHARE_ALL,
                    .disposition = FILE_OPEN,
                    .options = FILE_OPEN_REPARSE_POINT | FILE_WRITE_THROUGH};
  exh_w32_name src, dst = {0};
  FILE_RENAME_INFORMATION *info = NULL;
  HANDLE h = INVALID_HANDLE_VALUE;
  int rc = -1;
  if (exh_w32_name_of(fromdir, from, &src) != 0)
    return -1;
  if (exh_w32_name_of(todir, to, &dst) != 0)
    goto cleanup;
  if (dst.len == 0) { /* "." as the target: the directory itself */
    errno = link ? EEXIST : EBUSY;
    goto cleanup;
  }
  if ((h = exh_w32_open_name(&src, &o)) == INVALID_HANDLE_VALUE)
    goto cleanup;
  ULONG size;
  if (!(info = target_info(&dst, replace, &size)))
    goto cleanup;
  IO_STATUS_BLOCK io;
  NTSTATUS st;
  if (link) {
    st = NtSetInformationFile(h, &io, info, size, CLASS_LINK);
  } else {
    /* POSIX semantics (Windows 10 1709 and later, NTFS): the target is
     * replaced even while open (readers share delete), read-only or not,
     * as rename(2) does; the classic form refuses an open target. The Ex
     * block is the classic one with a flags word where ReplaceIfExists
     * was. */
    ULONG ex =
        RENAME_POSIX_SEMANTICS | RENAME_IGNORE_READONLY | (replace ? RENAME_REPLACE_IF_EXISTS : 0);
    memcpy(info, &ex, sizeof ex);
    st = NtSetInformationFile(h, &io, info, size, CLASS_RENAME_EX);
    if (class_unsupported(st)) { /* the read-only flag came later (1809) */
      ex &= ~RENAME_IGNORE_READONLY;
      memcpy(info, &ex, sizeof ex);
      st = NtSetInformationFile(h, &io, info, size, CLASS_RENAME_EX);
    }
    if (class_unsupported(st)) {
      ex = 0;
      memcpy(info, &ex, sizeof ex);
      info->ReplaceIfExists = replace;
      /* The classic form refuses to replace a target someone has open: a
       * reader holds it for the moment of a read, so try again for up to
       * about 0.1 s before saying EACCES. */
      for (int tries = 0; tries < 50; tries++) {
        st = NtSetInformationFile(h, &io, info, size, CLASS_RENAME);
        if (!replace || st != (NTSTATUS)0xC0000022L /* STATUS_ACCESS_DENIED */)
          break;
        Sleep(2);
      }
    }
  }
  if (!NT_SUCCESS(st)) {
    exh_w32_set_errno_nt(st);
    goto cleanup;
  }
  rc = 0;

cleanup:;
  int e = errno;
  if (h != INVALID_HANDLE_VALUE)
    CloseHandle(h);
  exh_free(info);
  exh_w32_name_free(&src);
  exh_w32_name_free(&dst);
  errno = e;
  return rc;
}

int exh_rename_at(int fromdir, const char *from, int todir, const char *to, unsigned flags)
{
  return name_again(fromdir, from, todir, to, false, !(flags & EXH_RENAME_NOREPLACE));
}

int exh_link_at(int fromdir, const char *from, int todir, const char *to)
{
  return name_again(fromdir, from, todir, to, true, false);
}

int exh_fsync(int fd)
{
  HANDLE h = exh_w32_handle(fd);
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  FILE_STANDARD_INFO std;
  if (GetFileInformationByHandleEx(h, FileStandardInfo, &std, sizeof std) && std.Directory)
    return 0; /* NTFS logs name changes itself: nothing to flush on a folder (docs/porting.md) */
  if (FlushFileBuffers(h))
    return 0;
  /* FlushFileBuffers needs write access. A descriptor without it wrote
   * nothing to flush, and no file is reopened for writing to sync it (it
   * may be evidence): success, as fsync on a read-only descriptor is. */
  if (GetLastError() == ERROR_ACCESS_DENIED &&
      !(access_of(h) & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
    return 0;
  exh_w32_set_errno();
  return -1;
}

int exh_lock_nowait(int fd, bool exclusive)
{
  HANDLE h = exh_w32_handle(fd);
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  OVERLAPPED ov = {0};
  DWORD flags = LOCKFILE_FAIL_IMMEDIATELY | (exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0);
  if (LockFileEx(h, flags, 0, MAXDWORD, MAXDWORD, &ov))
    return 0;
  DWORD e = GetLastError();
  errno = e == ERROR_LOCK_VIOLATION || e == ERROR_IO_PENDING ? EWOULDBLOCK : exh_w32_errno(e);
  return -1;
}

/* ---------------------------------------------------------------------- */
/* Temporary files.                                                        */

static char tmp_dir[EXH_PATH_MAX];
static exh_once tmp_dir_once = EXH_ONCE_INIT;

static void find_tmp_dir(void)
{
  wchar_t w[MAX_PATH + 2];
  DWORD len = GetTempPathW(MAX_PATH + 2, w);
  if (len == 0 || len > MAX_PATH + 1 || !exh_w32_utf8(w, len, tmp_dir, sizeof tmp_dir)) {
    snprintf(tmp_dir, sizeof tmp_dir, "C:/Windows/Temp");
    return;
  }
  size_t n = strlen(tmp_dir);
  for (size_t i = 0; i < n; i++)
    if (tmp_dir[i] == '\\')
      tmp_dir[i] = '/';
  while (n > 3 && tmp_dir[n - 1] == '/') /* keep "C:/" */
    tmp_dir[--n] = '\0';
}

const char *exh_tmp_dir_default(void)
{
  /* Asked of the system once; the same for the process's life. */
  exh_call_once(&tmp_dir_once, find_tmp_dir);
  return tmp_dir;
}

int exh_tmpfile_at(int dirfd, const char *dir)
{
  /* A random name nobody else can open while it exists (no sharing), the
   * file deleted when its last handle closes however the process ends
   * (FILE_DELETE_ON_CLOSE), and its name removed now where the file
   * system allows (POSIX delete semantics), so it has none, as O_TMPFILE. */
  exh_w32_open o = {.access = FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES |
                              FILE_WRITE_ATTRIBUTES | DELETE,
                    .share = 0,
                    .disposition = FILE_CREATE,
                    .options = FILE_DELETE_ON_CLOSE | FILE_OPEN_REPARSE_POINT,
                    .attributes = FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_HIDDEN |
                                  FILE_ATTRIBUTE_NOT_CONTENT_INDEXED};
  for (int attempt = 0; attempt < 8; attempt++) {
    unsigned char r[8];
    if (exh_random_bytes(r, sizeof r) != 0)
      return -1;
    char name[EXH_PATH_MAX + 40];
    int len = dirfd == EXH_AT_CWD ? snprintf(name, sizeof name, "%s/", dir) : 0;
    if (len < 0 || (size_t)len >= sizeof name - 32) {
      errno = ENAMETOOLONG;
      return -1;
    }
    len += snprintf(name + len, sizeof name - (size_t)len, "exhunt-tmp-");
    for (size_t i = 0; i < sizeof r; i++)
      len += snprintf(name + len, sizeof name - (size_t)len, "%02x", r[i]);
    HANDLE h = exh_w32_open_at(dirfd, name, &o);
    if (h == INVALID_HANDLE_VALUE) {
      if (errno == EEXIST)
        continue;
      return -1;
    }
    delete_by_handle(h); /* best effort: FILE_DELETE_ON_CLOSE holds anyway */
    return exh_w32_fd(h);
  }
  errno = EEXIST;
  return -1;
}
