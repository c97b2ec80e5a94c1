/*
 * digest.c - message digests on Windows through CNG (BCrypt); see
 * platform/digest.h. Windows ships the algorithms, so exhunt.exe carries no
 * cryptographic library of its own.
 *
 * Each object opens its algorithm provider once (the expensive call) and
 * makes a new hash object on every init: BCRYPT_HASH_REUSABLE_FLAG would
 * save that, but older Windows Server builds and wine lack it, and
 * BCryptCreateHash is cheap next to hashing a file.
 */
#include "platform/digest.h"

#include <windows.h>
/* after windows.h, which defines its types */
#include <bcrypt.h>

#include "core/alloc.h"

struct exh_digest {
  exh_digest_alg alg;
  BCRYPT_ALG_HANDLE provider;
  BCRYPT_HASH_HANDLE hash; /* NULL: not initialised */
};

static const wchar_t *const alg_ids[] = {BCRYPT_SHA256_ALGORITHM, BCRYPT_SHA1_ALGORITHM,
                                         BCRYPT_MD5_ALGORITHM};

static void drop_hash(exh_digest *d)
{
  if (d->hash)
    BCryptDestroyHash(d->hash);
  d->hash = NULL;
}

void exh_digest_free(exh_digest *d)
{
  if (!d)
    return;
  drop_hash(d);
  if (d->provider)
    BCryptCloseAlgorithmProvider(d->provider, 0);
  exh_free(d);
}

static exh_digest *digest_alloc(exh_digest_alg alg)
{
  exh_digest *d = exh_calloc(1, sizeof *d);
  if (!d)
    return NULL;
  d->alg = alg;
  if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&d->provider, alg_ids[alg], NULL, 0))) {
    d->provider = NULL;
    exh_digest_free(d);
    return NULL;
  }
  return d;
}

exh_digest *exh_digest_new(exh_digest_alg alg)
{
  if ((unsigned)alg > EXH_DIGEST_MD5)
    return NULL;
  exh_digest *d = digest_alloc(alg);
  if (d && !exh_digest_init(d)) {
    exh_digest_free(d);
    d = NULL;
  }
  return d;
}

exh_digest *exh_digest_dup(const exh_digest *src)
{
  exh_digest *d = digest_alloc(src->alg);
  if (d && src->hash && !BCRYPT_SUCCESS(BCryptDuplicateHash(src->hash, &d->hash, NULL, 0, 0))) {
    d->hash = NULL;
    exh_digest_free(d);
    d = NULL;
  }
  return d;
}

bool exh_digest_init(exh_digest *d)
{
  drop_hash(d);
  if (!BCRYPT_SUCCESS(BCryptCreateHash(d->provider, &d->hash, NULL, 0, NULL, 0, 0))) {
    d->hash = NULL;
    return false;
  }
  return true;
}

bool exh_digest_update(exh_digest *d, const void *data, size_t len)
{
  const unsigned char *p = data;
  if (!d->hash)
    return false;
  /* BCryptHashData takes a ULONG length: feed large spans in pieces. */
  while (len) {
    ULONG piece = len > 0x40000000u ? 0x40000000u : (ULONG)len;
    if (!BCRYPT_SUCCESS(BCryptHashData(d->hash, (PUCHAR)p, piece, 0)))
      return false;
    p += piece;
    len -= piece;
  }
  return true;
}

bool exh_digest_final(exh_digest *d, uint8_t *out)
{
  if (!d->hash)
    return false;
  bool ok = BCRYPT_SUCCESS(BCryptFinishHash(d->hash, out, (ULONG)exh_digest_size(d->alg), 0));
  drop_hash(d);
  return ok;
}
