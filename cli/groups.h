/*
 * groups.h - the option groups every evidence-reading command shares: their
 * storage and their checks, each written once.
 *
 *   scope      --exclude -x/--one-file-system --max-depth   exhunt_scope
 *   window     --since --until (log record time)            exhunt_window
 *              --newer-than (a file's mtime: scan only)
 *   resources  -j/--threads --cpu-limit --max-rate          exhunt_resources
 *              --nice (the process's priority: cli_apply_nice)
 *   caps       --max-filesize --max-line --max-fields --max-gz-bytes
 *              --gz-ratio --yara-timeout --max-findings-per-file
 *                                                           exhunt_limits
 *
 * The library's groups are held as the engines take them, so a command
 * hands each on whole (CLI_GROUPS_TO). The rows of these options (names,
 * where each value goes, its range, its help) are in options.c, with every
 * other shared option: each is taken and checked there, once.
 */
#ifndef CLI_GROUPS_H
#define CLI_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

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
  CLI_OPT_MAX_RATE,
  CLI_OPT_EXCLUDE,
  CLI_OPT_SINCE,
  CLI_OPT_UNTIL,
  CLI_OPT_NEWER
};
/* -x and -j are their own short options. */
#define CLI_OPT_ONE_FS 'x'
#define CLI_OPT_THREADS 'j'

typedef struct cli_groups {
  exhunt_scope scope;
  exhunt_window window;
  int64_t newer_than; /* EXHUNT_NO_TIME: every file */
  exhunt_resources resources;
  bool nice;
  exhunt_limits limits;
  uint64_t max_filesize; /* 0 = default */
  /* One slot per argv entry, so any number of --exclude fit: the one way
   * every command stores them. scope.excludes points here; the strings
   * are argv's. Owned. */
  const char **exclude_slots;
} cli_groups;

/* Every group at its library default, the windows open; false if out of
 * memory. cli_groups_free is safe on a zeroed or failed one. */
bool cli_groups_init(cli_groups *g, int argc);
void cli_groups_free(cli_groups *g);

/* After getopt: "--until is before --since". 0, or the exit code of the
 * usage error it printed. */
int cli_groups_check(const cli_groups *g, const char *command);

/* --nice: lowest CPU priority and idle I/O class for the whole process.
 * A refusal is said on stderr, and the run goes on. */
void cli_apply_nice(const cli_groups *g, const char *command);

/* The groups every engine that takes caps names alike (scan, logs, hunt,
 * watch's scans). The window, newer_than and max_filesize are per engine;
 * exposure and baseline take the scope alone. */
#define CLI_GROUPS_TO(o, g)                                                                        \
  do {                                                                                             \
    (o)->scope = (g)->scope;                                                                       \
    (o)->resources = (g)->resources;                                                               \
    (o)->limits = (g)->limits;                                                                     \
  } while (0)

#endif
