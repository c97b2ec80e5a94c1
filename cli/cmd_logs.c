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
#include "limits_opt.h"
#include "report.h"

void help_logs(FILE *out)
{
  fputs("Usage: exhunt logs [OPTIONS] PATH...\n"
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
        "Options:\n"
        "  --since DATE          only records at or after DATE (UTC; 2021-03-01 or\n"
        "                        2021-03-01T12:00:00Z)\n"
        "  --until DATE          only records at or before DATE (a date alone: through\n"
        "                        the end of that day)\n"
        "  --exclude GLOB        skip paths or names matching GLOB (repeatable)\n",
        out);
  cli_option_help(out, 'x');
  cli_option_help(out, 'j');
  fputs("  -f, --format FMT      text (default), jsonl (schema exhunt/1) or csv (one row\n"
        "                        per finding; notes, coverage and summary on stderr)\n"
        "  -o, --output FILE     write there instead of stdout ('-': stdout); replaced\n"
        "                        only when the run is complete; never under a PATH\n"
        "  --min-severity LEVEL  report findings at or above LEVEL (default low)\n"
        "  -v, --verbose         text: also print notes on stderr\n"
        "  -q, --quiet           text: no run header and no summary\n"
        "  --no-progress         no progress line\n",
        out);
  cli_limit_help(out, false, true);
  fputs("\n"
        "Exit status (docs/exit-codes.md): 0 logs were read and nothing found;\n"
        "1 a record shows exploitation, web-shell use or post-exploitation; 2 usage or\n"
        "runtime error (a PATH that does not exist, an output that cannot be written);\n"
        "3 only failed attempts or scanner probes; 5 no log recognised, or errors left\n"
        "logs unexamined, and nothing found: not enough evidence; 130 interrupted.\n",
        out);
}

static const struct option logs_options[] = {
    CLI_OPTION_SINCE,   CLI_OPTION_UNTIL, CLI_EVIDENCE_OPTIONS,
    CLI_REPORT_OPTIONS, CLI_OPTION_HELP,  {NULL, 0, NULL, 0},
};

int cmd_logs(int argc, char **argv)
{
  cli_report c;
  cli_report_init(&c, "logs");
  c.atomic_output = true;
  c.empty_check = CLI_EMPTY_LOGS;
  exhunt_logs_opts opts;
  exhunt_logs_opts_init(&opts);
  opts.tmp_dir = getenv("TMPDIR"); /* as mkstemp(3) users do */
  int rc = EXIT_ERROR;
  cli_args a;
  const cli_limit_opts *lim = &a.lim;
  if (!cli_args_init(&a, "logs", help_logs, "PATH", &c, argc) ||
      !cli_args_parse(&a, argc, argv, "xj:h" CLI_REPORT_SHORTOPTS, logs_options, NULL, NULL, &rc))
    goto cleanup;
  CLI_LIMITS_TO(&opts, lim);
  opts.window.since = lim->scope.since;
  opts.window.until = lim->scope.until;
  if ((rc = cli_args_roots(&a, &c, argc, argv)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  char **roots = a.roots;
  int n_roots = a.n_roots;
  if ((rc = cli_report_open(&c, a.output, roots, n_roots, a.no_progress)) != 0)
    goto cleanup;
  cli_report_header(&c, NULL);
  exhunt_sink sink = cli_report_sink(&c, true);
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_err err =
      exhunt_logs_paths((const char *const *)roots, (size_t)n_roots, &opts, &sink, &stats);
  if (err) {
    fprintf(stderr, "exhunt logs: %s\n", exhunt_strerror(err));
    rc = EXIT_ERROR;
    goto cleanup;
  }
  rc = cli_report_finish(&c, &stats, NULL);

cleanup:
  cli_args_free(&a);
  return cli_report_close(&c, rc);
}
