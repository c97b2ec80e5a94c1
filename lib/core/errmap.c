/*
 * errmap.c - errno to exhunt_err; see errmap.h.
 */
#include "core/errmap.h"

#include <errno.h>

exhunt_err exh_errno_map(int e, unsigned classes)
{
  switch (e) {
  case EACCES:
  case EPERM:
    return EXHUNT_EACCES;
  case EBUSY: /* Windows: a file another process holds without sharing */
    return EXHUNT_EBUSY;
  case ENOENT:
    return EXHUNT_ENOENT;
  case ELOOP:
    return EXHUNT_ELOOP;
  case ENOTDIR:
    return classes & EXH_ERRMAP_NOTDIR ? EXHUNT_ENOENT : EXHUNT_EIO;
  case ENOMEM:
    return classes & EXH_ERRMAP_NOMEM ? EXHUNT_ENOMEM : EXHUNT_EIO;
  case EMFILE:
  case ENFILE:
    return classes & EXH_ERRMAP_FDS ? EXHUNT_ELIMIT : EXHUNT_EIO;
  case ENOSPC:
#ifdef EDQUOT /* POSIX, but not in mingw-w64's <errno.h>: Windows has ENOSPC alone */
  case EDQUOT:
#endif
    return classes & EXH_ERRMAP_SPACE ? EXHUNT_ENOSPC : EXHUNT_EIO;
  default:
    return EXHUNT_EIO;
  }
}

exhunt_err exh_errno_code(int e)
{
  return exh_errno_map(e, EXH_ERRMAP_NOTDIR | EXH_ERRMAP_NOMEM | EXH_ERRMAP_FDS);
}
