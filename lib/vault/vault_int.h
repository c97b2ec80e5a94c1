/*
 * vault_int.h - pieces of lib/vault shared with its tests: the object
 * codec (gzip + SHA-256 in one pass) and the vault layout names.
 */
#ifndef EXH_VAULT_INT_H
#define EXH_VAULT_INT_H

#include <stdint.h>

#include "core/dynbuf.h"
#include "exhunt/vault.h"

/* Longest path the vault builds (vault dir + object name, or a restore
 * temp name beside the target). */
#define EXH_VAULT_PATH_MAX 4096u

/* The manifest is read whole; past this it is refused as EXHUNT_ELIMIT. */
#define EXH_VAULT_MANIFEST_MAX (256u * 1024u * 1024u)

/* "objects/ab/<64 hex>.gz" for a hash, into out (>= 96 bytes). */
void exh_vault_object_name(const uint8_t sha256[32], char *out, size_t cap);

/*
 * Reads in_fd to its end; SHA-256 and size of what was read go to sha256
 * and *size. If out_fd >= 0, the bytes are written there gzip-compressed.
 * EXHUNT_EIO on read or write failure.
 */
exhunt_err exh_vault_deflate(int in_fd, int out_fd, uint8_t sha256[32], uint64_t *size);

/*
 * Decompresses the gzip stream on in_fd; SHA-256 and size of the content go
 * to sha256 and *size, and the content to out_fd if >= 0. EXHUNT_ECORRUPT
 * for a bad or truncated stream, bytes after its one member, or content
 * longer than `limit` (the size the manifest records: a damaged or planted
 * object must not fill the disk it is restored to), EXHUNT_EIO for
 * read/write failure.
 */
exhunt_err exh_vault_inflate(int in_fd, int out_fd, uint64_t limit, uint8_t sha256[32],
                             uint64_t *size);

/*
 * Parses manifest text as exhunt_vault_list reads VAULT/manifest.jsonl
 * (bad lines become notes on `sink`, which may be NULL) and returns the
 * number of quarantine entries in *entries. For the fuzz target and tests.
 */
exhunt_err exh_vault_manifest_parse(const char *data, size_t len, const exhunt_sink *sink,
                                    size_t *entries);

#endif
