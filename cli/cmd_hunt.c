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
#include "interrupt.h"
#include "limits_opt.h"
#include "report.h"

void help_hunt(FILE *out)
{
  fputs("Usage: exhunt hunt [OPTIONS] EVIDENCE...\n"
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
        "Options:\n"
        "  -f, --format FMT      text (default), jsonl, csv (a row per finding),\n"
        "                        timesketch, timesketch-csv, html\n"
        "  -o, --output FILE     write that format there instead of stdout ('-': stdout);\n"
        "                        a file is replaced only when the run completes\n"
        "  --report FMT=FILE     also write FMT to FILE (repeatable), e.g.\n"
        "                        --report html=report.html --report timesketch=tl.jsonl\n"
        "  --since DATE          read log records from DATE on (2021-03-01 or\n"
        "                        2021-03-01T12:00:00Z, UTC); coverage counts what was read\n"
        "  --until DATE          read log records up to DATE (a bare date: through that day)\n"
        "  --collected DATE      when the evidence was collected: where an exposure not\n"
        "                        closed by a fix ends (default: the newest file time in\n"
        "                        it; set it when file times were lost in a copy)\n"
        "  --rules PATH          add YARA rules (file or folder); --iocs FILE: IOC list\n"
        "  --no-default-rules    drop the embedded pack; --no-heuristics: no heuristics\n"
        "  --exclude GLOB        skip matching paths (repeatable)\n"
        "  -x, --one-file-system do not enter other file systems\n"
        "  --one-server          each EVIDENCE root is one server: never split into hosts\n"
        "  -j, --threads N       worker threads (default: one per core)\n"
        "  --details             text: every finding in full after the verdicts\n"
        "  --min-severity LEVEL  text: findings listed at or above LEVEL (default low)\n"
        "  -v, --verbose         also print notes on stderr, and --details\n"
        "  -q, --quiet           text: no closing summary line\n"
        "  --no-progress         no progress line (shown on a terminal)\n",
        out);
  cli_limit_help(out, true, true);
  fputs("\n"
        "No output file may lie inside EVIDENCE: evidence is read-only.\n"
        "Exit status (docs/exit-codes.md), the most urgent server deciding:\n"
        "  1  a server is COMPROMISED or EXPLOITED\n"
        "  3  a server is ATTEMPTED or SCANNED\n"
        "  4  a server's exposure is VULNERABLE or OUT OF SUPPORT\n"
        "  5  not enough evidence: INSUFFICIENT EVIDENCE, NO SIGN OF COMPROMISE,\n"
        "     NOT AN EXCHANGE SERVER, exposure UNKNOWN, or errors left evidence unexamined\n"
        "  0  every server CLEAN and PATCHED: nothing to do\n"
        "  2  usage or runtime error\n"
        "  130 interrupted (Ctrl-C, SIGTERM): output files keep their previous content\n",
        out);
}

enum { OPT_REPORT = 256, OPT_DETAILS, OPT_ONE_SERVER, OPT_COLLECTED };

static const struct option hunt_options[] = {
    {"report", required_argument, NULL, OPT_REPORT},
    CLI_RULE_OPTIONS,
    CLI_LIMIT_OPTIONS,
    CLI_OPTION_EXCLUDE,
    CLI_OPTION_SINCE,
    CLI_OPTION_UNTIL,
    {"details", no_argument, NULL, OPT_DETAILS},
    {"one-server", no_argument, NULL, OPT_ONE_SERVER},
    {"collected", required_argument, NULL, OPT_COLLECTED},
    CLI_OPTION_ONE_FS,
    CLI_OPTION_THREADS,
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"min-severity", required_argument, NULL, CLI_OPT_MINSEV},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"no-progress", no_argument, NULL, CLI_OPT_NOPROGRESS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_hunt(int argc, char **argv)
{
  cli_report c;
  cli_report_init(&c, "hunt");
  hunt_out o;
  hunt_out_init(&o, &c);
  exhunt_hunt_opts opts;
  exhunt_hunt_opts_init(&opts);
  opts.tmp_dir = getenv("TMPDIR"); /* as mkstemp(3) users do */
  opts.now = (int64_t)time(NULL);
  exhunt_rules *rules = NULL;
  cli_rule_opts ro;
  cli_limit_opts lim_opts;
  bool lim_ok = cli_limit_opts_init(&lim_opts, argc);
  bool ro_ok = cli_rule_opts_init(&ro, argc), no_progress = false;
  hunt_fmt main_fmt = HUNT_TEXT;
  const char *main_path = NULL;
  struct {
    hunt_fmt fmt;
    const char *path;
  } reports[HUNT_MAX_OUTPUTS];
  size_t n_reports = 0;
  int rc = EXIT_ERROR;

  optind = 1;
  int opt;
  if (!ro_ok || !lim_ok) {
    fputs("exhunt hunt: out of memory\n", stderr);
    goto cleanup;
  }
  while ((opt = getopt_long(argc, argv, "f:o:vqxj:h", hunt_options, NULL)) != -1) {
    if (cli_rule_option(&ro, opt, optarg))
      continue;
    int lim = cli_limit_option(&lim_opts, "hunt", opt, optarg);
    if (lim < 0)
      goto cleanup;
    if (lim)
      continue;
    switch (opt) {
    case 'f':
      if (!hunt_parse_fmt(optarg, &main_fmt)) {
        rc = cli_usage_error(
            "hunt", "unknown format '%s' (text, jsonl, csv, timesketch, timesketch-csv, html)",
            optarg);
        goto cleanup;
      }
      break;
    case 'o':
      main_path = optarg;
      break;
    case OPT_REPORT: {
      const char *eq = strchr(optarg, '=');
      char fmt[32];
      if (!eq || eq == optarg || !eq[1] || (size_t)(eq - optarg) >= sizeof fmt) {
        rc = cli_usage_error("hunt", "bad --report '%s' (want FORMAT=FILE)", optarg);
        goto cleanup;
      }
      memcpy(fmt, optarg, (size_t)(eq - optarg));
      fmt[eq - optarg] = '\0';
      if (n_reports == HUNT_MAX_OUTPUTS - 1 || !hunt_parse_fmt(fmt, &reports[n_reports].fmt)) {
        rc = cli_usage_error("hunt", "bad --report '%s' (format, or too many reports)", optarg);
        goto cleanup;
      }
      reports[n_reports++].path = eq + 1;
      break;
    }
    case OPT_COLLECTED: {
      bool date_only = false;
      if (!cli_parse_date(optarg, &opts.collected, &date_only)) {
        rc = cli_usage_error("hunt", "bad --collected '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                             optarg);
        goto cleanup;
      }
      if (date_only)
        opts.collected += 86399; /* a bare date: the end of that day */
      break;
    }
    case OPT_DETAILS:
      o.details = true;
      break;
    case OPT_ONE_SERVER:
      opts.one_server = true;
      break;
    case CLI_OPT_MINSEV:
      if (exhunt_severity_parse(optarg, &c.min_severity) != EXHUNT_OK) {
        rc = cli_usage_error("hunt", "unknown severity '%s'", optarg);
        goto cleanup;
      }
      break;
    case 'v':
      c.verbose = true;
      o.details = true;
      break;
    case 'q':
      c.quiet = true;
      break;
    case CLI_OPT_NOPROGRESS:
      no_progress = true;
      break;
    case 'h':
      help_hunt(stdout);
      rc = EXIT_CLEAN;
      goto cleanup;
    default:
      fputs("Try 'exhunt help hunt'.\n", stderr);
      goto cleanup;
    }
  }
  if ((rc = cli_scope_check(&lim_opts.scope, "hunt", argc, "EVIDENCE path")) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  hunt_out_add(&o, main_fmt, main_path);
  for (size_t i = 0; i < n_reports; i++)
    hunt_out_add(&o, reports[i].fmt, reports[i].path);
  char **roots = argv + optind;
  int n_roots = argc - optind;
  if ((rc = cli_check_roots("hunt", roots, n_roots)) != 0)
    goto cleanup;
  cli_report_set_roots(&c, (const char *const *)roots, (size_t)n_roots, NULL);
  cli_interrupt_install("hunt");
  if ((rc = hunt_out_open(&o, roots, n_roots, no_progress)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_sink sink = hunt_out_sink(&o);
  if ((rc = cli_load_rules(&c, &sink, &ro, &rules)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  opts.rules = rules;
  CLI_SCOPE_TO(&opts, &lim_opts.scope);
  opts.since = lim_opts.scope.since;
  opts.until = lim_opts.scope.until;
  opts.threads = lim_opts.res.threads;
  opts.pace = lim_opts.res.pace;
  opts.max_filesize = lim_opts.max_filesize;
  opts.limits = lim_opts.limits;
  cli_apply_nice(&lim_opts.res, "hunt");
  exhunt_scan_stats stats;
  exhunt_err err =
      exhunt_hunt_paths((const char *const *)roots, (size_t)n_roots, &opts, &sink, &stats);
  if (err) {
    fprintf(stderr, "exhunt hunt: %s\n", exhunt_strerror(err));
    goto cleanup;
  }
  exhunt_rules_info info;
  exhunt_rules_get_info(rules, &info);
  rc = hunt_out_finish(&o, &stats, &info);

cleanup:
  cli_rule_opts_free(&ro);
  cli_limit_opts_free(&lim_opts);
  exhunt_rules_free(rules);
  rc = hunt_out_close(&o, rc);
  c.out = NULL;
  return cli_report_close(&c, rc);
}
