/*
 * digest.h - message digests (SHA-256, SHA-1, MD5) from the platform's own
 * cryptographic library: OpenSSL's libcrypto on POSIX (posix/digest.c),
 * CNG's BCrypt on Windows (win32/digest.c). The engines hash evidence for
 * IOC matching, the baseline and the vault; none of them needs more than
 * init, update and final, and a copy of a running digest (the rule pack's
 * identity is finished twice from one running state).
 *
 * A digest object is owned by one thread at a time. exh_digest_init starts
 * (or restarts) a computation, so one object serves many files.
 */
#ifndef EXH_PLATFORM_DIGEST_H
#define EXH_PLATFORM_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum exh_digest_alg {
  EXH_DIGEST_SHA256 = 0,
  EXH_DIGEST_SHA1 = 1,
  EXH_DIGEST_MD5 = 2,
} exh_digest_alg;

#define EXH_DIGEST_MAX_SIZE 32

typedef struct exh_digest exh_digest;

/* The digest's length in bytes (32, 20, 16). */
size_t exh_digest_size(exh_digest_alg alg);

/* A new digest object, already initialised. NULL when out of memory or the
 * library refuses the algorithm. */
exh_digest *exh_digest_new(exh_digest_alg alg);
/* A second object with the same running state; NULL on failure. */
exh_digest *exh_digest_dup(const exh_digest *d);
void exh_digest_free(exh_digest *d);

/* Each returns false when the library fails (no memory, no provider).
 * exh_digest_final writes exh_digest_size(alg) bytes to out; the object
 * must be initialised again before the next update. */
bool exh_digest_init(exh_digest *d);
bool exh_digest_update(exh_digest *d, const void *data, size_t len);
bool exh_digest_final(exh_digest *d, uint8_t *out);

#endif
