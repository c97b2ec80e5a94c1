/*
 * limits_opt.h - the caps and resource options shared by scan, logs and
 * hunt, parsed in one place like the rule and output options.
 *
 *   --max-filesize --max-depth --max-line --max-fields --max-gz-bytes
 *   --gz-ratio --yara-timeout --max-findings-per-file   (docs/limits.md)
 *   --nice --cpu-limit --max-rate                        (production use)
 */
#ifndef CLI_LIMITS_OPT_H
#define CLI_LIMITS_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exhunt/exhunt.h"

typedef struct cli_limit_opts {
  uint64_t max_filesize; /* 0 = default */
  unsigned max_depth;    /* 0 = default */
  exhunt_limits limits;
  exhunt_pace pace;
  bool nice;
} cli_limit_opts;

enum {
  CLI_OPT_MAX_FILESIZE = 1030,
  CLI_OPT_MAX_DEPTH,
  CLI_OPT_MAX_LINE,
  CLI_OPT_MAX_FIELDS,
  CLI_OPT_MAX_GZ,
  CLI_OPT_GZ_RATIO,
  CLI_OPT_YARA_TIMEOUT,
  CLI_OPT_MAX_FINDINGS,
  CLI_OPT_NICE,
  CLI_OPT_CPU_LIMIT,
  CLI_OPT_MAX_RATE
};

#define CLI_LIMIT_OPTIONS                                                                          \
  {"max-filesize", required_argument, NULL, CLI_OPT_MAX_FILESIZE},                                 \
      {"max-depth", required_argument, NULL, CLI_OPT_MAX_DEPTH},                                   \
      {"max-line", required_argument, NULL, CLI_OPT_MAX_LINE},                                     \
      {"max-fields", required_argument, NULL, CLI_OPT_MAX_FIELDS},                                 \
      {"max-gz-bytes", required_argument, NULL, CLI_OPT_MAX_GZ},                                   \
      {"gz-ratio", required_argument, NULL, CLI_OPT_GZ_RATIO},                                     \
      {"yara-timeout", required_argument, NULL, CLI_OPT_YARA_TIMEOUT},                             \
      {"max-findings-per-file", required_argument, NULL, CLI_OPT_MAX_FINDINGS}, CLI_PACE_OPTIONS

/* The resource options alone, for commands without the content caps
 * (baseline: a tree is hashed, nothing is parsed). */
#define CLI_PACE_OPTIONS                                                                           \
  {"nice", no_argument, NULL, CLI_OPT_NICE},                                                       \
      {"cpu-limit", required_argument, NULL, CLI_OPT_CPU_LIMIT},                                   \
  {                                                                                                \
    "max-rate", required_argument, NULL, CLI_OPT_MAX_RATE                                          \
  }

/* 1: `opt` was one of these and is stored; 0: not one of these; -1: a bad
 * value (a usage message is printed). */
int cli_limit_option(cli_limit_opts *lo, const char *command, int opt, const char *arg);

/* --nice: lowest CPU priority and idle I/O class for the whole process.
 * A refusal is said on stderr, and the run goes on. */
void cli_apply_nice(const cli_limit_opts *lo, const char *command);

/* The help text of these options (`content`: the scan-only ones too). */
void cli_limit_help(FILE *out, bool content, bool logs);
/* The help text of CLI_PACE_OPTIONS alone. */
void cli_pace_help(FILE *out);

#endif
