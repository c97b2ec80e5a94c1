/*
 * cmd_baseline.c - `exhunt baseline create` and `exhunt baseline diff`:
 * record a known-good state of web folders, and compare a server with it.
 *
 * create writes the baseline (JSON Lines, include/exhunt/baseline.h) to -o
 * or stdout as the library walks (through cli/outfile.h: a temp file beside
 * -o, renamed into place once complete, so a crash or a Ctrl-C never leaves
 * a short baseline under the name, which a later diff would read as "these
 * files are new"), refusing an -o inside a ROOT since evidence is
 * read-only; its notes go to stderr. diff reads the baseline in chunks into
 * the library's table, compiles the rules once (the rule options scan
 * takes, cli/rules_load.c) for the content scan of new and changed files,
 * and reports through the shared report sink (text, exhunt/1 JSON Lines or
 * CSV). Exit (docs/exit-codes.md): create 0 recorded, 5 a file could not be
 * read (the baseline is incomplete); diff 1 differences or findings, else
 * as scan; 2 usage or runtime error; 130 interrupted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/alloc.h"
#include "exhunt/baseline.h"
#include "interrupt.h"
#include "native_paths.h"
#include "options.h"
#include "output/format.h"
#include "platform/process.h"
#include "report.h"

/* baseline's own options (its table says where each goes). */
typedef struct baseline_own {
  const char **webs; /* argc entries, owned */
  size_t n_webs;
  bool no_content_scan;
} baseline_own;

enum {
  OPT_WEB = 256,
  OPT_NO_CONTENT,
};

static const cli_option baseline_options[] = {
    CLI_TEXT("Usage: exhunt baseline create [OPTIONS] ROOT... [-o FILE]\n"
             "       exhunt baseline diff [OPTIONS] FILE ROOT...\n"
             "\n"
             "create records every regular file under each ROOT (path relative to the ROOT,\n"
             "the ROOT's name, size, mode, mtime, SHA-256) as JSON Lines, one record written\n"
             "as each file is read. Evidence is only read; -o inside a ROOT is refused.\n"
             "diff compares ROOTs with a baseline FILE: new, changed, mode/mtime-only changed\n"
             "and removed files. A new or changed script (.aspx .ashx .asmx .asp .asa .cer\n"
             ".cshtml .config .master .ascx .svc .php .jsp) in a web folder (inetpub/wwwroot,\n"
             "FrontEnd/HttpProxy, ClientAccess, or --web DIR) is a high finding, and every new\n"
             "or changed file is scanned with the rules (default pack, or as given below).\n"
             "Files match by path relative\n"
             "to their ROOT: a ROOT pairs with the baseline root of the same name, else (same\n"
             "number of roots) with the one in the same position, so a clean reference tree\n"
             "compares with a suspect server mounted elsewhere.\n"
             "\n"
             "Options (both):"),
    CLI_SHARED_AS(CLI_OPT_EXCLUDE, "skip paths or names matching GLOB (repeatable)"),
    CLI_SHARED(CLI_OPT_ONE_FS),
    CLI_SHARED(CLI_OPT_MAX_DEPTH),
    CLI_SHARED_AS('o', "create: the baseline; diff: the report (never in a ROOT;\n"
                       "'-': stdout); replaced only when the run is complete"),
    CLI_SHARED_AS('v', "also print notes on stderr"),
    CLI_SHARED(CLI_OPT_NICE),
    CLI_SHARED(CLI_OPT_CPU_LIMIT),
    CLI_SHARED(CLI_OPT_MAX_RATE),
    CLI_TEXT("diff only:"),
    CLI_LIST(OPT_WEB, "web", "DIR", baseline_own, webs, n_webs,
             "also treat paths containing DIR as web folders (repeatable)"),
    CLI_FLAG(OPT_NO_CONTENT, "no-content-scan", baseline_own, no_content_scan,
             "do not run the rules over new and changed files"),
    CLI_ROWS_RULES,
    CLI_SHARED_AS(CLI_OPT_MAX_FILESIZE, "content scan limit (default 32M)"),
    CLI_SHARED('f'),
    CLI_SHARED_AS(CLI_OPT_MINSEV, "report findings at or above LEVEL (default info)"),
    CLI_SHARED('q'),
    CLI_INERT(CLI_OPT_NOPROGRESS), /* no progress line is drawn */
    CLI_TEXT("\n"
             "Exit status (docs/exit-codes.md): create: 0 recorded; 5 a file could not be\n"
             "read (the baseline is incomplete). diff: 0 no difference; 1 differences or\n"
             "findings; 5 no difference, but errors left files unexamined or no file was\n"
             "examined. Both: 2 usage or runtime error (a ROOT that does not exist, an\n"
             "output that cannot be written); 130 interrupted."),
    CLI_END,
};

/* create's sink: notes and errors on stderr (notes with -v only). */
typedef struct create_out {
  FILE *f;
  bool verbose;
  uint64_t write_errors;
  exh_dynbuf line;
} create_out;

static void create_notice(void *ctx, const exhunt_notice *n)
{
  create_out *o = ctx;
  if (n->kind != EXHUNT_NOTICE_ERROR && !o->verbose)
    return;
  if (exh_text_notice(&o->line, n) == EXHUNT_OK)
    fwrite(o->line.data, 1, o->line.len, stderr);
  exh_dynbuf_reset(&o->line);
}

static void create_finding(void *ctx, const exhunt_finding *f)
{
  (void)ctx;
  (void)f;
}

static exhunt_err create_write(void *ctx, const char *data, size_t len)
{
  create_out *o = ctx;
  if (fwrite(data, 1, len, o->f) != len) {
    o->write_errors++;
    return EXHUNT_EIO;
  }
  return EXHUNT_OK;
}

static int run_create(cli_report *c, exhunt_baseline_opts *opts, const char *output, char **roots,
                      int n_roots)
{
  int rc = EXIT_ERROR;
  cli_outfile of;
  cli_outfile_init(&of);
  create_out o = {NULL, c->verbose, 0, {0}};
  exh_dynbuf_init(&o.line, 0);
  char host[256] = "";
  /* Whole or not at all (cli/outfile.h): a short baseline under the name
   * would make a later diff call the missing files new. */
  if ((rc = cli_outfile_open(&of, "baseline", output, roots, n_roots)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  o.f = of.f;
  if (exh_hostname(host, sizeof host - 1) == 0 && host[0])
    opts->host = host;
  opts->created = (int64_t)time(NULL);
  exhunt_baseline_writer w = {&o, create_write};
  exhunt_sink sink = {.ctx = &o, .on_finding = create_finding, .on_notice = create_notice};
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_err err =
      exhunt_baseline_create((const char *const *)roots, (size_t)n_roots, opts, &w, &sink, &stats);
  if (err) {
    rc = cli_run_error("baseline", err);
    goto cleanup;
  }
  if (o.write_errors) {
    fprintf(stderr, "exhunt baseline: writing the baseline failed\n");
    of.failed = true;
    goto cleanup;
  }
  /* Incomplete (a file could not be read) is still recorded: the notes
   * name what is missing, and the exit code says the baseline has gaps. */
  rc = stats.errors ? EXIT_INSUFFICIENT : EXIT_CLEAN;
  if (!c->quiet)
    fprintf(stderr, "exhunt baseline: %llu files recorded, %llu could not be read\n",
            (unsigned long long)stats.files_scanned, (unsigned long long)stats.errors);
cleanup:
  if (cli_outfile_finish(&of, "baseline", rc != EXIT_ERROR) != 0)
    rc = EXIT_ERROR;
  exh_dynbuf_free(&o.line);
  return rc;
}

/* Reads the baseline file into bl, in chunks (it may be large). */
static int load_baseline(const char *file, exhunt_baseline *bl, const exhunt_sink *sink)
{
  int rc = EXIT_ERROR;
  char *chunk = NULL;
  FILE *f = cli_fopen_read(file);
  if (!f) {
    fprintf(stderr, "exhunt baseline: cannot read '%s': %s\n", file, strerror(errno));
    goto cleanup;
  }
  enum { CHUNK = 1 << 16 };
  if (!(chunk = exh_malloc(CHUNK))) {
    fputs("exhunt baseline: out of memory\n", stderr);
    goto cleanup;
  }
  exhunt_err err = EXHUNT_OK;
  size_t n;
  while (!err && (n = fread(chunk, 1, CHUNK, f)) > 0)
    err = exhunt_baseline_parse(bl, chunk, n, sink);
  if (!err && ferror(f)) {
    fprintf(stderr, "exhunt baseline: reading '%s' failed\n", file);
    goto cleanup;
  }
  if (!err)
    err = exhunt_baseline_parse_end(bl, sink);
  if (err) {
    fprintf(stderr, "exhunt baseline: '%s': %s\n", file, exhunt_strerror(err));
    goto cleanup;
  }
  rc = 0;
cleanup:
  if (f)
    fclose(f);
  exh_free(chunk);
  return rc;
}

static int run_diff(cli_report *c, exhunt_baseline_opts *opts, const char *output, bool no_progress,
                    bool content_scan, const cli_rule_opts *ro, char **args, int n_args)
{
  int rc = EXIT_ERROR;
  exhunt_baseline *bl = NULL;
  exhunt_rules *rules = NULL;
  if (n_args < 2) {
    rc = cli_usage_error("baseline", "%s", "diff needs a baseline FILE and at least one ROOT");
    goto cleanup;
  }
  char **roots = args + 1;
  int n_roots = n_args - 1;
  c->atomic_output = true;
  c->empty_check = CLI_EMPTY_FILES;
  cli_report_set_roots(c, (const char *const *)roots, (size_t)n_roots, NULL);
  if ((rc = cli_report_open(c, output, roots, n_roots, no_progress)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_sink sink = cli_report_sink(c, false);
  sink.on_progress = NULL;
  if (exhunt_baseline_new(&bl) != EXHUNT_OK) {
    fputs("exhunt baseline: out of memory\n", stderr);
    goto cleanup;
  }
  if (load_baseline(args[0], bl, &sink) != 0)
    goto cleanup;
  exhunt_rules_info info;
  memset(&info, 0, sizeof info);
  if (content_scan) {
    if ((rc = cli_load_rules(c, &sink, ro, &rules)) != 0)
      goto cleanup;
    rc = EXIT_ERROR;
    exhunt_rules_get_info(rules, &info);
  }
  cli_report_header(c, content_scan ? &info : NULL);
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_baseline_stats d;
  /* The library's records, their paths in the OS's form (native_paths.h). */
  cli_native_sink native;
  exhunt_sink lib_sink;
  cli_native_sink_wrap(&native, &sink, &lib_sink);
  exhunt_err err = exhunt_baseline_diff(bl, rules, (const char *const *)roots, (size_t)n_roots,
                                        opts, &lib_sink, &stats, &d);
  if (err) {
    rc = cli_run_error("baseline", err);
    goto cleanup;
  }
  /* A difference is a result even when --min-severity hides its line. */
  if (d.added || d.changed || d.meta_changed || d.removed)
    c->exit_override = EXIT_FINDINGS;
  if (c->format != FMT_JSONL && !c->quiet)
    fprintf(c->format == FMT_CSV ? stderr : c->out,
            "\nbaseline: %zu files; %llu unchanged, %llu new, %llu changed, %llu mode/mtime "
            "only, %llu removed\n",
            exhunt_baseline_count(bl), (unsigned long long)d.unchanged, (unsigned long long)d.added,
            (unsigned long long)d.changed, (unsigned long long)d.meta_changed,
            (unsigned long long)d.removed);
  rc = cli_report_finish(c, &stats, &info);
cleanup:
  exhunt_rules_free(rules);
  exhunt_baseline_free(bl);
  return rc; /* the caller closes the report */
}

static int run_baseline(int argc, char **argv)
{
  int rc = EXIT_ERROR;
  cli_report c;
  cli_args a;
  bool a_ok = cli_args_init(&a, &cmd_baseline, &c, argc);
  exhunt_baseline_opts opts;
  exhunt_baseline_opts_init(&opts);
  baseline_own own = {exh_calloc((size_t)argc, sizeof *own.webs), 0, false};
  if (!a_ok || !own.webs) {
    if (a_ok)
      fputs("exhunt baseline: out of memory\n", stderr);
    goto cleanup;
  }
  static const char *const subs[] = {"create", "diff", NULL};
  int sub = cli_subcommand(&cmd_baseline, argc, argv, subs, "want 'create' or 'diff'", &rc);
  if (sub < 0)
    goto cleanup;
  bool create = sub == 0;
  argc--;
  argv++;
  a.operands = create ? "ROOT" : "FILE and ROOT";
  if (!cli_args_parse(&a, argc, argv, &own, &rc))
    goto cleanup;
  const cli_rule_opts *ro = &a.rules;
  opts.scope = a.groups.scope;
  opts.pace = a.groups.resources.pace; /* no threads: one file at a time */
  opts.web_dirs = own.webs;
  opts.n_web_dirs = own.n_webs;
  opts.max_filesize = a.groups.max_filesize;
  bool rule_opts = ro->n_rules || ro->n_iocs || ro->no_default || ro->no_heur;
  if (rule_opts && (create || own.no_content_scan)) {
    rc = cli_usage_error("baseline", "%s",
                         create ? "--rules, --iocs, --no-default-rules and --no-heuristics are "
                                  "for diff"
                                : "rule options and --no-content-scan exclude each other");
    goto cleanup;
  }
  if ((rc = cli_check_roots("baseline", argv + optind + (create ? 0 : 1),
                            argc - optind - (create ? 0 : 1))) != 0)
    goto cleanup;
  cli_interrupt_install("baseline");
  if (create)
    rc = run_create(&c, &opts, a.output, argv + optind, argc - optind);
  else
    rc = run_diff(&c, &opts, a.output, a.no_progress, !own.no_content_scan, ro, argv + optind,
                  argc - optind);
cleanup:
  rc = cli_report_close(&c, rc);
  cli_args_free(&a);
  exh_free(own.webs);
  return rc;
}

/* diff sets its report's output apart (run_diff); create writes none. */
const cli_command cmd_baseline = {"baseline",      run_baseline, baseline_options, NULL, NULL,
                                  EXHUNT_SEV_INFO, false,        CLI_EMPTY_NONE};
