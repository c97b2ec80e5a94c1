/*
 * filescan.c - the per-file engine; see filescan.h for the shape.
 *
 * Order of work for one file:
 *   1. name and path IOCs (no I/O needed);
 *   2. open read-only through the walker's root, component by component
 *      with O_NOFOLLOW (exh_open_evidence_at: O_NOATIME where allowed, a
 *      FIFO swapped in behind the walker's back never opened), and only if
 *      it is still the regular file the walker saw (dev, inode);
 *   3. one read into the worker's buffer, up to the content limit; a larger
 *      file is streamed through the digests only;
 *   4. digests (SHA-256 always; MD5/SHA-1 only if an IOC list needs them);
 *   5. YARA, with the external variables public rule sets expect;
 *   6. heuristics, on server-script files and on other content that looks
 *      like text (logs excepted: they record attacks, they are not shells);
 *      they are given the path, so a file IIS would not run is capped below
 *      high (exh_heur_ceiling).
 * Findings point into the buffer and the compiled rules, so nothing is
 * copied until the sink formats them.
 */
#include "filescan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/ascii.h"
#include "core/errmap.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "core/pace.h"
#include "core/webfile.h"
#include "heur/heur.h"
#include "platform/digest.h"
#include "platform/fs.h"
#include "platform/process.h"
#include "rules/rules_int.h"

#define MAX_MATCH_SLOTS (EXH_MAX_FINDINGS_PER_FILE * EXH_MAX_MATCHES_PER_RULE)

typedef struct pending {
  exhunt_finding f;
  size_t first_match;
} pending;

struct exh_filescan {
  const exhunt_rules *rules;
  YR_SCANNER *scanner;
  exh_digest *ctx_sha256, *ctx_md5, *ctx_sha1; /* MD5 and SHA-1: NULL unless needed */
  uint64_t max_filesize;
  size_t max_findings; /* at most EXH_MAX_FINDINGS_PER_FILE */
  exh_pace *pace;      /* the run's, shared; NULL: none */
  uint8_t *buf;
  size_t cap;
  exh_evidence_dircache dirs; /* the last parent folder opened */

  /* Per-file state, reset by begin_file(). */
  const exh_fileinfo *info;
  char ext[32];
  const uint8_t *data;
  size_t len;
  pending found[EXH_MAX_FINDINGS_PER_FILE];
  size_t n_found;
  exhunt_match matches[MAX_MATCH_SLOTS];
  size_t n_matches;
  bool capped;
  bool yara_too_many;
  uint8_t sha256[32], md5[16], sha1[20];
  bool have_digests;

  uint32_t owner_uid;
  char owner[64];
  bool owner_valid;
};

/* ---------------------------------------------------------------------- */

static void fetch_md(exh_digest **ctx, exh_digest_alg alg, bool *ok)
{
  *ctx = exh_digest_new(alg);
  if (!*ctx)
    *ok = false;
}

exhunt_err exh_filescan_new(const exhunt_rules *rules, uint64_t max_filesize, exh_filescan **out)
{
  exhunt_err err = EXHUNT_ENOMEM;
  exh_filescan *fs = exh_calloc(1, sizeof *fs);
  if (fs)
    exh_evidence_dircache_init(&fs->dirs);
  if (!fs)
    goto cleanup;
  fs->rules = rules;
  fs->max_filesize = max_filesize ? max_filesize : EXH_DEFAULT_MAX_FILESIZE;
  fs->max_findings = EXH_MAX_FINDINGS_PER_FILE;
  bool ok = true;
  fetch_md(&fs->ctx_sha256, EXH_DIGEST_SHA256, &ok);
  if (rules->need_md5)
    fetch_md(&fs->ctx_md5, EXH_DIGEST_MD5, &ok);
  if (rules->need_sha1)
    fetch_md(&fs->ctx_sha1, EXH_DIGEST_SHA1, &ok);
  if (!ok)
    goto cleanup;
  if (rules->yara) {
    if (yr_scanner_create(rules->yara, &fs->scanner) != ERROR_SUCCESS)
      goto cleanup;
    yr_scanner_set_timeout(fs->scanner, EXH_YARA_TIMEOUT_SEC);
    /* Fast mode: once a string has matched, libyara stops collecting its
     * further matches, unless a condition counts them or reads their
     * offsets (#s, @s), which libyara marks at compile time. Rule
     * verdicts are the same; the difference is that a large log full of
     * weak-string hits no longer costs a million recorded matches per
     * string (150+ MB on a 32 MB IIS log). */
    yr_scanner_set_flags(fs->scanner, SCAN_FLAGS_FAST_MODE);
  }
  *out = fs;
  fs = NULL;
  err = EXHUNT_OK;
cleanup:
  exh_filescan_free(fs);
  return err;
}

void exh_filescan_configure(exh_filescan *fs, const exhunt_limits *limits, exh_pace *pace)
{
  fs->pace = pace;
  if (!limits)
    return;
  if (limits->max_findings_per_file && limits->max_findings_per_file < EXH_MAX_FINDINGS_PER_FILE)
    fs->max_findings = limits->max_findings_per_file;
  if (fs->scanner && limits->yara_timeout)
    yr_scanner_set_timeout(fs->scanner, (int)limits->yara_timeout);
}

void exh_filescan_free(exh_filescan *fs)
{
  if (!fs)
    return;
  if (fs->scanner)
    yr_scanner_destroy(fs->scanner);
  exh_digest_free(fs->ctx_sha256);
  exh_digest_free(fs->ctx_md5);
  exh_digest_free(fs->ctx_sha1);
  exh_free(fs->buf);
  exh_evidence_dircache_free(&fs->dirs);
  exh_free(fs);
}

/* ---------------------------------------------------------------------- */
/* Notices and findings.                                                   */

static void notice(const exhunt_sink *out, exhunt_notice_kind kind, exhunt_err code,
                   const char *what, const char *path, const char *reason)
{
  exhunt_notice n = {kind, code, what, path, reason};
  out->on_notice(out->ctx, &n);
}

static pending *add_finding(exh_filescan *fs, const char *category, exhunt_severity sev,
                            const char *rule, const char *title)
{
  if (fs->n_found >= fs->max_findings) {
    fs->capped = true;
    return NULL;
  }
  pending *p = &fs->found[fs->n_found++];
  memset(p, 0, sizeof *p);
  p->f.kind = EXHUNT_FINDING_FILE;
  p->f.category = category;
  p->f.severity = sev;
  p->f.rule = rule;
  p->f.title = title;
  p->first_match = fs->n_matches;
  return p;
}

static void add_match(exh_filescan *fs, pending *p, const char *id, uint64_t offset,
                      const uint8_t *data, size_t len)
{
  if (fs->n_matches == MAX_MATCH_SLOTS || p->f.file.n_matches == EXH_MAX_MATCHES_PER_RULE)
    return;
  exhunt_match *m = &fs->matches[fs->n_matches++];
  m->identifier = id;
  m->offset = offset;
  m->data = data;
  m->len = len > EXH_MAX_MATCH_BYTES ? EXH_MAX_MATCH_BYTES : len;
  p->f.file.n_matches++;
}

/* ---------------------------------------------------------------------- */
/* IOCs.                                                                   */

static const char *ioc_rule_id(exh_ioc_type t)
{
  switch (t) {
  case EXH_IOC_SHA256:
    return "ioc.sha256";
  case EXH_IOC_SHA1:
    return "ioc.sha1";
  case EXH_IOC_MD5:
    return "ioc.md5";
  case EXH_IOC_FILENAME:
    return "ioc.filename";
  default:
    return "ioc.path";
  }
}

static void add_ioc_finding(exh_filescan *fs, const exh_ioc *ioc)
{
  const char *category = ioc->type <= EXH_IOC_MD5        ? "ioc-hash"
                         : ioc->type == EXH_IOC_FILENAME ? "ioc-name"
                                                         : "ioc-path";
  pending *p = add_finding(fs, category, ioc->severity, ioc_rule_id(ioc->type),
                           ioc->title ? ioc->title : "Indicator of compromise");
  if (!p)
    return;
  p->f.source = ioc->source ? ioc->source : ioc->list;
  p->f.reference = ioc->reference;
  if (ioc->value)
    add_match(fs, p, ioc->type == EXH_IOC_FILENAME ? "filename" : "path-glob", 0,
              (const uint8_t *)ioc->value, strlen(ioc->value));
}

/* Several path globs often cover one file (a named drop path and the
 * folder rule): report one path finding per file, the most severe. */
static void on_path_ioc(void *ctx, const exh_ioc *ioc)
{
  const exh_ioc **worst = ctx;
  if (!*worst || ioc->severity > (*worst)->severity)
    *worst = ioc;
}

static const char *basename_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void check_name_iocs(exh_filescan *fs)
{
  const exh_iocs *iocs = &fs->rules->iocs;
  if (iocs->count[EXH_IOC_FILENAME] == 0 && iocs->count[EXH_IOC_PATH] == 0)
    return;
  /* Path globs are written "*\/folder/...": a leading '/' lets them match
   * a path given relative to the current directory as well. */
  char norm[EXH_MAX_PATH + 1];
  norm[0] = '/';
  exh_path_normalise(fs->info->path, norm + 1, sizeof norm - 1);
  const char *base = basename_of(norm);
  const exh_ioc *ioc = exh_iocs_find_name(iocs, base);
  if (ioc)
    add_ioc_finding(fs, ioc);
  const exh_ioc *worst = NULL;
  exh_iocs_match_path(iocs, norm, on_path_ioc, &worst);
  if (worst)
    add_ioc_finding(fs, worst);
}

static void check_hash_iocs(exh_filescan *fs)
{
  const exh_iocs *iocs = &fs->rules->iocs;
  const exh_ioc *ioc = exh_iocs_find_hash(iocs, EXH_IOC_SHA256, fs->sha256);
  if (ioc)
    add_ioc_finding(fs, ioc);
  if (fs->ctx_md5 && (ioc = exh_iocs_find_hash(iocs, EXH_IOC_MD5, fs->md5)))
    add_ioc_finding(fs, ioc);
  if (fs->ctx_sha1 && (ioc = exh_iocs_find_hash(iocs, EXH_IOC_SHA1, fs->sha1)))
    add_ioc_finding(fs, ioc);
}

/* ---------------------------------------------------------------------- */
/* Digests.                                                                */

static bool digests_begin(exh_filescan *fs)
{
  bool ok = exh_digest_init(fs->ctx_sha256);
  if (fs->ctx_md5)
    ok = ok && exh_digest_init(fs->ctx_md5);
  if (fs->ctx_sha1)
    ok = ok && exh_digest_init(fs->ctx_sha1);
  return ok;
}

static bool digests_update(exh_filescan *fs, const uint8_t *data, size_t len)
{
  bool ok = exh_digest_update(fs->ctx_sha256, data, len);
  if (fs->ctx_md5)
    ok = ok && exh_digest_update(fs->ctx_md5, data, len);
  if (fs->ctx_sha1)
    ok = ok && exh_digest_update(fs->ctx_sha1, data, len);
  return ok;
}

static bool digests_end(exh_filescan *fs)
{
  bool ok = exh_digest_final(fs->ctx_sha256, fs->sha256);
  if (fs->ctx_md5)
    ok = ok && exh_digest_final(fs->ctx_md5, fs->md5);
  if (fs->ctx_sha1)
    ok = ok && exh_digest_final(fs->ctx_sha1, fs->sha1);
  fs->have_digests = ok;
  return ok;
}

/* ---------------------------------------------------------------------- */
/* YARA.                                                                   */

const char *exh_filetype(const uint8_t *d, size_t n)
{
  /* Names as Loki/THOR give them (signature-base's file-type signatures),
   * for rules that test `filetype`. Only the types those rules use. */
  if (n >= 2 && d[0] == 'M' && d[1] == 'Z')
    return "EXE";
  if (n >= 4 && memcmp(d,
                       "\x7f"
                       "ELF",
                       4) == 0)
    return "ELF";
  if (n >= 4 && (memcmp(d, "\xfe\xed\xfa\xce", 4) == 0 || memcmp(d, "\xce\xfa\xed\xfe", 4) == 0 ||
                 memcmp(d, "\xfe\xed\xfa\xcf", 4) == 0 || memcmp(d, "\xcf\xfa\xed\xfe", 4) == 0))
    return "MACH-O";
  if (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0)
    return "ZIP";
  if (n >= 4 && memcmp(d, "GIF8", 4) == 0)
    return "GIF";
  if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0)
    return "JPEG";
  if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "PNG";
  if (n >= 4 && memcmp(d, "%PDF", 4) == 0)
    return "PDF";
  if (n >= 5 && memcmp(d, "{\\rtf", 5) == 0)
    return "RTF";
  if (n >= 4 && memcmp(d, "MDMP", 4) == 0)
    return "MDMP";
  if (n >= 5 && memcmp(d, "<?php", 5) == 0)
    return "PHP";
  if (n >= 2 && memcmp(d, "<%", 2) == 0)
    return "ASP";
  return "";
}

static exhunt_severity severity_from_meta(const YR_RULE *rule)
{
  const YR_META *meta;
  int64_t score = -1;
  yr_rule_metas_foreach (rule, meta) {
    if (strcmp(meta->identifier, "severity") == 0 && meta->type == META_TYPE_STRING) {
      exhunt_severity sev;
      if (exhunt_severity_parse(meta->string, &sev) == EXHUNT_OK)
        return sev;
    }
    if (strcmp(meta->identifier, "score") == 0 && meta->type == META_TYPE_INTEGER)
      score = meta->integer;
  }
  /* signature-base scores: 40 notice, 60 warning, 75+ alert (Loki/THOR). */
  if (score < 0)
    return EXHUNT_SEV_HIGH;
  if (score >= 80)
    return EXHUNT_SEV_CRITICAL;
  if (score >= 60)
    return EXHUNT_SEV_HIGH;
  if (score >= 40)
    return EXHUNT_SEV_MEDIUM;
  return EXHUNT_SEV_LOW;
}

static const char *meta_string(const YR_RULE *rule, const char *name)
{
  const YR_META *meta;
  yr_rule_metas_foreach (rule, meta) {
    if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, name) == 0)
      return meta->string;
  }
  return NULL;
}

static const char *yara_category(const YR_RULE *rule, const char *description,
                                 const exh_yara_origin *origin)
{
  const char *cat = meta_string(rule, "category");
  if (cat)
    return cat;
  if (origin->category)
    return origin->category;
  if (exh_contains_ci_str(rule->identifier, "webshell") ||
      exh_contains_ci_str(description, "webshell") ||
      exh_contains_ci_str(description, "web shell") ||
      exh_contains_ci_str(rule->identifier, "chopper"))
    return "webshell";
  return "malware";
}

/* libyara 4.2 hands out YR_MATCH records from its notebook allocator without
 * aligning them, so reading them trips UBSan's alignment check although
 * x86-64 reads them fine. The exemption is for this callback only, and only
 * for the alignment check. */
#if defined(__clang__) || defined(__GNUC__)
__attribute__((no_sanitize("alignment")))
#endif
static int
on_yara(YR_SCAN_CONTEXT *ctx, int message, void *message_data, void *user)
{
  exh_filescan *fs = user;
  if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
    fs->yara_too_many = true;
    return CALLBACK_CONTINUE;
  }
  if (message != CALLBACK_MSG_RULE_MATCHING)
    return CALLBACK_CONTINUE;
  const YR_RULE *rule = message_data;
  const char *description = meta_string(rule, "description");
  const exh_yara_origin *origin = exh_rules_origin(fs->rules, rule->ns->name);
  pending *p = add_finding(fs, yara_category(rule, description, origin), severity_from_meta(rule),
                           rule->identifier, description ? description : rule->identifier);
  if (!p)
    return CALLBACK_CONTINUE;
  p->f.source = origin->source;
  p->f.description = description;
  p->f.author = meta_string(rule, "author");
  p->f.reference = meta_string(rule, "reference");
  const char *license = meta_string(rule, "license");
  p->f.license = license ? license : origin->license;
  const YR_STRING *string;
  yr_rule_strings_foreach (rule, string) {
    const YR_MATCH *match;
    yr_string_matches_foreach (ctx, string, match) {
      uint64_t off = (uint64_t)(match->base + match->offset);
      if (off < fs->len) {
        size_t avail = fs->len - (size_t)off;
        size_t mlen = (size_t)match->match_length < avail ? (size_t)match->match_length : avail;
        add_match(fs, p, string->identifier, off, fs->data + off, mlen);
      }
    }
  }
  return CALLBACK_CONTINUE;
}

static void set_external(exh_filescan *fs, const char *name, const char *value)
{
  yr_scanner_define_string_variable(fs->scanner, name, value);
}

static const char *owner_name(exh_filescan *fs, uint32_t uid)
{
  if (fs->owner_valid && fs->owner_uid == uid)
    return fs->owner;
  if (!exh_user_name(uid, fs->owner, sizeof fs->owner))
    snprintf(fs->owner, sizeof fs->owner, "%u", uid);
  fs->owner_uid = uid;
  fs->owner_valid = true;
  return fs->owner;
}

static void run_yara(exh_filescan *fs, const exhunt_sink *out)
{
  if (!fs->scanner)
    return;
  const char *path = fs->info->path;
  set_external(fs, "filename", basename_of(path));
  set_external(fs, "filepath", path);
  set_external(fs, "extension", fs->ext);
  set_external(fs, "filetype", exh_filetype(fs->data, fs->len));
  set_external(fs, "owner", owner_name(fs, fs->info->uid));
  yr_scanner_set_callback(fs->scanner, on_yara, fs);
  int rc = yr_scanner_scan_mem(fs->scanner, fs->data, fs->len);
  if (rc != ERROR_SUCCESS) {
    char reason[128];
    snprintf(reason, sizeof reason, "YARA scan failed (libyara error %d%s); other checks ran", rc,
             rc == ERROR_SCAN_TIMEOUT ? ", timeout" : "");
    notice(out, EXHUNT_NOTICE_ERROR, EXHUNT_EYARA, "yara-error", path, reason);
  }
  if (fs->yara_too_many)
    notice(out, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "yara-too-many-matches", path,
           "a YARA string matched too often; its later matches were not recorded");
}

/* ---------------------------------------------------------------------- */
/* Heuristics.                                                             */

/* Files IIS runs (and web.config, which can be made to) go to the
 * heuristics whatever their bytes (they read UTF-16 and skip binary noise
 * themselves, and an image polyglot keeps its code after a binary header).
 * Anything else must look like text: no NUL in the first 8 KiB, or a
 * UTF-16 byte-order mark. That keeps multi-megabyte binaries out of a pass
 * that cannot match them. */
static bool wants_heuristics(const exh_filescan *fs)
{
  char ext[16];
  exh_webfile_ext(fs->info->path, ext, sizeof ext);
  if (exh_webfile_iis_script(fs->info->path) || strcmp(ext, ".config") == 0)
    return true;
  size_t head = fs->len < 8192 ? fs->len : 8192;
  if (fs->len >= 2 && ((fs->data[0] == 0xFF && fs->data[1] == 0xFE) ||
                       (fs->data[0] == 0xFE && fs->data[1] == 0xFF)))
    return true;
  return memchr(fs->data, '\0', head) == NULL;
}

/* Exchange and IIS logs record the attacker's requests, shell code
 * included. They are evidence of exploitation, not web shells: the log rules
 * (and `exhunt logs`) read them, the web-shell heuristics do not. */
static bool looks_like_log(const uint8_t *d, size_t n)
{
  static const char *const heads[] = {"#Software:", "#Version:", "#Fields:", "#Date:", "DateTime,"};
  if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
    d += 3, n -= 3;
  for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
    size_t hl = strlen(heads[i]);
    if (n >= hl && memcmp(d, heads[i], hl) == 0)
      return true;
  }
  return false;
}

static void run_heuristics(exh_filescan *fs)
{
  if (!fs->rules->heuristics)
    return;
  const uint8_t *data = fs->data;
  size_t len = fs->len;
  if (!wants_heuristics(fs) || looks_like_log(data, len))
    return;
  exh_heur_hit hits[EXH_HEUR_MAX_HITS];
  /* The path, not fs->ext: the heuristics judge the name as IIS would
   * ("x.aspx." is .aspx) and cap what a file IIS never runs may score. */
  size_t n = exh_heur_scan(data, len, fs->info->path, hits, EXH_HEUR_MAX_HITS);
  for (size_t i = 0; i < n; i++) {
    /* Group evidence of one rule into one finding. */
    pending *p = NULL;
    for (size_t k = 0; k < fs->n_found; k++)
      if (fs->found[k].f.rule == hits[i].rule)
        p = &fs->found[k];
    if (p && p->first_match + p->f.file.n_matches != fs->n_matches)
      p = NULL; /* its match slots are not at the end any more */
    if (!p) {
      p = add_finding(fs, "webshell", hits[i].severity, hits[i].rule, hits[i].title);
      if (!p)
        continue;
      p->f.source = "exhunt";
    } else if (hits[i].severity > p->f.severity) {
      p->f.severity = hits[i].severity;
    }
    if (hits[i].offset < len) {
      size_t avail = len - (size_t)hits[i].offset;
      add_match(fs, p, hits[i].tag, hits[i].offset, data + hits[i].offset,
                hits[i].len < avail ? hits[i].len : avail);
    }
  }
}

/* ---------------------------------------------------------------------- */

static void begin_file(exh_filescan *fs, const exh_fileinfo *info)
{
  fs->info = info;
  /* Extension as Loki defines it: lower case, with the dot; "" if none. */
  const char *dot = strrchr(basename_of(info->path), '.');
  size_t i = 0;
  if (dot && strlen(dot) < sizeof fs->ext)
    for (; dot[i]; i++)
      fs->ext[i] = (char)((dot[i] >= 'A' && dot[i] <= 'Z') ? dot[i] - 'A' + 'a' : dot[i]);
  fs->ext[i] = '\0';
  fs->data = NULL;
  fs->len = 0;
  fs->n_found = 0;
  fs->n_matches = 0;
  fs->capped = false;
  fs->yara_too_many = false;
  fs->have_digests = false;
}

static void emit_findings(exh_filescan *fs, const exhunt_sink *out, uint64_t size)
{
  /* Most severe first, otherwise in the order found (insertion sort is
   * stable, and a file rarely has more than a dozen findings). */
  for (size_t i = 1; i < fs->n_found; i++) {
    pending p = fs->found[i];
    size_t k = i;
    for (; k > 0 && fs->found[k - 1].f.severity < p.f.severity; k--)
      fs->found[k] = fs->found[k - 1];
    fs->found[k] = p;
  }
  for (size_t i = 0; i < fs->n_found; i++) {
    exhunt_finding *f = &fs->found[i].f;
    f->path = fs->info->path;
    f->file.size = size;
    f->file.mtime = fs->info->mtime;
    if (fs->have_digests) {
      f->file.have_sha256 = true;
      memcpy(f->file.sha256, fs->sha256, 32);
      if (fs->ctx_md5) {
        f->file.have_md5 = true;
        memcpy(f->file.md5, fs->md5, 16);
      }
      if (fs->ctx_sha1) {
        f->file.have_sha1 = true;
        memcpy(f->file.sha1, fs->sha1, 20);
      }
    }
    f->file.matches = f->file.n_matches ? &fs->matches[fs->found[i].first_match] : NULL;
    out->on_finding(out->ctx, f);
  }
  if (fs->capped) {
    char reason[128];
    snprintf(reason, sizeof reason,
             "more than %zu findings (the per-file cap, --max-findings-per-file); the rest were "
             "not reported",
             fs->max_findings);
    notice(out, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "findings-capped", fs->info->path, reason);
  }
}

/* Content checks over fs->data, then emission. */
static void check_content(exh_filescan *fs, const exhunt_sink *out)
{
  if (digests_begin(fs) && digests_update(fs, fs->data, fs->len) && digests_end(fs))
    check_hash_iocs(fs);
  else
    notice(out, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "hash-error", fs->info->path,
           "could not compute digests");
  run_yara(fs, out);
  run_heuristics(fs);
}

exhunt_err exh_filescan_buffer(exh_filescan *fs, const uint8_t *data, size_t len,
                               const exh_fileinfo *info, const exhunt_sink *out)
{
  begin_file(fs, info);
  check_name_iocs(fs);
  fs->data = data ? data : (const uint8_t *)"";
  fs->len = len;
  check_content(fs, out);
  emit_findings(fs, out, len);
  return EXHUNT_OK;
}

static bool grow_buffer(exh_filescan *fs, size_t need)
{
  if (need <= fs->cap)
    return true;
  /* Small files: double, so a run of growing sizes reallocates rarely.
   * Past 1 MiB: exactly what is needed, rounded to 1 MiB, so one huge file
   * under a raised --max-filesize does not cost twice its size (glibc
   * moves such blocks with mremap, without copying). */
  size_t cap = fs->cap ? fs->cap : 64 * 1024;
  while (cap < need && cap < 1024 * 1024)
    cap *= 2;
  if (cap < need)
    cap = (need + (1024 * 1024 - 1)) & ~(size_t)(1024 * 1024 - 1);
  uint8_t *p = exh_realloc(fs->buf, cap);
  if (!p)
    return false;
  fs->buf = p;
  fs->cap = cap;
  return true;
}

/* Reads up to `want` bytes; returns bytes read, or -1 with errno. Each
 * read is reported to the run's pace, which may sleep. */
static exh_ssize read_full(exh_filescan *fs, int fd, uint8_t *buf, size_t want)
{
  size_t got = 0;
  while (got < want) {
    exh_ssize n = exh_read(fd, buf + got, want - got);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (n == 0)
      break;
    got += (size_t)n;
    exh_pace_account(fs->pace, (uint64_t)n);
  }
  return (exh_ssize)got;
}

static void stream_digests(exh_filescan *fs, int fd, const exhunt_sink *out, exh_fileresult *res)
{
  if (!grow_buffer(fs, EXH_STREAM_CHUNK) || !digests_begin(fs)) {
    notice(out, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "hash-error", fs->info->path, "out of memory");
    return;
  }
  for (;;) {
    exh_ssize n = read_full(fs, fd, fs->buf, EXH_STREAM_CHUNK);
    if (n < 0) {
      notice(out, EXHUNT_NOTICE_ERROR, exh_errno_map(errno, EXH_ERRMAP_NOTDIR | EXH_ERRMAP_NOMEM),
             "read-error", fs->info->path, strerror(errno));
      return;
    }
    if (n == 0)
      break;
    res->bytes_read += (uint64_t)n;
    digests_update(fs, fs->buf, (size_t)n);
  }
  if (digests_end(fs))
    check_hash_iocs(fs);
}

void exh_filescan_path(exh_filescan *fs, const exh_fileinfo *info, const exhunt_sink *out,
                       exh_fileresult *res)
{
  memset(res, 0, sizeof *res);
  begin_file(fs, info);
  /* Through the root the walker listed it under, component by component,
   * and only if it is still the file the walker saw. A caller with no root
   * (one file, tests) gets a root made for the file now. */
  exh_evidence_root *own = NULL;
  exh_evidence_root *root = info->root;
  const char *rel = info->rel;
  exh_evidence_open o;
  int fd = -1;
  if (!root) {
    const char *step = NULL;
    int e = exh_evidence_root_open(info->path, &own, &step);
    if (e) {
      memset(&o, 0, sizeof o);
      o.status = e == ENOENT ? EXH_OPEN_VANISHED : EXH_OPEN_UNREADABLE;
      o.err = e;
    }
    root = own;
    rel = own ? exh_evidence_rel(own, info->path) : NULL;
  }
  if (root)
    fd = exh_open_evidence_at(root, rel, info->dev, info->ino, &fs->dirs, &o);
  res->noatime_refused = o.noatime_refused;
  exh_evidence_root_unref(own);
  if (fd < 0) {
    exhunt_err code;
    const char *what;
    char reason[256];
    res->skipped = true;
    exh_evidence_open_describe(&o, &code, &what, &res->skip, reason, sizeof reason);
    notice(out, EXHUNT_NOTICE_ERROR, code, what, info->path, reason);
    return;
  }
  exh_stat st = o.st;

  check_name_iocs(fs);
  uint64_t size = (uint64_t)st.size;
  if (size > fs->max_filesize) {
    stream_digests(fs, fd, out, res);
    res->content_skipped = true;
    res->scanned = true;
    char reason[160];
    snprintf(reason, sizeof reason,
             "%llu bytes is over the content limit (--max-filesize); hashed and IOC-checked only",
             (unsigned long long)size);
    notice(out, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "content-too-large", info->path, reason);
    emit_findings(fs, out, size);
    goto cleanup;
  }
  if (!grow_buffer(fs, (size_t)size + 1)) {
    res->skipped = true;
    res->skip = EXHUNT_SKIP_UNREADABLE;
    notice(out, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "read-error", info->path, "out of memory");
    goto cleanup;
  }
  /* Ask for one byte more than fstat said, to notice a file still growing. */
  exh_ssize n = read_full(fs, fd, fs->buf, (size_t)size + 1);
  if (n < 0) {
    int e = errno;
    res->skipped = true;
    res->skip = EXHUNT_SKIP_UNREADABLE;
    notice(out, EXHUNT_NOTICE_ERROR, exh_errno_map(e, EXH_ERRMAP_NOTDIR | EXH_ERRMAP_NOMEM),
           "read-error", info->path, strerror(e));
    goto cleanup;
  }
  size_t got = (size_t)n;
  if (got < size) {
    char reason[160];
    snprintf(reason, sizeof reason,
             "file shrank while being read (%llu of %llu bytes); scanned what was read",
             (unsigned long long)got, (unsigned long long)size);
    notice(out, EXHUNT_NOTICE_NOTE, EXHUNT_ETRUNCATED, "file-shrank", info->path, reason);
  } else if (got > size) {
    got = (size_t)size;
    notice(out, EXHUNT_NOTICE_NOTE, EXHUNT_ECHANGED, "file-grew", info->path,
           "file grew while being read; scanned the size it had when opened");
  }
  res->bytes_read = got;
  res->scanned = true;
  fs->data = fs->buf;
  fs->len = got;
  check_content(fs, out);
  emit_findings(fs, out, got);
cleanup:
  exh_close(fd);
}

void exh_filescan_trim(exh_filescan *fs)
{
  /* Most files are small: a worker keeps a big buffer only while it reads
   * a big file, so memory does not grow with threads x --max-filesize. */
  if (fs->cap > EXH_KEEP_BUFFER) {
    exh_free(fs->buf);
    fs->buf = NULL;
    fs->cap = 0;
  }
}
