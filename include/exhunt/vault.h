/*
 * vault.h - quarantine: move suspect files into a vault, neutralised, and
 * put them back byte for byte.
 *
 * A vault is a directory the caller names:
 *   VAULT/objects/ab/<sha256>.gz   the content, gzip, named by its SHA-256
 *                                  (never the original name or extension,
 *                                  so no web server maps it to a handler)
 *   VAULT/manifest.jsonl           append-only JSON Lines, one record per
 *                                  quarantine and per restore
 *   VAULT/tmp/                     objects being written (never referenced)
 *   VAULT/lock                     flock(2): exclusive for quarantine and
 *                                  restore, shared for list and verify
 * docs/quarantine.md describes the format and why each step is crash-safe.
 *
 * Like the rest of libexhunt these functions never print or exit: every
 * per-file outcome goes to a callback; the return value is only for errors
 * that stop the whole call (no vault, no manifest, no memory).
 *
 * Ownership: pointers in an event or entry are borrowed for the duration of
 * the callback. Thread-safety: every call locks the vault (VAULT/lock,
 * flock(2), never waiting): a call that cannot get its lock because another
 * process (or thread) holds a conflicting one returns EXHUNT_EBUSY and
 * changes nothing. Different vaults are independent.
 */
#ifndef EXHUNT_VAULT_H
#define EXHUNT_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What happened to one file. Explicitly numbered; never renumbered. */
typedef enum exhunt_vault_outcome {
  EXHUNT_VAULT_DONE = 0,            /* quarantined, restored, or verified intact */
  EXHUNT_VAULT_DRY_RUN = 1,         /* would have been done (--dry-run) */
  EXHUNT_VAULT_REFUSED_ROOT = 2,    /* outside every root */
  EXHUNT_VAULT_REFUSED_SYMLINK = 3, /* the path is a symlink */
  EXHUNT_VAULT_REFUSED_ALLOWED = 4, /* allowlisted path or hash */
  EXHUNT_VAULT_REFUSED_CHANGED = 5, /* SHA-256 differs from the finding's */
  EXHUNT_VAULT_REFUSED_EXISTS = 6,  /* restore target exists and no force */
  EXHUNT_VAULT_REFUSED_TYPE = 7,    /* not a regular file */
  EXHUNT_VAULT_FAILED = 8,          /* an error; `err` and `reason` say which */
  EXHUNT_VAULT_DAMAGED = 9,         /* verify: object corrupt or wrong hash */
  EXHUNT_VAULT_MISSING = 10,        /* verify: object absent */
  EXHUNT_VAULT_REFUSED_PARENT = 11  /* restore: its folder is missing (no parents) */
} exhunt_vault_outcome;

/* "done", "dry-run", "refused-root", ...; never NULL. */
const char *exhunt_vault_outcome_name(exhunt_vault_outcome o);

/* One per-file report. */
typedef struct exhunt_vault_event {
  exhunt_vault_outcome outcome;
  exhunt_err err;     /* EXHUNT_OK unless outcome is FAILED */
  const char *path;   /* the original path */
  const char *id;     /* quarantine id, NULL if none yet */
  const char *object; /* object path relative to the vault, or NULL */
  const char *reason; /* one line for people, or NULL */
  bool have_sha256;
  uint8_t sha256[32];
  uint64_t size;
} exhunt_vault_event;

typedef void (*exhunt_vault_cb)(void *ctx, const exhunt_vault_event *ev);

/* One file to quarantine. With have_sha256 (it came from a finding), the
 * file is refused unless its current content still has that hash. */
typedef struct exhunt_vault_item {
  const char *path;
  bool have_sha256;
  uint8_t sha256[32];
  const char *const *finding_ids; /* may be NULL; n_findings entries */
  const char *const *rules;       /* may be NULL; n_findings entries */
  size_t n_findings;
} exhunt_vault_item;

typedef struct exhunt_vault_opts {
  const char *vault;                 /* directory; created if missing */
  const char *const *roots;          /* quarantine only: files must be under */
  size_t n_roots;                    /*   one of these (realpaths compared) */
  const uint8_t (*allow_sha256)[32]; /* never quarantine these hashes */
  size_t n_allow_sha256;
  const char *const *allow_globs; /* nor paths matching these (fnmatch) */
  size_t n_allow_globs;
  bool dry_run; /* report, change nothing */
  bool force;   /* restore: overwrite an existing file */
  bool parents; /* restore: make missing folders (0755), never through symlinks */
  /* Notes on the manifest (lines skipped: torn by a crash, or damaged);
   * may be NULL. Only on_notice is called. */
  const exhunt_sink *sink;
} exhunt_vault_opts;

/* Counts of outcomes, indexed by exhunt_vault_outcome (room to grow). */
typedef struct exhunt_vault_stats {
  uint64_t by_outcome[16];
} exhunt_vault_stats;

/*
 * Quarantines `items` one by one: each is refused, fails, or ends in the
 * vault and gone from its place; one event per item, in order. Returns
 * EXHUNT_EINVAL if the vault is inside a root or arguments are bad,
 * EXHUNT_EIO if the vault or its manifest cannot be made or opened,
 * EXHUNT_ENOMEM; per-file problems are events, not return values.
 */
exhunt_err exhunt_vault_quarantine(const exhunt_vault_opts *opts, const exhunt_vault_item *items,
                                   size_t n_items, exhunt_vault_cb cb, void *ctx,
                                   exhunt_vault_stats *stats);

/*
 * Restores the entry whose quarantine id is `what`, or else the newest
 * not-yet-restored entry whose original path is `what`: content, mode and
 * mtime (uid/gid too when running as root), then appends a restore record.
 * The target's folders are opened one by one from "/" without following a
 * symlink (one that became a symlink is REFUSED_SYMLINK); a missing folder
 * is REFUSED_PARENT naming it, unless opts->parents. One event. Returns
 * EXHUNT_ENOENT if no entry matches, EXHUNT_EBUSY if the vault is locked.
 */
exhunt_err exhunt_vault_restore(const exhunt_vault_opts *opts, const char *what, exhunt_vault_cb cb,
                                void *ctx, exhunt_vault_stats *stats);

/*
 * Restores each of whats[0..n) as exhunt_vault_restore does, in one pass:
 * the vault is locked once and its manifest read once (ids are looked up
 * through a sorted index), so hundreds of items against a large manifest
 * cost one read, not one per item. Items are restored in order, and each
 * sees the ones before it as restored (a PATH named twice restores its two
 * newest entries). One event per item that matches an entry; for one that
 * matches none, item_errs[i] (n entries, may be NULL) is EXHUNT_ENOENT, and
 * EXHUNT_OK otherwise. Returns EXHUNT_EBUSY if the vault is locked (nothing
 * done), EXHUNT_EIO or EXHUNT_ENOMEM if the manifest cannot be read or
 * opened for the records.
 */
exhunt_err exhunt_vault_restore_many(const exhunt_vault_opts *opts, const char *const *whats,
                                     size_t n, exhunt_err *item_errs, exhunt_vault_cb cb, void *ctx,
                                     exhunt_vault_stats *stats);

/* One manifest entry (a quarantine, with its restore if any). */
typedef struct exhunt_vault_entry {
  const char *id;
  const char *path;
  const char *object; /* relative to the vault */
  uint8_t sha256[32];
  uint64_t size;
  uint32_t mode, uid, gid;
  int64_t atime, mtime, ctime;
  int64_t time; /* of the quarantine */
  const char *host;
  const char *rules; /* comma-separated, "" if none */
  const char *finding_ids;
  bool restored;
  int64_t restored_time;
} exhunt_vault_entry;

typedef void (*exhunt_vault_entry_cb)(void *ctx, const exhunt_vault_entry *e);

/*
 * Calls cb for every entry of the manifest, oldest first. A line that is not
 * a valid record is skipped with a notice to `notes` (may be NULL; only
 * on_notice is called): a NOTE "vault-manifest-torn" for a line torn by a
 * crash (the last line without its newline, or one the next writer fenced
 * off), an ERROR "vault-manifest-damaged" for any other (damage or
 * tampering), each with its line number. EXHUNT_ENOENT if there is no
 * manifest, EXHUNT_EBUSY if a quarantine or restore holds the vault.
 */
exhunt_err exhunt_vault_list(const char *vault, const exhunt_sink *notes, exhunt_vault_entry_cb cb,
                             void *ctx);

/* Re-hashes every entry's object (decompress, SHA-256, size): one event per
 * entry, DONE, DAMAGED or MISSING; manifest lines as in exhunt_vault_list. */
exhunt_err exhunt_vault_verify(const char *vault, const exhunt_sink *notes, exhunt_vault_cb cb,
                               void *ctx, exhunt_vault_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
