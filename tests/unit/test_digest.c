/*
 * test_digest.c - the platform's message digests (lib/platform/digest.h):
 * the published test vectors of SHA-256, SHA-1 and MD5, one object reused
 * across computations, a copy of a running state finishing on its own, data
 * fed in pieces, and a failed allocation giving NULL. The same file runs
 * against libcrypto (Linux) and BCrypt (exhunt.exe under wine).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/alloc.h"
#include "platform/digest.h"

static void hex(const uint8_t *md, size_t n, char *out)
{
  for (size_t i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void expect(exh_digest *d, exh_digest_alg alg, const char *want)
{
  uint8_t md[EXH_DIGEST_MAX_SIZE];
  char got[2 * EXH_DIGEST_MAX_SIZE + 1];
  assert_true(exh_digest_final(d, md));
  hex(md, exh_digest_size(alg), got);
  assert_string_equal(got, want);
}

/* FIPS 180-2 and RFC 1321 vectors: "abc", and the empty message. */
static const struct {
  exh_digest_alg alg;
  const char *abc, *empty;
} vectors[] = {
    {EXH_DIGEST_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {EXH_DIGEST_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d",
     "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {EXH_DIGEST_MD5, "900150983cd24fb0d6963f7d28e17f72", "d41d8cd98f00b204e9800998ecf8427e"},
};

static void test_vectors_and_reuse(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
    exh_digest *d = exh_digest_new(vectors[i].alg);
    assert_non_null(d);
    assert_true(exh_digest_update(d, "abc", 3));
    expect(d, vectors[i].alg, vectors[i].abc);
    /* the same object, initialised again, in pieces (one empty) */
    assert_true(exh_digest_init(d));
    assert_true(exh_digest_update(d, "a", 1));
    assert_true(exh_digest_update(d, "", 0));
    assert_true(exh_digest_update(d, "bc", 2));
    expect(d, vectors[i].alg, vectors[i].abc);
    assert_true(exh_digest_init(d));
    expect(d, vectors[i].alg, vectors[i].empty);
    exh_digest_free(d);
  }
  exh_digest_free(NULL);
}

static void test_copy_of_running_state(void **state)
{
  (void)state;
  /* "abc" = "ab" + "c": the copy finishes with "c", the original goes on
   * to "abcabc" (SHA-256 of it, computed with sha256sum) */
  exh_digest *d = exh_digest_new(EXH_DIGEST_SHA256);
  assert_non_null(d);
  assert_true(exh_digest_update(d, "ab", 2));
  exh_digest *copy = exh_digest_dup(d);
  assert_non_null(copy);
  assert_true(exh_digest_update(copy, "c", 1));
  expect(copy, EXH_DIGEST_SHA256, vectors[0].abc);
  assert_true(exh_digest_update(d, "cabc", 4));
  expect(d, EXH_DIGEST_SHA256, "bbb59da3af939f7af5f360f2ceb80a496e3bae1cd87dde426db0ae40677e1c2c");
  exh_digest_free(copy);
  exh_digest_free(d);
}

static void test_million_a(void **state)
{
  (void)state;
  /* FIPS 180-2's third vector: one million 'a', fed in uneven pieces */
  static char block[4099];
  memset(block, 'a', sizeof block);
  exh_digest *d = exh_digest_new(EXH_DIGEST_SHA256);
  assert_non_null(d);
  size_t left = 1000000;
  while (left) {
    size_t n = left < sizeof block ? left : sizeof block;
    assert_true(exh_digest_update(d, block, n));
    left -= n;
  }
  expect(d, EXH_DIGEST_SHA256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  exh_digest_free(d);
}

static void test_out_of_memory(void **state)
{
  (void)state;
  exh_alloc_fail_at(1, 1);
  exh_digest *d = exh_digest_new(EXH_DIGEST_SHA1);
  exh_alloc_fail_at(0, 0);
  assert_null(d);
  assert_null(exh_digest_new((exh_digest_alg)7));
}

TU_MAIN(NULL, test_vectors_and_reuse, test_copy_of_running_state, test_million_a,
        test_out_of_memory)
