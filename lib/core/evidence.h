/*
 * evidence.h - opening evidence read-only, the one way every engine does.
 */
#ifndef EXH_EVIDENCE_H
#define EXH_EVIDENCE_H

#include <stdbool.h>

/* open(O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK|O_NOCTTY), with O_NOATIME
 * when the kernel permits it (it needs ownership or CAP_FOWNER); when it
 * does not, the file is opened anyway and *noatime_refused is set so the
 * caller can say so. Returns the descriptor, or -1 with errno. O_NONBLOCK
 * keeps a FIFO swapped in after listing from hanging the reader; callers
 * fstat the descriptor and clear it for regular files. */
int exh_open_evidence(const char *path, bool *noatime_refused);

#endif
