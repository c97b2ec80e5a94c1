/*
 * rules_int.h - the inside of exhunt_rules, shared by lib/rules and lib/scan.
 *
 * Life cycle: new -> add_* (any number) -> compile -> immutable, shared by
 * every worker. Per-scan state (YR_SCANNER, buffers) lives in the workers.
 */
#ifndef EXH_RULES_INT_H
#define EXH_RULES_INT_H

#include <yara.h>

#include "exhunt/exhunt.h"
#include "ioc.h"
#include "platform/digest.h"

/* Where a YARA namespace came from, for attribution in findings. */
typedef struct exh_yara_origin {
  char *ns;             /* namespace = the name the file was added under */
  char *source;         /* "signature-base", "volexity", "exhunt", or "user" */
  char *license;        /* NULL when unknown; a rule's own meta license wins */
  const char *category; /* default finding category, or NULL to infer; static */
} exh_yara_origin;

struct exhunt_rules {
  YR_COMPILER *compiler; /* NULL after compile */
  YR_RULES *yara;        /* NULL before compile, or when no YARA was added */
  exh_yara_origin *origins;
  size_t n_origins;
  size_t yara_rule_count;
  exh_iocs iocs;
  bool heuristics;
  bool compiled;
  bool yara_initialised;
  bool need_md5, need_sha1;
  bool default_precompiled; /* embedded pack to be loaded from its .yarc */
  /* The pack's identity (exhunt_rules_info.sha256): SHA-256 over every
   * source added, in order; finished with the heuristics switch in
   * exhunt_rules_get_info. id_failed: a digest step failed (then no id). */
  exh_digest *id_ctx;
  bool id_failed;
};

/* Origin of a namespace; never NULL (falls back to a static "user"). */
const exh_yara_origin *exh_rules_origin(const exhunt_rules *rules, const char *ns);

/* Defines the external variables public rule sets expect, as Loki/THOR do
 * (filename, filepath, extension, filetype, owner), on a compiler. */
int exh_define_externals_compiler(YR_COMPILER *compiler);

/* Internal form of add_yara used for the embedded pack, with attribution. */
exhunt_err exh_rules_add_yara_origin(exhunt_rules *rules, const char *ns, const char *source,
                                     const char *license, const char *text, size_t len,
                                     const exhunt_sink *sink);

#endif
