/*
 * cmd_exposure.c - `exhunt exposure`: which CVE families is this Exchange
 * server still exposed to? From a build given on the command line, or from
 * the build found in evidence (logs, ExSetup.exe, config dumps).
 */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "exposure_out.h"
#include "limits_opt.h"
#include "report.h"

void help_exposure(FILE *out)
{
  fputs("Usage: exhunt exposure [OPTIONS] PATH...\n"
        "       exhunt exposure [OPTIONS] --build BUILD\n"
        "\n"
        "Compare an Exchange build with the embedded build database and say, per CVE\n"
        "family (ProxyLogon, ProxyShell, ProxyNotShell, OWASSRF and later ones),\n"
        "whether it is vulnerable, patched or unknown, why, and which build fixes it.\n"
        "A build is patched when it is at or above the fix for its own CU, or its CU\n"
        "is newer than the newest CU that needed the fix; a CU that never received\n"
        "the fix is vulnerable; a build or product the database cannot place is\n"
        "unknown, never patched. Support status is stated (Exchange 2013 ended\n"
        "support in April 2023, 2016 and 2019 in October 2025).\n"
        "\n"
        "With PATHs (one server each), the build is found in the evidence:\n"
        "  - #Version headers and Major..RevisionVersion columns of Exchange logs\n"
        "    (older logs show earlier builds: the build history is listed);\n"
        "  - the version resource of ExSetup.exe;\n"
        "  - AdminDisplayVersion in Get-ExchangeServer output, OAB or config dumps\n"
        "    (UTF-16 files as written by Windows PowerShell are read too).\n"
        "The newest build is assessed.\n"
        "\n"
        "Options:\n"
        "  --build BUILD         assess this build (repeatable): 15.1.2176.4,\n"
        "                        15.01.2176.004 or 'Version 15.1 (Build 2176.4)'\n"
        "  --exclude GLOB        skip paths or names matching GLOB (repeatable)\n",
        out);
  cli_option_help(out, 'x');
  fputs("  -f, --format FMT      text (default), jsonl (schema exhunt/1) or csv (one row\n"
        "                        per family verdict; the rest on stderr)\n"
        "  -o, --output FILE     write there instead of stdout ('-': stdout); replaced\n"
        "                        only when the run is complete; never under a PATH\n"
        "  --min-severity LEVEL  show verdicts at or above LEVEL (default info: all;\n"
        "                        patched is info, unknown low, vulnerable high or\n"
        "                        critical)\n"
        "  -v, --verbose         text: also print notes on stderr\n"
        "  -q, --quiet           text: no run header and no summary\n"
        "\n"
        "Exit status (docs/exit-codes.md; every verdict counts, shown or not):\n"
        "0 every family patched and the product supported; 2 usage or runtime error\n"
        "(a PATH that does not exist, an output that cannot be written); 4 a family\n"
        "vulnerable, or the product out of support; 5 no build found, a family\n"
        "unknown, or errors left evidence unexamined (and nothing vulnerable);\n"
        "130 interrupted.\n",
        out);
}

enum { OPT_BUILD = 256 };

static const struct option exposure_options[] = {
    {"build", required_argument, NULL, OPT_BUILD},
    CLI_OPTION_EXCLUDE,
    CLI_OPTION_ONE_FS,
    CLI_OPTION_HELP,
    CLI_REPORT_OPTIONS,
    {NULL, 0, NULL, 0},
};

/* --build, repeatable: exposure's one option of its own. */
typedef struct exposure_builds {
  exhunt_build builds[64];
  size_t n;
} exposure_builds;

static int exposure_option(void *ctx, int opt, const char *arg)
{
  exposure_builds *eb = ctx;
  (void)opt; /* OPT_BUILD */
  if (eb->n == sizeof eb->builds / sizeof eb->builds[0])
    return cli_usage_error("exposure", "%s", "too many --build options");
  if (exhunt_build_parse(arg, strlen(arg), &eb->builds[eb->n]) != EXHUNT_OK)
    return cli_usage_error("exposure",
                           "bad build '%s' (want 15.1.2176.4, 15.01.2176.004 or "
                           "'Version 15.1 (Build 2176.4)')",
                           arg);
  eb->n++;
  return 0;
}

int cmd_exposure(int argc, char **argv)
{
  cli_report c;
  cli_report_init(&c, "exposure");
  c.min_severity = EXHUNT_SEV_INFO;
  c.atomic_output = true;
  exposure_out o;
  exposure_out_init(&o, &c);
  exhunt_exposure_opts opts;
  exhunt_exposure_opts_init(&opts);
  opts.now = (int64_t)time(NULL);
  int rc = EXIT_ERROR;
  exposure_builds eb;
  eb.n = 0;
  cli_args a;
  if (!cli_args_init(&a, "exposure", help_exposure, NULL, &c, argc) ||
      !cli_args_parse(&a, argc, argv, "xh" CLI_REPORT_SHORTOPTS, exposure_options, exposure_option,
                      &eb, &rc))
    goto cleanup;
  if (optind >= argc && eb.n == 0) {
    rc = cli_usage_error("exposure", "%s", "no PATH and no --build given");
    goto cleanup;
  }
  CLI_SCOPE_TO(&opts, &a.lim.scope);
  if ((rc = cli_args_roots(&a, &c, argc, argv)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  char **roots = a.roots;
  int n_roots = a.n_roots;
  if ((rc = cli_report_open(&c, a.output, roots, n_roots, true)) != 0)
    goto cleanup;
  cli_report_header(&c, NULL);
  exhunt_sink sink = exposure_out_sink(&o);
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_err err = EXHUNT_OK;
  for (size_t i = 0; i < eb.n && !err; i++) {
    char bs[EXHUNT_BUILD_STRLEN];
    exhunt_build_format(&eb.builds[i], bs);
    exhunt_build_seen seen = {
        NULL,           "found",        bs, "command-line", NULL,           NULL,          NULL,
        EXHUNT_NO_TIME, EXHUNT_NO_TIME, 1,  true,           EXHUNT_NO_TIME, EXHUNT_NO_TIME};
    sink.on_build(sink.ctx, &seen);
    exhunt_exposure_ctx ectx = {"command-line", NULL, NULL, EXHUNT_NO_TIME, opts.now};
    err = exhunt_exposure_assess(&eb.builds[i], &ectx, &sink);
  }
  if (!err && n_roots > 0) {
    exhunt_scan_stats paths_stats;
    err = exhunt_exposure_paths((const char *const *)roots, (size_t)n_roots, &opts, &sink,
                                &paths_stats);
    stats = paths_stats;
  }
  if (err) {
    fprintf(stderr, "exhunt exposure: %s\n", exhunt_strerror(err));
    rc = EXIT_ERROR;
    goto cleanup;
  }
  rc = exposure_out_finish(&o, &stats);

cleanup:
  cli_args_free(&a);
  exposure_out_free(&o);
  return cli_report_close(&c, rc);
}
