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
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "limits_opt.h"
#include "output/format.h"
#include "report.h"

void help_scan(FILE *out)
{
  fputs("Usage: exhunt scan [OPTIONS] PATH...\n"
        "\n"
        "Scan files and directory trees for web shells and HAFNIUM/ProxyLogon indicators.\n"
        "Evidence is only read: files are opened read-only (O_NOFOLLOW, O_NOATIME where\n"
        "permitted), symlinks are never followed, nothing is written under PATH.\n"
        "Each file is read once: SHA-256 (and MD5/SHA-1 when an IOC list has them), YARA\n"
        "rules, built-in ASP.NET/classic ASP heuristics, and hash/name/path IOCs.\n"
        "\n"
        "Rules:\n"
        "  --rules PATH          add YARA rules: a .yar/.yara file or a folder of them\n"
        "                        (repeatable); externals filename, filepath, extension,\n"
        "                        filetype and owner are defined as Loki/THOR do\n"
        "  --iocs FILE           add an IOC list in exhunt TSV format (repeatable)\n"
        "  --no-default-rules    drop the embedded default pack\n"
        "  --no-heuristics       turn the built-in heuristics off\n"
        "Scope:\n"
        "  --exclude GLOB        skip paths or names matching GLOB, case-insensitive\n"
        "                        (repeatable); an excluded directory is not entered\n"
        "  --newer-than DATE     only files modified at or after DATE (UTC; 2021-03-01\n"
        "                        or 2021-03-01T12:00:00Z). mtime can be forged: see docs\n",
        out);
  cli_option_help(out, 'x');
  cli_option_help(out, 'j');
  cli_limit_help(out, true, false);
  fputs("Output:\n"
        "  -f, --format FMT      text (default), jsonl (schema exhunt/1) or csv (one row\n"
        "                        per finding; notes and the summary on stderr)\n"
        "  -o, --output FILE     write there instead of stdout ('-': stdout); the file\n"
        "                        is replaced only when the run is complete; never under\n"
        "                        a PATH\n"
        "  --min-severity LEVEL  report findings at or above LEVEL: info, low (default),\n"
        "                        medium, high, critical\n"
        "  -v, --verbose         text: also print notes (skips, limits) on stderr\n"
        "  -q, --quiet           text: no run header and no summary\n"
        "  --no-progress         no progress line (it is only drawn on a terminal)\n"
        "\n"
        "Exit status (docs/exit-codes.md): 0 files were examined and nothing found;\n"
        "1 findings reported (even if some files could not be read); 2 usage or\n"
        "runtime error (a PATH that does not exist, an output that cannot be\n"
        "written); 5 no finding, but errors left files unexamined (unreadable files,\n"
        "rule or IOC files that did not load) or no file was examined at all (an\n"
        "empty folder): not enough evidence to call it clean; 130 interrupted.\n",
        out);
}

static const struct option scan_options[] = {
    CLI_RULE_OPTIONS,   CLI_OPTION_NEWER, CLI_EVIDENCE_OPTIONS,
    CLI_REPORT_OPTIONS, CLI_OPTION_HELP,  {NULL, 0, NULL, 0},
};

int cmd_scan(int argc, char **argv)
{
  int rc = EXIT_ERROR;
  cli_report c;
  cli_report_init(&c, "scan");
  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  exhunt_rules *rules = NULL;
  c.atomic_output = true;
  c.empty_check = CLI_EMPTY_FILES;
  cli_args a;
  const cli_limit_opts *lim = &a.lim;
  if (!cli_args_init(&a, "scan", help_scan, "PATH", &c, argc) ||
      !cli_args_parse(&a, argc, argv, "xj:h" CLI_REPORT_SHORTOPTS, scan_options, NULL, NULL, &rc))
    goto cleanup;
  if ((rc = cli_args_roots(&a, &c, argc, argv)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  char **roots = a.roots;
  int n_roots = a.n_roots;
  CLI_LIMITS_TO(&opts, lim);
  opts.newer_than = lim->scope.newer_than;
  opts.max_filesize = lim->max_filesize;

  if ((rc = cli_report_open(&c, a.output, roots, n_roots, a.no_progress)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_sink sink = cli_report_sink(&c, false);

  if ((rc = cli_load_rules(&c, &sink, &a.rules, &rules)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_rules_info info;
  exhunt_rules_get_info(rules, &info);
  if (info.yara_rules == 0 && !info.heuristics &&
      info.iocs_sha256 + info.iocs_sha1 + info.iocs_md5 + info.iocs_name + info.iocs_path == 0) {
    rc = cli_usage_error("scan", "%s", "no rules, IOCs or heuristics left to scan with");
    goto cleanup;
  }
  cli_report_header(&c, &info);

  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_err err =
      exhunt_scan_paths(rules, (const char *const *)roots, (size_t)n_roots, &opts, &sink, &stats);
  if (err) {
    fprintf(stderr, "exhunt scan: %s\n", exhunt_strerror(err));
    goto cleanup;
  }
  rc = cli_report_finish(&c, &stats, &info);

cleanup:
  exhunt_rules_free(rules);
  rc = cli_report_close(&c, rc);
  cli_args_free(&a);
  return rc;
}
