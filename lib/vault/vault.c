/*
 * vault.c - quarantine, restore, list and verify (see include/exhunt/vault.h).
 *
 * A quarantined file is stored gzip-compressed under its SHA-256, so the
 * vault never holds a servable or runnable .aspx; the manifest is an
 * append-only JSON Lines log, so nothing already written is ever rewritten.
 *
 * Crash safety. Per file, the order is:
 *   1. stream the original through SHA-256 + gzip into VAULT/tmp/<id>.part
 *      (refuse and drop the temp if the hash is not the finding's, or is
 *      allowlisted), fsync it;
 *   2. rename it to VAULT/objects/ab/<sha256>.gz, fsync that directory and
 *      objects/ (the name is durable);
 *   3. re-open the object, decompress and re-hash it: it must give back the
 *      original hash and size;
 *   4. append the manifest record with one write() and fsync the manifest;
 *   5. only then unlink the original (if it is still the inode we read and
 *      has not changed since) and fsync its directory.
 * The original is untouched until step 5, and step 5 runs only when steps
 * 2-4 are durable. So a crash before 5 leaves the original in place (with at
 * most an orphan temp or object, or an entry whose object is complete); a
 * crash during or after 5 leaves the file in the vault with a durable, hash
 * checked object and manifest entry; in between, both. Nothing is ever
 * half-written where it counts: objects appear only by atomic rename of a
 * synced file, and a manifest line torn by a crash (no final newline) is
 * ignored by readers and fenced off with a newline by the next writer; its
 * original was, by step order, not yet unlinked.
 * Restore mirrors this: decompress into a temp beside the target, verify,
 * set mode/owner/times, fsync, then renameat2(RENAME_NOREPLACE) (no
 * overwrite) or renameat() (--force) into place, fsync the directory, and
 * record it.
 *
 * Paths. The folder of a file to quarantine, and of a file to restore, is
 * opened one component at a time from "/" with O_NOFOLLOW, and everything
 * after (open, stat, unlink, create, rename) is relative to that descriptor:
 * a folder swapped for a symlink after it was checked is never followed.
 *
 * Lock. VAULT/lock is flock()ed, exclusive by quarantine and restore, shared
 * by list and verify, never waiting: a second writer gets EXHUNT_EBUSY
 * instead of interleaving its records and objects with the first's.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include <jansson.h>

#include "core/alloc.h"
#include "core/codec.h"
#include "core/compiler.h"
#include "core/dynbuf.h"
#include "core/errmap.h"
#include "output/escape.h"
#include "platform/digest.h"
#include "platform/fs.h"
#include "platform/glob.h"
#include "platform/process.h"
#include "platform/strext.h"
#include "vault/vault_int.h"

/* The vault writes, so a full disk or quota is ENOSPC; it never counted a
 * descriptor shortage as a limit (EMFILE stays EIO). */
#define VAULT_ERRNO (EXH_ERRMAP_NOTDIR | EXH_ERRMAP_NOMEM | EXH_ERRMAP_SPACE)

#define CHUNK (64u * 1024u)
#define LINE_MAX_BYTES (1u * 1024u * 1024u)

const char *exhunt_vault_outcome_name(exhunt_vault_outcome o)
{
  switch (o) {
  case EXHUNT_VAULT_DONE:
    return "done";
  case EXHUNT_VAULT_DRY_RUN:
    return "dry-run";
  case EXHUNT_VAULT_REFUSED_ROOT:
    return "refused-outside-root";
  case EXHUNT_VAULT_REFUSED_SYMLINK:
    return "refused-symlink";
  case EXHUNT_VAULT_REFUSED_ALLOWED:
    return "refused-allowlisted";
  case EXHUNT_VAULT_REFUSED_CHANGED:
    return "refused-changed";
  case EXHUNT_VAULT_REFUSED_EXISTS:
    return "refused-exists";
  case EXHUNT_VAULT_REFUSED_TYPE:
    return "refused-not-regular";
  case EXHUNT_VAULT_FAILED:
    return "failed";
  case EXHUNT_VAULT_DAMAGED:
    return "damaged";
  case EXHUNT_VAULT_MISSING:
    return "missing";
  case EXHUNT_VAULT_REFUSED_PARENT:
    return "refused-no-parent";
  }
  return "unknown";
}

/* ---------------------------------------------------------------------- */
/* Small I/O helpers.                                                      */

static exhunt_err write_all(int fd, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0) {
    exh_ssize n = exh_write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      /* A full disk is said as such, not as an I/O error. */
      return exh_errno_map(errno, EXH_ERRMAP_SPACE) == EXHUNT_ENOSPC ? EXHUNT_ENOSPC : EXHUNT_EIO;
    }
    p += n;
    len -= (size_t)n;
  }
  return EXHUNT_OK;
}

/* fsync a directory, so a rename, create or unlink in it is durable. */
static exhunt_err fsync_dir(const char *dir)
{
  int fd = exh_open(dir, EXH_O_DIRECTORY, 0);
  if (fd < 0)
    return exh_errno_map(errno, VAULT_ERRNO);
  exhunt_err err = exh_fsync(fd) == 0 ? EXHUNT_OK : EXHUNT_EIO;
  exh_close(fd);
  return err;
}

/* snprintf that says whether the whole path fitted (a cut path would name
 * another file). */
static bool pathf(char *out, size_t cap, const char *fmt, ...) EXH_PRINTF(3, 4);
static bool pathf(char *out, size_t cap, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  return n >= 0 && (size_t)n < cap;
}

/* Directory part of path into out ("." if none). */
static void dir_of(const char *path, char *out, size_t cap)
{
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(out, cap, ".");
  else if (slash == path)
    snprintf(out, cap, "/");
  else
    snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

static bool parse_sha256(const char *s, uint8_t out[32])
{
  if (!s || strlen(s) != 64)
    return false;
  return exh_hex_decode(s, 64, out, 32);
}

static void hex64(const uint8_t sha[32], char out[65])
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < 32; i++) {
    out[2 * i] = digits[sha[i] >> 4];
    out[2 * i + 1] = digits[sha[i] & 15];
  }
  out[64] = '\0';
}

void exh_vault_object_name(const uint8_t sha256[32], char *out, size_t cap)
{
  char hex[65];
  hex64(sha256, hex);
  snprintf(out, cap, "objects/%.2s/%s.gz", hex, hex);
}

/* Absolute, and no "." or ".." component: paths read from the manifest must
 * be, before a folder is opened or made from them. */
static bool clean_abs_path(const char *p)
{
  if (p[0] != '/')
    return false;
  for (const char *c = p; *c;) {
    while (*c == '/')
      c++;
    const char *e = exh_strchrnul(c, '/');
    size_t n = (size_t)(e - c);
    if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
      return false;
    c = e;
  }
  return true;
}

/*
 * Opens the folder `abs` (absolute) one component at a time from "/", each
 * with O_NOFOLLOW, so no symlink on the path is followed: a folder that was
 * resolved or recorded earlier and has since been swapped for a symlink
 * fails with ELOOP, instead of leading elsewhere. Intermediate folders are
 * opened O_PATH (search permission is enough), the last O_RDONLY so it can
 * be fsynced. With `create`, missing folders are made (0755 less the umask)
 * and their parent synced. Returns the fd, or -1 with errno set and the
 * prefix that failed in `failed`.
 */
static int open_dir_safe(const char *abs, bool create, char *failed, size_t cap)
{
  int fd = exh_open("/", EXH_O_SEARCH | EXH_O_DIRECTORY, 0);
  const char *c = abs, *e = abs;
  if (fd < 0 || abs[0] != '/') {
    if (fd >= 0)
      exh_close(fd);
    errno = fd >= 0 ? EINVAL : errno;
    snprintf(failed, cap, "/");
    return -1;
  }
  while (*c) {
    while (*c == '/')
      c++;
    if (!*c)
      break;
    e = exh_strchrnul(c, '/');
    size_t n = (size_t)(e - c);
    char comp[EXH_NAME_MAX + 1];
    if (n > EXH_NAME_MAX) {
      errno = ENAMETOOLONG;
      goto fail;
    }
    memcpy(comp, c, n);
    comp[n] = '\0';
    unsigned flags = EXH_O_SEARCH | EXH_O_DIRECTORY | EXH_O_NOFOLLOW;
    int next = exh_open_at(fd, comp, flags, 0);
    if (next < 0 && errno == ENOENT && create) {
      if (exh_mkdir_at(fd, comp, 0755) != 0 && errno != EEXIST)
        goto fail;
      int pfd = exh_open_at(fd, ".", EXH_O_DIRECTORY, 0);
      bool synced = pfd >= 0 && exh_fsync(pfd) == 0;
      if (pfd >= 0)
        exh_close(pfd);
      if (!synced) {
        errno = EIO;
        goto fail;
      }
      next = exh_open_at(fd, comp, flags, 0);
    }
    if (next < 0)
      goto fail; /* a symlink now is ELOOP (the seam's promise), not ENOTDIR */
    exh_stat dst;
    int fr = exh_fstat(next, &dst);
    if (fr != 0 || dst.type != EXH_FT_DIR) {
      int e2 = fr != 0 ? errno : dst.type == EXH_FT_LINK ? ELOOP : ENOTDIR;
      exh_close(next);
      errno = e2;
      goto fail;
    }
    exh_close(fd);
    fd = next;
    c = e;
  }
  int rd = exh_open_at(fd, ".", EXH_O_DIRECTORY, 0);
  if (rd < 0)
    goto fail;
  exh_close(fd);
  return rd;

fail:;
  int saved = errno;
  snprintf(failed, cap, "%.*s", (int)(e - abs), abs);
  exh_close(fd);
  errno = saved;
  return -1;
}

/* The vault's own files must be what they say: checked on the open
 * descriptor (so a swap after the check changes nothing), a regular file
 * with no other name. A hard link planted at VAULT/manifest.jsonl (or lock)
 * to an evidence file would otherwise have the vault append to, or open for
 * writing, the evidence itself; O_NOFOLLOW already refuses a symlink. A
 * folder (objects/, tmp/, objects/ab/) must be a folder, not a symlink that
 * would put the vault's files under an evidence root. A "vault-unsafe"
 * error notice says which and why; the result is EXHUNT_EINVAL. */
static void unsafe_note(const exhunt_sink *sink, const char *path, const char *why)
{
  if (!sink || !sink->on_notice)
    return;
  exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_EINVAL, "vault-unsafe", path, why};
  sink->on_notice(sink->ctx, &n);
}

static exhunt_err vault_file_ok(int fd, const char *path, const exhunt_sink *sink)
{
  exh_stat st;
  if (exh_fstat(fd, &st) != 0)
    return exh_errno_map(errno, VAULT_ERRNO);
  if (st.type != EXH_FT_REG) {
    unsafe_note(sink, path, "a vault file that is not a regular file; refused");
    return EXHUNT_EINVAL;
  }
  if (st.nlink != 1) {
    char why[160];
    snprintf(why, sizeof why,
             "a vault file with %lu hard links: another name for it (evidence?) would be "
             "written through it; refused, nothing written",
             (unsigned long)st.nlink);
    unsafe_note(sink, path, why);
    return EXHUNT_EINVAL;
  }
  return EXHUNT_OK;
}

/* A folder of the vault: a real folder, never a symlink (see above). */
static exhunt_err vault_dir_ok(const char *path, const exhunt_sink *sink)
{
  exh_stat st;
  if (exh_lstat_path(path, &st) != 0)
    return exh_errno_map(errno, VAULT_ERRNO);
  if (st.type != EXH_FT_DIR) {
    unsafe_note(sink, path,
                st.type == EXH_FT_LINK
                    ? "a vault folder that is a symlink (it could lead under an evidence root); "
                      "refused, nothing written"
                    : "a vault folder that is not a folder; refused");
    return EXHUNT_EINVAL;
  }
  return EXHUNT_OK;
}

/* Takes the vault lock (VAULT/lock, flock) without waiting: exclusive for a
 * writer, shared for a reader. *out is its fd, or -1 for a reader of a
 * vault that has no lock file and cannot get one (read-only media, where no
 * writer runs either). EXHUNT_EBUSY if held against us. */
static exhunt_err vault_lock(const char *vault, bool exclusive, int *out, const exhunt_sink *sink)
{
  char path[EXH_VAULT_PATH_MAX];
  *out = -1;
  if (!pathf(path, sizeof path, "%s/lock", vault))
    return EXHUNT_ELIMIT;
  int fd = exh_open(path, (exclusive ? EXH_O_RDWR : 0) | EXH_O_CREATE | EXH_O_NOFOLLOW, 0600);
  if (fd < 0 && !exclusive && (errno == EACCES || errno == EROFS || errno == EPERM)) {
    fd = exh_open(path, EXH_O_NOFOLLOW, 0);
    if (fd < 0 && errno == ENOENT)
      return EXHUNT_OK;
  }
  if (fd < 0)
    return exh_errno_map(errno, VAULT_ERRNO);
  exhunt_err err = vault_file_ok(fd, path, sink);
  if (err) {
    exh_close(fd);
    return err;
  }
  if (exh_lock_nowait(fd, exclusive) != 0) {
    int e = errno;
    exh_close(fd);
    return e == EWOULDBLOCK ? EXHUNT_EBUSY : exh_errno_map(e, VAULT_ERRNO);
  }
  *out = fd;
  return EXHUNT_OK;
}

/* ---------------------------------------------------------------------- */
/* Object codec.                                                           */

exhunt_err exh_vault_deflate(int in_fd, int out_fd, uint8_t sha256[32], uint64_t *size)
{
  exhunt_err err = EXHUNT_ENOMEM;
  unsigned char *in = exh_malloc(CHUNK), *out = exh_malloc(CHUNK);
  exh_digest *md = exh_digest_new(EXH_DIGEST_SHA256);
  z_stream zs;
  bool z_ready = false;
  memset(&zs, 0, sizeof zs);
  *size = 0;
  if (!in || !out || !md)
    goto cleanup;
  /* windowBits 15 + 16: a gzip wrapper (mtime 0), so `zcat` reads objects. */
  if (out_fd >= 0) {
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      goto cleanup;
    z_ready = true;
  }
  err = EXHUNT_EIO;
  for (;;) {
    exh_ssize n = exh_read(in_fd, in, CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      goto cleanup;
    *size += (uint64_t)n;
    if (n > 0 && !exh_digest_update(md, in, (size_t)n))
      goto cleanup;
    if (z_ready) {
      int flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
      zs.next_in = in;
      zs.avail_in = (uInt)n;
      int zr;
      do {
        zs.next_out = out;
        zs.avail_out = CHUNK;
        zr = deflate(&zs, flush);
        if (zr == Z_STREAM_ERROR)
          goto cleanup;
        exhunt_err werr = write_all(out_fd, out, CHUNK - zs.avail_out);
        if (werr) {
          err = werr;
          goto cleanup;
        }
      } while (zs.avail_out == 0);
      if (flush == Z_FINISH && zr != Z_STREAM_END)
        goto cleanup;
    }
    if (n == 0)
      break;
  }
  if (!exh_digest_final(md, sha256))
    goto cleanup;
  err = EXHUNT_OK;

cleanup:
  if (z_ready)
    deflateEnd(&zs);
  exh_digest_free(md);
  exh_free(in);
  exh_free(out);
  return err;
}

exhunt_err exh_vault_inflate(int in_fd, int out_fd, uint64_t limit, uint8_t sha256[32],
                             uint64_t *size)
{
  exhunt_err err = EXHUNT_ENOMEM;
  unsigned char *in = exh_malloc(CHUNK), *out = exh_malloc(CHUNK);
  exh_digest *md = exh_digest_new(EXH_DIGEST_SHA256);
  z_stream zs;
  bool z_ready = false;
  int zr = Z_OK;
  memset(&zs, 0, sizeof zs);
  *size = 0;
  if (!in || !out || !md)
    goto cleanup;
  if (inflateInit2(&zs, 15 + 16) != Z_OK)
    goto cleanup;
  z_ready = true;
  err = EXHUNT_ECORRUPT;
  while (zr != Z_STREAM_END) {
    exh_ssize n = exh_read(in_fd, in, CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      err = EXHUNT_EIO;
      goto cleanup;
    }
    if (n == 0)
      goto cleanup; /* stream ended early: a truncated object */
    zs.next_in = in;
    zs.avail_in = (uInt)n;
    do {
      zs.next_out = out;
      zs.avail_out = CHUNK;
      zr = inflate(&zs, Z_NO_FLUSH);
      if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
        goto cleanup;
      size_t got = CHUNK - zs.avail_out;
      if (got > limit - *size)
        goto cleanup; /* longer than recorded: damage, or a planted bomb */
      *size += got;
      if (got && !exh_digest_update(md, out, got))
        goto cleanup;
      exhunt_err werr = out_fd >= 0 ? write_all(out_fd, out, got) : EXHUNT_OK;
      if (werr) {
        err = werr;
        goto cleanup;
      }
    } while (zs.avail_out == 0 && zr != Z_STREAM_END);
    /* Bytes after the gzip member: objects are one member, so damage. */
    if (zr == Z_STREAM_END && zs.avail_in != 0)
      goto cleanup;
  }
  /* The member may end exactly at a read boundary: the file must too. */
  for (;;) {
    exh_ssize n = exh_read(in_fd, in, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n != 0) {
      err = n < 0 ? EXHUNT_EIO : EXHUNT_ECORRUPT;
      goto cleanup;
    }
    break;
  }
  if (!exh_digest_final(md, sha256))
    goto cleanup;
  err = EXHUNT_OK;

cleanup:
  if (z_ready)
    inflateEnd(&zs);
  exh_digest_free(md);
  exh_free(in);
  exh_free(out);
  return err;
}

/* Checks VAULT/<object> decompresses to sha256 and size. */
static exhunt_vault_outcome check_object(const char *vault, const uint8_t sha256[32], uint64_t size,
                                         exhunt_err *err)
{
  char name[128], path[EXH_VAULT_PATH_MAX];
  exh_vault_object_name(sha256, name, sizeof name);
  if (!pathf(path, sizeof path, "%s/%s", vault, name)) {
    *err = EXHUNT_ELIMIT;
    return EXHUNT_VAULT_FAILED;
  }
  /* O_NONBLOCK: a FIFO planted in its place must not hang verify. */
  int fd = exh_open(path, EXH_O_NOFOLLOW | EXH_O_NONBLOCK, 0);
  if (fd < 0) {
    *err = exh_errno_map(errno, VAULT_ERRNO);
    return errno == ENOENT ? EXHUNT_VAULT_MISSING : EXHUNT_VAULT_FAILED;
  }
  exh_stat st;
  if (exh_fstat(fd, &st) != 0 || st.type != EXH_FT_REG) {
    exh_close(fd);
    *err = EXHUNT_ECORRUPT;
    return EXHUNT_VAULT_DAMAGED;
  }
  uint8_t got[32];
  uint64_t got_size = 0;
  *err = exh_vault_inflate(fd, -1, size, got, &got_size);
  exh_close(fd);
  if (*err == EXHUNT_ECORRUPT)
    return EXHUNT_VAULT_DAMAGED;
  if (*err)
    return EXHUNT_VAULT_FAILED;
  if (memcmp(got, sha256, 32) != 0 || got_size != size) {
    *err = EXHUNT_ECORRUPT;
    return EXHUNT_VAULT_DAMAGED;
  }
  return EXHUNT_VAULT_DONE;
}

/* ---------------------------------------------------------------------- */
/* Manifest.                                                               */

typedef struct ventry {
  exhunt_vault_entry pub;
  int64_t mtime_nsec, atime_nsec;
  char *id, *path, *host, *rules, *fids;
  char object[128];
} ventry;

typedef struct manifest {
  ventry *v;
  size_t n, cap;
} manifest;

static void manifest_free(manifest *m)
{
  for (size_t i = 0; i < m->n; i++) {
    exh_free(m->v[i].id);
    exh_free(m->v[i].path);
    exh_free(m->v[i].host);
    exh_free(m->v[i].rules);
    exh_free(m->v[i].fids);
  }
  exh_free(m->v);
  memset(m, 0, sizeof *m);
}

static int64_t jint(json_t *o, const char *key)
{
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* An integer field within [lo, hi]; absent is 0 unless required. */
static bool jint_in(json_t *o, const char *key, int64_t lo, int64_t hi, bool required)
{
  json_t *v = json_object_get(o, key);
  if (!v)
    return !required;
  if (!json_is_integer(v))
    return false;
  json_int_t x = json_integer_value(v);
  return x >= lo && x <= hi;
}

static const char *jstr(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* Ids are ours: "q-" and 16 lowercase hex digits. Anything else in a
 * manifest is damage or tampering, and would reach file names (the restore
 * temp) and output. */
static bool valid_id(const char *s)
{
  if (strlen(s) != 18 || s[0] != 'q' || s[1] != '-')
    return false;
  for (size_t i = 2; i < 18; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* The exact original path (path_b64 when the name was not UTF-8) into *out.
 * EXHUNT_ECORRUPT unless it is absolute, without "."/".." components and
 * without a NUL (which would cut it to another path). */
static exhunt_err entry_path(json_t *o, char **out)
{
  *out = NULL;
  const char *b64 = json_string_value(json_object_get(o, "path_b64"));
  char *p = NULL;
  if (!b64) {
    p = exh_strdup(jstr(o, "path"));
    if (!p)
      return EXHUNT_ENOMEM;
  } else {
    size_t len = strlen(b64);
    if (len == 0 || len % 4 != 0 || len > INT_MAX - 4)
      return EXHUNT_ECORRUPT;
    unsigned char *d = exh_malloc(len / 4 * 3 + 1);
    if (!d)
      return EXHUNT_ENOMEM;
    /* The vault wrote it padded: any other character is damage. */
    long n = exh_base64_decode(b64, len, d, len / 4 * 3);
    if (n < 0 || memchr(d, '\0', (size_t)n)) {
      exh_free(d);
      return EXHUNT_ECORRUPT;
    }
    d[n] = '\0';
    p = (char *)d;
  }
  if (!clean_abs_path(p) || strlen(p) >= EXH_PATH_MAX) {
    exh_free(p);
    return EXHUNT_ECORRUPT;
  }
  *out = p;
  return EXHUNT_OK;
}

/* Adds a quarantine record; EXHUNT_ECORRUPT (with *why) if it is not one
 * this code could have written. */
static exhunt_err add_quarantine(manifest *m, json_t *o, const char **why)
{
  uint8_t sha[32];
  const char *ms = jstr(o, "mode");
  char *end = NULL;
  unsigned long mode = strtoul(ms, &end, 8);
  *why = "not a valid quarantine record (id, sha256, size, mode or times)";
  if (!valid_id(jstr(o, "id")) || !parse_sha256(jstr(o, "sha256"), sha) ||
      !jint_in(o, "size", 0, INT64_MAX, true) || !*ms || *end || mode > 07777 ||
      !jint_in(o, "uid", 0, UINT32_MAX, false) || !jint_in(o, "gid", 0, UINT32_MAX, false) ||
      !jint_in(o, "atime_nsec", 0, 999999999, false) ||
      !jint_in(o, "mtime_nsec", 0, 999999999, false))
    return EXHUNT_ECORRUPT;
  char *path = NULL;
  exhunt_err err = entry_path(o, &path);
  if (err) {
    *why = "original path not absolute, or with '..', NUL or bad base64";
    return err;
  }
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    ventry *v = exh_reallocarray(m->v, cap, sizeof *v);
    if (!v) {
      exh_free(path);
      return EXHUNT_ENOMEM;
    }
    m->v = v;
    m->cap = cap;
  }
  ventry *e = &m->v[m->n];
  memset(e, 0, sizeof *e);
  e->id = exh_strdup(jstr(o, "id"));
  e->path = path;
  e->host = exh_strdup(jstr(o, "host"));
  exh_dynbuf rules, fids;
  exh_dynbuf_init(&rules, 64 * 1024);
  exh_dynbuf_init(&fids, 64 * 1024);
  json_t *fs = json_object_get(o, "findings");
  size_t i;
  json_t *f;
  json_array_foreach(fs, i, f)
  {
    /* Past 64 KiB the lists are cut: they are for people, not for safety. */
    if (i)
      exh_dynbuf_addc(&rules, ','), exh_dynbuf_addc(&fids, ',');
    exh_dynbuf_adds(&rules, jstr(f, "rule"));
    exh_dynbuf_adds(&fids, jstr(f, "id"));
  }
  e->rules = exh_strdup(rules.data ? rules.data : "");
  e->fids = exh_strdup(fids.data ? fids.data : "");
  exh_dynbuf_free(&rules);
  exh_dynbuf_free(&fids);
  if (!e->id || !e->host || !e->rules || !e->fids) {
    exh_free(e->id);
    exh_free(e->path);
    exh_free(e->host);
    exh_free(e->rules);
    exh_free(e->fids);
    return EXHUNT_ENOMEM;
  }
  m->n++;
  exh_vault_object_name(sha, e->object, sizeof e->object);
  exhunt_vault_entry *p = &e->pub;
  p->id = e->id;
  p->path = e->path;
  p->host = e->host;
  p->rules = e->rules;
  p->finding_ids = e->fids;
  memcpy(p->sha256, sha, 32);
  p->size = (uint64_t)jint(o, "size");
  p->mode = (uint32_t)mode;
  p->uid = (uint32_t)jint(o, "uid");
  p->gid = (uint32_t)jint(o, "gid");
  p->atime = jint(o, "atime");
  p->mtime = jint(o, "mtime");
  p->ctime = jint(o, "ctime");
  e->atime_nsec = jint(o, "atime_nsec");
  e->mtime_nsec = jint(o, "mtime_nsec");
  p->time = jint(o, "time");
  return EXHUNT_OK;
}

/* A manifest line that is not a record: a NOTE when it was torn by a crash
 * (see the top comment), an ERROR otherwise (damage or tampering). */
static void manifest_note(const exhunt_sink *sink, const char *mpath, bool torn, uint64_t lineno,
                          const char *why)
{
  if (!sink || !sink->on_notice)
    return;
  char reason[256];
  snprintf(reason, sizeof reason, "manifest line %llu: %s; skipped", (unsigned long long)lineno,
           why);
  exhunt_notice n = {torn ? EXHUNT_NOTICE_NOTE : EXHUNT_NOTICE_ERROR,
                     torn ? EXHUNT_ETRUNCATED : EXHUNT_ECORRUPT,
                     torn ? "vault-manifest-torn" : "vault-manifest-damaged", mpath, reason};
  sink->on_notice(sink->ctx, &n);
}

/* The records of a manifest's text (see manifest_load); m is filled, and
 * the caller frees it whatever the result. Split from the file reading so
 * the fuzz target (tests/fuzz/fuzz_vault.c) parses what a vault holds. */
static exhunt_err manifest_parse(const char *data, size_t len_all, const char *path,
                                 const exhunt_sink *sink, manifest *m)
{
  exhunt_err err = EXHUNT_OK;
  size_t pos = 0;
  uint64_t lineno = 0, pending = 0; /* pending: a bad line, torn if a fence follows */
  const char *pending_why = NULL;
  while (pos < len_all) {
    const char *nl = memchr(data + pos, '\n', len_all - pos);
    lineno++;
    if (!nl) {
      if (pending)
        manifest_note(sink, path, false, pending, pending_why);
      pending = 0;
      /* Its original was, by step order, never unlinked. */
      manifest_note(sink, path, true, lineno, "last line without a newline (torn by a crash)");
      break;
    }
    size_t len = (size_t)(nl - (data + pos));
    const char *line = data + pos;
    pos += len + 1;
    if (len == 0)
      continue;
    json_t *o = len <= LINE_MAX_BYTES ? json_loadb(line, len, 0, NULL) : NULL;
    if (!json_is_object(o)) {
      json_decref(o);
      if (pending)
        manifest_note(sink, path, false, pending, pending_why);
      pending = lineno;
      pending_why = len > LINE_MAX_BYTES ? "longer than any record" : "not a JSON object";
      continue;
    }
    const char *type = jstr(o, "type");
    if (pending)
      manifest_note(sink, path, strcmp(type, "fence") == 0, pending,
                    strcmp(type, "fence") == 0 ? "torn by a crash (fenced by the next writer)"
                                               : pending_why);
    pending = 0;
    const char *why = NULL;
    if (strcmp(type, "quarantine") == 0) {
      err = add_quarantine(m, o, &why);
      if (err == EXHUNT_ECORRUPT) {
        manifest_note(sink, path, false, lineno, why);
        err = EXHUNT_OK;
      }
    } else if (strcmp(type, "restore") == 0) {
      const char *id = jstr(o, "id");
      bool found = false;
      for (size_t i = 0; valid_id(id) && i < m->n; i++)
        if (strcmp(m->v[i].id, id) == 0) {
          m->v[i].pub.restored = true;
          m->v[i].pub.restored_time = jint(o, "time");
          found = true;
        }
      if (!found)
        manifest_note(sink, path, false, lineno, "a restore of no quarantine before it");
    } else if (strcmp(type, "fence") != 0) {
      manifest_note(sink, path, false, lineno, "unknown record type");
    }
    json_decref(o);
    if (err)
      return err;
  }
  if (pending)
    manifest_note(sink, path, false, pending, pending_why);
  /* Only now: the array moved while it grew, and object is inline. */
  for (size_t i = 0; i < m->n; i++)
    m->v[i].pub.object = m->v[i].object;
  return EXHUNT_OK;
}

/*
 * Loads VAULT/manifest.jsonl. A line that is not a record is skipped with a
 * note (manifest_note): lines are bounded (LINE_MAX_BYTES, what a writer can
 * write), and one counts as torn when it is the last and has no newline, or
 * when the next line is the "fence" record a writer adds after ending a torn
 * line (manifest_open).
 */
static exhunt_err manifest_load(const char *vault, const exhunt_sink *sink, manifest *m)
{
  exhunt_err err = EXHUNT_OK;
  char path[EXH_VAULT_PATH_MAX];
  memset(m, 0, sizeof *m);
  if (!pathf(path, sizeof path, "%s/manifest.jsonl", vault))
    return EXHUNT_ELIMIT;
  exh_dynbuf buf;
  exh_dynbuf_init(&buf, EXH_VAULT_MANIFEST_MAX);
  int fd = exh_open(path, EXH_O_NOFOLLOW | EXH_O_NONBLOCK, 0);
  if (fd < 0) {
    err = exh_errno_map(errno, VAULT_ERRNO);
    goto cleanup;
  }
  char chunk[CHUNK];
  for (;;) {
    exh_ssize n = exh_read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      err = EXHUNT_EIO;
      goto cleanup;
    }
    if (n == 0)
      break;
    if ((err = exh_dynbuf_add(&buf, chunk, (size_t)n)) != EXHUNT_OK)
      goto cleanup;
  }
  err = manifest_parse(buf.data, buf.len, path, sink, m);

cleanup:
  if (fd >= 0)
    exh_close(fd);
  exh_dynbuf_free(&buf);
  if (err)
    manifest_free(m);
  return err;
}

/* Opens the manifest for appending. If the last line was torn by a crash,
 * ends it with a newline and a "fence" record first, so the next record is
 * a line of its own and readers know the line before was torn, not damaged. */
static exhunt_err manifest_open(const char *vault, int *out, const exhunt_sink *sink)
{
  char path[EXH_VAULT_PATH_MAX];
  if (!pathf(path, sizeof path, "%s/manifest.jsonl", vault))
    return EXHUNT_ELIMIT;
  int fd = exh_open(
      path, EXH_O_RDWR | EXH_O_APPEND | EXH_O_CREATE | EXH_O_NOFOLLOW | EXH_O_NONBLOCK, 0600);
  if (fd < 0)
    return exh_errno_map(errno, VAULT_ERRNO);
  exhunt_err ok = vault_file_ok(fd, path, sink);
  if (ok) {
    exh_close(fd);
    return ok;
  }
  exh_stat st;
  char last = '\n', fence[160];
  snprintf(fence, sizeof fence,
           "\n{\"schema\":\"%s\",\"type\":\"fence\",\"time\":%lld,\"reason\":\"the line before "
           "was torn by a crash\"}\n",
           EXHUNT_SCHEMA, (long long)time(NULL));
  exhunt_err err = EXHUNT_EIO;
  if (exh_fstat(fd, &st) != 0 || st.type != EXH_FT_REG ||
      (st.size > 0 && exh_pread(fd, &last, 1, (uint64_t)st.size - 1) != 1) ||
      (last != '\n' &&
       ((err = write_all(fd, fence, strlen(fence))) != EXHUNT_OK ||
        (err = exh_fsync(fd) == 0 ? EXHUNT_OK : exh_errno_map(errno, VAULT_ERRNO)) != EXHUNT_OK))) {
    exh_close(fd);
    return err ? err : EXHUNT_EIO;
  }
  *out = fd;
  return EXHUNT_OK;
}

/* Appends one record (without its newline) as one write, and syncs it. A
 * write cut short (a full disk) is cut off again, so the manifest ends where
 * it did instead of with a torn line. */
static exhunt_err manifest_append(int fd, exh_dynbuf *line)
{
  exh_stat st;
  if (exh_fstat(fd, &st) != 0)
    return EXHUNT_EIO;
  exhunt_err err = exh_dynbuf_addc(line, '\n');
  if (!err)
    err = write_all(fd, line->data, line->len);
  if (!err && exh_fsync(fd) != 0)
    err = exh_errno_map(errno, VAULT_ERRNO);
  if (err && err != EXHUNT_ENOMEM && exh_ftruncate(fd, (uint64_t)st.size) == 0)
    exh_fsync(fd);
  return err;
}

/* "path":"..." plus "path_b64" when the name is not UTF-8. */
static exhunt_err json_path(exh_dynbuf *b, const char *key, const char *path)
{
  bool lossy = false;
  exhunt_err err = exh_dynbuf_addf(b, ",\"%s\":\"", key);
  if (!err)
    err = exh_escape_json(b, path, strlen(path), &lossy);
  if (!err)
    err = exh_dynbuf_addc(b, '"');
  if (!err && lossy) {
    err = exh_dynbuf_addf(b, ",\"%s_b64\":\"", key);
    if (!err)
      err = exh_base64(b, path, strlen(path));
    if (!err)
      err = exh_dynbuf_addc(b, '"');
  }
  return err;
}

static void host_name(char *out, size_t cap)
{
  if (exh_hostname(out, cap) != 0)
    snprintf(out, cap, "unknown");
  out[cap - 1] = '\0';
}

/* ---------------------------------------------------------------------- */
/* Quarantine.                                                             */

typedef struct qctx {
  const exhunt_vault_opts *o;
  char **roots; /* realpaths */
  size_t n_roots;
  char vault[EXH_PATH_MAX]; /* exh_realpath */
  char host[256];
  int manifest_fd;
  exhunt_vault_cb cb;
  void *ctx;
  exhunt_vault_stats *stats;
} qctx;

static void emit(exhunt_vault_cb cb, void *ctx, exhunt_vault_stats *stats, exhunt_vault_event *ev)
{
  if (stats && (unsigned)ev->outcome < sizeof stats->by_outcome / sizeof stats->by_outcome[0])
    stats->by_outcome[ev->outcome]++;
  if (cb)
    cb(ctx, ev);
}

static bool under(const char *path, const char *root)
{
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/')
    return path[0] == '/';
  return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static bool allow_path(const exhunt_vault_opts *o, const char *given, const char *real)
{
  for (size_t i = 0; i < o->n_allow_globs; i++)
    if (exh_glob_match(o->allow_globs[i], given, 0) || exh_glob_match(o->allow_globs[i], real, 0))
      return true;
  return false;
}

static bool allow_hash(const exhunt_vault_opts *o, const uint8_t sha[32])
{
  for (size_t i = 0; i < o->n_allow_sha256; i++)
    if (memcmp(o->allow_sha256[i], sha, 32) == 0)
      return true;
  return false;
}

static exhunt_err new_id(char out[20])
{
  uint8_t r[8];
  if (exh_random_bytes(r, sizeof r) != 0)
    return EXHUNT_EIO;
  static const char digits[] = "0123456789abcdef";
  out[0] = 'q';
  out[1] = '-';
  for (size_t i = 0; i < 8; i++) {
    out[2 + 2 * i] = digits[r[i] >> 4];
    out[3 + 2 * i] = digits[r[i] & 15];
  }
  out[18] = '\0';
  return EXHUNT_OK;
}

static exhunt_err quarantine_record(exh_dynbuf *b, const char *id, const char *real,
                                    const char *object, const uint8_t sha[32], const exh_stat *st,
                                    const exhunt_vault_item *it, const char *host)
{
  char hex[65];
  hex64(sha, hex);
  exhunt_err err = exh_dynbuf_addf(b, "{\"schema\":\"%s\",\"type\":\"quarantine\",\"id\":\"%s\"",
                                   EXHUNT_SCHEMA, id);
  if (!err)
    err = json_path(b, "path", real);
  if (!err)
    err = exh_dynbuf_addf(
        b,
        ",\"object\":\"%s\",\"sha256\":\"%s\",\"size\":%llu,\"mode\":\"%04o\",\"uid\":%lu,"
        "\"gid\":%lu,\"atime\":%lld,\"atime_nsec\":%ld,\"mtime\":%lld,\"mtime_nsec\":%ld,"
        "\"ctime\":%lld,\"time\":%lld,\"host\":",
        object, hex, (unsigned long long)st->size, (unsigned)st->mode, (unsigned long)st->uid,
        (unsigned long)st->gid, (long long)st->atime.sec, st->atime.nsec, (long long)st->mtime.sec,
        st->mtime.nsec, (long long)st->ctime.sec, (long long)time(NULL));
  if (!err)
    err = exh_json_str(b, host);
  if (!err)
    err = exh_dynbuf_adds(b, ",\"findings\":[");
  for (size_t i = 0; !err && i < it->n_findings; i++) {
    err = exh_dynbuf_adds(b, i ? ",{\"id\":" : "{\"id\":");
    if (!err)
      err = exh_json_str(b, it->finding_ids ? it->finding_ids[i] : NULL);
    if (!err)
      err = exh_dynbuf_adds(b, ",\"rule\":");
    if (!err)
      err = exh_json_str(b, it->rules ? it->rules[i] : NULL);
    if (!err)
      err = exh_dynbuf_addc(b, '}');
  }
  if (!err)
    err = exh_dynbuf_adds(b, "]}");
  return err;
}

static void quarantine_one(qctx *q, const exhunt_vault_item *it)
{
  exhunt_vault_event ev;
  memset(&ev, 0, sizeof ev);
  ev.path = it->path;
  char real[EXH_PATH_MAX], dir[EXH_PATH_MAX], tmp[EXH_VAULT_PATH_MAX], obj[EXH_VAULT_PATH_MAX];
  char name[128], id[20], failed[EXH_PATH_MAX], objdir[EXH_VAULT_PATH_MAX];
  char full[EXH_PATH_MAX + 256];
  int in_fd = -1, out_fd = -1, dfd = -1;
  bool tmp_made = false, obj_new = false;
  exh_dynbuf line;
  exh_dynbuf_init(&line, LINE_MAX_BYTES);
  exh_stat lst, st;

  if (exh_lstat_path(it->path, &lst) != 0) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = "cannot stat";
    goto cleanup;
  }
  if (lst.type == EXH_FT_LINK) {
    ev.outcome = EXHUNT_VAULT_REFUSED_SYMLINK;
    ev.reason = "is a symlink; symlinks are never followed";
    goto cleanup;
  }
  if (lst.type != EXH_FT_REG) {
    ev.outcome = EXHUNT_VAULT_REFUSED_TYPE;
    ev.reason = "not a regular file";
    goto cleanup;
  }
  /* Resolve the directory, not the file: the leaf was just seen not to be
   * a symlink, and a resolved leaf would hide that. */
  dir_of(it->path, dir, sizeof dir);
  const char *base = strrchr(it->path, '/') ? strrchr(it->path, '/') + 1 : it->path;
  char rdir[EXH_PATH_MAX];
  if (!exh_realpath(dir, rdir)) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = "cannot resolve its directory";
    goto cleanup;
  }
  if ((size_t)snprintf(real, sizeof real, "%s/%s", strcmp(rdir, "/") ? rdir : "", base) >=
      sizeof real) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = EXHUNT_ELIMIT;
    ev.reason = "path too long";
    goto cleanup;
  }
  ev.path = real;
  bool inside = false;
  for (size_t i = 0; i < q->n_roots && !inside; i++)
    inside = under(real, q->roots[i]);
  if (!inside) {
    ev.outcome = EXHUNT_VAULT_REFUSED_ROOT;
    ev.reason = "outside every --root";
    goto cleanup;
  }
  if (under(real, q->vault)) {
    ev.outcome = EXHUNT_VAULT_REFUSED_ROOT;
    ev.reason = "inside the vault";
    goto cleanup;
  }
  if (allow_path(q->o, it->path, real)) {
    ev.outcome = EXHUNT_VAULT_REFUSED_ALLOWED;
    ev.reason = "path is allowlisted";
    goto cleanup;
  }

  /* From here on everything is relative to the folder, opened without
   * following a symlink: the root check above holds for what is read and
   * unlinked even if a folder on the path is swapped meanwhile. */
  dfd = open_dir_safe(rdir, false, failed, sizeof failed);
  if (dfd < 0) {
    ev.outcome = errno == ELOOP ? EXHUNT_VAULT_REFUSED_SYMLINK : EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = errno == ELOOP ? "a folder on its path became a symlink; not followed"
                               : "cannot open its folder";
    goto cleanup;
  }
  /* O_NONBLOCK: a FIFO swapped in after lstat must not hang the open. */
  bool noatime_refused;
  in_fd = exh_open_noatime_at(dfd, base, EXH_O_NOFOLLOW | EXH_O_NONBLOCK, &noatime_refused);
  if (in_fd < 0 || exh_fstat(in_fd, &st) != 0) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = "cannot open";
    goto cleanup;
  }
  if (st.dev != lst.dev || st.ino != lst.ino || st.type != EXH_FT_REG) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = EXHUNT_ECHANGED;
    ev.reason = "replaced while being opened";
    goto cleanup;
  }
  if ((ev.err = new_id(id)) != EXHUNT_OK) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.reason = "no randomness for an id";
    goto cleanup;
  }
  ev.id = id;

  /* 1. content -> temp in the vault (or, dry run, only hashed). */
  if (!q->o->dry_run) {
    if (!pathf(tmp, sizeof tmp, "%s/tmp/%s.part", q->vault, id)) {
      ev.outcome = EXHUNT_VAULT_FAILED;
      ev.err = EXHUNT_ELIMIT;
      ev.reason = "vault path too long";
      goto cleanup;
    }
    out_fd = exh_open(tmp, EXH_O_WRITE | EXH_O_CREATE | EXH_O_EXCL | EXH_O_NOFOLLOW, 0400);
    if (out_fd < 0) {
      ev.outcome = EXHUNT_VAULT_FAILED;
      ev.err = exh_errno_map(errno, VAULT_ERRNO);
      ev.reason = "cannot create the vault copy";
      goto cleanup;
    }
    tmp_made = true;
  }
  if ((ev.err = exh_vault_deflate(in_fd, out_fd, ev.sha256, &ev.size)) != EXHUNT_OK) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.reason = ev.err == EXHUNT_ENOSPC ? "writing the vault copy" : "cannot read or copy";
    goto cleanup;
  }
  ev.have_sha256 = true;
  exh_vault_object_name(ev.sha256, name, sizeof name);
  /* ev.object only once the object exists (or, dry run, would): a refusal
   * must not name an object that is not in the vault. */
  if (it->have_sha256 && memcmp(it->sha256, ev.sha256, 32) != 0) {
    ev.outcome = EXHUNT_VAULT_REFUSED_CHANGED;
    ev.reason = "SHA-256 differs from the finding's: changed since";
    goto cleanup;
  }
  if (allow_hash(q->o, ev.sha256)) {
    ev.outcome = EXHUNT_VAULT_REFUSED_ALLOWED;
    ev.reason = "SHA-256 is allowlisted";
    goto cleanup;
  }
  if (q->o->dry_run) {
    ev.outcome = EXHUNT_VAULT_DRY_RUN;
    ev.object = name;
    ev.reason = "would quarantine";
    goto cleanup;
  }
  if (exh_fsync(out_fd) != 0) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = "cannot sync the vault copy";
    goto cleanup;
  }
  exh_close(out_fd);
  out_fd = -1;

  /* 2. atomic rename to its content name; make the name durable. Same
   * content quarantined before gives the same bytes, so replacing is safe
   * (and heals an object damaged since). */
  /* Cannot be cut: tmp, longer, fitted. */
  pathf(obj, sizeof obj, "%s/%s", q->vault, name);
  dir_of(obj, objdir, sizeof objdir);
  exh_stat ost;
  bool existed = exh_lstat_path(obj, &ost) == 0;
  if (exh_mkdir_at(EXH_AT_CWD, objdir, 0700) != 0 && errno != EEXIST) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = "cannot store the vault copy";
    goto cleanup;
  }
  if ((ev.err = vault_dir_ok(objdir, q->o->sink)) != EXHUNT_OK) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.reason = "the vault's object folder is not a plain folder (see the vault-unsafe error)";
    goto cleanup;
  }
  if (exh_rename_at(EXH_AT_CWD, tmp, EXH_AT_CWD, obj, 0) != 0) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = "cannot store the vault copy";
    goto cleanup;
  }
  tmp_made = false;
  obj_new = !existed; /* removed again if no record comes to refer to it */
  ev.object = name;
  char objects[EXH_VAULT_PATH_MAX];
  pathf(objects, sizeof objects, "%s/objects", q->vault);
  if (fsync_dir(objdir) || fsync_dir(objects)) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = EXHUNT_EIO;
    ev.reason = "cannot sync the vault";
    goto cleanup;
  }

  /* 3. read back what the disk holds. */
  exhunt_err cerr;
  if (check_object(q->vault, ev.sha256, ev.size, &cerr) != EXHUNT_VAULT_DONE) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = cerr;
    ev.reason = "vault copy does not verify; original left in place";
    goto cleanup;
  }

  /* 4. the manifest record, durable. */
  if ((ev.err = quarantine_record(&line, id, real, name, ev.sha256, &st, it, q->host)) ||
      (ev.err = manifest_append(q->manifest_fd, &line))) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.reason = "cannot write the manifest; original left in place";
    goto cleanup;
  }
  obj_new = false; /* the record refers to it: it stays, whatever follows */

  /* 5. unlink the original, if it is still what was copied: the same inode
   * under the name, and no write since (size, mtime, and ctime, which a
   * writer cannot set back). */
  exh_stat now, lnow;
  if (exh_fstat(in_fd, &now) != 0 || exh_stat_at(dfd, base, EXH_AT_NOFOLLOW, &lnow) != 0 ||
      lnow.ino != st.ino || lnow.dev != st.dev) {
    /* Replaced or removed under its name meanwhile (an attacker re-dropping
     * a shell does this): what was read is complete in the vault; the file
     * now at the path, if any, is another one and is not touched. */
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = EXHUNT_ECHANGED;
    ev.reason = "replaced or removed at its path while being quarantined; the copy in the vault "
                "is complete, the file now there (if any) was not touched";
    goto cleanup;
  }
  if (now.size != st.size || now.mtime.sec != st.mtime.sec || now.mtime.nsec != st.mtime.nsec ||
      now.ctime.sec != st.ctime.sec || now.ctime.nsec != st.ctime.nsec) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = EXHUNT_ECHANGED;
    ev.reason = "changed while being quarantined; copy kept in the vault, original left";
    goto cleanup;
  }
  if (exh_unlink_at(dfd, base, false) != 0) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = exh_errno_map(errno, VAULT_ERRNO);
    ev.reason = "in the vault, but the original cannot be removed";
    goto cleanup;
  }
  if (exh_fsync(dfd) != 0) {
    ev.outcome = EXHUNT_VAULT_FAILED;
    ev.err = EXHUNT_EIO;
    ev.reason = "removed, but its directory cannot be synced";
    goto cleanup;
  }
  ev.outcome = EXHUNT_VAULT_DONE;
  /* Another name for the same inode keeps the content on disk, and
   * servable if it is under a web root: say so. */
  ev.reason = st.nlink > 1 ? "quarantined, but the file has other hard links: its content "
                             "is still reachable through them"
                           : "quarantined";

cleanup:
  if (out_fd >= 0)
    exh_close(out_fd);
  if (tmp_made)
    exh_unlink_at(EXH_AT_CWD, tmp, false);
  /* An object this call stored that no record refers to (the manifest
   * write failed, or it did not verify) goes again: no partial or orphan
   * object is left behind. One stored before, for an earlier entry, stays. */
  if (obj_new && exh_unlink_at(EXH_AT_CWD, obj, false) == 0) {
    ev.object = NULL;
    fsync_dir(objdir);
  }
  if (in_fd >= 0)
    exh_close(in_fd);
  if (dfd >= 0)
    exh_close(dfd);
  exh_dynbuf_free(&line);
  /* A full vault (disk or quota) is said as such, naming the vault, not as
   * an I/O error of the file being read. */
  if (ev.err == EXHUNT_ENOSPC && !q->o->dry_run) {
    snprintf(full, sizeof full,
             "vault full: no space left on %s (%s); the original is left in place", q->vault,
             ev.reason ? ev.reason : "writing the vault");
    ev.reason = full;
  }
  emit(q->cb, q->ctx, q->stats, &ev);
}

/* Makes VAULT, VAULT/objects and VAULT/tmp (0700) and resolves VAULT. */
static exhunt_err vault_prepare(const char *vault, bool create, char real[EXH_PATH_MAX],
                                const exhunt_sink *sink)
{
  char p[EXH_VAULT_PATH_MAX];
  if (create && exh_mkdir_at(EXH_AT_CWD, vault, 0700) != 0 && errno != EEXIST)
    return exh_errno_map(errno, VAULT_ERRNO);
  if (!exh_realpath(vault, real))
    return exh_errno_map(errno, VAULT_ERRNO);
  const char *subs[] = {"objects", "tmp"};
  for (size_t i = 0; create && i < 2; i++) {
    if (!pathf(p, sizeof p, "%s/%s", real, subs[i]))
      return EXHUNT_ELIMIT;
    if (exh_mkdir_at(EXH_AT_CWD, p, 0700) != 0 && errno != EEXIST)
      return exh_errno_map(errno, VAULT_ERRNO);
    exhunt_err err = vault_dir_ok(p, sink);
    if (err)
      return err;
  }
  return EXHUNT_OK;
}

exhunt_err exhunt_vault_quarantine(const exhunt_vault_opts *opts, const exhunt_vault_item *items,
                                   size_t n_items, exhunt_vault_cb cb, void *ctx,
                                   exhunt_vault_stats *stats)
{
  if (!opts || !opts->vault || (n_items && !items) || opts->n_roots == 0)
    return EXHUNT_EINVAL;
  exhunt_err err = EXHUNT_ENOMEM;
  qctx q;
  memset(&q, 0, sizeof q);
  q.o = opts;
  q.cb = cb;
  q.ctx = ctx;
  q.stats = stats;
  q.manifest_fd = -1;
  int lock_fd = -1;
  host_name(q.host, sizeof q.host);
  q.roots = exh_calloc(opts->n_roots, sizeof *q.roots);
  if (!q.roots)
    goto cleanup;
  for (size_t i = 0; i < opts->n_roots; i++) {
    q.roots[i] = exh_malloc(EXH_PATH_MAX);
    if (!q.roots[i])
      goto cleanup;
    q.n_roots++;
    if (!exh_realpath(opts->roots[i], q.roots[i])) {
      err = exh_errno_map(errno, VAULT_ERRNO);
      goto cleanup;
    }
  }
  /* A vault inside a root would put the quarantined files back under the
   * web server's tree (and be rescanned). Checked before anything is made:
   * resolve its parent if the vault does not exist yet, and the vault again
   * once made (it may be a symlink). */
  if (!exh_realpath(opts->vault, q.vault)) {
    char parent[EXH_PATH_MAX], rparent[EXH_PATH_MAX];
    const char *vbase = strrchr(opts->vault, '/') ? strrchr(opts->vault, '/') + 1 : opts->vault;
    dir_of(opts->vault, parent, sizeof parent);
    if (!exh_realpath(parent, rparent)) {
      err = exh_errno_map(errno, VAULT_ERRNO);
      goto cleanup;
    }
    if (!pathf(q.vault, sizeof q.vault, "%s/%s", strcmp(rparent, "/") ? rparent : "", vbase)) {
      err = EXHUNT_ELIMIT;
      goto cleanup;
    }
  }
  err = EXHUNT_EINVAL;
  for (size_t i = 0; i < q.n_roots; i++)
    if (under(q.vault, q.roots[i]))
      goto cleanup;
  if (!opts->dry_run && (err = vault_prepare(opts->vault, true, q.vault, opts->sink)) != EXHUNT_OK)
    goto cleanup;
  err = EXHUNT_EINVAL;
  for (size_t i = 0; i < q.n_roots; i++)
    if (under(q.vault, q.roots[i]))
      goto cleanup;
  /* A dry run changes nothing, and may name a vault not made yet. */
  if (!opts->dry_run && ((err = vault_lock(q.vault, true, &lock_fd, opts->sink)) != EXHUNT_OK ||
                         (err = manifest_open(q.vault, &q.manifest_fd, opts->sink)) != EXHUNT_OK))
    goto cleanup;
  for (size_t i = 0; i < n_items; i++)
    quarantine_one(&q, &items[i]);
  err = EXHUNT_OK;

cleanup:
  if (q.manifest_fd >= 0)
    exh_close(q.manifest_fd);
  if (lock_fd >= 0)
    exh_close(lock_fd); /* releases the lock */
  for (size_t i = 0; i < q.n_roots; i++)
    exh_free(q.roots[i]);
  exh_free(q.roots);
  return err;
}

/* ---------------------------------------------------------------------- */
/* Restore.                                                                */

/* By original path (as given, or with its folder resolved): the newest
 * entry not yet restored, else the newest; NULL if none. */
static ventry *find_path(manifest *m, const char *what)
{
  ventry *any = NULL;
  char dir[EXH_PATH_MAX], rdir[EXH_PATH_MAX], real[EXH_PATH_MAX];
  dir_of(what, dir, sizeof dir);
  const char *base = strrchr(what, '/') ? strrchr(what, '/') + 1 : what;
  real[0] = '\0';
  if (exh_realpath(dir, rdir))
    if (!pathf(real, sizeof real, "%s/%s", strcmp(rdir, "/") ? rdir : "", base))
      real[0] = '\0';
  for (size_t i = m->n; i-- > 0;) {
    if (strcmp(m->v[i].path, what) != 0 && strcmp(m->v[i].path, real) != 0)
      continue;
    if (!m->v[i].pub.restored)
      return &m->v[i];
    if (!any)
      any = &m->v[i];
  }
  return any;
}

/* Puts entry e back (see exhunt_vault_restore); the outcome goes to ev, its
 * reason possibly into reason[cap]. mfd: the manifest, opened before any
 * change (-1 for a dry run). */
static void restore_one(const char *vault, const exhunt_vault_opts *o, const ventry *e,
                        const char *host, int mfd, exhunt_vault_event *ev, char *reason, size_t cap)
{
  const exhunt_vault_entry *p = &e->pub;
  char obj[EXH_VAULT_PATH_MAX], dir[EXH_PATH_MAX], failed[EXH_PATH_MAX], tmp[64];
  int in_fd = -1, out_fd = -1, dfd = -1;
  bool tmp_made = false;
  exh_dynbuf line;
  exh_dynbuf_init(&line, LINE_MAX_BYTES);
  exh_stat st;
  /* The manifest's paths are absolute and clean (entry_path). */
  const char *base = strrchr(p->path, '/') + 1;
  dir_of(p->path, dir, sizeof dir);

  /* The folder, without following a symlink: one planted at a folder of
   * the original path since the quarantine must not take the file (or the
   * temp) elsewhere. */
  dfd = open_dir_safe(dir, o->parents && !o->dry_run, failed, sizeof failed);
  if (dfd < 0 && errno == ENOENT && o->parents && o->dry_run) {
    ev->outcome = EXHUNT_VAULT_DRY_RUN;
    snprintf(reason, cap, "would make the missing folder %s and restore", failed);
    ev->reason = reason;
    goto cleanup;
  }
  if (dfd < 0) {
    int e2 = errno;
    ev->outcome = e2 == ENOENT  ? EXHUNT_VAULT_REFUSED_PARENT
                  : e2 == ELOOP ? EXHUNT_VAULT_REFUSED_SYMLINK
                                : EXHUNT_VAULT_FAILED;
    ev->err = ev->outcome == EXHUNT_VAULT_FAILED ? exh_errno_map(e2, VAULT_ERRNO) : EXHUNT_OK;
    snprintf(reason, cap,
             e2 == ENOENT  ? "the folder %s is missing; --parents to make it"
             : e2 == ELOOP ? "the folder %s is a symlink now; not followed"
                           : "cannot open the folder %s",
             failed);
    ev->reason = reason;
    goto cleanup;
  }
  if (exh_stat_at(dfd, base, EXH_AT_NOFOLLOW, &st) == 0 && (!o->force || st.type != EXH_FT_REG)) {
    ev->outcome = EXHUNT_VAULT_REFUSED_EXISTS;
    ev->reason = o->force ? "exists and is not a regular file" : "exists; --force to overwrite";
    goto cleanup;
  }
  if (!pathf(obj, sizeof obj, "%s/%s", vault, e->object)) {
    ev->outcome = EXHUNT_VAULT_FAILED;
    ev->err = EXHUNT_ELIMIT;
    ev->reason = "vault path too long";
    goto cleanup;
  }
  if (o->dry_run) {
    ev->outcome = exh_readable(obj) ? EXHUNT_VAULT_DRY_RUN : EXHUNT_VAULT_MISSING;
    ev->reason = ev->outcome == EXHUNT_VAULT_DRY_RUN ? "would restore" : "vault object missing";
    goto cleanup;
  }
  in_fd = exh_open(obj, EXH_O_NOFOLLOW | EXH_O_NONBLOCK, 0);
  if (in_fd < 0) {
    ev->outcome = errno == ENOENT ? EXHUNT_VAULT_MISSING : EXHUNT_VAULT_FAILED;
    ev->err = exh_errno_map(errno, VAULT_ERRNO);
    ev->reason = "cannot open the vault object";
    goto cleanup;
  }
  if (exh_fstat(in_fd, &st) != 0 || st.type != EXH_FT_REG) {
    ev->outcome = EXHUNT_VAULT_DAMAGED;
    ev->err = EXHUNT_ECORRUPT;
    ev->reason = "vault object is not a regular file";
    goto cleanup;
  }
  /* The id is 18 safe characters (valid_id): the name cannot be cut. */
  snprintf(tmp, sizeof tmp, ".exhunt-restore-%s.tmp", p->id);
  out_fd = exh_open_at(dfd, tmp, EXH_O_WRITE | EXH_O_CREATE | EXH_O_EXCL | EXH_O_NOFOLLOW, 0600);
  if (out_fd < 0) {
    int e2 = errno;
    ev->outcome = EXHUNT_VAULT_FAILED;
    ev->err = exh_errno_map(e2, VAULT_ERRNO);
    snprintf(reason, cap,
             e2 == EEXIST ? "%s/%s is in the way (left by an interrupted restore?); remove it"
                          : "cannot create %s/%s beside the target",
             dir, tmp);
    ev->reason = reason;
    goto cleanup;
  }
  tmp_made = true;
  uint8_t sha[32];
  uint64_t size;
  /* Never more than the recorded size is written: a damaged or planted
   * object cannot fill the disk of the server it is restored to. */
  ev->err = exh_vault_inflate(in_fd, out_fd, p->size, sha, &size);
  if (ev->err || memcmp(sha, p->sha256, 32) != 0 || size != p->size) {
    bool io = ev->err == EXHUNT_EIO || ev->err == EXHUNT_ENOSPC;
    ev->outcome = io ? EXHUNT_VAULT_FAILED : EXHUNT_VAULT_DAMAGED;
    if (!ev->err)
      ev->err = EXHUNT_ECORRUPT;
    ev->reason = ev->err == EXHUNT_ENOSPC
                     ? "no space left where the file goes back; nothing restored"
                 : io ? "cannot read the object or write the file"
                      : "vault object does not match its entry";
    goto cleanup;
  }
  /* Owner before mode: chown clears set-id bits. */
  if (exh_privileged() && exh_fchown(out_fd, p->uid, p->gid) != 0) {
    ev->outcome = EXHUNT_VAULT_FAILED;
    ev->err = exh_errno_map(errno, VAULT_ERRNO);
    ev->reason = "cannot restore the owner";
    goto cleanup;
  }
  exh_timespec atime = {p->atime, (long)e->atime_nsec}, mtime = {p->mtime, (long)e->mtime_nsec};
  if (exh_fchmod(out_fd, p->mode & 07777) != 0 || exh_fsync(out_fd) != 0 ||
      exh_set_times(out_fd, atime, mtime) != 0 || exh_fsync(out_fd) != 0) {
    ev->outcome = EXHUNT_VAULT_FAILED;
    ev->err = exh_errno_map(errno, VAULT_ERRNO);
    ev->reason = "cannot set mode or times";
    goto cleanup;
  }
  exh_close(out_fd);
  out_fd = -1;
  /* Without --force, the rename fails if the name exists (NOREPLACE), so a
   * file that appeared meanwhile is never overwritten. */
  int rc = exh_rename_at(dfd, tmp, dfd, base, o->force ? 0 : EXH_RENAME_NOREPLACE);
  if (rc != 0) {
    ev->outcome = errno == EEXIST ? EXHUNT_VAULT_REFUSED_EXISTS : EXHUNT_VAULT_FAILED;
    ev->err = errno == EEXIST ? EXHUNT_OK : exh_errno_map(errno, VAULT_ERRNO);
    ev->reason = errno == EEXIST ? "exists; --force to overwrite" : "cannot put the file back";
    goto cleanup;
  }
  tmp_made = false;
  if (exh_fsync(dfd) != 0) {
    ev->outcome = EXHUNT_VAULT_FAILED;
    ev->err = EXHUNT_EIO;
    ev->reason = "restored, but its directory cannot be synced";
    goto cleanup;
  }
  if ((ev->err = exh_dynbuf_addf(
           &line,
           "{\"schema\":\"%s\",\"type\":\"restore\",\"id\":\"%s\",\"time\":%lld,"
           "\"force\":%s",
           EXHUNT_SCHEMA, p->id, (long long)time(NULL), o->force ? "true" : "false")) ||
      (ev->err = json_path(&line, "path", p->path)) ||
      (ev->err = exh_dynbuf_adds(&line, ",\"host\":")) || (ev->err = exh_json_str(&line, host)) ||
      (ev->err = exh_dynbuf_addc(&line, '}')) || (ev->err = manifest_append(mfd, &line))) {
    ev->outcome = EXHUNT_VAULT_FAILED;
    ev->reason = "restored, but the manifest cannot record it";
    goto cleanup;
  }
  ev->outcome = EXHUNT_VAULT_DONE;
  ev->reason = "restored";
  if (!exh_privileged() && (p->uid != exh_euid() || p->gid != exh_egid())) {
    snprintf(reason, cap, "restored; owner %lu:%lu not restored (needs root)",
             (unsigned long)p->uid, (unsigned long)p->gid);
    ev->reason = reason;
  }

cleanup:
  if (out_fd >= 0)
    exh_close(out_fd);
  if (tmp_made)
    exh_unlink_at(dfd, tmp, false);
  if (in_fd >= 0)
    exh_close(in_fd);
  if (dfd >= 0)
    exh_close(dfd);
  exh_dynbuf_free(&line);
}

/* Entries sorted by id (ties by position: the array is in manifest order),
 * for finding many ids in a large manifest without a scan per id. */
static int cmp_id(const void *a, const void *b)
{
  const ventry *x = *(const ventry *const *)a, *y = *(const ventry *const *)b;
  int c = strcmp(x->id, y->id);
  return c ? c : (x > y) - (x < y);
}

/* The first (oldest) entry with id `id`, through the sorted index; NULL if
 * none. */
static ventry *find_id(ventry *const *by_id, size_t n, const char *id)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(by_id[mid]->id, id) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && strcmp(by_id[lo]->id, id) == 0 ? by_id[lo] : NULL;
}

exhunt_err exhunt_vault_restore_many(const exhunt_vault_opts *opts, const char *const *whats,
                                     size_t n, exhunt_err *item_errs, exhunt_vault_cb cb, void *ctx,
                                     exhunt_vault_stats *stats)
{
  if (!opts || !opts->vault || (n && !whats))
    return EXHUNT_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (!whats[i])
      return EXHUNT_EINVAL;
  char vault[EXH_PATH_MAX], host[256], reason[EXH_PATH_MAX + 128];
  int lock_fd = -1, mfd = -1;
  ventry **by_id = NULL;
  manifest m;
  memset(&m, 0, sizeof m);
  for (size_t i = 0; item_errs && i < n; i++)
    item_errs[i] = EXHUNT_OK;
  exhunt_err err = vault_prepare(opts->vault, false, vault, opts->sink);
  if (err)
    return err;
  /* One lock and one read of the manifest for all: they used to be taken
   * per item, and 300 ids against a 20,000-line manifest took minutes. The
   * lock is held throughout, so no other writer changes the manifest
   * between items; this call's own restores are marked in memory as it
   * goes, as a reload would show them. A dry run only reads: a shared
   * lock, like list. */
  if ((err = vault_lock(vault, !opts->dry_run, &lock_fd, opts->sink)) != EXHUNT_OK)
    goto cleanup;
  if ((err = manifest_load(vault, opts->sink, &m)) != EXHUNT_OK)
    goto cleanup;
  if (m.n && !(by_id = exh_reallocarray(NULL, m.n, sizeof *by_id))) {
    err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  for (size_t i = 0; i < m.n; i++)
    by_id[i] = &m.v[i];
  if (m.n)
    qsort(by_id, m.n, sizeof *by_id, cmp_id);
  host_name(host, sizeof host);
  for (size_t i = 0; i < n; i++) {
    ventry *e = find_id(by_id, m.n, whats[i]);
    if (!e)
      e = find_path(&m, whats[i]);
    if (!e) {
      if (item_errs)
        item_errs[i] = EXHUNT_ENOENT;
      continue;
    }
    /* The manifest first: a vault that cannot record the restore is found
     * out before the file is put back. */
    if (!opts->dry_run && mfd < 0 && (err = manifest_open(vault, &mfd, opts->sink)) != EXHUNT_OK)
      goto cleanup;
    exhunt_vault_event ev;
    memset(&ev, 0, sizeof ev);
    ev.path = e->pub.path;
    ev.id = e->pub.id;
    ev.object = e->object;
    ev.have_sha256 = true;
    memcpy(ev.sha256, e->pub.sha256, 32);
    ev.size = e->pub.size;
    restore_one(vault, opts, e, host, mfd, &ev, reason, sizeof reason);
    if (ev.outcome == EXHUNT_VAULT_DONE) {
      e->pub.restored = true;
      e->pub.restored_time = (int64_t)time(NULL);
    }
    emit(cb, ctx, stats, &ev);
  }
  err = EXHUNT_OK;

cleanup:
  if (mfd >= 0)
    exh_close(mfd);
  exh_free(by_id);
  manifest_free(&m);
  if (lock_fd >= 0)
    exh_close(lock_fd);
  return err;
}

exhunt_err exhunt_vault_restore(const exhunt_vault_opts *opts, const char *what, exhunt_vault_cb cb,
                                void *ctx, exhunt_vault_stats *stats)
{
  if (!what)
    return EXHUNT_EINVAL;
  exhunt_err item = EXHUNT_OK;
  exhunt_err err = exhunt_vault_restore_many(opts, &what, 1, &item, cb, ctx, stats);
  return err ? err : item;
}

/* ---------------------------------------------------------------------- */
/* List and verify.                                                        */

exhunt_err exhunt_vault_list(const char *vault, const exhunt_sink *notes, exhunt_vault_entry_cb cb,
                             void *ctx)
{
  if (!vault)
    return EXHUNT_EINVAL;
  manifest m;
  memset(&m, 0, sizeof m);
  int lock_fd = -1;
  exhunt_err err = vault_lock(vault, false, &lock_fd, notes);
  if (!err)
    err = manifest_load(vault, notes, &m);
  if (lock_fd >= 0)
    exh_close(lock_fd); /* the entries are copies now */
  if (err)
    return err;
  for (size_t i = 0; i < m.n; i++)
    if (cb)
      cb(ctx, &m.v[i].pub);
  manifest_free(&m);
  return EXHUNT_OK;
}

static int cmp_sha(const void *a, const void *b)
{
  return memcmp(a, b, 32);
}

static void leftover_note(const exhunt_sink *notes, const char *dir, uint64_t n, const char *what)
{
  if (!n || !notes || !notes->on_notice)
    return;
  char reason[256];
  snprintf(reason, sizeof reason, "%llu %s", (unsigned long long)n, what);
  exhunt_notice note = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, "vault-leftovers", dir, reason};
  notes->on_notice(notes->ctx, &note);
}

/* What an interrupted quarantine can leave (see the top comment), said as
 * notes, never as damage: temp files in VAULT/tmp, and objects no entry
 * refers to (stored, not yet recorded). Both are safe to delete. */
static exhunt_err report_leftovers(const char *vault, const manifest *m, const exhunt_sink *notes)
{
  exhunt_err err = EXHUNT_OK;
  uint8_t(*known)[32] = NULL;
  exh_dir d;
  char path[EXH_VAULT_PATH_MAX];
  uint64_t parts = 0, orphans = 0;
  if (m->n && !(known = exh_reallocarray(NULL, m->n, sizeof *known)))
    return EXHUNT_ENOMEM;
  for (size_t i = 0; i < m->n; i++)
    memcpy(known[i], m->v[i].pub.sha256, 32);
  if (m->n)
    qsort(known, m->n, sizeof *known, cmp_sha);
  if (pathf(path, sizeof path, "%s/tmp", vault) && exh_dir_open(&d, path) == 0) {
    exh_dirent de;
    while (exh_dir_next(&d, &de) > 0)
      parts += de.name[0] != '.';
    exh_dir_close(&d);
    leftover_note(notes, path, parts,
                  "temp file(s) of an interrupted quarantine in tmp/; never referenced, safe to "
                  "delete");
  }
  static const char hexd[] = "0123456789abcdef";
  for (int i = 0; i < 256; i++) {
    if (!pathf(path, sizeof path, "%s/objects/%c%c", vault, hexd[i >> 4], hexd[i & 15]) ||
        exh_dir_open(&d, path) != 0)
      continue;
    exh_dirent de;
    while (exh_dir_next(&d, &de) > 0) {
      uint8_t sha[32];
      char hex[65];
      if (strlen(de.name) != 67 || strcmp(de.name + 64, ".gz") != 0)
        continue;
      memcpy(hex, de.name, 64);
      hex[64] = '\0';
      if (parse_sha256(hex, sha) && (!m->n || !bsearch(sha, known, m->n, sizeof *known, cmp_sha)))
        orphans++;
    }
    exh_dir_close(&d);
  }
  if (pathf(path, sizeof path, "%s/objects", vault))
    leftover_note(notes, path, orphans,
                  "object(s) no entry refers to (an interrupted quarantine: the original was "
                  "left in place); safe to delete");
  exh_free(known);
  return err;
}

exhunt_err exhunt_vault_verify(const char *vault, const exhunt_sink *notes, exhunt_vault_cb cb,
                               void *ctx, exhunt_vault_stats *stats)
{
  if (!vault)
    return EXHUNT_EINVAL;
  manifest m;
  memset(&m, 0, sizeof m);
  int lock_fd = -1;
  /* Held to the end: objects are read, and a quarantine running meanwhile
   * could be mid-way through replacing one. */
  exhunt_err err = vault_lock(vault, false, &lock_fd, notes);
  if (!err)
    err = manifest_load(vault, notes, &m);
  for (size_t i = 0; !err && i < m.n; i++) {
    const ventry *e = &m.v[i];
    exhunt_vault_event ev;
    memset(&ev, 0, sizeof ev);
    ev.path = e->pub.path;
    ev.id = e->pub.id;
    ev.object = e->object;
    ev.have_sha256 = true;
    memcpy(ev.sha256, e->pub.sha256, 32);
    ev.size = e->pub.size;
    ev.outcome = check_object(vault, e->pub.sha256, e->pub.size, &ev.err);
    ev.reason = ev.outcome == EXHUNT_VAULT_DONE      ? "intact"
                : ev.outcome == EXHUNT_VAULT_MISSING ? "object missing"
                : ev.outcome == EXHUNT_VAULT_DAMAGED ? "object corrupt or wrong hash"
                                                     : "object unreadable";
    if (ev.outcome == EXHUNT_VAULT_DONE)
      ev.err = EXHUNT_OK;
    emit(cb, ctx, stats, &ev);
  }
  if (!err)
    err = report_leftovers(vault, &m, notes);
  manifest_free(&m);
  if (lock_fd >= 0)
    exh_close(lock_fd);
  return err;
}

exhunt_err exh_vault_manifest_parse(const char *data, size_t len, const exhunt_sink *sink,
                                    size_t *entries)
{
  manifest m;
  memset(&m, 0, sizeof m);
  exhunt_err err = manifest_parse(data, len, "manifest.jsonl", sink, &m);
  *entries = err ? 0 : m.n;
  manifest_free(&m);
  return err;
}
