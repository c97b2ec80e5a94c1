/*
 * win32_int.h - what the Windows files of the seam share (internal to
 * lib/platform/win32/): Win32 and NTSTATUS errors as errno names, UTF-8
 * paths made into the wide names the system opens, and the one open every
 * file call goes through.
 *
 * Where a name is opened (see path.c for the why):
 *   - relative to a directory descriptor: NtCreateFile with RootDirectory
 *     set to the directory's handle and the name as it is (no path rules
 *     apply to it, so no MAX_PATH, no trailing-dot or device-name games);
 *   - a path (EXH_AT_CWD, an absolute name, or a relative one with ".."):
 *     CreateFileW on the full path with the \\?\ prefix.
 * Either way: share read, write and delete always; backup semantics
 * (FILE_FLAG_BACKUP_SEMANTICS: directories open, and SeBackupPrivilege, when
 * enabled, is used); a reparse point opened as itself first, so that no
 * link is followed without the caller's say.
 */
#ifndef EXH_PLATFORM_WIN32_INT_H
#define EXH_PLATFORM_WIN32_INT_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <winternl.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/fs.h"

/* ---------------------------------------------------------------------- */
/* Errors (path.c).                                                        */

/* The POSIX errno name for a Win32 error (GetLastError()); EIO for one the
 * table does not know. */
int exh_w32_errno(DWORD err);
/* errno = exh_w32_errno(GetLastError()); for a NTSTATUS, through
 * RtlNtStatusToDosError. */
void exh_w32_set_errno(void);
void exh_w32_set_errno_nt(NTSTATUS st);

/* ---------------------------------------------------------------------- */
/* Names.                                                                  */

/* Where a name opens: relative to `root` (a directory handle, borrowed
 * from a descriptor) when root is set, else the absolute Win32 path `w`
 * (starting \\?\ or \\.\). `w` is NUL-terminated, `len` units long, and
 * points into `small` or to owned memory. */
typedef struct exh_w32_name {
  HANDLE root;
  wchar_t *w;
  size_t len;
  wchar_t small[272];
} exh_w32_name;

/* Resolves `name` under `dirfd` (EXH_AT_CWD, or an absolute name: a path
 * in any form the user can type, '/' or '\\'). 0, or -1 with errno:
 * EILSEQ (not UTF-8), ENOENT (empty), EBADF, ENAMETOOLONG, ENOMEM. */
int exh_w32_name_of(int dirfd, const char *name, exh_w32_name *n);
void exh_w32_name_free(exh_w32_name *n);

/* UTF-8 into a new wide string (exh_malloc'd; *len units); NULL with
 * errno EILSEQ or ENOMEM. */
wchar_t *exh_w32_wide(const char *s, size_t *len);
/* Wide text (len units) into out (cap bytes) as UTF-8 (WTF-8); false with
 * errno ENAMETOOLONG when it does not fit. */
bool exh_w32_utf8(const wchar_t *w, size_t len, char *out, size_t cap);

/* ---------------------------------------------------------------------- */
/* Opening.                                                                */

typedef struct exh_w32_open {
  ACCESS_MASK access; /* SYNCHRONIZE is added */
  ULONG disposition;  /* FILE_OPEN, FILE_CREATE or FILE_OPEN_IF */
  /* FILE_OPEN_REPARSE_POINT, FILE_DELETE_ON_CLOSE, FILE_WRITE_THROUGH,
   * FILE_DIRECTORY_FILE (with FILE_CREATE: make a directory). */
  ULONG options;
  ULONG attributes; /* of a file created */
  ULONG share;      /* 0: read, write and delete */
} exh_w32_open;

/* Opens n as `o` says; INVALID_HANDLE_VALUE with errno. */
HANDLE exh_w32_open_name(const exh_w32_name *n, const exh_w32_open *o);
/* exh_w32_name_of then exh_w32_open_name. */
HANDLE exh_w32_open_at(int dirfd, const char *name, const exh_w32_open *o);

/* A file's attributes and reparse tag (0 when not a reparse point); false
 * with errno. */
bool exh_w32_attr_tag(HANDLE h, DWORD *attrs, DWORD *tag);
/* Is it a link in the seam's sense: a name-surrogate reparse point
 * (symbolic link, junction, volume mount point, WSL symlink)? */
bool exh_w32_is_link(DWORD attrs, DWORD tag);
/* exhunt's type of a file with these attributes and tag. */
exh_file_type exh_w32_type(DWORD attrs, DWORD tag);

/* The handle under a descriptor, or INVALID_HANDLE_VALUE (errno EBADF). */
HANDLE exh_w32_handle(int fd);
/* A descriptor owning h (closed on failure: -1, errno EMFILE). */
int exh_w32_fd(HANDLE h);

/* (dev, ino) of an open file, the way exh_stat and exh_dir_next give
 * them: the volume serial number and the file id (128-bit ids folded to
 * 64, NTFS's unchanged). */
bool exh_w32_identity(HANDLE h, uint64_t *dev, uint64_t *ino);
/* A 128-bit file id (16 bytes, little-endian) folded as exh_w32_identity
 * does. */
uint64_t exh_w32_fold_id(const unsigned char id[16]);

/* FILETIME ticks (100 ns since 1601) as Unix seconds and nanoseconds, and
 * back (false: before 1601). */
exh_timespec exh_w32_time_of(int64_t ticks);
bool exh_w32_ticks_of(exh_timespec t, int64_t *ticks);

#endif
