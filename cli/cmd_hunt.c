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
        "  --exclude GLOB        skip matching paths (repeatable)\n",
        out);
  cli_option_help(out, 'x');
  fputs("  --one-server          each EVIDENCE root is one server: never split into hosts\n", out);
  cli_option_help(out, 'j');
  fputs("  --details             text: every finding in full after the verdicts\n"
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
    {"details", no_argument, NULL, OPT_DETAILS},
    {"one-server", no_argument, NULL, OPT_ONE_SERVER},
    {"collected", required_argument, NULL, OPT_COLLECTED},
    /* The output options have the shared names, but hunt reads them
     * itself (hunt_option): its formats differ, -v also means --details. */
    CLI_REPORT_OPTIONS,
    CLI_RULE_OPTIONS,
    CLI_OPTION_SINCE,
    CLI_OPTION_UNTIL,
    CLI_EVIDENCE_OPTIONS,
    CLI_OPTION_HELP,
    {NULL, 0, NULL, 0},
};

/* hunt's own options: its output set (several formats at once), --details,
 * --collected, --one-server. cli_args_parse takes the shared groups. */
typedef struct hunt_parse {
  cli_report *c;
  hunt_out *o;
  exhunt_hunt_opts *opts;
  hunt_fmt main_fmt;
  const char *main_path;
  struct {
    hunt_fmt fmt;
    const char *path;
  } reports[HUNT_MAX_OUTPUTS];
  size_t n_reports;
  bool no_progress;
} hunt_parse;

static int hunt_option(void *ctx, int opt, const char *arg)
{
  hunt_parse *p = ctx;
  switch (opt) {
  case 'f':
    if (!hunt_parse_fmt(arg, &p->main_fmt))
      return cli_usage_error(
          "hunt", "unknown format '%s' (text, jsonl, csv, timesketch, timesketch-csv, html)", arg);
    break;
  case 'o':
    p->main_path = arg;
    break;
  case OPT_REPORT: {
    const char *eq = strchr(arg, '=');
    char fmt[32];
    if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof fmt)
      return cli_usage_error("hunt", "bad --report '%s' (want FORMAT=FILE)", arg);
    memcpy(fmt, arg, (size_t)(eq - arg));
    fmt[eq - arg] = '\0';
    if (p->n_reports == HUNT_MAX_OUTPUTS - 1 || !hunt_parse_fmt(fmt, &p->reports[p->n_reports].fmt))
      return cli_usage_error("hunt", "bad --report '%s' (format, or too many reports)", arg);
    p->reports[p->n_reports++].path = eq + 1;
    break;
  }
  case OPT_COLLECTED: {
    bool date_only = false;
    if (!cli_parse_date(arg, &p->opts->collected, &date_only))
      return cli_usage_error("hunt", "bad --collected '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                             arg);
    if (date_only)
      p->opts->collected += 86399; /* a bare date: the end of that day */
    break;
  }
  case OPT_DETAILS:
    p->o->details = true;
    break;
  case OPT_ONE_SERVER:
    p->opts->one_server = true;
    break;
  case CLI_OPT_MINSEV:
    if (exhunt_severity_parse(arg, &p->c->min_severity) != EXHUNT_OK)
      return cli_usage_error("hunt", "unknown severity '%s'", arg);
    break;
  case 'v':
    p->c->verbose = true;
    p->o->details = true;
    break;
  case 'q':
    p->c->quiet = true;
    break;
  case CLI_OPT_NOPROGRESS:
    p->no_progress = true;
    break;
  }
  return 0;
}

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
  int rc = EXIT_ERROR;
  hunt_parse hp;
  memset(&hp, 0, sizeof hp);
  hp.c = &c;
  hp.o = &o;
  hp.opts = &opts;
  hp.main_fmt = HUNT_TEXT;
  cli_args a;
  if (!cli_args_init(&a, "hunt", help_hunt, "EVIDENCE path", NULL, argc) ||
      !cli_args_parse(&a, argc, argv, "f:o:vqxj:h", hunt_options, hunt_option, &hp, &rc))
    goto cleanup;
  const cli_limit_opts *lim = &a.lim;
  hunt_out_add(&o, hp.main_fmt, hp.main_path);
  for (size_t i = 0; i < hp.n_reports; i++)
    hunt_out_add(&o, hp.reports[i].fmt, hp.reports[i].path);
  if ((rc = cli_args_roots(&a, &c, argc, argv)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  char **roots = a.roots;
  int n_roots = a.n_roots;
  if ((rc = hunt_out_open(&o, roots, n_roots, hp.no_progress)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_sink sink = hunt_out_sink(&o);
  if ((rc = cli_load_rules(&c, &sink, &a.rules, &rules)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  opts.rules = rules;
  CLI_LIMITS_TO(&opts, lim);
  opts.window.since = lim->scope.since;
  opts.window.until = lim->scope.until;
  opts.max_filesize = lim->max_filesize;
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
  cli_args_free(&a);
  exhunt_rules_free(rules);
  rc = hunt_out_close(&o, rc);
  c.out = NULL;
  return cli_report_close(&c, rc);
}
