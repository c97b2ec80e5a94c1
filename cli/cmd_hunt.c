/*
 * cmd_hunt.c - `exhunt hunt`: the whole job on one or more servers'
 * evidence, with a verdict per server, the story per attacker, and
 * reports in several formats at once.
 *
 * With no EVIDENCE, on Windows, the server it runs on: the OS part
 * (cli/os.h) reads what the registry and IIS's configuration say, the
 * library makes the plan of its roots (exhunt/live.h), and they are
 * hunted as one server named after the host (exhunt_hunt_server). The
 * roots used, what each is and why, are said on stderr before the hunt
 * and recorded as notes in the outputs; nothing on the server is written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/alloc.h"
#include "core/dynbuf.h"
#include "exhunt/live.h"
#include "hunt_out.h"
#include "interrupt.h"
#include "native_paths.h"
#include "options.h"
#include "os.h"
#include "output/escape.h"
#include "platform/fs.h"
#include "platform/process.h"
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
    CLI_TEXT(
        "Usage: exhunt hunt [OPTIONS] [EVIDENCE...]\n"
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
        "With no EVIDENCE, on Windows: the server it runs on, as one server named after\n"
        "the host, from what its registry and IIS say: Exchange's install folder\n"
        "(MsiInstallPath under HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup, or\n"
        "v14 for Exchange 2010), each IIS site's folders and W3C log folder\n"
        "(applicationHost.config), and the event logs (%SystemRoot%\\System32\\winevt\\Logs).\n"
        "The folders used, what each is and why, are listed on stderr first. Nothing on\n"
        "the server is changed. Elsewhere EVIDENCE is required.\n"
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

/* ---------------------------------------------------------------------- */
/* The live server: exhunt hunt with no EVIDENCE.                          */

/* Its facts, its plan, and the roots of the plan that are there. */
typedef struct live_run {
  bool on;
  cli_live_facts facts;
  exhunt_live_plan *plan;
  const char **roots;           /* the plan's paths that are there (borrowed from it) */
  const exhunt_live_place **of; /* the place of each */
  size_t n_roots;
  const exhunt_live_place **missing; /* the plan's roots that are not there */
  size_t n_missing;
  char host[256];
  uint64_t notes; /* notes it gave the outputs */
} live_run;

static void live_free(live_run *lv)
{
  cli_os_live_facts_free(&lv->facts);
  exhunt_live_plan_free(lv->plan);
  exh_free(lv->roots);
  exh_free(lv->of);
  exh_free(lv->missing);
  memset(lv, 0, sizeof *lv);
}

/* s as the display shows input (control bytes escaped). */
static void add_shown(exh_dynbuf *b, const char *s)
{
  exh_escape_display(b, s, strlen(s));
}

/* A path in the OS's form, shown. */
static void add_path(exh_dynbuf *b, const char *path)
{
  char *native = cli_native_path_out(path);
  add_shown(b, native ? native : path);
  exh_free(native);
}

/* How many places the configuration names inside root i. */
static size_t inside(const live_run *lv, const exhunt_live_place *root)
{
  size_t n = 0, index = (size_t)(root - lv->plan->places);
  for (size_t i = 0; i < lv->plan->n_places; i++)
    n += lv->plan->places[i].within == index;
  return n;
}

/* One line of a place: "  PATH  WHAT (SOURCE)". */
static void place_line(exh_dynbuf *b, const live_run *lv, const exhunt_live_place *p, bool used)
{
  exh_dynbuf_adds(b, "  ");
  add_path(b, p->path);
  exh_dynbuf_adds(b, "  ");
  add_shown(b, p->what);
  exh_dynbuf_adds(b, " (");
  add_shown(b, p->source);
  exh_dynbuf_adds(b, ")");
  size_t n = used ? inside(lv, p) : 0;
  if (n)
    exh_dynbuf_addf(b, ", and %zu folder%s of IIS sites inside it", n, n == 1 ? "" : "s");
  if (!used)
    exh_dynbuf_adds(b, ": not there, skipped");
  exh_dynbuf_addc(b, '\n');
}

/* What it found and used, on stderr, before the hunt. */
static void live_say(const live_run *lv)
{
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  exh_dynbuf_adds(&b, "live server: ");
  add_shown(&b, lv->host);
  exh_dynbuf_addf(&b, " (no EVIDENCE given: the %zu folder%s below, hunted as one server)\n",
                  lv->n_roots, lv->n_roots == 1 ? "" : "s");
  for (size_t i = 0; i < lv->n_roots; i++)
    place_line(&b, lv, lv->of[i], true);
  for (size_t i = 0; i < lv->n_missing; i++)
    place_line(&b, lv, lv->missing[i], false);
  if (lv->facts.exchange_error) {
    exh_dynbuf_adds(&b, "  note: ");
    add_shown(&b, lv->facts.exchange_error);
    exh_dynbuf_addc(&b, '\n');
  }
  for (size_t i = 0; i < lv->plan->n_notes; i++) {
    exh_dynbuf_adds(&b, "  note: ");
    add_shown(&b, lv->plan->notes[i]);
    exh_dynbuf_addc(&b, '\n');
  }
  if (b.data)
    fputs(b.data, stderr);
  else
    fputs("exhunt hunt: out of memory\n", stderr);
  fflush(stderr);
  exh_dynbuf_free(&b);
}

/* The same as notes in the outputs (JSON Lines and the others keep them),
 * through the sink that puts paths in the OS's form. */
static void live_notes(live_run *lv, const exhunt_sink *sink)
{
  char reason[1024];
  snprintf(reason, sizeof reason,
           "no EVIDENCE given: %.255s, the server this runs on, hunted as one server from the %zu "
           "folders its registry, its IIS configuration and SystemRoot name",
           lv->host, lv->n_roots);
  exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, "live-server", NULL, reason};
  sink->on_notice(sink->ctx, &n);
  lv->notes++;
  for (size_t i = 0; i < lv->n_roots + lv->n_missing; i++) {
    bool used = i < lv->n_roots;
    const exhunt_live_place *p = used ? lv->of[i] : lv->missing[i - lv->n_roots];
    size_t in = used ? inside(lv, p) : 0;
    snprintf(reason, sizeof reason, "%s: %s%s", p->what, p->source,
             used ? "" : "; not there, skipped");
    if (in)
      snprintf(reason + strlen(reason), sizeof reason - strlen(reason),
               "; and %zu folders of IIS sites inside it", in);
    exhunt_notice r = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, used ? "live-root" : "live-skipped", p->path,
                       reason};
    sink->on_notice(sink->ctx, &r);
    lv->notes++;
  }
  if (lv->facts.exchange_error) {
    exhunt_notice r = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, "live-note", NULL, lv->facts.exchange_error};
    sink->on_notice(sink->ctx, &r);
    lv->notes++;
  }
  for (size_t i = 0; i < lv->plan->n_notes; i++) {
    exhunt_notice r = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, "live-note", NULL, lv->plan->notes[i]};
    sink->on_notice(sink->ctx, &r);
    lv->notes++;
  }
}

/* No EVIDENCE: the roots of this server in a->roots (the run record gets
 * them in the OS's form), said on stderr. 0, or the exit code after the
 * message. */
static int live_roots(live_run *lv, cli_args *a)
{
  const char *why = NULL;
  if (cli_os_live_facts(&lv->facts, &why) != 0)
    return cli_usage_error("hunt", "no EVIDENCE path given (%s)", why);
  lv->on = true;
  exhunt_live_inputs in = {.exchange_install = lv->facts.exchange_install,
                           .exchange_source = lv->facts.exchange_source,
                           .iis_config = lv->facts.iis_config,
                           .iis_config_len = lv->facts.iis_config_len,
                           .iis_config_path = lv->facts.iis_config_path,
                           .iis_config_error = lv->facts.iis_config_error,
                           .lookup = cli_os_live_env,
                           .lookup_ctx = &lv->facts};
  exhunt_err err = exhunt_live_plan_make(&in, &lv->plan);
  if (err)
    return cli_run_error("hunt", err);
  if (exh_hostname(lv->host, sizeof lv->host) != 0 || !lv->host[0])
    snprintf(lv->host, sizeof lv->host, "this server");
  size_t n = lv->plan->n_roots;
  lv->roots = exh_calloc(n ? n : 1, sizeof *lv->roots);
  lv->of = exh_calloc(n ? n : 1, sizeof *lv->of);
  lv->missing = exh_calloc(n ? n : 1, sizeof *lv->missing);
  if (!lv->roots || !lv->of || !lv->missing)
    return cli_run_error("hunt", EXHUNT_ENOMEM);
  /* a folder that is not there (a site never started, no log yet) is
   * absence, not evidence left unexamined: skipped and said */
  for (size_t i = 0; i < lv->plan->n_places; i++) {
    const exhunt_live_place *p = &lv->plan->places[i];
    if (p->within != EXHUNT_LIVE_ROOT)
      continue;
    exh_stat st;
    if (exh_stat_path(p->path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
      lv->missing[lv->n_missing++] = p;
      continue;
    }
    lv->of[lv->n_roots] = p;
    lv->roots[lv->n_roots++] = p->path;
  }
  live_say(lv);
  if (lv->n_roots == 0) {
    fputs("exhunt hunt: none of the folders this server's configuration names is there; give "
          "the evidence's path (exhunt help hunt)\n",
          stderr);
    return EXIT_ERROR;
  }
  a->roots = (char **)lv->roots;
  a->n_roots = (int)lv->n_roots;
  a->shown_roots = exh_calloc(lv->n_roots, sizeof *a->shown_roots);
  for (size_t i = 0; a->shown_roots && i < lv->n_roots; i++)
    if (!(a->shown_roots[i] = cli_native_path_out(lv->roots[i]))) {
      a->n_roots = (int)i; /* what cli_args_free frees */
      return cli_run_error("hunt", EXHUNT_ENOMEM);
    }
  if (!a->shown_roots)
    return cli_run_error("hunt", EXHUNT_ENOMEM);
  cli_report_set_roots(a->report, (const char *const *)a->shown_roots, lv->n_roots, NULL);
  cli_interrupt_install("hunt");
  return 0;
}

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
  live_run live;
  memset(&live, 0, sizeof live);
  cli_args a;
  int rc = EXIT_ERROR;
  if (!cli_args_init(&a, &cmd_hunt, &c, argc))
    goto cleanup;
  a.operands = NULL; /* none: this server (live_roots), where the OS part can tell */
  if (!cli_args_parse(&a, argc, argv, &run, &rc))
    goto cleanup;
  hunt_out_add(&run.out, run.main_fmt, a.output);
  for (size_t i = 0; i < run.n_reports; i++)
    hunt_out_add(&run.out, run.reports[i].fmt, run.reports[i].path);
  if ((rc = optind < argc ? cli_args_roots(&a, argc, argv) : live_roots(&live, &a)) != 0)
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
  exhunt_err err;
  if (live.on) {
    live_notes(&live, &lib_sink);
    err = exhunt_hunt_server(live.host, (const char *const *)a.roots, (size_t)a.n_roots, &run.opts,
                             &lib_sink, &stats);
    stats.notes += live.notes;
  } else {
    err = exhunt_hunt_paths((const char *const *)a.roots, (size_t)a.n_roots, &run.opts, &lib_sink,
                            &stats);
  }
  if (err) {
    rc = cli_run_error("hunt", err);
    goto cleanup;
  }
  exhunt_rules_info info;
  exhunt_rules_get_info(rules, &info);
  rc = hunt_out_finish(&run.out, &stats, &info);

cleanup:
  cli_args_free(&a);
  live_free(&live);
  exhunt_rules_free(rules);
  rc = hunt_out_close(&run.out, rc);
  c.out = NULL;
  return cli_report_close(&c, rc);
}

const cli_command cmd_hunt = {"hunt",          run_hunt,       hunt_options, hunt_option,
                              "EVIDENCE path", EXHUNT_SEV_LOW, false,        CLI_EMPTY_NONE};
