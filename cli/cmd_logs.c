/*
 * cmd_logs.c - `exhunt logs`: hunt exploitation in Exchange and IIS logs.
 *
 * Takes log files, folders, or a whole evidence root; the library finds the
 * HttpProxy, ECP Server, OABGenerator and IIS W3C logs inside by path and
 * content. Output and options follow `exhunt scan`. Exit codes
 * (docs/exit-codes.md): 1 when a record shows exploitation, web-shell use
 * or post-exploitation; 3 when the records show only attempts and scanner
 * probes; 5 when no log was recognised or errors left logs unexamined.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "native_paths.h"
#include "options.h"
#include "report.h"

static const cli_option logs_options[] = {
    CLI_TEXT("Usage: exhunt logs [OPTIONS] PATH...\n"
             "\n"
             "Hunt ProxyLogon-era exploitation in Exchange, IIS and Windows event logs: log\n"
             "files, folders, or a whole evidence root (HttpProxy, ECP Server, OABGenerator\n"
             "and IIS W3C logs, EVTX files and JSON-lines event exports are found inside by\n"
             "path and content, case-insensitively; .gz is read; a file named here is read\n"
             "whatever its name).\n"
             "Every finding names the file, the line, the time, the client and what the line\n"
             "shows. The ProxyLogon SSRF (CVE-2021-26855) rows of a client are classified:\n"
             "a probe (ServerInfo~localhost), a failed attempt, or part of a chain that\n"
             "reached /ecp/ or /mapi/. Coverage lines say, per log family, how far back\n"
             "the logs reach, or that the family is missing.\n"
             "\n"
             "Options:"),
    CLI_SHARED_AS(CLI_OPT_SINCE, "only records at or after DATE (UTC; 2021-03-01 or\n"
                                 "2021-03-01T12:00:00Z)"),
    CLI_SHARED_AS(CLI_OPT_UNTIL, "only records at or before DATE (a date alone: through\n"
                                 "the end of that day)"),
    CLI_SHARED_AS(CLI_OPT_EXCLUDE, "skip paths or names matching GLOB (repeatable)"),
    CLI_SHARED(CLI_OPT_ONE_FS),
    CLI_SHARED(CLI_OPT_THREADS),
    CLI_SHARED_AS('f', "text (default), jsonl (schema exhunt/1) or csv (one row\n"
                       "per finding; notes, coverage and summary on stderr)"),
    CLI_SHARED('o'),
    CLI_SHARED(CLI_OPT_MINSEV),
    CLI_SHARED('v'),
    CLI_SHARED('q'),
    CLI_SHARED_AS(CLI_OPT_NOPROGRESS, "no progress line"),
    CLI_ROWS_LIMITS_HEADING,
    CLI_SHARED(CLI_OPT_MAX_DEPTH),
    CLI_ROWS_LOG_CAPS,
    CLI_ROWS_PACE,
    /* the content caps: scan, logs and hunt take one command line */
    CLI_INERT(CLI_OPT_MAX_FILESIZE),
    CLI_INERT(CLI_OPT_YARA_TIMEOUT),
    CLI_INERT(CLI_OPT_MAX_FINDINGS),
    CLI_TEXT("\n"
             "Exit status (docs/exit-codes.md): 0 logs were read and nothing found;\n"
             "1 a record shows exploitation, web-shell use or post-exploitation; 2 usage or\n"
             "runtime error (a PATH that does not exist, an output that cannot be written);\n"
             "3 only failed attempts or scanner probes; 5 no log recognised, or errors left\n"
             "logs unexamined, and nothing found: not enough evidence; 130 interrupted."),
    CLI_END,
};

static int run_logs(int argc, char **argv)
{
  cli_report c;
  cli_args a;
  int rc = EXIT_ERROR;
  exhunt_logs_opts opts;
  exhunt_logs_opts_init(&opts);
  opts.tmp_dir = getenv("TMPDIR"); /* as mkstemp(3) users do */
  if (!cli_args_start(&a, &cmd_logs, &c, argc, argv, NULL, &rc) ||
      (rc = cli_args_open(&a, argc, argv)) != 0)
    goto cleanup;
  CLI_GROUPS_TO(&opts, &a.groups);
  opts.window = a.groups.window;
  cli_report_header(&c, NULL);
  exhunt_sink sink = cli_report_sink(&c, true);
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  /* The library's records, their paths in the OS's form (native_paths.h). */
  cli_native_sink native;
  exhunt_sink lib_sink;
  cli_native_sink_wrap(&native, &sink, &lib_sink);
  exhunt_err err =
      exhunt_logs_paths((const char *const *)a.roots, (size_t)a.n_roots, &opts, &lib_sink, &stats);
  if (err) {
    rc = cli_run_error("logs", err);
    goto cleanup;
  }
  rc = cli_report_finish(&c, &stats, NULL);

cleanup:
  cli_args_free(&a);
  return cli_report_close(&c, rc);
}

const cli_command cmd_logs = {"logs", run_logs,       logs_options, NULL,
                              "PATH", EXHUNT_SEV_LOW, true,         CLI_EMPTY_LOGS};
