/*
 * rules_load.c - the rule options every content-scanning command shares
 * (--rules, --iocs, --no-default-rules, --no-heuristics): reads the files,
 * adds them to an exhunt_rules, compiles. A file that fails to load is
 * reported through the sink by name and reason and counted; the others
 * still load.
 *
 * Every error notice of the loading (a file that cannot be read, a rule
 * that does not compile, a rejected IOC line) counts as one error of the
 * run: it is coverage the user asked for and did not get, so a run that
 * finds nothing says "not enough evidence" (exit 5), not "clean". Notes
 * (compiler warnings) are not counted: nothing was lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "platform/fs.h"
#include "report.h"

#define MAX_RULE_FILE (64u * 1024 * 1024)
/* ---------------------------------------------------------------------- */

static bool has_rule_ext(const char *name)
{
  const char *dot = strrchr(name, '.');
  return dot && (strcasecmp(dot, ".yar") == 0 || strcasecmp(dot, ".yara") == 0);
}

/* The caller's sink, with every error notice counted on the way. */
typedef struct counting_sink {
  cli_report *c;
  const exhunt_sink *inner;
} counting_sink;

static void count_notice(void *ctx, const exhunt_notice *n)
{
  counting_sink *cs = ctx;
  if (n->kind == EXHUNT_NOTICE_ERROR)
    cs->c->load_errors++;
  cs->inner->on_notice(cs->inner->ctx, n);
}

static void count_finding(void *ctx, const exhunt_finding *f)
{
  counting_sink *cs = ctx;
  cs->inner->on_finding(cs->inner->ctx, f);
}

/* `sink` is the counting sink: the error is counted there. */
static void load_error(const exhunt_sink *sink, const char *what, const char *path,
                       const char *reason)
{
  exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ERULES, what, path, reason};
  sink->on_notice(sink->ctx, &n);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static exhunt_err add_rule_file(exhunt_rules *rules, const char *path, const exhunt_sink *sink,
                                bool iocs)
{
  char *text = NULL;
  size_t len = 0;
  if (cli_read_file(path, MAX_RULE_FILE, &text, &len) != 0) {
    load_error(sink, iocs ? "ioc-load" : "rule-load", path, strerror(errno));
    return EXHUNT_OK;
  }
  exhunt_err err = iocs ? exhunt_rules_add_iocs(rules, path, text, len, sink)
                        : exhunt_rules_add_yara(rules, path, text, len, sink);
  exh_free(text);
  if (err == EXHUNT_ERULES)
    return EXHUNT_OK; /* reported (and counted) through the sink already */
  return err;
}

/* A folder of rules: every .yar/.yara below it, in sorted order; *found
 * counts the rule files met. */
static exhunt_err add_rule_dir(exhunt_rules *rules, const char *dir, const exhunt_sink *sink,
                               unsigned depth, size_t *found)
{
  exh_dir d;
  if (exh_dir_open(&d, dir) != 0) {
    load_error(sink, "rule-load", dir, strerror(errno));
    return EXHUNT_OK;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  exhunt_err err = EXHUNT_OK;
  exh_dirent de;
  while (exh_dir_next(&d, &de) == 1) {
    if (de.name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      char **grown = exh_reallocarray(names, cap, sizeof *names);
      if (!grown) {
        err = EXHUNT_ENOMEM;
        break;
      }
      names = grown;
    }
    size_t plen = strlen(dir) + strlen(de.name) + 2;
    names[n] = exh_malloc(plen);
    if (!names[n]) {
      err = EXHUNT_ENOMEM;
      break;
    }
    snprintf(names[n], plen, "%s/%s", dir, de.name);
    n++;
  }
  exh_dir_close(&d);
  if (!err && n > 1)
    qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n && !err; i++) {
    exh_stat st;
    if (exh_stat_path(names[i], &st) != 0)
      continue;
    if (st.type == EXH_FT_DIR && depth < 8)
      err = add_rule_dir(rules, names[i], sink, depth + 1, found);
    else if (st.type == EXH_FT_REG && has_rule_ext(names[i])) {
      (*found)++;
      err = add_rule_file(rules, names[i], sink, false);
    }
  }
  for (size_t i = 0; i < n; i++)
    exh_free(names[i]);
  exh_free(names);
  return err;
}

bool cli_rule_opts_init(cli_rule_opts *ro, int argc)
{
  memset(ro, 0, sizeof *ro);
  ro->rules = exh_calloc((size_t)argc + 1, sizeof *ro->rules);
  ro->iocs = exh_calloc((size_t)argc + 1, sizeof *ro->iocs);
  return ro->rules && ro->iocs;
}

void cli_rule_opts_free(cli_rule_opts *ro)
{
  exh_free(ro->rules);
  exh_free(ro->iocs);
  ro->rules = ro->iocs = NULL;
}

bool cli_rule_option(cli_rule_opts *ro, int opt, const char *arg)
{
  switch (opt) {
  case CLI_OPT_RULES:
    ro->rules[ro->n_rules++] = arg;
    return true;
  case CLI_OPT_IOCS:
    ro->iocs[ro->n_iocs++] = arg;
    return true;
  case CLI_OPT_NO_DEFAULT:
    ro->no_default = true;
    return true;
  case CLI_OPT_NO_HEUR:
    ro->no_heur = true;
    return true;
  default:
    return false;
  }
}

int cli_load_rules(cli_report *c, const exhunt_sink *user_sink, const cli_rule_opts *ro,
                   exhunt_rules **out)
{
  counting_sink cs = {c, user_sink};
  exhunt_sink counted = {.ctx = &cs, .on_finding = count_finding, .on_notice = count_notice};
  const exhunt_sink *sink = &counted;
  bool no_default = ro->no_default, no_heur = ro->no_heur;
  const char *const *rule_paths = ro->rules, *const *ioc_paths = ro->iocs;
  size_t n_rule_paths = ro->n_rules, n_ioc_paths = ro->n_iocs;
  exhunt_rules *rules = NULL;
  exhunt_err err = exhunt_rules_new(&rules);
  if (err) {
    fprintf(stderr, "exhunt %s: %s\n", c->command, exhunt_strerror(err));
    return EXIT_ERROR;
  }
  if (no_heur)
    exhunt_rules_set_heuristics(rules, false);
  if (!no_default) {
    err = exhunt_rules_add_default(rules, sink);
    if (err == EXHUNT_ERULES) {
      err = EXHUNT_OK; /* counted through the sink */
    } else if (err) {
      fprintf(stderr, "exhunt %s: default rules: %s\n", c->command, exhunt_strerror(err));
      goto fail;
    }
  }
  for (size_t i = 0; i < n_rule_paths && !err; i++) {
    exh_stat st;
    if (exh_stat_path(rule_paths[i], &st) == 0 && st.type == EXH_FT_DIR) {
      size_t found = 0;
      err = add_rule_dir(rules, rule_paths[i], sink, 0, &found);
      /* The user asked for rules from there and got none: say so. */
      if (!err && found == 0)
        load_error(sink, "rule-load", rule_paths[i],
                   "no .yar or .yara file in this folder (8 levels searched)");
    } else
      err = add_rule_file(rules, rule_paths[i], sink, false);
  }
  for (size_t i = 0; i < n_ioc_paths && !err; i++)
    err = add_rule_file(rules, ioc_paths[i], sink, true);
  if (err) {
    fprintf(stderr, "exhunt %s: %s\n", c->command, exhunt_strerror(err));
    goto fail;
  }
  if ((err = exhunt_rules_compile(rules, sink)) != EXHUNT_OK) {
    fprintf(stderr, "exhunt %s: compiling rules: %s\n", c->command, exhunt_strerror(err));
    goto fail;
  }
  *out = rules;
  return 0;
fail:
  exhunt_rules_free(rules);
  return EXIT_ERROR;
}
