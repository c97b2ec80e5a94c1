/*
 * errmap.h - errno to exhunt_err, in one place.
 *
 * Every engine that calls the OS must say what failed in the one error enum.
 * The common core is fixed (EACCES/EPERM -> EACCES, ENOENT -> ENOENT, ELOOP
 * -> ELOOP, anything unknown -> EIO); the classes below are the ways the
 * callers have always differed, kept so that no notice changes its code:
 * the walker never said ENOMEM or ENOTDIR, the vault is the only writer and
 * so the only one to say ENOSPC, and only evidence opening counts a file
 * descriptor shortage as a limit.
 */
#ifndef EXH_CORE_ERRMAP_H
#define EXH_CORE_ERRMAP_H

#include "exhunt/exhunt.h"

enum {
  EXH_ERRMAP_NOTDIR = 1u << 0, /* ENOTDIR -> ENOENT (a path component is a file) */
  EXH_ERRMAP_NOMEM = 1u << 1,  /* ENOMEM -> ENOMEM */
  EXH_ERRMAP_FDS = 1u << 2,    /* EMFILE, ENFILE -> ELIMIT */
  EXH_ERRMAP_SPACE = 1u << 3,  /* ENOSPC, EDQUOT -> ENOSPC (writers) */
};

/* The exhunt_err of errno `e`, with the EXH_ERRMAP_* classes in `classes`
 * mapped too (outside them, those errnos are EIO). */
exhunt_err exh_errno_map(int e, unsigned classes);

/* The readers' mapping: ENOENT/ENOTDIR -> ENOENT, EACCES/EPERM -> EACCES,
 * ELOOP -> ELOOP, ENOMEM -> ENOMEM, EMFILE/ENFILE -> ELIMIT, else EIO. */
exhunt_err exh_errno_code(int e);

#endif
