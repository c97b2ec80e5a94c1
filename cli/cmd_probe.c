/*
 * cmd_probe.c - `exhunt probe`: a passive HTTPS fingerprint of Exchange
 * servers (the build from X-OWA-Version, /owa/auth/<build>/ paths, the
 * exporttool manifest), assessed like `exhunt exposure --build`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "exposure_out.h"
#include "interrupt.h"
#include "options.h"
#include "report.h"

#define MAX_TARGETS 100000u

typedef struct target_list {
  char **items;
  size_t n, cap;
} target_list;

/* What a probe run holds: the library's options, and the targets. */
typedef struct probe_run {
  exhunt_probe_opts opts;
  target_list targets;
} probe_run;

enum { OPT_TARGETS = 256, OPT_PARALLEL, OPT_RATE, OPT_CONNECT, OPT_TIMEOUT, OPT_INSECURE, OPT_CA };

static const cli_option probe_options[] = {
    CLI_TEXT("Usage: exhunt probe [OPTIONS] TARGET...\n"
             "       exhunt probe [OPTIONS] --targets FILE\n"
             "\n"
             "Learn the Exchange build of each TARGET (host, host:port or https://URL)\n"
             "from what its web front end shows every visitor, then say per CVE family\n"
             "whether it is vulnerable, patched or unknown (as 'exhunt exposure').\n"
             "Requests: GET /owa/auth/logon.aspx (the X-OWA-Version header, and the\n"
             "/owa/auth/<build>/ paths in the page) and GET /ecp/Current/exporttool/\n"
             "microsoft.exchange.ediscovery.exporttool.application (its version). No\n"
             "exploitation request and no SSRF probe is ever sent. A build from a path\n"
             "has 3 parts and shows the CU, not the security update level: families\n"
             "fixed by an update on that CU are then 'unknown'.\n"
             "Each target ends as: a build (and where it was seen), exchange-no-build,\n"
             "not-exchange, unreachable, or error (with the reason).\n"
             "\n"
             "Options:"),
    CLI_OWN(OPT_TARGETS, "targets", "FILE", "one target per line ('#' comments); '-' = stdin"),
    CLI_UINT(OPT_PARALLEL, "parallel", "N", probe_run, opts.parallel, 1, 1024, NULL,
             "requests in flight at once (default 32)"),
    CLI_OWN(OPT_RATE, "rate", "N", "at most N new requests per second (default: no limit)"),
    CLI_OWN(OPT_CONNECT, "connect-timeout", "S", "seconds to connect (default 5)"),
    CLI_OWN(OPT_TIMEOUT, "timeout", "S", "seconds per request in all (default 15)"),
    CLI_FLAG(OPT_INSECURE, "insecure", probe_run, opts.insecure,
             "do not verify TLS certificates (self-signed servers)"),
    CLI_STRING(OPT_CA, "ca-file", "FILE", probe_run, opts.ca_file,
               "also trust the CA certificates in FILE (PEM)"),
    CLI_SHARED_AS('f', "text (default), jsonl (schema exhunt/1) or csv (one row\n"
                       "per family verdict; the rest on stderr)"),
    CLI_SHARED_AS('o', "write there instead of stdout ('-': stdout); replaced\n"
                       "only when the run is complete"),
    CLI_SHARED_AS(CLI_OPT_MINSEV, "show verdicts at or above LEVEL (default info: all)"),
    CLI_SHARED('v'),
    CLI_SHARED('q'),
    CLI_INERT(CLI_OPT_NOPROGRESS), /* no progress line is drawn */
    CLI_TEXT("\n"
             "Exit status (docs/exit-codes.md; every verdict counts, shown or not):\n"
             "0 every target's build seen, every family patched, the product supported;\n"
             "2 usage or runtime error; 4 a family vulnerable, or the product out of\n"
             "support; 5 a target without a build (unreachable, not Exchange, no build\n"
             "shown) or a family unknown, and nothing vulnerable; 130 interrupted."),
    CLI_END,
};

/* s[0, len) as a new string (malloc, as the list is), or NULL. */
static char *copy_span(const char *s, size_t len)
{
  char *copy = malloc(len + 1);
  if (copy) {
    memcpy(copy, s, len);
    copy[len] = '\0';
  }
  return copy;
}

static bool add_target(target_list *t, const char *s, size_t len)
{
  if (t->n == MAX_TARGETS)
    return false;
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    char **grown = realloc(t->items, cap * sizeof *grown);
    if (!grown)
      return false;
    t->items = grown;
    t->cap = cap;
  }
  char *copy = copy_span(s, len);
  if (!copy)
    return false;
  t->items[t->n++] = copy;
  return true;
}

/* One target per line; blank lines and '#' comments are skipped. */
static int read_targets(const char *path, target_list *t)
{
  char *data = NULL;
  size_t len = 0;
  if (strcmp(path, "-") == 0) {
    size_t cap = 0;
    for (;;) {
      if (len == cap) {
        cap = cap ? cap * 2 : 65536;
        if (cap > 64u << 20) {
          free(data);
          return cli_usage_error("probe", "%s", "--targets from stdin is larger than 64 MiB");
        }
        char *grown = realloc(data, cap);
        if (!grown) {
          free(data);
          return EXIT_ERROR;
        }
        data = grown;
      }
      size_t n = fread(data + len, 1, cap - len, stdin);
      if (n == 0)
        break;
      len += n;
    }
  } else if (cli_read_file(path, 64u << 20, &data, &len) != 0) {
    /* Said here: cli_read_file only sets errno. */
    fprintf(stderr, "exhunt probe: --targets '%s': %s\n", path,
            errno == EFBIG    ? "larger than 64 MiB"
            : errno == EINVAL ? "not a regular file"
                              : strerror(errno));
    return EXIT_ERROR;
  }
  const char *p = data, *end = data + len;
  int rc = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    const char *s = p;
    p = nl ? nl + 1 : end;
    while (s < stop && (*s == ' ' || *s == '\t'))
      s++;
    const char *e = stop;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
      e--;
    if (s == e || *s == '#')
      continue;
    if (!add_target(t, s, (size_t)(e - s))) {
      rc = cli_usage_error("probe", "too many targets (at most %u)", MAX_TARGETS);
      break;
    }
  }
  free(data);
  return rc;
}

/* The targets named on the command line, after those of --targets. */
static int add_operands(target_list *t, int argc, char **argv)
{
  for (int i = optind; i < argc; i++)
    if (!add_target(t, argv[i], strlen(argv[i])))
      return cli_usage_error("probe", "too many targets (at most %u)", MAX_TARGETS);
  if (t->n == 0)
    return cli_usage_error("probe", "%s", "no TARGET given");
  return 0;
}

static bool parse_seconds(const char *s, long *ms)
{
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || !(v > 0) || v > 3600)
    return false;
  *ms = (long)(v * 1000);
  return *ms > 0;
}

/* probe's options that its table leaves to code: --targets, --rate and
 * the timeouts. */
static int probe_option(void *ctx, int opt, const char *arg)
{
  probe_run *run = ctx;
  exhunt_probe_opts *o = &run->opts;
  if (opt == OPT_TARGETS)
    return read_targets(arg, &run->targets);
  if (opt == OPT_RATE) {
    char *end;
    o->rate = strtod(arg, &end);
    if (end == arg || *end || !(o->rate > 0) || o->rate > 100000)
      return cli_usage_error("probe", "bad --rate '%s' (requests per second, > 0)", arg);
    return 0;
  }
  /* OPT_CONNECT, OPT_TIMEOUT */
  if (!parse_seconds(arg, opt == OPT_CONNECT ? &o->connect_timeout_ms : &o->total_timeout_ms))
    return cli_usage_error("probe", "bad timeout '%s' (seconds, up to 3600)", arg);
  return 0;
}

static int run_probe(int argc, char **argv)
{
  int rc = EXIT_ERROR;
  probe_run run = {.targets = {NULL, 0, 0}};
  exhunt_probe_opts_init(&run.opts);
  run.opts.now = (int64_t)time(NULL);
  cli_report c;
  exposure_out o;
  exposure_out_init(&o, &c);
  cli_args a;
  if (!cli_args_start(&a, &cmd_probe, &c, argc, argv, &run, &rc) ||
      (rc = add_operands(&run.targets, argc, argv)) != 0)
    goto cleanup;
  /* The targets are the run's "roots": none is a path to check. */
  cli_report_set_roots(&c, (const char *const *)run.targets.items, run.targets.n, "targets");
  cli_interrupt_install("probe");
  if ((rc = cli_report_open(&c, a.output, NULL, 0, true)) != 0)
    goto cleanup;
  cli_report_header(&c, NULL);
  exhunt_sink sink = exposure_out_sink(&o);
  exhunt_scan_stats stats;
  exhunt_err err = exhunt_probe_targets((const char *const *)run.targets.items, run.targets.n,
                                        &run.opts, &sink, &stats);
  if (err) {
    rc = cli_run_error("probe", err);
    goto cleanup;
  }
  rc = exposure_out_finish(&o, &stats);

cleanup:
  for (size_t i = 0; i < run.targets.n; i++)
    free(run.targets.items[i]);
  free(run.targets.items);
  exposure_out_free(&o);
  cli_args_free(&a);
  return cli_report_close(&c, rc);
}

const cli_command cmd_probe = {"probe", run_probe,       probe_options, probe_option,
                               NULL,    EXHUNT_SEV_INFO, true,          CLI_EMPTY_NONE};
