/*
 * platform.h - the platform seam in one include: everything lib/ needs of
 * the operating system (see lib/platform/README.md). An engine may include
 * only the headers it uses instead; neither it nor this header includes an
 * OS header.
 *
 *   fs.h       opening without following links or touching the access
 *              time, stat (exh_stat), directory listing with identity,
 *              rename/link/unlink/mkdir, fsync, locks, temporary files
 *   thread.h   threads, mutex, condition variable, run-once, CPU count
 *   clock.h    monotonic, process-CPU and wall time, sleep, UTC calendar
 *   process.h  CPU and I/O priority (--nice), ids, user and host names,
 *              random bytes
 *   glob.h     wildcard matching, case-folded on request
 *   digest.h   SHA-256, SHA-1, MD5 (libcrypto on POSIX, BCrypt on Windows)
 *   notify.h   change notification (fanotify and inotify on Linux)
 */
#ifndef EXH_PLATFORM_H
#define EXH_PLATFORM_H

#include "platform/clock.h"
#include "platform/digest.h"
#include "platform/fs.h"
#include "platform/glob.h"
#include "platform/notify.h"
#include "platform/process.h"
#include "platform/strext.h"
#include "platform/thread.h"

#endif
