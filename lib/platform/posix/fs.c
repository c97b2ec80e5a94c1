/*
 * fs.c - files and their metadata on POSIX (Linux); see platform/fs.h.
 *
 * Thin: each call maps exhunt's flags and struct to the OS's and back.
 * The few places that do more say why: O_PATH and O_NOFOLLOW on a symlink
 * say ENOTDIR where the seam promises ELOOP, renameat2(RENAME_NOREPLACE) is
 * not everywhere, and O_TMPFILE neither.
 */
#define _GNU_SOURCE /* O_NOATIME, O_PATH, O_TMPFILE, renameat2 */
#include "platform/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

_Static_assert(PATH_MAX <= EXH_PATH_MAX, "EXH_PATH_MAX below the OS's PATH_MAX");
_Static_assert(EXH_AT_CWD == AT_FDCWD, "EXH_AT_CWD is passed through as AT_FDCWD");

static int os_flags(unsigned f)
{
  int o = O_CLOEXEC | O_NOCTTY;
  if (f & EXH_O_RDWR)
    o |= O_RDWR;
  else if (f & EXH_O_WRITE)
    o |= O_WRONLY;
  else
    o |= O_RDONLY;
  if (f & EXH_O_CREATE)
    o |= O_CREAT;
  if (f & EXH_O_EXCL)
    o |= O_EXCL;
  if (f & EXH_O_APPEND)
    o |= O_APPEND;
  if (f & EXH_O_NOFOLLOW)
    o |= O_NOFOLLOW;
  if (f & EXH_O_DIRECTORY)
    o |= O_DIRECTORY;
  if (f & EXH_O_NONBLOCK)
    o |= O_NONBLOCK;
  if (f & EXH_O_SEARCH)
    o = (o & ~(O_RDONLY | O_WRONLY | O_RDWR | O_NOCTTY)) | O_PATH;
  return o;
}

static exh_file_type type_of(mode_t m)
{
  switch (m & S_IFMT) {
  case S_IFREG:
    return EXH_FT_REG;
  case S_IFDIR:
    return EXH_FT_DIR;
  case S_IFLNK:
    return EXH_FT_LINK;
  case S_IFIFO:
    return EXH_FT_FIFO;
  case S_IFSOCK:
    return EXH_FT_SOCK;
  case S_IFCHR:
    return EXH_FT_CHR;
  case S_IFBLK:
    return EXH_FT_BLK;
  default:
    return EXH_FT_OTHER;
  }
}

static void from_os(const struct stat *s, exh_stat *st)
{
  st->type = type_of(s->st_mode);
  st->mode = (uint32_t)(s->st_mode & 07777);
  st->dev = (uint64_t)s->st_dev;
  st->ino = (uint64_t)s->st_ino;
  st->nlink = (uint64_t)s->st_nlink;
  st->size = (int64_t)s->st_size;
  st->uid = (uint32_t)s->st_uid;
  st->gid = (uint32_t)s->st_gid;
  st->atime = (exh_timespec){(int64_t)s->st_atim.tv_sec, s->st_atim.tv_nsec};
  st->mtime = (exh_timespec){(int64_t)s->st_mtim.tv_sec, s->st_mtim.tv_nsec};
  st->ctime = (exh_timespec){(int64_t)s->st_ctim.tv_sec, s->st_ctim.tv_nsec};
}

/* O_PATH|O_NOFOLLOW opens a symlink itself, so with O_DIRECTORY it fails
 * ENOTDIR: the seam says ELOOP, as a plain O_NOFOLLOW open does, so callers
 * can tell "a symlink now" from "not a folder". */
static int symlink_is_eloop(int dirfd, const char *name, int e)
{
  struct stat lst;
  if (e == ENOTDIR && fstatat(dirfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
    return ELOOP;
  return e;
}

int exh_open_at(int dirfd, const char *name, unsigned flags, unsigned mode)
{
  int fd = openat(dirfd, name, os_flags(flags), (mode_t)mode);
  if (fd < 0 && (flags & EXH_O_SEARCH) && (flags & EXH_O_NOFOLLOW))
    errno = symlink_is_eloop(dirfd, name, errno);
  return fd;
}

int exh_open(const char *path, unsigned flags, unsigned mode)
{
  return exh_open_at(AT_FDCWD, path, flags, mode);
}

int exh_open_noatime_at(int dirfd, const char *name, unsigned flags, bool *noatime_refused)
{
  /* Evidence is read-only: a write or create flag is dropped here, so no
   * caller can open evidence for writing through this call (and openat
   * never needs a mode). */
  int o = os_flags(flags & ~(EXH_O_WRITE | EXH_O_RDWR | EXH_O_CREATE | EXH_O_EXCL | EXH_O_APPEND));
  int fd = openat(dirfd, name, o | O_NOATIME);
  *noatime_refused = false;
  if (fd < 0 && errno == EPERM) { /* O_NOATIME needs ownership (or CAP_FOWNER) */
    fd = openat(dirfd, name, o);
    *noatime_refused = fd >= 0;
  }
  return fd;
}

void exh_set_blocking(int fd)
{
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

int exh_close(int fd)
{
  return close(fd);
}

int exh_dup(int fd)
{
  return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

exh_ssize exh_read(int fd, void *buf, size_t n)
{
  return read(fd, buf, n);
}

exh_ssize exh_pread(int fd, void *buf, size_t n, uint64_t offset)
{
  if (offset > (uint64_t)INT64_MAX) {
    errno = EINVAL;
    return -1;
  }
  return pread(fd, buf, n, (off_t)offset);
}

exh_ssize exh_write(int fd, const void *buf, size_t n)
{
  return write(fd, buf, n);
}

int exh_ftruncate(int fd, uint64_t size)
{
  if (size > (uint64_t)INT64_MAX) {
    errno = EINVAL;
    return -1;
  }
  return ftruncate(fd, (off_t)size);
}

int exh_fstat(int fd, exh_stat *st)
{
  struct stat s;
  if (fstat(fd, &s) != 0)
    return -1;
  from_os(&s, st);
  return 0;
}

int exh_stat_at(int dirfd, const char *name, unsigned flags, exh_stat *st)
{
  struct stat s;
  if (fstatat(dirfd, name, &s, (flags & EXH_AT_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) != 0)
    return -1;
  from_os(&s, st);
  return 0;
}

int exh_stat_path(const char *path, exh_stat *st)
{
  return exh_stat_at(AT_FDCWD, path, 0, st);
}

int exh_lstat_path(const char *path, exh_stat *st)
{
  return exh_stat_at(AT_FDCWD, path, EXH_AT_NOFOLLOW, st);
}

bool exh_readable(const char *path)
{
  return access(path, R_OK) == 0;
}

int exh_fchmod(int fd, uint32_t mode)
{
  return fchmod(fd, (mode_t)(mode & 07777));
}

int exh_fchown(int fd, uint32_t uid, uint32_t gid)
{
  return fchown(fd, (uid_t)uid, (gid_t)gid);
}

int exh_set_times(int fd, exh_timespec atime, exh_timespec mtime)
{
  struct timespec ts[2] = {{(time_t)atime.sec, atime.nsec}, {(time_t)mtime.sec, mtime.nsec}};
  return futimens(fd, ts);
}

bool exh_realpath(const char *path, char out[EXH_PATH_MAX])
{
  return realpath(path, out) != NULL;
}

/* Kernel file systems that hold no evidence, only the running system's
 * state: reading them can have effects (a read of /proc/kmsg consumes the
 * message, /sys files poke drivers) and they hold millions of entries.
 * devtmpfs cannot be told from tmpfs by its magic, but holds only device
 * nodes, which the walk never opens. */
static const struct pseudo_fs {
  unsigned long magic;
  const char *name;
} pseudo_fss[] = {
    {0x9fa0, "proc"},          {0x62656572, "sysfs"},      {0x64626720, "debugfs"},
    {0x74726163, "tracefs"},   {0x73636673, "securityfs"}, {0x27e0eb, "cgroup"},
    {0x63677270, "cgroup2"},   {0x6165676C, "pstore"},     {0xcafe4a11, "bpf"},
    {0x62656570, "configfs"},  {0x65735543, "fusectl"},    {0x19800202, "mqueue"},
    {0x958458f6, "hugetlbfs"}, {0x1cd1, "devpts"},         {0x42494e4d, "binfmt_misc"},
    {0xf97cff8c, "selinuxfs"}, {0x43415d53, "smackfs"},    {0xde5e81e4, "efivarfs"},
    {0x6e736673, "nsfs"},      {0x67596969, "rpc_pipefs"}, {0x6e667364, "nfsd"},
};

const char *exh_fs_pseudo_name(int dirfd)
{
  struct statfs sf;
  if (fstatfs(dirfd, &sf) != 0)
    return NULL;
  for (size_t i = 0; i < sizeof pseudo_fss / sizeof *pseudo_fss; i++)
    if ((unsigned long)sf.f_type == pseudo_fss[i].magic)
      return pseudo_fss[i].name;
  return NULL;
}

int exh_mkdir_at(int dirfd, const char *name, unsigned mode)
{
  return mkdirat(dirfd, name, (mode_t)mode);
}

int exh_unlink_at(int dirfd, const char *name, bool dir)
{
  return unlinkat(dirfd, name, dir ? AT_REMOVEDIR : 0);
}

int exh_rename_at(int fromdir, const char *from, int todir, const char *to, unsigned flags)
{
  if (!(flags & EXH_RENAME_NOREPLACE))
    return renameat(fromdir, from, todir, to);
  int rc = renameat2(fromdir, from, todir, to, RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    /* No RENAME_NOREPLACE on this file system or kernel: link() fails
     * EEXIST just the same, then the temporary name goes. */
    rc = linkat(fromdir, from, todir, to, 0);
    if (rc == 0)
      unlinkat(fromdir, from, 0);
  }
  return rc;
}

int exh_link_at(int fromdir, const char *from, int todir, const char *to)
{
  return linkat(fromdir, from, todir, to, 0);
}

int exh_fsync(int fd)
{
  return fsync(fd);
}

int exh_lock_nowait(int fd, bool exclusive)
{
  int rc;
  while ((rc = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)) != 0 && errno == EINTR)
    ;
  return rc;
}

const char *exh_tmp_dir_default(void)
{
  return "/tmp";
}

int exh_tmpfile_at(int dirfd, const char *dir)
{
  int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
    return fd;
  /* No O_TMPFILE here (an older kernel, some network file systems). */
  char name[EXH_PATH_MAX + 32];
  int n = snprintf(name, sizeof name, "%s/exhunt-tmp-XXXXXX", dir);
  if (n < 0 || (size_t)n >= sizeof name) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = mkostemp(name, O_CLOEXEC);
  if (fd >= 0)
    unlink(name);
  return fd;
}
