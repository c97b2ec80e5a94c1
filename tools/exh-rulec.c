/*
 * exh-rulec.c - build-time compiler for the embedded YARA pack.
 *
 * Usage: exh-rulec OUTPUT.yarc NAMESPACE FILE [NAMESPACE FILE]...
 * Compiles each FILE under its NAMESPACE (the same names the library gives
 * the embedded files, rules/... relative paths), with exhunt's external
 * variables defined, and saves the result. The library loads it at start-up
 * instead of compiling ~900 KB of rule source on every run; it falls back to
 * the sources (also embedded) when the user adds rules of their own, since
 * compiled YARA rule sets cannot be merged. Any warning or error fails the
 * build: the embedded pack must compile cleanly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <yara.h>

#include "rules/externals.h"

static int errors;

static void on_message(int level, const char *file, int line, const YR_RULE *rule,
                       const char *message, void *user)
{
  (void)rule;
  (void)user;
  if (level == YARA_ERROR_LEVEL_ERROR) {
    fprintf(stderr, "exh-rulec: %s:%d: error: %s\n", file ? file : "?", line, message);
    errors++;
  }
}

int main(int argc, char **argv)
{
  if (argc < 4 || argc % 2) {
    fprintf(stderr, "usage: %s OUTPUT NAMESPACE FILE [NAMESPACE FILE]...\n", argv[0]);
    return 2;
  }
  YR_COMPILER *compiler = NULL;
  YR_RULES *rules = NULL;
  if (yr_initialize() != ERROR_SUCCESS || yr_compiler_create(&compiler) != ERROR_SUCCESS)
    return 1;
  for (size_t i = 0; i < EXH_N_EXTERNALS; i++)
    yr_compiler_define_string_variable(compiler, exh_external_names[i], "");
  yr_compiler_set_callback(compiler, on_message, NULL);
  for (int i = 2; i + 1 < argc && !errors; i += 2) {
    FILE *f = fopen(argv[i + 1], "r");
    if (!f) {
      perror(argv[i + 1]);
      return 1;
    }
    yr_compiler_add_file(compiler, f, argv[i], argv[i + 1]);
    fclose(f);
  }
  int rc = 1;
  if (!errors && yr_compiler_get_rules(compiler, &rules) == ERROR_SUCCESS &&
      yr_rules_save(rules, argv[1]) == ERROR_SUCCESS)
    rc = 0;
  if (rules)
    yr_rules_destroy(rules);
  yr_compiler_destroy(compiler);
  yr_finalize();
  return rc;
}
