/*
 * baseline.c - known-good baselines of web folders, and diffs against them
 * (see include/exhunt/baseline.h and docs/baseline.md).
 *
 * Create streams: the walker hands over a file, it is hashed through one
 * 1 MiB chunk buffer and its record written at once, so memory does not
 * grow with the number of files. Diff needs random access to the baseline,
 * so the parsed records live in an open-addressing hash table keyed by
 * (root name, relative path): memory proportional to the baseline, about
 * 100 bytes plus the path per file. The diff walk marks what it meets;
 * what is left unmarked was removed. Keys are relative to the root, so a
 * baseline of a clean reference install compares with a suspect server
 * mounted anywhere.
 *
 * The baseline file is input like any other (it may sit on the server that
 * is being examined): lines are bounded, each is parsed alone with jansson,
 * and a malformed one is a note, never a stop.
 */
#include "exhunt/baseline.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "baseline/baseline_int.h"
#include "core/alloc.h"
#include "core/codec.h"
#include "core/dynbuf.h"
#include "core/errmap.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "core/pace.h"
#include "output/escape.h"
#include "platform/digest.h"
#include "platform/fs.h"
#include "walk/walk.h"

/* ---------------------------------------------------------------------- */
/* Classification.                                                         */

static const char *const script_exts[] = {".aspx", ".ashx",   ".asmx",   ".asp",    ".asa",
                                          ".cer",  ".cshtml", ".config", ".master", ".ascx",
                                          ".svc",  ".php",    ".jsp"};

static const char *const web_dirs[] = {"inetpub/wwwroot", "frontend/httpproxy", "clientaccess"};

bool exh_bl_is_script(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!dot)
    return false;
  for (size_t i = 0; i < sizeof script_exts / sizeof script_exts[0]; i++)
    if (strcasecmp(dot, script_exts[i]) == 0)
      return true;
  return false;
}

/* Case-insensitive substring, with '\' in the needle taken as '/' so a
 * Windows-style --web folder matches a mounted tree. */
static bool ci_contains(const char *hay, const char *needle)
{
  size_t nl = strlen(needle);
  while (nl && (needle[nl - 1] == '/' || needle[nl - 1] == '\\'))
    nl--;
  if (nl == 0)
    return false;
  for (const char *h = hay; *h; h++) {
    size_t i = 0;
    for (; i < nl && h[i]; i++) {
      char a = h[i], b = needle[i] == '\\' ? '/' : needle[i];
      if (a >= 'A' && a <= 'Z')
        a = (char)(a - 'A' + 'a');
      if (b >= 'A' && b <= 'Z')
        b = (char)(b - 'A' + 'a');
      if (a != b)
        break;
    }
    if (i == nl)
      return true;
  }
  return false;
}

bool exh_bl_in_web_dir(const char *path, const char *const *extra, size_t n_extra)
{
  for (size_t i = 0; i < sizeof web_dirs / sizeof web_dirs[0]; i++)
    if (ci_contains(path, web_dirs[i]))
      return true;
  for (size_t i = 0; i < n_extra; i++)
    if (extra[i] && ci_contains(path, extra[i]))
      return true;
  return false;
}

/* ---------------------------------------------------------------------- */
/* Reading evidence: one pass, hashing, optionally keeping the content.   */

typedef struct reader {
  exh_digest *ctx; /* SHA-256 */
  uint8_t *chunk;  /* EXH_STREAM_CHUNK bytes */
  exh_dynbuf content;
  bool keep; /* keep content up to content.max */
  bool noatime_noted;
  exh_pace *pace; /* opts->pace; NULL: none */
  /* The root being walked: files are opened through it, with the identity
   * the walker saw (exh_open_evidence_at). */
  exh_evidence_root *root;
  exh_evidence_dircache dirs;
} reader;

typedef struct read_result {
  uint8_t sha256[32];
  uint64_t size;
  bool content_complete; /* all of it is in content */
} read_result;

static exhunt_err reader_init(reader *r, bool keep, uint64_t max_content)
{
  memset(r, 0, sizeof *r);
  exh_evidence_dircache_init(&r->dirs);
  r->keep = keep;
  exh_dynbuf_init(&r->content, (size_t)max_content);
  r->ctx = exh_digest_new(EXH_DIGEST_SHA256);
  r->chunk = exh_malloc(EXH_STREAM_CHUNK);
  return r->ctx && r->chunk ? EXHUNT_OK : EXHUNT_ENOMEM;
}

static void reader_free(reader *r)
{
  exh_digest_free(r->ctx);
  exh_free(r->chunk);
  exh_dynbuf_free(&r->content);
  exh_pace_free(r->pace);
  r->pace = NULL;
  exh_evidence_dircache_free(&r->dirs);
}

/* The baseline's errno classes: ENOMEM, but ENOTDIR and EMFILE stay EIO
 * (as they always were here). */
#define BASELINE_ERRNO EXH_ERRMAP_NOMEM

/* Common state of a create or diff run: the sink, statistics, reader. */
typedef struct run {
  const exhunt_sink *sink;
  exhunt_scan_stats stats;
  reader rd;
  exhunt_err fatal;
} run;

static void notice(run *u, exhunt_notice_kind kind, exhunt_err code, const char *what,
                   const char *path, const char *reason)
{
  exhunt_notice n = {kind, code, what, path, reason};
  if (kind == EXHUNT_NOTICE_ERROR)
    u->stats.errors++;
  else
    u->stats.notes++;
  u->sink->on_notice(u->sink->ctx, &n);
}

/* Opens read-only (O_NOATIME where permitted), checks it is still the file
 * the walker listed, and hashes it. false after a notice if it could not be
 * read whole. */
static bool read_evidence(run *u, const char *path, const exh_stat *listed, read_result *res)
{
  bool ok = false;
  bool noatime_refused = false;
  memset(res, 0, sizeof *res);
  if (u->rd.content.cap > EXH_KEEP_BUFFER) {
    /* Give back what one large file needed, as the scan workers do. */
    size_t max = u->rd.content.max;
    exh_dynbuf_free(&u->rd.content);
    exh_dynbuf_init(&u->rd.content, max);
  }
  exh_dynbuf_reset(&u->rd.content);
  const char *rel = u->rd.root ? exh_evidence_rel(u->rd.root, path) : NULL;
  exh_evidence_open o;
  int fd = exh_open_evidence_at(u->rd.root, rel, listed->dev, listed->ino, &u->rd.dirs, &o);
  noatime_refused = o.noatime_refused;
  if (fd < 0) {
    exhunt_err code;
    const char *what;
    exhunt_skip_reason why;
    char reason[256];
    exh_evidence_open_describe(&o, &code, &what, &why, reason, sizeof reason);
    u->stats.skipped[why]++;
    notice(u, EXHUNT_NOTICE_ERROR, code, what, path, reason);
    goto cleanup;
  }
  if (noatime_refused && !u->rd.noatime_noted) {
    u->rd.noatime_noted = true;
    notice(u, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "noatime-refused", path,
           "O_NOATIME not permitted (not the owner); access times may be updated");
  }
  if (!exh_digest_init(u->rd.ctx)) {
    u->fatal = EXHUNT_ENOMEM;
    goto cleanup;
  }
  bool kept_all = u->rd.keep;
  for (;;) {
    exh_ssize n = exh_read(fd, u->rd.chunk, EXH_STREAM_CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      u->stats.skipped[EXHUNT_SKIP_UNREADABLE]++;
      notice(u, EXHUNT_NOTICE_ERROR, exh_errno_map(e, BASELINE_ERRNO), "read-error", path,
             strerror(e));
      goto cleanup;
    }
    if (n == 0)
      break;
    if (!exh_digest_update(u->rd.ctx, u->rd.chunk, (size_t)n)) {
      u->fatal = EXHUNT_ENOMEM;
      goto cleanup;
    }
    res->size += (uint64_t)n;
    exh_pace_account(u->rd.pace, (uint64_t)n);
    if (kept_all) {
      exhunt_err err = exh_dynbuf_add(&u->rd.content, u->rd.chunk, (size_t)n);
      if (err == EXHUNT_ENOMEM) {
        u->fatal = err;
        goto cleanup;
      }
      if (err) /* over the content limit: still hashed to the end */
        kept_all = false;
    }
  }
  if (!exh_digest_final(u->rd.ctx, res->sha256)) {
    u->fatal = EXHUNT_ENOMEM;
    goto cleanup;
  }
  res->content_complete = kept_all;
  u->stats.files_scanned++;
  u->stats.bytes_read += res->size;
  ok = true;
cleanup:
  if (fd >= 0)
    exh_close(fd);
  return ok;
}

static void on_skip(void *ctx, exhunt_skip_reason why, const exhunt_notice *n)
{
  run *u = ctx;
  u->stats.skipped[why]++;
  if (!n)
    return;
  if (n->kind == EXHUNT_NOTICE_ERROR)
    u->stats.errors++;
  else
    u->stats.notes++;
  u->sink->on_notice(u->sink->ctx, n);
}

static void on_dir(void *ctx, bool noatime_refused)
{
  run *u = ctx;
  u->stats.dirs_seen++;
  if (noatime_refused && !u->rd.noatime_noted) {
    u->rd.noatime_noted = true;
    notice(u, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "noatime-refused", NULL,
           "O_NOATIME not permitted for a directory (not the owner); access times may be updated");
  }
}

/* Walks one root, opened once: the walker lists and read_evidence opens
 * through the same descriptor. */
static exhunt_err walk_root(run *u, const char *path, const exh_walk_opts *wo,
                            const exh_walk_cb *cb)
{
  const char *step = NULL;
  int e = exh_evidence_root_open(path, &u->rd.root, &step);
  if (e == ENOMEM)
    return EXHUNT_ENOMEM;
  if (e) {
    u->stats.skipped[EXHUNT_SKIP_UNREADABLE]++;
    notice(u, EXHUNT_NOTICE_ERROR, exh_errno_map(e, BASELINE_ERRNO), step, path, strerror(e));
    return EXHUNT_OK;
  }
  exhunt_err err = exh_walk_root(u->rd.root, wo, cb);
  exh_evidence_root_unref(u->rd.root);
  u->rd.root = NULL;
  return err;
}

/* The name a root goes by in the baseline: its last path component. */
static void root_name(const char *root, const char **name, size_t *len)
{
  size_t l = strlen(root);
  while (l > 1 && root[l - 1] == '/')
    l--;
  size_t s = l;
  while (s > 0 && root[s - 1] != '/')
    s--;
  if (s == l) { /* "/" */
    *name = root;
    *len = l ? 1 : 0;
    return;
  }
  *name = root + s;
  *len = l - s;
}

/* The path of a listed file relative to its root. The walker lists a file
 * under the root as given, except a root that is a symlink to a file,
 * which it lists by its resolved path: that is the root itself, so its
 * name (an absolute path here would never match a reference tree). */
static const char *relative(const char *root, const char *path)
{
  size_t rl = strlen(root);
  if (strncmp(path, root, rl) != 0) {
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
  }
  if (path[rl] == '\0') { /* the root is the file itself */
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
  }
  return path[rl] == '/' ? path + rl + 1 : path + rl;
}

static void stats_out(const run *u, exhunt_scan_stats *stats)
{
  if (stats)
    *stats = u->stats;
}

/* ---------------------------------------------------------------------- */
/* Create.                                                                 */

void exhunt_baseline_opts_init(exhunt_baseline_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  exhunt_scope_init(&opts->scope);
  opts->created = EXHUNT_NO_TIME;
}

/* Appends "key":"value" with a key_b64 sibling when value is not UTF-8. */
static exhunt_err json_field(exh_dynbuf *b, const char *key, const char *v, size_t len)
{
  bool lossy = false;
  exhunt_err err = exh_dynbuf_addf(b, "\"%s\":\"", key);
  err = err ? err : exh_escape_json(b, v, len, &lossy);
  err = err ? err : exh_dynbuf_addc(b, '"');
  if (!err && lossy) {
    err = exh_dynbuf_addf(b, ",\"%s_b64\":\"", key);
    err = err ? err : exh_base64(b, v, len);
    err = err ? err : exh_dynbuf_addc(b, '"');
  }
  return err;
}

typedef struct create_ctx {
  run u;
  const exhunt_baseline_writer *out;
  const char *root;
  const char *name;
  size_t name_len;
  exh_dynbuf line;
} create_ctx;

static exhunt_err emit(create_ctx *c)
{
  exhunt_err err = c->out->write(c->out->ctx, c->line.data, c->line.len);
  exh_dynbuf_reset(&c->line);
  return err;
}

static void create_file(void *ctx, const char *path, const exh_stat *st)
{
  create_ctx *c = ctx;
  if (c->u.fatal)
    return;
  c->u.stats.files_seen++;
  read_result res;
  if (!read_evidence(&c->u, path, st, &res))
    return;
  const char *rel = relative(c->root, path);
  exh_dynbuf *b = &c->line;
  exhunt_err err = exh_dynbuf_adds(b, "{");
  err = err ? err : json_field(b, "root", c->name, c->name_len);
  err = err ? err : exh_dynbuf_adds(b, ",");
  err = err ? err : json_field(b, "path", rel, strlen(rel));
  err = err ? err
            : exh_dynbuf_addf(b, ",\"size\":%llu,\"mode\":\"%04o\",\"mtime\":%lld,\"sha256\":\"",
                              (unsigned long long)res.size, (unsigned)st->mode,
                              (long long)st->mtime.sec);
  err = err ? err : exh_hex(b, res.sha256, 32);
  err = err ? err : exh_dynbuf_adds(b, "\"}\n");
  err = err ? err : emit(c);
  if (err)
    c->u.fatal = err;
}

static exhunt_err create_header(create_ctx *c, const char *const *roots, size_t n_roots,
                                const exhunt_baseline_opts *opts)
{
  exh_dynbuf *b = &c->line;
  exhunt_err err = exh_dynbuf_adds(b, "{\"schema\":\"" EXHUNT_BASELINE_SCHEMA "\",\"created\":");
  if (!err && opts->created != EXHUNT_NO_TIME) {
    err = exh_dynbuf_addc(b, '"');
    err = err ? err : exh_iso8601(b, opts->created);
    err = err ? err : exh_dynbuf_addc(b, '"');
  } else if (!err) {
    err = exh_dynbuf_adds(b, "null");
  }
  err = err ? err : exh_dynbuf_adds(b, ",\"roots\":[");
  for (size_t i = 0; i < n_roots && !err; i++) {
    const char *name;
    size_t nl;
    root_name(roots[i], &name, &nl);
    err = exh_dynbuf_adds(b, i ? ",{" : "{");
    err = err ? err : json_field(b, "name", name, nl);
    err = err ? err : exh_dynbuf_addc(b, ',');
    err = err ? err : json_field(b, "path", roots[i], strlen(roots[i]));
    err = err ? err : exh_dynbuf_addc(b, '}');
  }
  err = err ? err : exh_dynbuf_adds(b, "],");
  if (!err && opts->host)
    err = json_field(b, "host", opts->host, strlen(opts->host));
  else if (!err)
    err = exh_dynbuf_adds(b, "\"host\":null");
  err = err ? err : exh_dynbuf_adds(b, "}\n");
  return err ? err : emit(c);
}

exhunt_err exhunt_baseline_create(const char *const *roots, size_t n_roots,
                                  const exhunt_baseline_opts *opts,
                                  const exhunt_baseline_writer *out, const exhunt_sink *sink,
                                  exhunt_scan_stats *stats)
{
  if (!roots || !n_roots || !opts || !out || !out->write || !sink || !sink->on_notice)
    return EXHUNT_EINVAL;
  /* Records are keyed by (root name, relative path): two ROOTs of one name
   * would mix their records, and a diff could not tell them apart. */
  for (size_t i = 0; i < n_roots; i++)
    for (size_t j = 0; j < i; j++) {
      const char *a, *b;
      size_t al, bl;
      root_name(roots[i], &a, &al);
      root_name(roots[j], &b, &bl);
      if (al == bl && memcmp(a, b, al) == 0) {
        exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_EINVAL, "baseline-root-names", roots[i],
                           "another ROOT has the same last component; their records would mix "
                           "(give each tree a folder of its own name)"};
        sink->on_notice(sink->ctx, &n);
        return EXHUNT_EINVAL;
      }
    }
  create_ctx c;
  memset(&c, 0, sizeof c);
  c.u.sink = sink;
  c.out = out;
  exh_dynbuf_init(&c.line, EXH_BASELINE_MAX_LINE);
  exhunt_err err = reader_init(&c.u.rd, false, 0);
  if (!err)
    err = exh_pace_new(&opts->pace, &c.u.rd.pace);
  if (err)
    goto cleanup;
  if ((err = create_header(&c, roots, n_roots, opts)) != EXHUNT_OK)
    goto cleanup;
  exh_walk_opts wo = exh_walk_opts_of(&opts->scope, EXHUNT_NO_TIME);
  exh_walk_cb cb = {&c, create_file, on_skip, on_dir};
  for (size_t i = 0; i < n_roots && !err; i++) {
    c.root = roots[i];
    root_name(roots[i], &c.name, &c.name_len);
    err = walk_root(&c.u, roots[i], &wo, &cb);
    if (!err)
      err = c.u.fatal;
  }
cleanup:
  stats_out(&c.u, stats);
  reader_free(&c.u.rd);
  exh_dynbuf_free(&c.line);
  return err;
}

/* ---------------------------------------------------------------------- */
/* The parsed baseline.                                                    */

struct exhunt_baseline {
  exh_bl_entry **slots; /* open addressing, power of two */
  size_t n_slots, count;
  char **roots; /* distinct root names, in order of first appearance */
  size_t n_roots;
  exh_dynbuf line; /* the partial line between parse calls */
  bool overlong;   /* skipping the rest of an over-long line */
  uint64_t lineno;
  bool header_seen;
};

static uint64_t hash_key(const char *k, size_t len)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (uint8_t)k[i]) * 1099511628211ull;
  return h;
}

static exh_bl_entry **find_slot(exhunt_baseline *bl, const char *key, size_t len)
{
  size_t mask = bl->n_slots - 1;
  for (size_t i = (size_t)hash_key(key, len) & mask;; i = (i + 1) & mask) {
    exh_bl_entry *e = bl->slots[i];
    if (!e || (e->key_len == len && memcmp(e->key, key, len) == 0))
      return &bl->slots[i];
  }
}

static exhunt_err table_grow(exhunt_baseline *bl)
{
  size_t n = bl->n_slots ? bl->n_slots * 2 : 1024;
  exh_bl_entry **slots = exh_calloc(n, sizeof *slots);
  if (!slots)
    return EXHUNT_ENOMEM;
  exh_bl_entry **old = bl->slots;
  size_t old_n = bl->n_slots;
  bl->slots = slots;
  bl->n_slots = n;
  for (size_t i = 0; i < old_n; i++)
    if (old[i])
      *find_slot(bl, old[i]->key, old[i]->key_len) = old[i];
  exh_free(old);
  return EXHUNT_OK;
}

exhunt_err exhunt_baseline_new(exhunt_baseline **out)
{
  if (!out)
    return EXHUNT_EINVAL;
  exhunt_baseline *bl = exh_calloc(1, sizeof *bl);
  if (!bl)
    return EXHUNT_ENOMEM;
  exh_dynbuf_init(&bl->line, EXH_BASELINE_MAX_LINE);
  if (table_grow(bl)) {
    exh_free(bl);
    return EXHUNT_ENOMEM;
  }
  *out = bl;
  return EXHUNT_OK;
}

void exhunt_baseline_free(exhunt_baseline *bl)
{
  if (!bl)
    return;
  for (size_t i = 0; i < bl->n_slots; i++)
    exh_free(bl->slots[i]);
  exh_free(bl->slots);
  for (size_t i = 0; i < bl->n_roots; i++)
    exh_free(bl->roots[i]);
  exh_free(bl->roots);
  exh_dynbuf_free(&bl->line);
  exh_free(bl);
}

size_t exhunt_baseline_count(const exhunt_baseline *bl)
{
  return bl ? bl->count : 0;
}

static void malformed(exhunt_baseline *bl, const exhunt_sink *sink, const char *why)
{
  char reason[160];
  snprintf(reason, sizeof reason, "line %llu: %s; line skipped", (unsigned long long)bl->lineno,
           why);
  exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ECORRUPT, "baseline-malformed", NULL, reason};
  sink->on_notice(sink->ctx, &n);
}

/* Index of root `name` (adding it if new), or -1 if the list is full. */
static long root_index(exhunt_baseline *bl, const char *name, size_t len, exhunt_err *err)
{
  for (size_t i = 0; i < bl->n_roots; i++)
    if (strlen(bl->roots[i]) == len && memcmp(bl->roots[i], name, len) == 0)
      return (long)i;
  if (bl->n_roots == EXH_BASELINE_MAX_ROOTS)
    return -1;
  char **roots = exh_reallocarray(bl->roots, bl->n_roots + 1, sizeof *roots);
  if (!roots) {
    *err = EXHUNT_ENOMEM;
    return -1;
  }
  bl->roots = roots;
  if (!(roots[bl->n_roots] = exh_strndup(name, len))) {
    *err = EXHUNT_ENOMEM;
    return -1;
  }
  return (long)bl->n_roots++;
}

/* A string field, preferring its exact-bytes key_b64 sibling. Returns the
 * length, or -1 if missing or bad (empty, NUL inside, too long). */
static long get_str(json_t *obj, const char *key, char *buf, size_t cap)
{
  char k64[32];
  snprintf(k64, sizeof k64, "%s_b64", key);
  json_t *v = json_object_get(obj, k64);
  long len;
  if (json_is_string(v)) {
    len = exh_base64_decode(json_string_value(v), json_string_length(v), (uint8_t *)buf, cap);
  } else {
    v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) > cap)
      return -1;
    len = (long)json_string_length(v);
    memcpy(buf, json_string_value(v), (size_t)len);
  }
  if (len <= 0 || memchr(buf, '\0', (size_t)len))
    return -1;
  return len;
}

/* A path relative to its root as create writes it: not absolute, and no
 * "." or ".." component. */
static bool relative_ok(const char *p, size_t len)
{
  if (len == 0 || p[0] == '/')
    return false;
  for (size_t i = 0; i < len;) {
    size_t j = i;
    while (j < len && p[j] != '/')
      j++;
    size_t n = j - i;
    if ((n == 1 && p[i] == '.') || (n == 2 && p[i] == '.' && p[i + 1] == '.'))
      return false;
    i = j + 1;
  }
  return true;
}

static exhunt_err parse_header(exhunt_baseline *bl, json_t *doc, const exhunt_sink *sink)
{
  json_t *schema = json_object_get(doc, "schema");
  if (!json_is_string(schema) || strcmp(json_string_value(schema), EXHUNT_BASELINE_SCHEMA) != 0) {
    malformed(bl, sink, "header of another schema (want " EXHUNT_BASELINE_SCHEMA ")");
    return EXHUNT_OK;
  }
  if (bl->header_seen) {
    malformed(bl, sink, "a second header");
    return EXHUNT_OK;
  }
  bl->header_seen = true;
  json_t *roots = json_object_get(doc, "roots");
  size_t i;
  json_t *r;
  char name[EXH_MAX_PATH];
  exhunt_err err = EXHUNT_OK;
  json_array_foreach(roots, i, r)
  {
    long nl = json_is_object(r) ? get_str(r, "name", name, sizeof name) : -1;
    if (nl < 0) {
      malformed(bl, sink, "header root without a name; ignored");
      continue;
    }
    if (root_index(bl, name, (size_t)nl, &err) < 0 && err)
      return err;
  }
  return EXHUNT_OK;
}

/* One complete line, without its newline. */
static exhunt_err parse_line(exhunt_baseline *bl, const char *s, size_t len,
                             const exhunt_sink *sink)
{
  if (len && s[len - 1] == '\r')
    len--;
  size_t lead = 0;
  while (lead < len && (s[lead] == ' ' || s[lead] == '\t'))
    lead++;
  if (lead == len)
    return EXHUNT_OK;
  json_error_t jerr;
  json_t *doc = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
  exhunt_err err = EXHUNT_OK;
  char *key = NULL;
  if (!json_is_object(doc)) {
    malformed(bl, sink, doc ? "not a JSON object" : "not valid JSON");
    goto cleanup;
  }
  if (json_object_get(doc, "schema")) {
    err = parse_header(bl, doc, sink);
    goto cleanup;
  }
  char root[EXH_MAX_PATH];
  key = exh_malloc(2 * EXH_MAX_PATH + 2);
  if (!key) {
    err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  long rl = get_str(doc, "root", root, sizeof root);
  long pl = rl < 0 ? -1 : get_str(doc, "path", key + rl + 1, EXH_MAX_PATH);
  json_t *size = json_object_get(doc, "size"), *mtime = json_object_get(doc, "mtime");
  json_t *mode = json_object_get(doc, "mode"), *sha = json_object_get(doc, "sha256");
  if (rl < 0 || pl < 0) {
    malformed(bl, sink, "no valid root or path");
    goto cleanup;
  }
  /* A root's name is its last component, or "/" for the root folder. */
  if (!relative_ok(key + rl + 1, (size_t)pl) || (rl > 1 && memchr(root, '/', (size_t)rl))) {
    /* create never writes one; from a hostile baseline it would put a
     * removed_file finding on a path outside the ROOT. */
    malformed(bl, sink, "path absolute or with a '.' or '..' component, or root with a '/'");
    goto cleanup;
  }
  if (!json_is_integer(size) || json_integer_value(size) < 0 || !json_is_integer(mtime) ||
      !json_is_string(mode) || !json_is_string(sha) || json_string_length(sha) != 64) {
    malformed(bl, sink, "size, mode, mtime or sha256 missing or mistyped");
    goto cleanup;
  }
  const char *ms = json_string_value(mode);
  char *end = NULL;
  errno = 0;
  unsigned long m = strtoul(ms, &end, 8);
  if (!*ms || *end || errno || m > 07777) {
    malformed(bl, sink, "mode is not octal permission bits");
    goto cleanup;
  }
  uint8_t digest[32];
  const char *hx = json_string_value(sha);
  if (!exh_hex_decode(hx, 64, digest, sizeof digest)) { /* length checked above */
    malformed(bl, sink, "sha256 is not hex");
    goto cleanup;
  }
  if (root_index(bl, root, (size_t)rl, &err) < 0) {
    if (!err)
      malformed(bl, sink, "too many distinct roots");
    goto cleanup;
  }
  memcpy(key, root, (size_t)rl);
  key[rl] = '\0';
  size_t klen = (size_t)rl + 1 + (size_t)pl;
  if (bl->count >= EXH_BASELINE_MAX_ENTRIES) {
    /* Refused whole: a cut baseline would report every file past the cut
     * as new. */
    char reason[160];
    snprintf(reason, sizeof reason,
             "more than %u records (EXH_BASELINE_MAX_ENTRIES); baseline refused, as a partial "
             "one would report files as new",
             (unsigned)EXH_BASELINE_MAX_ENTRIES);
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "baseline-too-large", NULL, reason};
    sink->on_notice(sink->ctx, &n);
    err = EXHUNT_ELIMIT;
    goto cleanup;
  }
  if ((bl->count + 1) * 2 > bl->n_slots && (err = table_grow(bl)) != EXHUNT_OK)
    goto cleanup;
  exh_bl_entry **slot = find_slot(bl, key, klen);
  if (*slot) {
    malformed(bl, sink, "duplicate path; the first record is kept");
    goto cleanup;
  }
  exh_bl_entry *e = exh_malloc(sizeof *e + klen + 1);
  if (!e) {
    err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  e->size = (uint64_t)json_integer_value(size);
  e->mtime = (int64_t)json_integer_value(mtime);
  e->mode = (uint32_t)m;
  e->seen = false;
  memcpy(e->sha256, digest, 32);
  e->key_len = klen;
  e->root_len = (size_t)rl;
  memcpy(e->key, key, klen);
  e->key[klen] = '\0';
  *slot = e;
  bl->count++;
cleanup:
  exh_free(key);
  json_decref(doc);
  return err;
}

exhunt_err exhunt_baseline_parse(exhunt_baseline *bl, const char *data, size_t len,
                                 const exhunt_sink *sink)
{
  if (!bl || (!data && len) || !sink || !sink->on_notice)
    return EXHUNT_EINVAL;
  size_t i = 0;
  while (i < len) {
    const char *nl = memchr(data + i, '\n', len - i);
    size_t piece = nl ? (size_t)(nl - (data + i)) : len - i;
    if (!bl->overlong) {
      exhunt_err err = exh_dynbuf_add(&bl->line, data + i, piece);
      if (err == EXHUNT_ENOMEM)
        return err;
      if (err) { /* over EXH_BASELINE_MAX_LINE: drop until the newline */
        bl->overlong = true;
        exh_dynbuf_reset(&bl->line);
      }
    }
    i += piece;
    if (!nl)
      break;
    i++; /* the newline */
    bl->lineno++;
    exhunt_err err = EXHUNT_OK;
    if (bl->overlong)
      malformed(bl, sink, "line longer than the limit");
    else
      err = parse_line(bl, bl->line.data ? bl->line.data : "", bl->line.len, sink);
    bl->overlong = false;
    exh_dynbuf_reset(&bl->line);
    if (err)
      return err;
  }
  return EXHUNT_OK;
}

exhunt_err exhunt_baseline_parse_end(exhunt_baseline *bl, const exhunt_sink *sink)
{
  if (!bl || !sink || !sink->on_notice)
    return EXHUNT_EINVAL;
  if (!bl->overlong && bl->line.len == 0)
    return EXHUNT_OK;
  /* The last line had no newline: parse it as if it had. */
  return exhunt_baseline_parse(bl, "\n", 1, sink);
}

/* ---------------------------------------------------------------------- */
/* Diff.                                                                   */

typedef struct diff_ctx {
  run u;
  exhunt_baseline *bl;
  const exhunt_rules *rules;
  const exhunt_baseline_opts *opts;
  exhunt_baseline_stats d;
  const char *root;    /* the diff root being walked */
  const char *bl_root; /* the baseline root name it is paired with */
  size_t bl_root_len;
  const char **pair; /* per diff root: its baseline root name, or NULL */
  exh_dynbuf key;
} diff_ctx;

static void finding_sink(void *ctx, const exhunt_finding *f)
{
  diff_ctx *c = ctx;
  c->u.stats.findings[f->severity]++;
  c->u.sink->on_finding(c->u.sink->ctx, f);
}

static void notice_sink(void *ctx, const exhunt_notice *n)
{
  diff_ctx *c = ctx;
  if (n->kind == EXHUNT_NOTICE_ERROR)
    c->u.stats.errors++;
  else
    c->u.stats.notes++;
  c->u.sink->on_notice(c->u.sink->ctx, n);
}

static void report(diff_ctx *c, const char *rule, exhunt_severity sev, const char *title,
                   const char *description, const char *path, const uint8_t *sha256, uint64_t size,
                   int64_t mtime)
{
  exhunt_finding f;
  memset(&f, 0, sizeof f);
  f.category = "baseline";
  f.severity = sev;
  f.rule = rule;
  f.title = title;
  f.description = description;
  f.source = "exhunt";
  f.path = path;
  f.kind = EXHUNT_FINDING_FILE;
  if (sha256) {
    f.file.have_sha256 = true;
    memcpy(f.file.sha256, sha256, 32);
  }
  f.file.size = size;
  f.file.mtime = mtime;
  c->u.stats.findings[sev]++;
  c->u.sink->on_finding(c->u.sink->ctx, &f);
}

static void diff_file(void *ctx, const char *path, const exh_stat *st)
{
  diff_ctx *c = ctx;
  if (c->u.fatal)
    return;
  c->u.stats.files_seen++;
  read_result res;
  if (!read_evidence(&c->u, path, st, &res))
    return;
  const char *rel = relative(c->root, path);
  exh_dynbuf_reset(&c->key);
  if (exh_dynbuf_add(&c->key, c->bl_root, c->bl_root_len) || exh_dynbuf_addc(&c->key, '\0') ||
      exh_dynbuf_adds(&c->key, rel)) {
    c->u.fatal = EXHUNT_ENOMEM;
    return;
  }
  exh_bl_entry *e = *find_slot(c->bl, c->key.data, c->key.len);
  bool script =
      exh_bl_is_script(path) && exh_bl_in_web_dir(path, c->opts->web_dirs, c->opts->n_web_dirs);
  uint32_t mode = st->mode;
  char desc[200];
  if (e)
    e->seen = true;
  if (e && e->size == res.size && memcmp(e->sha256, res.sha256, 32) == 0) {
    if (e->mode == mode && e->mtime == st->mtime.sec) {
      c->d.unchanged++;
      return;
    }
    c->d.meta_changed++;
    snprintf(desc, sizeof desc, "content unchanged; mode %04o -> %04o, mtime %lld -> %lld",
             (unsigned)e->mode, (unsigned)mode, (long long)e->mtime, (long long)st->mtime.sec);
    report(c, "exhunt.baseline.meta_changed", EXHUNT_SEV_INFO,
           e->mode != mode ? "File mode changed since the baseline (content unchanged)"
                           : "File mtime changed since the baseline (content unchanged)",
           desc, path, res.sha256, res.size, st->mtime.sec);
    return;
  }
  if (e) {
    c->d.changed++;
    snprintf(desc, sizeof desc, "baseline size %llu, now %llu", (unsigned long long)e->size,
             (unsigned long long)res.size);
    if (script)
      report(c, "exhunt.baseline.changed_script", EXHUNT_SEV_HIGH,
             "Script in a web folder changed since the baseline", desc, path, res.sha256, res.size,
             st->mtime.sec);
    else
      report(c, "exhunt.baseline.changed_file", EXHUNT_SEV_LOW, "File changed since the baseline",
             desc, path, res.sha256, res.size, st->mtime.sec);
  } else {
    c->d.added++;
    if (script)
      report(c, "exhunt.baseline.new_script", EXHUNT_SEV_HIGH,
             "Script in a web folder that is not in the baseline", NULL, path, res.sha256, res.size,
             st->mtime.sec);
    else
      report(c, "exhunt.baseline.new_file", EXHUNT_SEV_LOW, "File not in the baseline", NULL, path,
             res.sha256, res.size, st->mtime.sec);
  }
  if (!c->rules)
    return;
  if (!res.content_complete) {
    c->u.stats.skipped[EXHUNT_SKIP_CONTENT_SIZE]++;
    notice(&c->u, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "content-too-large", path,
           "larger than the content limit: hashed and compared, content rules not run");
    return;
  }
  exhunt_file_meta meta = {path, st->mtime.sec, st->uid};
  exhunt_sink s = {.ctx = c, .on_finding = finding_sink, .on_notice = notice_sink};
  exhunt_err err = exhunt_scan_buffer(c->rules, (const uint8_t *)c->u.rd.content.data,
                                      c->u.rd.content.len, &meta, &s);
  if (err == EXHUNT_ENOMEM)
    c->u.fatal = err;
}

static bool taken(const char *const *pair, size_t n, const char *bl_root)
{
  for (size_t i = 0; i < n; i++)
    if (pair[i] == bl_root)
      return true;
  return false;
}

/* Pairs each diff root with a baseline root (see baseline.h): by name
 * first, then, when both sides have as many roots, by position. A baseline
 * root is never paired twice: the files of two trees would be compared with
 * one, and its removals reported under the wrong one. */
static void pair_roots(const exhunt_baseline *bl, const char *const *roots, size_t n_roots,
                       const char **pair)
{
  for (size_t i = 0; i < n_roots; i++) {
    const char *name;
    size_t nl;
    root_name(roots[i], &name, &nl);
    pair[i] = NULL;
    for (size_t k = 0; k < bl->n_roots && !pair[i]; k++)
      if (strlen(bl->roots[k]) == nl && memcmp(bl->roots[k], name, nl) == 0 &&
          !taken(pair, i, bl->roots[k]))
        pair[i] = bl->roots[k];
  }
  if (n_roots != bl->n_roots)
    return;
  for (size_t i = 0; i < n_roots; i++)
    if (!pair[i] && !taken(pair, n_roots, bl->roots[i]))
      pair[i] = bl->roots[i];
}

static int cmp_entry(const void *a, const void *b)
{
  const exh_bl_entry *x = *(exh_bl_entry *const *)a, *y = *(exh_bl_entry *const *)b;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int r = memcmp(x->key, y->key, n);
  return r ? r : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Reports the records of paired roots that no walk met, in path order. */
static exhunt_err report_removed(diff_ctx *c, const char *const *roots, size_t n_roots)
{
  exhunt_err err = EXHUNT_OK;
  exh_bl_entry **gone = NULL;
  size_t n = 0;
  exh_dynbuf path;
  exh_dynbuf_init(&path, 2 * EXH_MAX_PATH + 2);
  for (size_t i = 0; i < c->bl->n_slots; i++)
    n += c->bl->slots[i] && !c->bl->slots[i]->seen;
  if (!n)
    goto cleanup;
  gone = exh_reallocarray(NULL, n, sizeof *gone);
  if (!gone) {
    err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  n = 0;
  for (size_t i = 0; i < c->bl->n_slots; i++)
    if (c->bl->slots[i] && !c->bl->slots[i]->seen)
      gone[n++] = c->bl->slots[i];
  qsort(gone, n, sizeof *gone, cmp_entry);
  for (size_t j = 0; j < n; j++) {
    exh_bl_entry *e = gone[j];
    const char *root = NULL;
    for (size_t i = 0; i < n_roots && !root; i++)
      if (c->pair[i] && strcmp(c->pair[i], e->key) == 0)
        root = roots[i];
    if (!root) /* a baseline root not compared this time */
      continue;
    c->d.removed++;
    exh_dynbuf_reset(&path);
    size_t rl = strlen(root);
    bool slash = rl && root[rl - 1] == '/';
    if (exh_dynbuf_adds(&path, root) || (!slash && exh_dynbuf_addc(&path, '/')) ||
        exh_dynbuf_adds(&path, e->key + e->root_len + 1)) {
      err = EXHUNT_ENOMEM;
      goto cleanup;
    }
    report(c, "exhunt.baseline.removed_file", EXHUNT_SEV_LOW, "File in the baseline is gone", NULL,
           path.data, e->sha256, e->size, e->mtime);
  }
cleanup:
  exh_free(gone);
  exh_dynbuf_free(&path);
  return err;
}

exhunt_err exhunt_baseline_diff(exhunt_baseline *bl, const exhunt_rules *rules,
                                const char *const *roots, size_t n_roots,
                                const exhunt_baseline_opts *opts, const exhunt_sink *sink,
                                exhunt_scan_stats *stats, exhunt_baseline_stats *diff)
{
  if (!bl || !roots || !n_roots || !opts || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  diff_ctx c;
  memset(&c, 0, sizeof c);
  c.u.sink = sink;
  c.bl = bl;
  c.rules = rules;
  c.opts = opts;
  exh_dynbuf_init(&c.key, 2 * EXH_MAX_PATH + 2);
  exhunt_err err = reader_init(&c.u.rd, true,
                               opts->max_filesize ? opts->max_filesize : EXH_DEFAULT_MAX_FILESIZE);
  if (!err)
    err = exh_pace_new(&opts->pace, &c.u.rd.pace);
  if (err)
    goto cleanup;
  c.pair = exh_calloc(n_roots, sizeof *c.pair);
  if (!c.pair) {
    err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  pair_roots(bl, roots, n_roots, c.pair);
  exh_walk_opts wo = exh_walk_opts_of(&opts->scope, EXHUNT_NO_TIME);
  exh_walk_cb cb = {&c, diff_file, on_skip, on_dir};
  for (size_t i = 0; i < n_roots && !err; i++) {
    c.root = roots[i];
    c.bl_root = c.pair[i];
    if (!c.bl_root) {
      /* Nothing to pair with: every file is new. Its key space is one no
       * baseline record can have (a root name holds no NUL), so nothing
       * matches by accident. */
      notice(&c.u, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "baseline-root-unpaired", roots[i],
             "no baseline root of this name (or it is paired already); every file under it is new");
      c.bl_root = "\0";
      c.bl_root_len = 1;
    } else {
      c.bl_root_len = strlen(c.bl_root);
    }
    err = walk_root(&c.u, roots[i], &wo, &cb);
    if (!err)
      err = c.u.fatal;
  }
  if (!err)
    err = report_removed(&c, roots, n_roots);
cleanup:
  stats_out(&c.u, stats);
  if (diff)
    *diff = c.d;
  reader_free(&c.u.rd);
  exh_dynbuf_free(&c.key);
  exh_free(c.pair);
  return err;
}
