/*
 * digest.c - what the digests share on every OS (platform/digest.h); the
 * computation is the OS's library, in posix/digest.c and win32/digest.c.
 */
#include "platform/digest.h"

size_t exh_digest_size(exh_digest_alg alg)
{
  return alg == EXH_DIGEST_SHA256 ? 32 : alg == EXH_DIGEST_SHA1 ? 20 : 16;
}
