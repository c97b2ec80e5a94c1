/*
 * cmd_quarantine.c - `exhunt quarantine`, `exhunt restore` and `exhunt vault
 * list|verify`: the CLI over lib/vault (include/exhunt/vault.h).
 *
 * The command reads findings JSON Lines (from `exhunt scan` or `exhunt hunt
 * -f jsonl`) and an allowlist, turns them into vault items, and prints one
 * line per file outcome (text, or JSON Lines with -f jsonl). Every safety
 * decision - roots, symlinks, hashes, the crash-safe order - is the
 * library's; this file only wires and reports. Exit: 0 everything done or
 * clean, 1 anything refused, failed or damaged, 2 usage or fatal error.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/alloc.h"
#include "core/codec.h"
#include "exhunt/vault.h"
#include "options.h"
#include "output/escape.h"
#include "output/format.h"
#include "report.h"

/* Findings files and allowlists are read whole, up to this. */
#define FINDINGS_MAX (1024u * 1024u * 1024u)

enum {
  OPT_VAULT = 256,
  OPT_ROOT,
  OPT_FINDINGS,
  OPT_ALLOW,
  OPT_DRY,
  OPT_FORCE,
  OPT_MINSEV,
  OPT_PARENTS
};

/* The three commands' options, each taking those in its table. */
typedef struct qargs {
  const char *command; /* for messages */
  const char *vault;
  const char **roots;
  size_t n_roots;
  const char **findings;
  size_t n_findings;
  const char *allowlist;
  exhunt_severity min;
  bool dry_run, force, parents, jsonl;
} qargs;

/* The rows two or three of these commands take. */
#define ROW_VAULT(help) CLI_STRING(OPT_VAULT, "vault", "DIR", qargs, vault, help)
#define ROW_DRY_RUN                                                                                \
  CLI_FLAG(OPT_DRY, "dry-run", qargs, dry_run, "say what would happen, change nothing")
#define ROW_FORMAT CLI_OWN('f', "format", "FMT", "text (default) or jsonl")
/* The siblings' options, refused by name as before they had tables of
 * their own. */
#define FOR_QUARANTINE "--root, --findings, --allowlist are for quarantine"
#define FOR_RESTORE "--force and --parents are for restore"
#define ONLY_VAULT "only --vault and -f here"

static const cli_option quarantine_options[] = {
    CLI_TEXT("Usage: exhunt quarantine --vault DIR --root DIR... [OPTIONS] [PATH...]\n"
             "\n"
             "Move suspect files into a vault, neutralised: gzip-compressed and named by\n"
             "SHA-256 (DIR/objects/ab/<sha256>.gz), recorded in DIR/manifest.jsonl. Each\n"
             "file is copied, synced and verified in the vault before its original is\n"
             "removed, so a crash never loses it (docs/quarantine.md).\n"),
    ROW_VAULT("the vault (created; refused inside any --root)"),
    CLI_LIST(OPT_ROOT, "root", "DIR", qargs, roots, n_roots,
             "only files under DIR (realpaths; repeatable; required)"),
    CLI_LIST(OPT_FINDINGS, "findings", "FILE", qargs, findings, n_findings,
             "JSON Lines from 'exhunt scan -f jsonl' or\n"
             "'exhunt hunt -f jsonl' ('-' = stdin; repeatable): each\n"
             "finding's file is quarantined if its SHA-256 is still\n"
             "the finding's"),
    CLI_SEVERITY(OPT_MINSEV, "min-severity", qargs, min,
                 "findings at or above LEVEL only (default high)"),
    CLI_STRING(OPT_ALLOW, "allowlist", "FILE", qargs, allowlist,
               "lines 'sha256 <hex>' or 'path <glob>': never quarantined"),
    ROW_DRY_RUN,
    ROW_FORMAT,
    CLI_REFUSED(OPT_FORCE, "force", NULL, FOR_RESTORE),
    CLI_REFUSED(OPT_PARENTS, "parents", NULL, FOR_RESTORE),
    CLI_TEXT("PATH...                 files to quarantine as given (no hash to match)\n"
             "\n"
             "Symlinks, files outside the roots, allowlisted files and files changed since\n"
             "their finding are refused one by one; the others still go. The vault is\n"
             "locked while this runs: a second quarantine or restore is refused.\n"
             "Exit status: 0 all done; 1 something refused or failed; 2 usage or fatal error\n"
             "(including a vault locked by another exhunt)."),
    CLI_END,
};

static const cli_option restore_options[] = {
    CLI_TEXT("Usage: exhunt restore --vault DIR [--force] [--parents] [--dry-run] [-f FMT]\n"
             "                      ID|PATH...\n"
             "\n"
             "Put quarantined files back where they were: byte-identical content, mode and\n"
             "mtime (owner too when run as root). ID is a quarantine id (q-...), PATH an\n"
             "original path (its newest entry). The restore is recorded in the manifest;\n"
             "the vault keeps the object.\n"),
    ROW_VAULT("the vault the files were quarantined in"),
    CLI_FLAG(OPT_FORCE, "force", qargs, force, "overwrite a regular file at the original path"),
    CLI_FLAG(OPT_PARENTS, "parents", qargs, parents,
             "make missing folders of the original path (0755);\n"
             "without it a missing folder is refused, by name"),
    ROW_DRY_RUN,
    ROW_FORMAT,
    CLI_REFUSED(OPT_ROOT, "root", "DIR", FOR_QUARANTINE),
    CLI_REFUSED(OPT_FINDINGS, "findings", "FILE", FOR_QUARANTINE),
    CLI_REFUSED(OPT_ALLOW, "allowlist", "FILE", FOR_QUARANTINE),
    CLI_TEXT("A folder of the path that is a symlink now is never followed (refused).\n"
             "Exit status: 0 all restored; 1 something refused or failed; 2 usage or fatal\n"
             "(including a vault locked by another exhunt)."),
    CLI_END,
};

static const cli_option vault_options[] = {
    CLI_TEXT("Usage: exhunt vault list --vault DIR [-f text|jsonl]\n"
             "       exhunt vault verify --vault DIR [-f text|jsonl]\n"
             "\n"
             "list: every manifest entry (id, state, size, path, rules).\n"
             "verify: decompress and re-hash every entry's object; report damage and\n"
             "missing objects.\n"
             "Both report manifest lines that are not records on stderr: a line torn by a\n"
             "crash is a note, any other an error (damage or tampering).\n"),
    ROW_VAULT("the vault"),
    ROW_FORMAT,
    CLI_REFUSED(OPT_ROOT, "root", "DIR", ONLY_VAULT),
    CLI_REFUSED(OPT_FINDINGS, "findings", "FILE", ONLY_VAULT),
    CLI_REFUSED(OPT_ALLOW, "allowlist", "FILE", ONLY_VAULT),
    CLI_REFUSED(OPT_DRY, "dry-run", NULL, ONLY_VAULT),
    CLI_REFUSED(OPT_FORCE, "force", NULL, ONLY_VAULT),
    CLI_REFUSED(OPT_PARENTS, "parents", NULL, ONLY_VAULT),
    CLI_TEXT("Exit status: 0 clean; 1 damage, missing objects or a damaged manifest line;\n"
             "2 usage or fatal error (including a vault locked by a quarantine or restore)."),
    CLI_END,
};

/* ---------------------------------------------------------------------- */
/* Output.                                                                 */

typedef struct out_ctx {
  const char *command;
  bool jsonl;
  bool bad;    /* something refused, failed, damaged or missing */
  bool unsafe; /* a "vault-unsafe" error was said: the vault was refused */
  exh_dynbuf line;
} out_ctx;

static void put_line(out_ctx *o)
{
  if (o->line.data)
    fwrite(o->line.data, 1, o->line.len, stdout);
  exh_dynbuf_reset(&o->line);
}

/* "path":"..." and, when the path is not UTF-8 (an attacker's name), its
 * exact bytes in "path_b64". */
static void json_path(exh_dynbuf *b, const char *path)
{
  bool lossy = false;
  exh_dynbuf_adds(b, "\"path\":\"");
  exh_escape_json(b, path, strlen(path), &lossy);
  exh_dynbuf_addc(b, '"');
  if (lossy) {
    exh_dynbuf_adds(b, ",\"path_b64\":\"");
    exh_base64(b, path, strlen(path));
    exh_dynbuf_addc(b, '"');
  }
}

static void on_event(void *ctx, const exhunt_vault_event *ev)
{
  out_ctx *o = ctx;
  exh_dynbuf *b = &o->line;
  char hex[65] = "";
  if (ev->outcome != EXHUNT_VAULT_DONE && ev->outcome != EXHUNT_VAULT_DRY_RUN)
    o->bad = true;
  if (ev->have_sha256)
    for (size_t i = 0; i < 32; i++)
      snprintf(hex + 2 * i, 3, "%02x", ev->sha256[i]);
  if (o->jsonl) {
    exh_dynbuf_addf(b, "{\"schema\":\"%s\",\"type\":\"%s\",\"result\":\"%s\",", EXHUNT_SCHEMA,
                    o->command, exhunt_vault_outcome_name(ev->outcome));
    json_path(b, ev->path);
    if (ev->id)
      exh_dynbuf_addf(b, ",\"id\":\"%s\"", ev->id);
    if (ev->have_sha256)
      exh_dynbuf_addf(b, ",\"sha256\":\"%s\",\"size\":%llu", hex, (unsigned long long)ev->size);
    if (ev->object)
      exh_dynbuf_addf(b, ",\"object\":\"%s\"", ev->object);
    if (ev->err)
      exh_dynbuf_addf(b, ",\"error\":\"%s\"", exhunt_strerror(ev->err));
    exh_dynbuf_adds(b, ",\"reason\":");
    exh_json_str(b, ev->reason);
    exh_dynbuf_adds(b, "}\n");
  } else {
    exh_dynbuf_addf(b, "%-21s ", exhunt_vault_outcome_name(ev->outcome));
    exh_escape_display(b, ev->path, strlen(ev->path));
    if (ev->id)
      exh_dynbuf_addf(b, "  %s", ev->id);
    if (ev->reason) {
      /* A reason may name a folder of the (hostile) original path. */
      exh_dynbuf_adds(b, "  (");
      exh_escape_display(b, ev->reason, strlen(ev->reason));
      exh_dynbuf_addf(b, "%s%s)", ev->err ? ": " : "", ev->err ? exhunt_strerror(ev->err) : "");
    }
    exh_dynbuf_addc(b, '\n');
  }
  put_line(o);
}

/* Notes from the library (manifest lines skipped) on stderr; an error (a
 * damaged line) makes the exit status 1. */
static void on_notice(void *ctx, const exhunt_notice *n)
{
  out_ctx *o = ctx;
  exh_dynbuf b;
  exh_dynbuf_init(&b, 64 * 1024);
  if (n->kind == EXHUNT_NOTICE_ERROR)
    o->bad = true;
  if (strcmp(n->what, "vault-unsafe") == 0)
    o->unsafe = true;
  if (exh_text_notice(&b, n) == EXHUNT_OK)
    fwrite(b.data, 1, b.len, stderr);
  exh_dynbuf_free(&b);
}

static void on_finding_unused(void *ctx, const exhunt_finding *f)
{
  (void)ctx;
  (void)f;
}

static exhunt_sink notes_sink(out_ctx *o)
{
  exhunt_sink s = {.ctx = o, .on_finding = on_finding_unused, .on_notice = on_notice};
  return s;
}

/* The fatal errors of a vault call, said once. */
static void vault_error(const char *cmd, const char *vault, exhunt_err err)
{
  if (err == EXHUNT_EBUSY)
    fprintf(stderr,
            "exhunt %s: %s: the vault is in use by another exhunt (quarantine, restore, list or "
            "verify); nothing done, try again when it ends\n",
            cmd, vault);
  else
    fprintf(stderr, "exhunt %s: %s: %s\n", cmd, vault, exhunt_strerror(err));
}

static void on_entry(void *ctx, const exhunt_vault_entry *e)
{
  out_ctx *o = ctx;
  exh_dynbuf *b = &o->line;
  char hex[65];
  for (size_t i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", e->sha256[i]);
  if (o->jsonl) {
    exh_dynbuf_addf(b, "{\"schema\":\"%s\",\"type\":\"vault-entry\",\"id\":\"%s\",", EXHUNT_SCHEMA,
                    e->id);
    json_path(b, e->path);
    exh_dynbuf_addf(b,
                    ",\"state\":\"%s\",\"sha256\":\"%s\",\"size\":%llu,\"object\":\"%s\","
                    "\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u,\"mtime\":\"",
                    e->restored ? "restored" : "quarantined", hex, (unsigned long long)e->size,
                    e->object, (unsigned)e->mode, (unsigned)e->uid, (unsigned)e->gid);
    exh_iso8601(b, e->mtime);
    exh_dynbuf_adds(b, "\",\"time\":\"");
    exh_iso8601(b, e->time);
    exh_dynbuf_adds(b, "\",\"host\":");
    exh_json_str(b, e->host);
    exh_dynbuf_adds(b, ",\"rules\":");
    exh_json_str(b, e->rules);
    exh_dynbuf_adds(b, ",\"finding_ids\":");
    exh_json_str(b, e->finding_ids);
    exh_dynbuf_adds(b, "}\n");
  } else {
    exh_dynbuf_addf(b, "%-18s %-11s %10llu  ", e->id, e->restored ? "restored" : "quarantined",
                    (unsigned long long)e->size);
    exh_iso8601(b, e->time);
    exh_dynbuf_addc(b, ' ');
    exh_dynbuf_addc(b, ' ');
    exh_escape_display(b, e->path, strlen(e->path));
    if (e->rules[0]) {
      exh_dynbuf_adds(b, "  [");
      exh_escape_display(b, e->rules, strlen(e->rules));
      exh_dynbuf_addc(b, ']');
    }
    exh_dynbuf_addc(b, '\n');
  }
  put_line(o);
}

/* ---------------------------------------------------------------------- */
/* Inputs: allowlist and findings.                                         */

typedef struct inputs {
  uint8_t (*hashes)[32];
  size_t n_hashes;
  char **globs;
  size_t n_globs;
  exhunt_vault_item *items;
  size_t n_items, cap_items;
  char **strings; /* every string the items point to, owned */
  size_t n_strings, cap_strings;
} inputs;

static char *keep(inputs *in, char *s)
{
  if (!s)
    return NULL;
  char **v = exh_grow(in->strings, in->n_strings, &in->cap_strings, 64, sizeof *v);
  if (!v) {
    exh_free(s);
    return NULL;
  }
  in->strings = v;
  in->strings[in->n_strings++] = s;
  return s;
}

static void inputs_free(inputs *in)
{
  for (size_t i = 0; i < in->n_strings; i++)
    exh_free(in->strings[i]);
  for (size_t i = 0; i < in->n_items; i++) {
    exh_free((void *)in->items[i].finding_ids);
    exh_free((void *)in->items[i].rules);
  }
  exh_free(in->strings);
  exh_free(in->items);
  exh_free(in->hashes);
  exh_free(in->globs);
}

static bool parse_hex32(const char *s, size_t len, uint8_t out[32])
{
  if (len != 64)
    return false;
  for (size_t i = 0; i < 32; i++) {
    unsigned v;
    char pair[3] = {s[2 * i], s[2 * i + 1], '\0'};
    char *end;
    if (!strchr("0123456789abcdefABCDEF", pair[0]) || !strchr("0123456789abcdefABCDEF", pair[1]))
      return false;
    v = (unsigned)strtoul(pair, &end, 16);
    out[i] = (uint8_t)v;
  }
  return true;
}

/* Reads a whole file, or stdin for "-". */
static int read_input(const char *path, char **data, size_t *len)
{
  if (strcmp(path, "-") != 0)
    return cli_read_file(path, FINDINGS_MAX, data, len);
  exh_dynbuf b;
  exh_dynbuf_init(&b, FINDINGS_MAX);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
    if (exh_dynbuf_add(&b, chunk, n)) {
      exh_dynbuf_free(&b);
      errno = EFBIG;
      return -1;
    }
  if (exh_dynbuf_addc(&b, '\0')) {
    exh_dynbuf_free(&b);
    errno = ENOMEM;
    return -1;
  }
  *data = b.data;
  *len = b.len - 1;
  return 0;
}

/* The allowlist: "sha256 <hex>" and "path <glob>" lines, '#' comments. */
static int load_allowlist(const char *cmd, const char *path, inputs *in)
{
  int rc = EXIT_ERROR;
  char *data = NULL;
  size_t len = 0, lineno = 0;
  if (read_input(path, &data, &len) != 0) {
    fprintf(stderr, "exhunt %s: %s: %s\n", cmd, path, strerror(errno));
    goto cleanup;
  }
  /* Sized by the entries there can be (each holds its keyword), not by the
   * bytes: len / 4 entries of 32 bytes made a 64 MiB file of comments ask
   * for 640 MiB. */
  size_t max_h = 1, max_g = 1;
  for (const char *p = data; (p = memchr(p, 's', (size_t)(data + len - p))) != NULL; p++)
    max_h += (size_t)(data + len - p) >= 6 && memcmp(p, "sha256", 6) == 0;
  for (const char *p = data; (p = memchr(p, 'p', (size_t)(data + len - p))) != NULL; p++)
    max_g += (size_t)(data + len - p) >= 4 && memcmp(p, "path", 4) == 0;
  in->hashes = exh_calloc(max_h, sizeof *in->hashes);
  in->globs = exh_calloc(max_g, sizeof *in->globs);
  if (!in->hashes || !in->globs) {
    fprintf(stderr, "exhunt %s: out of memory\n", cmd);
    goto cleanup;
  }
  for (char *line = data, *next; line && line < data + len; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    lineno++;
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
      line[--l] = '\0';
    while (*line == ' ' || *line == '\t')
      line++;
    if (!*line || *line == '#')
      continue;
    if (strncmp(line, "sha256 ", 7) == 0) {
      char *h = line + 7;
      while (*h == ' ')
        h++;
      if (!parse_hex32(h, strlen(h), in->hashes[in->n_hashes])) {
        rc = cli_usage_error(cmd, "%s:%zu: bad SHA-256", path, lineno);
        goto cleanup;
      }
      in->n_hashes++;
    } else if (strncmp(line, "path ", 5) == 0) {
      char *g = line + 5;
      while (*g == ' ')
        g++;
      if (!(in->globs[in->n_globs] = keep(in, exh_strdup(g)))) {
        fprintf(stderr, "exhunt %s: out of memory\n", cmd);
        goto cleanup;
      }
      in->n_globs++;
    } else {
      rc = cli_usage_error(cmd, "%s:%zu: want 'sha256 <hex>' or 'path <glob>'", path, lineno);
      goto cleanup;
    }
  }
  rc = 0;

cleanup:
  exh_free(data);
  return rc;
}

static exhunt_vault_item *new_item(inputs *in, const char *path)
{
  for (size_t i = 0; i < in->n_items; i++)
    if (strcmp(in->items[i].path, path) == 0)
      return &in->items[i];
  exhunt_vault_item *v = exh_grow(in->items, in->n_items, &in->cap_items, 64, sizeof *v);
  if (!v)
    return NULL;
  in->items = v;
  exhunt_vault_item *it = &in->items[in->n_items];
  memset(it, 0, sizeof *it);
  if (!(it->path = keep(in, exh_strdup(path))))
    return NULL;
  in->n_items++;
  return it;
}

static bool add_finding(inputs *in, exhunt_vault_item *it, const char *id, const char *rule)
{
  const char **ids = exh_reallocarray((void *)it->finding_ids, it->n_findings + 1, sizeof *ids);
  if (!ids)
    return false;
  it->finding_ids = ids;
  const char **rules = exh_reallocarray((void *)it->rules, it->n_findings + 1, sizeof *rules);
  if (!rules)
    return false;
  it->rules = rules;
  ids[it->n_findings] = id ? keep(in, exh_strdup(id)) : NULL;
  rules[it->n_findings] = rule ? keep(in, exh_strdup(rule)) : NULL;
  if ((id && !ids[it->n_findings]) || (rule && !rules[it->n_findings]))
    return false;
  it->n_findings++;
  return true;
}

/* The file a finding names: path_b64 (exact bytes) when present. NULL with
 * *bad set for a path that cannot be one (bad base64, a NUL inside that
 * would cut it to another path, empty); NULL alone for no memory. */
static char *finding_path(json_t *o, bool *bad)
{
  *bad = false;
  const char *b64 = json_string_value(json_object_get(o, "path_b64"));
  if (!b64) {
    const char *p = json_string_value(json_object_get(o, "path"));
    *bad = !p || !*p;
    return *bad ? NULL : exh_strdup(p);
  }
  /* Strict: exhunt writes padded standard base64 and nothing else (no
   * blanks, at most two '='); the codec refuses any other byte. */
  size_t len = strlen(b64), pad = 0;
  while (pad < len && b64[len - 1 - pad] == '=')
    pad++;
  if (len == 0 || len % 4 || pad > 2) {
    *bad = true;
    return NULL;
  }
  uint8_t *out = exh_malloc(len / 4 * 3 + 1);
  if (!out)
    return NULL;
  long n = exh_base64_decode(b64, len, out, len / 4 * 3);
  if (n <= 0 || memchr(out, '\0', (size_t)n)) {
    exh_free(out);
    *bad = true;
    return NULL;
  }
  out[n] = '\0';
  return (char *)out;
}

/* Findings that a file RECORDS an attack rather than IS one - log records
 * (a "line"), category "exploit" (YARA on log traces) or "exposure" - name
 * evidence, which must stay where it is. */
static bool is_evidence(json_t *o)
{
  const char *cat = json_string_value(json_object_get(o, "category"));
  return json_object_get(o, "line") ||
         (cat && (strcmp(cat, "exploit") == 0 || strcmp(cat, "exposure") == 0));
}

/* Findings of files (path + sha256) at or above min from a JSONL file;
 * evidence (above) and lines that are not JSON are skipped with a count, as
 * a truncated report should not stop this. */
static int load_findings(const char *cmd, const char *path, exhunt_severity min, inputs *in)
{
  int rc = EXIT_ERROR;
  char *data = NULL;
  size_t len = 0, bad = 0, evidence = 0;
  if (read_input(path, &data, &len) != 0) {
    fprintf(stderr, "exhunt %s: %s: %s\n", cmd, path, strerror(errno));
    goto cleanup;
  }
  for (char *line = data, *next; line && line < data + len; line = next) {
    next = memchr(line, '\n', (size_t)(data + len - line));
    size_t l = next ? (size_t)(next - line) : (size_t)(data + len - line);
    if (next)
      next++;
    if (l == 0)
      continue;
    json_t *o = json_loadb(line, l, 0, NULL);
    if (!o) {
      bad++;
      continue;
    }
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *sev = json_string_value(json_object_get(o, "severity"));
    const char *sha = json_string_value(json_object_get(o, "sha256"));
    exhunt_severity s;
    uint8_t hash[32];
    if ((type && strcmp(type, "finding") != 0) || !sev || exhunt_severity_parse(sev, &s) ||
        s < min || !sha || !parse_hex32(sha, strlen(sha), hash) || !json_object_get(o, "path")) {
      json_decref(o);
      continue;
    }
    if (is_evidence(o)) {
      evidence++;
      json_decref(o);
      continue;
    }
    bool bad_path = false;
    char *fpath = finding_path(o, &bad_path);
    if (bad_path) {
      bad++;
      json_decref(o);
      continue;
    }
    exhunt_vault_item *it = fpath ? new_item(in, fpath) : NULL;
    bool ok = it && add_finding(in, it, json_string_value(json_object_get(o, "id")),
                                json_string_value(json_object_get(o, "rule")));
    exh_free(fpath);
    if (ok && it->have_sha256 && memcmp(it->sha256, hash, 32) != 0) {
      /* Two findings disagree on the content: the file changed between
       * them; the newer hash is the one a refusal is judged against. The
       * name is the attacker's: escaped. */
      exh_dynbuf d;
      exh_dynbuf_init(&d, 64 * 1024);
      exh_escape_display(&d, it->path, strlen(it->path));
      fprintf(stderr, "exhunt %s: findings disagree on the SHA-256 of %s\n", cmd,
              d.data ? d.data : "");
      exh_dynbuf_free(&d);
    }
    if (ok) {
      it->have_sha256 = true;
      memcpy(it->sha256, hash, 32);
    }
    json_decref(o);
    if (!ok) {
      fprintf(stderr, "exhunt %s: out of memory\n", cmd);
      goto cleanup;
    }
  }
  if (bad)
    fprintf(stderr, "exhunt %s: %s: %zu line(s) not JSON or with a bad path, skipped\n", cmd, path,
            bad);
  if (evidence)
    fprintf(stderr,
            "exhunt %s: %s: %zu finding(s) on files that record an attack (logs: category"
            " exploit/exposure), left in place as evidence\n",
            cmd, path, evidence);
  rc = 0;

cleanup:
  exh_free(data);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Commands.                                                               */

/* -f, the one option of the three that their tables leave to code. */
static int q_option(void *ctx, int opt, const char *arg)
{
  qargs *a = ctx;
  (void)opt; /* 'f' */
  a->jsonl = strcmp(arg, "jsonl") == 0;
  if (!a->jsonl && strcmp(arg, "text") != 0)
    return cli_usage_error(a->command, "unknown format '%s' (text or jsonl)", arg);
  return 0;
}

/* What each of the three commands runs with: its options and its output. */
typedef struct qrun {
  qargs a;
  out_ctx o;
} qrun;

/* Parses argv with the command's table; true to go on, false to stop with
 * *rc (0 after -h, else after the message). --vault is every command's. */
static bool q_begin(qrun *r, const cli_command *cmd, int argc, char **argv, int *rc)
{
  memset(r, 0, sizeof *r);
  r->a.command = cmd->name;
  r->a.min = EXHUNT_SEV_HIGH;
  r->o.command = cmd->name;
  exh_dynbuf_init(&r->o.line, 1024 * 1024);
  r->a.roots = exh_calloc((size_t)argc, sizeof *r->a.roots);
  r->a.findings = exh_calloc((size_t)argc, sizeof *r->a.findings);
  if (!r->a.roots || !r->a.findings) {
    fprintf(stderr, "exhunt %s: out of memory\n", cmd->name);
    *rc = EXIT_ERROR;
    return false;
  }
  cli_args ca;
  bool go = cli_args_start(&ca, cmd, NULL, argc, argv, &r->a, rc);
  cli_args_free(&ca);
  if (go && !r->a.vault) {
    *rc = cli_usage_error(cmd->name, "%s", "--vault DIR is required");
    go = false;
  }
  r->o.jsonl = r->a.jsonl;
  return go;
}

/* stdout flushed (a failure turns a clean exit into 2), everything freed. */
static int q_end(qrun *r, int rc)
{
  if (fflush(stdout) != 0 && rc == EXIT_CLEAN)
    rc = EXIT_ERROR;
  exh_dynbuf_free(&r->o.line);
  exh_free(r->a.roots);
  exh_free(r->a.findings);
  return rc;
}
static int run_quarantine(int argc, char **argv)
{
  qrun r;
  inputs in;
  memset(&in, 0, sizeof in);
  qargs *a = &r.a;
  int rc;
  if (!q_begin(&r, &cmd_quarantine, argc, argv, &rc))
    goto cleanup;
  rc = EXIT_ERROR;
  if (a->n_roots == 0) {
    rc = cli_usage_error("quarantine", "%s", "--root DIR is required");
    goto cleanup;
  }
  if (a->allowlist && (rc = load_allowlist("quarantine", a->allowlist, &in)) != 0)
    goto cleanup;
  for (size_t i = 0; i < a->n_findings; i++)
    if ((rc = load_findings("quarantine", a->findings[i], a->min, &in)) != 0)
      goto cleanup;
  for (int i = optind; i < argc; i++)
    if (!new_item(&in, argv[i])) {
      fputs("exhunt quarantine: out of memory\n", stderr);
      rc = EXIT_ERROR;
      goto cleanup;
    }
  if (in.n_items == 0 && a->n_findings == 0) {
    rc = cli_usage_error("quarantine", "%s", "no PATH and no --findings given");
    goto cleanup;
  }
  exhunt_vault_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.vault = a->vault;
  opts.roots = a->roots;
  opts.n_roots = a->n_roots;
  opts.allow_sha256 = (const uint8_t(*)[32])in.hashes;
  opts.n_allow_sha256 = in.n_hashes;
  opts.allow_globs = (const char *const *)in.globs;
  opts.n_allow_globs = in.n_globs;
  opts.dry_run = a->dry_run;
  exhunt_sink notes = notes_sink(&r.o);
  opts.sink = &notes;
  exhunt_vault_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_err err = exhunt_vault_quarantine(&opts, in.items, in.n_items, on_event, &r.o, &stats);
  if (err == EXHUNT_EINVAL) {
    if (r.o.unsafe)
      fprintf(stderr,
              "exhunt quarantine: the vault %s is not safe to write (see above); nothing done\n",
              a->vault);
    else
      fprintf(stderr, "exhunt quarantine: the vault %s is inside a --root; refused\n", a->vault);
    rc = EXIT_ERROR;
    goto cleanup;
  }
  if (err) {
    vault_error("quarantine", a->vault, err);
    rc = EXIT_ERROR;
    goto cleanup;
  }
  if (!a->jsonl && in.n_items)
    fprintf(stderr, "exhunt quarantine: %llu done, %llu would be (dry run), %zu not\n",
            (unsigned long long)stats.by_outcome[EXHUNT_VAULT_DONE],
            (unsigned long long)stats.by_outcome[EXHUNT_VAULT_DRY_RUN],
            in.n_items - (size_t)(stats.by_outcome[EXHUNT_VAULT_DONE] +
                                  stats.by_outcome[EXHUNT_VAULT_DRY_RUN]));
  rc = r.o.bad ? EXIT_FINDINGS : EXIT_CLEAN;

cleanup:
  inputs_free(&in);
  return q_end(&r, rc);
}

static int run_restore(int argc, char **argv)
{
  qrun r;
  exhunt_err *item_errs = NULL;
  int rc;
  if (!q_begin(&r, &cmd_restore, argc, argv, &rc))
    goto cleanup;
  if (optind >= argc) {
    rc = cli_usage_error("restore", "%s", "no ID or PATH given");
    goto cleanup;
  }
  exhunt_vault_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.vault = r.a.vault;
  opts.dry_run = r.a.dry_run;
  opts.force = r.a.force;
  opts.parents = r.a.parents;
  exhunt_sink notes = notes_sink(&r.o);
  opts.sink = &notes;
  /* All in one call: one lock and one read of the manifest for every item. */
  size_t n_what = (size_t)(argc - optind);
  item_errs = exh_calloc(n_what, sizeof *item_errs);
  if (!item_errs) {
    fputs("exhunt restore: out of memory\n", stderr);
    rc = EXIT_ERROR;
    goto cleanup;
  }
  exhunt_err err = exhunt_vault_restore_many(&opts, (const char *const *)argv + optind, n_what,
                                             item_errs, on_event, &r.o, NULL);
  if (err == EXHUNT_EINVAL && r.o.unsafe) {
    fprintf(stderr, "exhunt restore: the vault %s is not safe to write (see above); nothing done\n",
            r.a.vault);
    rc = EXIT_ERROR;
    goto cleanup;
  }
  if (err) {
    vault_error("restore", r.a.vault, err);
    rc = EXIT_ERROR;
    goto cleanup;
  }
  for (size_t i = 0; i < n_what; i++)
    if (item_errs[i] == EXHUNT_ENOENT) {
      fprintf(stderr, "exhunt restore: %s: no such entry in %s\n", argv[optind + (int)i],
              r.a.vault);
      r.o.bad = true;
    }
  rc = r.o.bad ? EXIT_FINDINGS : EXIT_CLEAN;

cleanup:
  exh_free(item_errs);
  return q_end(&r, rc);
}

static int run_vault(int argc, char **argv)
{
  static const char *const subs[] = {"list", "verify", NULL};
  int rc;
  int sub =
      cli_subcommand(&cmd_vault, argc, argv, subs, "want 'vault list' or 'vault verify'", &rc);
  if (sub < 0)
    return rc;
  bool verify = sub == 1;
  qrun r;
  if (!q_begin(&r, &cmd_vault, argc - 1, argv + 1, &rc))
    goto cleanup;
  r.o.command = verify ? "verify" : "list";
  if (optind < argc - 1) {
    rc = cli_usage_error("vault", "%s", "only --vault and -f here");
    goto cleanup;
  }
  exhunt_vault_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_sink notes = notes_sink(&r.o);
  exhunt_err err = verify ? exhunt_vault_verify(r.a.vault, &notes, on_event, &r.o, &stats)
                          : exhunt_vault_list(r.a.vault, &notes, on_entry, &r.o);
  if (err) {
    vault_error("vault", r.a.vault, err);
    rc = EXIT_ERROR;
    goto cleanup;
  }
  if (verify && !r.a.jsonl)
    fprintf(stderr, "exhunt vault verify: %llu intact, %llu damaged, %llu missing\n",
            (unsigned long long)stats.by_outcome[EXHUNT_VAULT_DONE],
            (unsigned long long)stats.by_outcome[EXHUNT_VAULT_DAMAGED],
            (unsigned long long)stats.by_outcome[EXHUNT_VAULT_MISSING]);
  rc = r.o.bad ? EXIT_FINDINGS : EXIT_CLEAN;

cleanup:
  return q_end(&r, rc);
}

/* None writes a cli_report: their lines are their own (on_event). */
const cli_command cmd_quarantine = {"quarantine", run_quarantine, quarantine_options,
                                    q_option,     NULL,           EXHUNT_SEV_HIGH,
                                    false,        CLI_EMPTY_NONE};

const cli_command cmd_restore = {"restore", run_restore,     restore_options, q_option,
                                 NULL,      EXHUNT_SEV_HIGH, false,           CLI_EMPTY_NONE};

const cli_command cmd_vault = {"vault", run_vault,       vault_options, q_option,
                               NULL,    EXHUNT_SEV_HIGH, false,         CLI_EMPTY_NONE};
