/*
 * dir.c - directory enumeration on POSIX; see platform/fs.h.
 *
 * An exh_dir wraps libc's DIR in the caller's storage; each entry carries
 * its inode and the type readdir gives for free, and the directory's
 * device is asked (one fstat) only by a caller that wants it.
 */
#include "platform/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static exh_file_type dtype(unsigned char t)
{
  switch (t) {
  case DT_REG:
    return EXH_FT_REG;
  case DT_DIR:
    return EXH_FT_DIR;
  case DT_LNK:
    return EXH_FT_LINK;
  case DT_FIFO:
    return EXH_FT_FIFO;
  case DT_SOCK:
    return EXH_FT_SOCK;
  case DT_CHR:
    return EXH_FT_CHR;
  case DT_BLK:
    return EXH_FT_BLK;
  case DT_UNKNOWN:
    return EXH_FT_UNKNOWN;
  default:
    return EXH_FT_OTHER;
  }
}

int exh_dir_open_fd(exh_dir *d, int fd)
{
  d->dev = 0;
  d->dev_known = false;
  d->os = fdopendir(fd);
  return d->os ? 0 : -1;
}

int exh_dir_open(exh_dir *d, const char *path)
{
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  if (exh_dir_open_fd(d, fd) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return 0;
}

int exh_dir_next(exh_dir *d, exh_dirent *ent)
{
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d->os);
    if (!de)
      return errno ? -1 : 0;
    const char *n = de->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
      continue;
    ent->name = n;
    ent->ino = (uint64_t)de->d_ino;
    ent->type = dtype(de->d_type);
    return 1;
  }
}

void exh_dir_rewind(exh_dir *d)
{
  rewinddir(d->os);
}

uint64_t exh_dir_dev(exh_dir *d)
{
  if (!d->dev_known) {
    struct stat st;
    d->dev = fstat(dirfd(d->os), &st) == 0 ? (uint64_t)st.st_dev : 0;
    d->dev_known = true;
  }
  return d->dev;
}

int exh_dir_fd(const exh_dir *d)
{
  return dirfd(d->os);
}

void exh_dir_close(exh_dir *d)
{
  if (d->os)
    closedir(d->os);
  d->os = NULL;
}
