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
#include "native_paths.h"
#include "options.h"
#include "report.h"

enum { OPT_BUILD = 256 };

static const cli_option exposure_options[] = {
    CLI_TEXT("Usage: exhunt exposure [OPTIONS] PATH...\n"
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
             "Options:"),
    CLI_OWN(OPT_BUILD, "build", "BUILD",
            "assess this build (repeatable): 15.1.2176.4,\n"
            "15.01.2176.004 or 'Version 15.1 (Build 2176.4)'"),
    CLI_SHARED_AS(CLI_OPT_EXCLUDE, "skip paths or names matching GLOB (repeatable)"),
    CLI_SHARED(CLI_OPT_ONE_FS),
    CLI_SHARED_AS('f', "text (default), jsonl (schema exhunt/1) or csv (one row\n"
                       "per family verdict; the rest on stderr)"),
    CLI_SHARED('o'),
    CLI_SHARED_AS(CLI_OPT_MINSEV, "show verdicts at or above LEVEL (default info: all;\n"
                                  "patched is info, unknown low, vulnerable high or\n"
                                  "critical)"),
    CLI_SHARED('v'),
    CLI_SHARED('q'),
    CLI_INERT(CLI_OPT_NOPROGRESS), /* no progress line is drawn */
    CLI_TEXT("\n"
             "Exit status (docs/exit-codes.md; every verdict counts, shown or not):\n"
             "0 every family patched and the product supported; 2 usage or runtime error\n"
             "(a PATH that does not exist, an output that cannot be written); 4 a family\n"
             "vulnerable, or the product out of support; 5 no build found, a family\n"
             "unknown, or errors left evidence unexamined (and nothing vulnerable);\n"
             "130 interrupted."),
    CLI_END,
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

static int run_exposure(int argc, char **argv)
{
  exposure_builds eb = {.n = 0};
  cli_report c;
  exposure_out o;
  exposure_out_init(&o, &c);
  cli_args a;
  int rc = EXIT_ERROR;
  if (!cli_args_start(&a, &cmd_exposure, &c, argc, argv, &eb, &rc))
    goto cleanup;
  if (optind >= argc && eb.n == 0) {
    rc = cli_usage_error("exposure", "%s", "no PATH and no --build given");
    goto cleanup;
  }
  if ((rc = cli_args_open(&a, argc, argv)) != 0)
    goto cleanup;
  exhunt_exposure_opts opts;
  exhunt_exposure_opts_init(&opts);
  opts.scope = a.groups.scope;
  opts.now = (int64_t)time(NULL);
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
  if (!err && a.n_roots > 0) {
    exhunt_scan_stats paths_stats;
    /* The library's records, their paths in the OS's form (native_paths.h). */
    cli_native_sink native;
    exhunt_sink lib_sink;
    cli_native_sink_wrap(&native, &sink, &lib_sink);
    err = exhunt_exposure_paths((const char *const *)a.roots, (size_t)a.n_roots, &opts, &lib_sink,
                                &paths_stats);
    stats = paths_stats;
  }
  if (err) {
    rc = cli_run_error("exposure", err);
    goto cleanup;
  }
  rc = exposure_out_finish(&o, &stats);

cleanup:
  cli_args_free(&a);
  exposure_out_free(&o);
  return cli_report_close(&c, rc);
}

const cli_command cmd_exposure = {
    "exposure",      run_exposure, exposure_options, exposure_option, NULL,
    EXHUNT_SEV_INFO, true,         CLI_EMPTY_NONE};
