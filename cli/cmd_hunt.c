/*
 * cmd_hunt.c - `exhunt hunt`: the whole job on one or more servers'
 * evidence, with a verdict per server, the story per attacker, and
 * reports in several formats at once.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/alloc.h"
#include "hunt_out.h"
#include "native_paths.h"
#include "options.h"
#include "report.h"

/* What a hunt run holds: its output set (several formats at once), the
 * library's options, and where its own options go. */
typedef struct hunt_run {
  cli_report *c;
  hunt_out out;
  exhunt_hunt_opts opts;
  hunt_fmt main_fmt;
  struct {
    hunt_fmt fmt;
    const char *path;
  } reports[HUNT_MAX_OUTPUTS];
  size_t n_reports;
} hunt_run;

enum { OPT_REPORT = 256, OPT_DETAILS, OPT_ONE_SERVER, OPT_COLLECTED };

/* -f and -v have the shared names, but hunt's own rows and handler
 * (hunt_option): its formats differ, and -v also means --details. */
static const cli_option hunt_options[] = {
    CLI_TEXT("Usage: exhunt hunt [OPTIONS] EVIDENCE...\n"
             "\n"
             "The whole hunt, one server per EVIDENCE root (a live C:\\-like tree, a mounted\n"
             "image, or a folder of collected files; a collection folder holding several\n"
             "hosts, such as KAPE's EX01/C and EX02/C or Velociraptor collections, is split\n"
             "into one server per host): the Exchange build and its exposure,\n"
             "web shells and IOCs on disk, exploitation in the HttpProxy, ECP, OABGenerator,\n"
             "IIS and Windows event logs. Then, per attacker (client address), the ordered\n"
             "steps; web shells tied to the log lines that planted and used them (a shell\n"
             "seen only in logs is reported as deleted); and one verdict per server:\n"
             "  COMPROMISED             a web shell a web server could run, or\n"
             "                          post-exploitation activity\n"
             "  EXPLOITED               exploitation succeeded, no persistence was found\n"
             "  ATTEMPTED               only failed attempts\n"
             "  SCANNED                 only probes\n"
             "  CLEAN                   nothing, and the HttpProxy/IIS logs cover every day\n"
             "                          the server was exposed to a family exploited in the\n"
             "                          wild (from its build history)\n"
             "  NO SIGN OF COMPROMISE   nothing, but the logs cover only some of those days\n"
             "                          (the headline says how many), or errors left evidence\n"
             "                          unexamined\n"
             "  INSUFFICIENT EVIDENCE   the logs cover none of them, or there are none\n"
             "  NOT AN EXCHANGE SERVER  no Exchange install, log or build, and nothing found\n"
             "with the reasons (finding ids such as F12) and the next steps. Exposure is a\n"
             "badge of its own: VULNERABLE, OUT OF SUPPORT, PATCHED or UNKNOWN.\n"
             "\n"
             "Options:"),
    CLI_OWN('f', "format", "FMT",
            "text (default), jsonl, csv (a row per finding),\n"
            "timesketch, timesketch-csv, html"),
    CLI_SHARED_AS('o', "write that format there instead of stdout ('-': stdout);\n"
                       "a file is replaced only when the run completes"),
    CLI_OWN(OPT_REPORT, "report", "FMT=FILE",
            "also write FMT to FILE (repeatable), e.g.\n"
            "--report html=report.html --report timesketch=tl.jsonl"),
    CLI_SHARED_AS(CLI_OPT_SINCE, "read log records from DATE on (2021-03-01 or\n"
                                 "2021-03-01T12:00:00Z, UTC); coverage counts what was read"),
    CLI_SHARED_AS(CLI_OPT_UNTIL, "read log records up to DATE (a bare date: through that day)"),
    CLI_OWN(OPT_COLLECTED, "collected", "DATE",
            "when the evidence was collected: where an exposure not\n"
            "closed by a fix ends (default: the newest file time in\n"
            "it; set it when file times were lost in a copy)"),
    CLI_ROWS_RULES,
    CLI_SHARED_AS(CLI_OPT_EXCLUDE, "skip matching paths (repeatable)"),
    CLI_SHARED(CLI_OPT_ONE_FS),
    CLI_FLAG(OPT_ONE_SERVER, "one-server", hunt_run, opts.one_server,
             "each EVIDENCE root is one server: never split into hosts"),
    CLI_SHARED(CLI_OPT_THREADS),
    CLI_FLAG(OPT_DETAILS, "details", hunt_run, out.details,
             "text: every finding in full after the verdicts"),
    CLI_SHARED_AS(CLI_OPT_MINSEV, "text: findings listed at or above LEVEL (default low)"),
    CLI_OWN('v', "verbose", NULL, "also print notes on stderr, and --details"),
    CLI_SHARED_AS('q', "text: no closing summary line"),
    CLI_SHARED_AS(CLI_OPT_NOPROGRESS, "no progress line (shown on a terminal)"),
    CLI_ROWS_LIMITS_HEADING,
    CLI_ROWS_CONTENT_CAPS,
    CLI_SHARED(CLI_OPT_MAX_DEPTH),
    CLI_ROWS_LOG_CAPS,
    CLI_ROWS_PACE,
    CLI_TEXT("\n"
             "No output file may lie inside EVIDENCE: evidence is read-only.\n"
             "Exit status (docs/exit-codes.md), the most urgent server deciding:\n"
             "  1  a server is COMPROMISED or EXPLOITED\n"
             "  3  a server is ATTEMPTED or SCANNED\n"
             "  4  a server's exposure is VULNERABLE or OUT OF SUPPORT\n"
             "  5  not enough evidence: INSUFFICIENT EVIDENCE, NO SIGN OF COMPROMISE,\n"
             "     NOT AN EXCHANGE SERVER, exposure UNKNOWN, or errors left evidence unexamined\n"
             "  0  every server CLEAN and PATCHED: nothing to do\n"
             "  2  usage or runtime error\n"
             "  130 interrupted (Ctrl-C, SIGTERM): output files keep their previous content"),
    CLI_END,
};

/* --report FMT=FILE */
static int add_report(hunt_run *run, const char *arg)
{
  const char *eq = strchr(arg, '=');
  char fmt[32];
  if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof fmt)
    return cli_usage_error("hunt", "bad --report '%s' (want FORMAT=FILE)", arg);
  memcpy(fmt, arg, (size_t)(eq - arg));
  fmt[eq - arg] = '\0';
  if (run->n_reports == HUNT_MAX_OUTPUTS - 1 ||
      !hunt_parse_fmt(fmt, &run->reports[run->n_reports].fmt))
    return cli_usage_error("hunt", "bad --report '%s' (format, or too many reports)", arg);
  run->reports[run->n_reports++].path = eq + 1;
  return 0;
}

/* hunt's options that its table leaves to code: -f, -v, --report and
 * --collected. */
static int hunt_option(void *ctx, int opt, const char *arg)
{
  hunt_run *run = ctx;
  bool date_only = false;
  switch (opt) {
  case 'f':
    if (!hunt_parse_fmt(arg, &run->main_fmt))
      return cli_usage_error(
          "hunt", "unknown format '%s' (text, jsonl, csv, timesketch, timesketch-csv, html)", arg);
    return 0;
  case 'v':
    run->c->verbose = true;
    run->out.details = true;
    return 0;
  case OPT_REPORT:
    return add_report(run, arg);
  default: /* OPT_COLLECTED */
    if (!cli_parse_date(arg, &run->opts.collected, &date_only))
      return cli_usage_error("hunt", "bad --collected '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                             arg);
    if (date_only)
      run->opts.collected += 86399; /* a bare date: the end of that day */
    return 0;
  }
}

static int run_hunt(int argc, char **argv)
{
  cli_report c;
  hunt_run run;
  memset(&run, 0, sizeof run);
  run.c = &c;
  hunt_out_init(&run.out, &c);
  exhunt_hunt_opts_init(&run.opts);
  run.opts.tmp_dir = getenv("TMPDIR"); /* as mkstemp(3) users do */
  run.opts.now = (int64_t)time(NULL);
  run.main_fmt = HUNT_TEXT;
  exhunt_rules *rules = NULL;
  cli_args a;
  int rc = EXIT_ERROR;
  if (!cli_args_start(&a, &cmd_hunt, &c, argc, argv, &run, &rc))
    goto cleanup;
  hunt_out_add(&run.out, run.main_fmt, a.output);
  for (size_t i = 0; i < run.n_reports; i++)
    hunt_out_add(&run.out, run.reports[i].fmt, run.reports[i].path);
  if ((rc = cli_args_roots(&a, argc, argv)) != 0)
    goto cleanup;
  if ((rc = hunt_out_open(&run.out, a.roots, a.n_roots, a.no_progress)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_sink sink = hunt_out_sink(&run.out);
  if ((rc = cli_load_rules(&c, &sink, &a.rules, &rules)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  run.opts.rules = rules;
  CLI_GROUPS_TO(&run.opts, &a.groups);
  run.opts.window = a.groups.window;
  run.opts.max_filesize = a.groups.max_filesize;
  exhunt_scan_stats stats;
  /* The library's records, their paths in the OS's form (native_paths.h). */
  cli_native_sink native;
  exhunt_sink lib_sink;
  cli_native_sink_wrap(&native, &sink, &lib_sink);
  exhunt_err err = exhunt_hunt_paths((const char *const *)a.roots, (size_t)a.n_roots, &run.opts,
                                     &lib_sink, &stats);
  if (err) {
    rc = cli_run_error("hunt", err);
    goto cleanup;
  }
  exhunt_rules_info info;
  exhunt_rules_get_info(rules, &info);
  rc = hunt_out_finish(&run.out, &stats, &info);

cleanup:
  cli_args_free(&a);
  exhunt_rules_free(rules);
  rc = hunt_out_close(&run.out, rc);
  c.out = NULL;
  return cli_report_close(&c, rc);
}

const cli_command cmd_hunt = {"hunt",          run_hunt,       hunt_options, hunt_option,
                              "EVIDENCE path", EXHUNT_SEV_LOW, false,        CLI_EMPTY_NONE};
