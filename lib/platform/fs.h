/*
 * fs.h - files, directories and their metadata, the one way every engine
 * reaches them (lib/platform/; POSIX in posix/fs.c and posix/dir.c).
 *
 * Descriptors are ints: a POSIX descriptor here, a C runtime descriptor
 * wrapping a HANDLE on Windows. Directory-relative calls (the *_at forms)
 * take a directory descriptor, or EXH_AT_CWD for a path from the current
 * folder; every engine that opens evidence goes one component at a time
 * from a descriptor it already holds, so that is the primitive. Flags are
 * exhunt's own (EXH_O_*), mapped to the OS's inside the seam, and every
 * descriptor is close-on-exec.
 *
 * Errors follow the C library: -1 (or NULL, or false) with errno set to a
 * POSIX errno name from <errno.h>; the Windows implementation maps its
 * errors onto the same names, so engines keep one errno-to-exhunt_err
 * table (core/errmap.h). Every call is thread-safe.
 */
#ifndef EXH_PLATFORM_FS_H
#define EXH_PLATFORM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest path and name the engines handle (Linux's PATH_MAX and
 * NAME_MAX); a longer one is ENAMETOOLONG from the seam. */
#define EXH_PATH_MAX 4096
#define EXH_NAME_MAX 255

/* A signed byte count: what read and write return (-1 on error). */
typedef ptrdiff_t exh_ssize;

/* The directory argument of the *_at calls meaning "the current folder":
 * the name is then a path like any other. */
#define EXH_AT_CWD (-100)

/* Open flags. Read-only is the default (no access flag). */
enum {
  EXH_O_WRITE = 1u << 0,     /* write-only */
  EXH_O_RDWR = 1u << 1,      /* read and write */
  EXH_O_CREATE = 1u << 2,    /* create with `mode` (less the umask) if absent */
  EXH_O_EXCL = 1u << 3,      /* with CREATE: fail EEXIST if the name exists */
  EXH_O_APPEND = 1u << 4,    /* every write goes to the end */
  EXH_O_NOFOLLOW = 1u << 5,  /* a symlink as the last component fails ELOOP */
  EXH_O_DIRECTORY = 1u << 6, /* anything but a directory fails ENOTDIR */
  EXH_O_NONBLOCK = 1u << 7,  /* a FIFO or device that took a file's place does not
                                block the open (nor, until exh_set_blocking, reads) */
  /* A directory held only to reach what is below it (*_at calls, fstat):
   * needs no read permission and touches no access time (O_PATH). With
   * NOFOLLOW, a symlink fails ELOOP, as with every other open. */
  EXH_O_SEARCH = 1u << 8,
};

/* What a file is. */
typedef enum exh_file_type {
  EXH_FT_UNKNOWN = 0, /* only from exh_dir_next: the file system did not say */
  EXH_FT_REG,
  EXH_FT_DIR,
  EXH_FT_LINK,
  EXH_FT_FIFO,
  EXH_FT_SOCK,
  EXH_FT_CHR,
  EXH_FT_BLK,
  EXH_FT_OTHER,
} exh_file_type;

typedef struct exh_timespec {
  int64_t sec; /* seconds since 1970-01-01 UTC */
  long nsec;   /* 0..999,999,999 */
} exh_timespec;

/* A file's metadata, exhunt's own (not the OS's struct). (dev, ino) is the
 * file's identity: the device and inode here, the volume serial number
 * and file id on Windows. */
typedef struct exh_stat {
  exh_file_type type;
  uint32_t mode; /* permission bits (07777) */
  uint64_t dev, ino;
  uint64_t nlink; /* hard links */
  int64_t size;   /* bytes */
  uint32_t uid, gid;
  exh_timespec atime, mtime, ctime; /* ctime: the inode's change time */
} exh_stat;

/* exh_stat_at flag: a symlink as the last component is itself described. */
#define EXH_AT_NOFOLLOW 1u

/* ---------------------------------------------------------------------- */
/* Opening, reading, writing.                                              */

/* Opens `name` under `dirfd` (EXH_AT_CWD: a path). `mode` is the
 * permission of a created file. Returns the descriptor or -1 (errno). */
int exh_open_at(int dirfd, const char *name, unsigned flags, unsigned mode);
/* exh_open_at(EXH_AT_CWD, path, flags, mode). */
int exh_open(const char *path, unsigned flags, unsigned mode);

/* Evidence must be read without leaving a trace: opens as exh_open_at,
 * read-only whatever `flags` say (write, create, exclusive and append are
 * dropped), and also without updating the access time where the OS allows it
 * (Linux: O_NOATIME, for the file's owner or a privileged process). Where
 * that is refused (EPERM), opens again without it and sets
 * *noatime_refused; otherwise clears it. Used for evidence files and the
 * directories a walk lists. Callers keep their own identity checks: this
 * is the primitive, not the policy (core/evidence.c is). */
int exh_open_noatime_at(int dirfd, const char *name, unsigned flags, bool *noatime_refused);

/* Clears EXH_O_NONBLOCK on an open descriptor (a regular file, checked
 * after the open, reads in blocking mode). Best effort. */
void exh_set_blocking(int fd);

int exh_close(int fd);
/* A second descriptor for the same open file (or -1). */
int exh_dup(int fd);
/* As read(2)/write(2)/pread(2): a short count is not an error; -1 with
 * errno EINTR may be retried. */
exh_ssize exh_read(int fd, void *buf, size_t n);
exh_ssize exh_pread(int fd, void *buf, size_t n, uint64_t offset);
exh_ssize exh_write(int fd, const void *buf, size_t n);
/* Cuts or extends the file to `size` bytes. */
int exh_ftruncate(int fd, uint64_t size);

/* ---------------------------------------------------------------------- */
/* Metadata.                                                               */

int exh_fstat(int fd, exh_stat *st);
/* `name` under `dirfd` (EXH_AT_CWD: a path); flags 0 follows a final
 * symlink, EXH_AT_NOFOLLOW describes it. */
int exh_stat_at(int dirfd, const char *name, unsigned flags, exh_stat *st);
/* A path, following symlinks (stat) or not (lstat). */
int exh_stat_path(const char *path, exh_stat *st);
int exh_lstat_path(const char *path, exh_stat *st);

/* Whether this process may read `path` (access(R_OK)). */
bool exh_readable(const char *path);

/* Restoring a file as it was: permission bits, owner, and access and
 * modification times (nanoseconds kept). */
int exh_fchmod(int fd, uint32_t mode);
int exh_fchown(int fd, uint32_t uid, uint32_t gid);
int exh_set_times(int fd, exh_timespec atime, exh_timespec mtime);

/* The canonical absolute path of `path` (every symlink, "." and ".."
 * resolved) into `out` (EXH_PATH_MAX bytes). false with errno when it
 * cannot be resolved. */
bool exh_realpath(const char *path, char out[EXH_PATH_MAX]);

/* If the directory open as `dirfd` is on a kernel pseudo file system
 * (Linux: proc, sysfs, cgroup, debugfs...: they hold the running system's
 * state, not evidence, and reading them can have effects), its name;
 * otherwise, or when it cannot be told, NULL. A static string. */
const char *exh_fs_pseudo_name(int dirfd);

/* ---------------------------------------------------------------------- */
/* Names in directories: create, remove, rename, link; and durability.     */

/* mkdir under dirfd (EXH_AT_CWD: a path); `mode` less the umask. */
int exh_mkdir_at(int dirfd, const char *name, unsigned mode);
/* Removes a file (dir false) or an empty directory (dir true). */
int exh_unlink_at(int dirfd, const char *name, bool dir);

/* exh_rename_at flag: fail EEXIST rather than replace an existing target.
 * Where the file system cannot rename without replacing, it is done by a
 * hard link and an unlink (which gives the same guarantee). */
#define EXH_RENAME_NOREPLACE 1u
/* Atomically gives `from` (under fromdir) the name `to` (under todir),
 * replacing what was there unless EXH_RENAME_NOREPLACE: at no moment is the
 * target missing or half-written. Same file system only (EXDEV). */
int exh_rename_at(int fromdir, const char *from, int todir, const char *to, unsigned flags);
/* Another name for a file (a hard link); fails EEXIST if `to` exists. */
int exh_link_at(int fromdir, const char *from, int todir, const char *to);

/* Makes what was written to the file durable (fsync). On a directory
 * descriptor (opened for reading), makes the names created, renamed or
 * removed in it durable. */
int exh_fsync(int fd);

/* An advisory lock on the whole file, never waiting: exclusive for a
 * writer, shared for readers. -1 with errno EWOULDBLOCK when another
 * process holds a conflicting one. Released by exh_close. */
int exh_lock_nowait(int fd, bool exclusive);

/* ---------------------------------------------------------------------- */
/* Directory enumeration.                                                  */

/* A directory being listed, in the caller's storage (no allocation): owns
 * its descriptor from a successful open to exh_dir_close. The fields are
 * the seam's. */
typedef struct exh_dir {
  void *os;
  uint64_t dev;
  bool dev_known;
} exh_dir;

/* One entry. `name` is valid until the next exh_dir_next or exh_dir_close.
 * `ino` is the entry's file id as the directory lists it (for a mount
 * point, the covered inode, not the mounted root's: exh_stat_at gives the
 * identity an open would see); with exh_dir_dev it is the entry's
 * identity. `type` is EXH_FT_UNKNOWN when the file system does not say. */
typedef struct exh_dirent {
  const char *name;
  uint64_t ino;
  exh_file_type type;
} exh_dirent;

/* Lists the directory open as `fd` (opened for reading, not EXH_O_SEARCH).
 * 0: *d owns fd from here. -1 (errno): the caller still owns fd. */
int exh_dir_open_fd(exh_dir *d, int fd);
/* Opens `path` (following symlinks) for listing. 0, or -1 with errno. */
int exh_dir_open(exh_dir *d, const char *path);
/* The next entry, "." and ".." skipped: 1 with *ent filled, 0 at the end,
 * -1 on a read error (errno). */
int exh_dir_next(exh_dir *d, exh_dirent *ent);
/* Starts the listing again from the first entry (a descriptor made with
 * exh_dup shares its position with the original). */
void exh_dir_rewind(exh_dir *d);
/* The device of the directory (and so of its entries but mount points),
 * asked of the OS once, on first use; 0 if it cannot be told. */
uint64_t exh_dir_dev(exh_dir *d);
/* The directory's descriptor, for *_at calls on its entries; owned by d. */
int exh_dir_fd(const exh_dir *d);
/* Closes the listing and its descriptor. */
void exh_dir_close(exh_dir *d);

/* ---------------------------------------------------------------------- */
/* Temporary files.                                                        */

/* The folder for temporary files when the user named none ("/tmp"). */
const char *exh_tmp_dir_default(void);
/* A new read-write temporary file in the directory open as `dirfd` (whose
 * path is `dir`), with no name: an unnamed O_TMPFILE where the file system
 * has them, or a file made with a random name and unlinked at once. It
 * leaves nothing behind, however the process ends. Returns the descriptor
 * or -1 (errno). */
int exh_tmpfile_at(int dirfd, const char *dir);

#endif
