/*
 * digest.c - message digests on POSIX through OpenSSL's libcrypto (EVP);
 * see platform/digest.h. The EVP_MD of each algorithm is fetched once per
 * object: fetching is the expensive part of EVP, and objects live as long
 * as a worker or a run.
 */
#include "platform/digest.h"

#include <openssl/evp.h>

#include "core/alloc.h"

struct exh_digest {
  exh_digest_alg alg;
  EVP_MD *md;
  EVP_MD_CTX *ctx;
};

static const char *const alg_names[] = {"SHA256", "SHA1", "MD5"};

void exh_digest_free(exh_digest *d)
{
  if (!d)
    return;
  EVP_MD_CTX_free(d->ctx);
  EVP_MD_free(d->md);
  exh_free(d);
}

static exh_digest *digest_alloc(exh_digest_alg alg)
{
  exh_digest *d = exh_calloc(1, sizeof *d);
  if (!d)
    return NULL;
  d->alg = alg;
  d->md = EVP_MD_fetch(NULL, alg_names[alg], NULL);
  d->ctx = EVP_MD_CTX_new();
  if (!d->md || !d->ctx) {
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
  if (d && EVP_MD_CTX_copy_ex(d->ctx, src->ctx) != 1) {
    exh_digest_free(d);
    d = NULL;
  }
  return d;
}

bool exh_digest_init(exh_digest *d)
{
  return EVP_DigestInit_ex(d->ctx, d->md, NULL) == 1;
}

bool exh_digest_update(exh_digest *d, const void *data, size_t len)
{
  return len == 0 || EVP_DigestUpdate(d->ctx, data, len) == 1;
}

bool exh_digest_final(exh_digest *d, uint8_t *out)
{
  unsigned int len = 0;
  return EVP_DigestFinal_ex(d->ctx, out, &len) == 1 && len == exh_digest_size(d->alg);
}
