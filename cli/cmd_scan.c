/*
 * cmd_scan.c - `exhunt scan`: find web shells and IOCs in files and trees.
 *
 * The command only wires things together: it parses options, loads rule and
 * IOC files into an exhunt_rules, refuses an output file under a scanned
 * root, runs exhunt_scan_paths with a sink that formats each record
 * (lib/output/format.c) and writes it whole, draws the progress line, and
 * picks the exit code (docs/exit-codes.md): 1 if anything was reported,
 * else 5 if anything could not be examined, a rule failed to load, or no
 * file was examined at all, else 0.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "native_paths.h"
#include "options.h"
#include "output/format.h"
#include "report.h"

static const cli_option scan_options[] = {
    CLI_TEXT("Usage: exhunt scan [OPTIONS] PATH...\n"
             "\n"
             "Scan files and directory trees for web shells and HAFNIUM/ProxyLogon indicators.\n"
             "Evidence is only read: files are opened read-only (O_NOFOLLOW, O_NOATIME where\n"
             "permitted), symlinks are never followed, nothing is written under PATH.\n"
             "Each file is read once: SHA-256 (and MD5/SHA-1 when an IOC list has them), YARA\n"
             "rules, built-in ASP.NET/classic ASP heuristics, and hash/name/path IOCs.\n"
             "\n"
             "Rules:"),
    CLI_ROWS_RULES,
    CLI_TEXT("Scope:"),
    CLI_SHARED_AS(CLI_OPT_EXCLUDE, "skip paths or names matching GLOB, case-insensitive\n"
                                   "(repeatable); an excluded directory is not entered"),
    CLI_SHARED_AS(CLI_OPT_NEWER, "only files modified at or after DATE (UTC; 2021-03-01\n"
                                 "or 2021-03-01T12:00:00Z). mtime can be forged: see docs"),
    CLI_SHARED(CLI_OPT_ONE_FS),
    CLI_SHARED(CLI_OPT_THREADS),
    CLI_ROWS_LIMITS_HEADING,
    CLI_ROWS_CONTENT_CAPS,
    CLI_SHARED(CLI_OPT_MAX_DEPTH),
    CLI_ROWS_PACE,
    CLI_TEXT("Output:"),
    CLI_SHARED('f'),
    CLI_SHARED('o'),
    CLI_SHARED_AS(CLI_OPT_MINSEV, "report findings at or above LEVEL: info, low (default),\n"
                                  "medium, high, critical"),
    CLI_SHARED_AS('v', "text: also print notes (skips, limits) on stderr"),
    CLI_SHARED('q'),
    CLI_SHARED(CLI_OPT_NOPROGRESS),
    /* the log caps: scan, logs and hunt take one command line */
    CLI_INERT(CLI_OPT_MAX_LINE),
    CLI_INERT(CLI_OPT_MAX_FIELDS),
    CLI_INERT(CLI_OPT_MAX_GZ),
    CLI_INERT(CLI_OPT_GZ_RATIO),
    CLI_TEXT("\n"
             "Exit status (docs/exit-codes.md): 0 files were examined and nothing found;\n"
             "1 findings reported (even if some files could not be read); 2 usage or\n"
             "runtime error (a PATH that does not exist, an output that cannot be\n"
             "written); 5 no finding, but errors left files unexamined (unreadable files,\n"
             "rule or IOC files that did not load) or no file was examined at all (an\n"
             "empty folder): not enough evidence to call it clean; 130 interrupted."),
    CLI_END,
};

static int run_scan(int argc, char **argv)
{
  exhunt_rules *rules = NULL;
  cli_report c;
  cli_args a;
  int rc = EXIT_ERROR;
  if (!cli_args_start(&a, &cmd_scan, &c, argc, argv, NULL, &rc) ||
      (rc = cli_args_open(&a, argc, argv)) != 0)
    goto cleanup;
  exhunt_sink sink = cli_report_sink(&c, false);

  if ((rc = cli_load_rules(&c, &sink, &a.rules, &rules)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_rules_info info;
  exhunt_rules_get_info(rules, &info);
  if (cli_rules_empty(&info)) {
    rc = cli_usage_error("scan", "%s", "no rules, IOCs or heuristics left to scan with");
    goto cleanup;
  }
  cli_report_header(&c, &info);

  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  CLI_GROUPS_TO(&opts, &a.groups);
  opts.newer_than = a.groups.newer_than;
  opts.max_filesize = a.groups.max_filesize;
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  /* The library's records, their paths in the OS's form (native_paths.h). */
  cli_native_sink native;
  exhunt_sink lib_sink;
  cli_native_sink_wrap(&native, &sink, &lib_sink);
  exhunt_err err = exhunt_scan_paths(rules, (const char *const *)a.roots, (size_t)a.n_roots, &opts,
                                     &lib_sink, &stats);
  if (err) {
    rc = cli_run_error("scan", err);
    goto cleanup;
  }
  rc = cli_report_finish(&c, &stats, &info);

cleanup:
  exhunt_rules_free(rules);
  rc = cli_report_close(&c, rc);
  cli_args_free(&a);
  return rc;
}

const cli_command cmd_scan = {"scan", run_scan,       scan_options, NULL,
                              "PATH", EXHUNT_SEV_LOW, true,         CLI_EMPTY_FILES};
