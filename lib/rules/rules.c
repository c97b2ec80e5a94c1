/*
 * rules.c - building an exhunt_rules: YARA sources, IOC lists, heuristics.
 *
 * YARA: libyara's compiler becomes unusable after the first error, so a
 * user's file is first compiled alone in a scratch compiler. Only files that
 * compile cleanly reach the real compiler; a broken one is reported by name,
 * line and libyara's message, and the others still load. Each file gets its
 * own namespace, so rule names in different packs never collide (the NSA
 * core and extended sets share names, for instance).
 *
 * Every source added also goes into a SHA-256 (platform/digest.h): the identity
 * of the pack a report was made with, so two reports can be told to come
 * from the same rules or not. The embedded pack is hashed as source text
 * even when it is loaded precompiled, so its identity does not depend on
 * whether the user added rules of their own.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "embedded.h"
#include "externals.h"
#include "rules_int.h"

int exh_define_externals_compiler(YR_COMPILER *compiler)
{
  for (size_t i = 0; i < EXH_N_EXTERNALS; i++) {
    if (yr_compiler_define_string_variable(compiler, exh_external_names[i], "") != ERROR_SUCCESS)
      return -1;
  }
  return 0;
}

exhunt_err exhunt_rules_new(exhunt_rules **out)
{
  exhunt_err err = EXHUNT_ENOMEM;
  exhunt_rules *rules = exh_calloc(1, sizeof *rules);
  if (!rules)
    goto cleanup;
  exh_iocs_init(&rules->iocs);
  rules->heuristics = true;
  rules->id_ctx = exh_digest_new(EXH_DIGEST_SHA256);
  if (!rules->id_ctx)
    goto cleanup;
  if (yr_initialize() != ERROR_SUCCESS)
    goto cleanup;
  rules->yara_initialised = true;
  /* libyara copies up to 512 bytes of every match by default, and keeps up
   * to a million matches per string: on a big log full of weak-string hits
   * that is hundreds of MB per scan. exhunt reads matched bytes from its own
   * buffer, so libyara need keep only one. (A process-wide libyara setting;
   * exhunt sets it to the same value every time.) */
  uint32_t match_data = 1;
  yr_set_configuration(YR_CONFIG_MAX_MATCH_DATA, &match_data);
  if (yr_compiler_create(&rules->compiler) != ERROR_SUCCESS)
    goto cleanup;
  if (exh_define_externals_compiler(rules->compiler) != 0)
    goto cleanup;
  *out = rules;
  rules = NULL;
  err = EXHUNT_OK;
cleanup:
  exhunt_rules_free(rules);
  return err;
}

void exhunt_rules_free(exhunt_rules *rules)
{
  if (!rules)
    return;
  if (rules->compiler)
    yr_compiler_destroy(rules->compiler);
  if (rules->yara)
    yr_rules_destroy(rules->yara);
  for (size_t i = 0; i < rules->n_origins; i++) {
    exh_free(rules->origins[i].ns);
    exh_free(rules->origins[i].source);
    exh_free(rules->origins[i].license);
  }
  exh_free(rules->origins);
  exh_iocs_free(&rules->iocs);
  exh_digest_free(rules->id_ctx);
  if (rules->yara_initialised)
    yr_finalize();
  exh_free(rules);
}

void exhunt_rules_set_heuristics(exhunt_rules *rules, bool enabled)
{
  rules->heuristics = enabled;
}

const exh_yara_origin *exh_rules_origin(const exhunt_rules *rules, const char *ns)
{
  static const exh_yara_origin user = {"", "user", NULL, NULL};
  for (size_t i = 0; i < rules->n_origins; i++)
    if (strcmp(rules->origins[i].ns, ns) == 0)
      return &rules->origins[i];
  return &user;
}

/* One source into the pack's identity: kind, NUL, name, NUL, the text's
 * length in decimal, NUL, the text. The length keeps two sources from
 * reading as one source with a different split (docs/output-schema.md
 * gives the same recipe, so the digest can be recomputed by hand). */
static void id_add(exhunt_rules *rules, const char *kind, const char *name, const char *text,
                   size_t len)
{
  char num[24];
  int n = snprintf(num, sizeof num, "%zu", len);
  exh_digest *c = rules->id_ctx;
  if (!exh_digest_update(c, kind, strlen(kind) + 1) ||
      !exh_digest_update(c, name, strlen(name) + 1) || !exh_digest_update(c, num, (size_t)n + 1) ||
      !exh_digest_update(c, text, len))
    rules->id_failed = true;
}

/* Collects compiler messages for one file, to report them through the sink. */
typedef struct compile_report {
  const exhunt_sink *sink;
  const char *name;
  bool report_warnings;
  int errors;
} compile_report;

static void on_compile_message(int level, const char *file, int line, const YR_RULE *rule,
                               const char *message, void *user)
{
  (void)file;
  (void)rule;
  compile_report *rep = user;
  bool is_error = level == YARA_ERROR_LEVEL_ERROR;
  if (is_error)
    rep->errors++;
  if (!rep->sink || (!is_error && !rep->report_warnings))
    return;
  char reason[512];
  snprintf(reason, sizeof reason, "line %d: %s%s", line, message,
           is_error ? " (file not loaded)" : "");
  exhunt_notice n = {is_error ? EXHUNT_NOTICE_ERROR : EXHUNT_NOTICE_NOTE,
                     is_error ? EXHUNT_ERULES : EXHUNT_OK,
                     is_error ? "rule-compile" : "rule-warning", rep->name, reason};
  rep->sink->on_notice(rep->sink->ctx, &n);
}

/* Compiles one source into rules->compiler (after a trial compile for user
 * files). Does not record its origin. */
static exhunt_err compile_source(exhunt_rules *rules, const char *ns, bool is_user,
                                 const char *text, size_t len, const exhunt_sink *sink)
{
  exhunt_err err = EXHUNT_ENOMEM;
  YR_COMPILER *scratch = NULL;
  char *src = NULL;
  if (memchr(text, '\0', len)) {
    if (sink) {
      exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ERULES, "rule-compile", ns,
                         "NUL byte in rule source (not a text file?); file not loaded"};
      sink->on_notice(sink->ctx, &n);
    }
    return EXHUNT_ERULES;
  }
  src = exh_strndup(text, len); /* YARA wants NUL-terminated source (none inside: above) */
  if (!src)
    goto cleanup;

  /* Trial compile: keeps a broken user file from poisoning the real
   * compiler. The embedded pack skips it; exh-rulec compiled it at build
   * time and fails the build on any error. */
  if (is_user) {
    compile_report trial = {sink, ns, true, 0};
    if (yr_compiler_create(&scratch) != ERROR_SUCCESS || exh_define_externals_compiler(scratch))
      goto cleanup;
    yr_compiler_set_callback(scratch, on_compile_message, &trial);
    yr_compiler_add_string(scratch, src, ns);
    if (trial.errors) {
      err = EXHUNT_ERULES;
      goto cleanup;
    }
  }

  compile_report real = {is_user ? NULL : sink, ns, false, 0};
  yr_compiler_set_callback(rules->compiler, on_compile_message, &real);
  if (yr_compiler_add_string(rules->compiler, src, ns) != 0) {
    /* Same text compiled alone; a clash here is with an earlier file in
     * the same namespace. The compiler is now unusable, so say so plainly. */
    err = EXHUNT_ERULES;
    if (sink) {
      exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ERULES, "rule-compile", ns,
                         "conflicts with rules loaded earlier under the same name"};
      sink->on_notice(sink->ctx, &n);
    }
    goto cleanup;
  }
  err = EXHUNT_OK;
cleanup:
  if (scratch)
    yr_compiler_destroy(scratch);
  exh_free(src);
  return err;
}

static exhunt_err add_origin(exhunt_rules *rules, const char *ns, const char *source,
                             const char *license)
{
  exh_yara_origin *grown =
      exh_reallocarray(rules->origins, rules->n_origins + 1, sizeof *rules->origins);
  if (!grown)
    return EXHUNT_ENOMEM;
  rules->origins = grown;
  exh_yara_origin *o = &rules->origins[rules->n_origins];
  o->ns = exh_strdup(ns);
  o->source = exh_strdup(source);
  o->license = license ? exh_strdup(license) : NULL;
  /* Rule files written for log lines (signature-base's *_log_sigs.yar) flag
   * traces of exploitation in logs, not malicious files. */
  o->category = strstr(ns, "_log_sigs") ? "exploit" : NULL;
  if (!o->ns || !o->source || (license && !o->license)) {
    exh_free(o->ns);
    exh_free(o->source);
    exh_free(o->license);
    return EXHUNT_ENOMEM;
  }
  rules->n_origins++;
  return EXHUNT_OK;
}

static size_t embedded_len(const exh_embedded_file *f)
{
  return (size_t)(f->end - f->data);
}

/* The embedded pack was registered for loading precompiled; user rules are
 * coming, and compiled rule sets cannot be merged, so compile its sources
 * into the compiler after all (ahead of the user's, as it was added first). */
static exhunt_err flush_precompiled_default(exhunt_rules *rules, const exhunt_sink *sink)
{
  if (!rules->default_precompiled)
    return EXHUNT_OK;
  rules->default_precompiled = false;
  for (size_t i = 0; i < exh_embedded_count; i++) {
    const exh_embedded_file *f = &exh_embedded_files[i];
    if (strcmp(f->kind, "yara") != 0)
      continue;
    exhunt_err err =
        compile_source(rules, f->name, false, (const char *)f->data, embedded_len(f), sink);
    if (err)
      return err;
  }
  return EXHUNT_OK;
}

exhunt_err exh_rules_add_yara_origin(exhunt_rules *rules, const char *ns, const char *source,
                                     const char *license, const char *text, size_t len,
                                     const exhunt_sink *sink)
{
  if (!rules || !rules->compiler || !ns || !source || (!text && len))
    return EXHUNT_EINVAL;
  id_add(rules, "yara", ns, text, len);
  exhunt_err err = flush_precompiled_default(rules, sink);
  if (!err)
    err = compile_source(rules, ns, strcmp(source, "user") == 0, text ? text : "", len, sink);
  if (!err)
    err = add_origin(rules, ns, source, license);
  return err;
}

exhunt_err exhunt_rules_add_yara(exhunt_rules *rules, const char *name, const char *text,
                                 size_t len, const exhunt_sink *sink)
{
  return exh_rules_add_yara_origin(rules, name, "user", NULL, text, len, sink);
}

exhunt_err exhunt_rules_add_iocs(exhunt_rules *rules, const char *name, const char *text,
                                 size_t len, const exhunt_sink *sink)
{
  if (!rules || rules->compiled || !name || (!text && len))
    return EXHUNT_EINVAL;
  id_add(rules, "iocs", name, text, len);
  size_t bad = 0;
  exhunt_err err = exh_iocs_parse(&rules->iocs, name, text, len, sink, &bad);
  if (err)
    return err;
  return bad ? EXHUNT_ERULES : EXHUNT_OK;
}

/* Licence of each embedded pack, by the folder it sits in under rules/. */
static const char *license_of_source(const char *source)
{
  if (strcmp(source, "signature-base") == 0)
    return "Detection Rule License 1.1";
  if (strcmp(source, "volexity") == 0)
    return "BSD-2-Clause";
  if (strcmp(source, "nsacyber") == 0)
    return "CC0-1.0";
  return NULL;
}

exhunt_err exhunt_rules_add_default(exhunt_rules *rules, const exhunt_sink *sink)
{
  if (!rules || !rules->compiler)
    return EXHUNT_EINVAL;
  /* With no YARA added yet, the pack can be loaded precompiled at compile
   * time (no parsing at start-up); only its origins are recorded now. */
  bool precompiled = rules->n_origins == 0 && (size_t)(exh_default_yarc_end - exh_default_yarc) > 0;
  exhunt_err first_err = EXHUNT_OK;
  for (size_t i = 0; i < exh_embedded_count; i++) {
    const exh_embedded_file *f = &exh_embedded_files[i];
    exhunt_err err;
    if (strcmp(f->kind, "exchange") == 0 || strcmp(f->kind, "report") == 0)
      continue; /* the build database and the report template: not rules */
    if (strcmp(f->kind, "iocs") == 0)
      err = exhunt_rules_add_iocs(rules, f->name, (const char *)f->data, embedded_len(f), sink);
    else if (precompiled) {
      id_add(rules, "yara", f->name, (const char *)f->data, embedded_len(f));
      err = add_origin(rules, f->name, f->source, license_of_source(f->source));
    } else
      err = exh_rules_add_yara_origin(rules, f->name, f->source, license_of_source(f->source),
                                      (const char *)f->data, embedded_len(f), sink);
    if (err == EXHUNT_ENOMEM)
      return err;
    if (err && !first_err)
      first_err = err;
  }
  rules->default_precompiled = precompiled;
  return first_err;
}

/* libyara stream over the embedded compiled pack. */
typedef struct mem_stream {
  const unsigned char *pos, *end;
} mem_stream;

static size_t mem_stream_read(void *ptr, size_t size, size_t count, void *user)
{
  mem_stream *m = user;
  if (size == 0)
    return 0;
  size_t avail = (size_t)(m->end - m->pos) / size;
  size_t n = count < avail ? count : avail;
  memcpy(ptr, m->pos, n * size);
  m->pos += n * size;
  return n;
}

exhunt_err exhunt_rules_compile(exhunt_rules *rules, const exhunt_sink *sink)
{
  (void)sink;
  if (!rules || rules->compiled)
    return EXHUNT_EINVAL;
  exh_iocs_finish(&rules->iocs);
  rules->need_md5 = rules->iocs.count[EXH_IOC_MD5] > 0;
  rules->need_sha1 = rules->iocs.count[EXH_IOC_SHA1] > 0;
  if (rules->default_precompiled) {
    mem_stream m = {exh_default_yarc, exh_default_yarc_end};
    YR_STREAM stream = {&m, mem_stream_read, NULL};
    if (yr_rules_load_stream(&stream, &rules->yara) != ERROR_SUCCESS)
      return EXHUNT_ENOMEM;
  } else if (rules->n_origins > 0) {
    if (yr_compiler_get_rules(rules->compiler, &rules->yara) != ERROR_SUCCESS)
      return EXHUNT_ENOMEM;
  }
  if (rules->yara) {
    const YR_RULE *rule;
    yr_rules_foreach (rules->yara, rule) {
      rules->yara_rule_count++;
    }
  }
  yr_compiler_destroy(rules->compiler);
  rules->compiler = NULL;
  rules->compiled = true;
  return EXHUNT_OK;
}

void exhunt_rules_get_info(const exhunt_rules *rules, exhunt_rules_info *out)
{
  memset(out, 0, sizeof *out);
  out->yara_rules = rules->yara_rule_count;
  out->yara_files = rules->n_origins;
  out->iocs_sha256 = rules->iocs.count[EXH_IOC_SHA256];
  out->iocs_sha1 = rules->iocs.count[EXH_IOC_SHA1];
  out->iocs_md5 = rules->iocs.count[EXH_IOC_MD5];
  out->iocs_name = rules->iocs.count[EXH_IOC_FILENAME];
  out->iocs_path = rules->iocs.count[EXH_IOC_PATH];
  out->heuristics = rules->heuristics;
  /* The switch ends the identity: the same files with the heuristics off
   * are another pack. A copy of the context, so the call stays const and
   * repeatable. */
  exh_digest *c = rules->id_failed ? NULL : exh_digest_dup(rules->id_ctx);
  uint8_t md[EXH_DIGEST_MAX_SIZE];
  const char *sw = rules->heuristics ? "heuristics=on" : "heuristics=off";
  if (c && exh_digest_update(c, sw, strlen(sw)) && exh_digest_final(c, md)) {
    static const char hexdig[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
      out->sha256[2 * i] = hexdig[md[i] >> 4];
      out->sha256[2 * i + 1] = hexdig[md[i] & 15];
    }
    out->sha256[64] = '\0';
  }
  exh_digest_free(c);
}
