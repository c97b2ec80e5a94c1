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
#include "limits_opt.h"
#include "report.h"

void help_probe(FILE *out)
{
  fputs("Usage: exhunt probe [OPTIONS] TARGET...\n"
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
        "Options:\n"
        "  --targets FILE        one target per line ('#' comments); '-' = stdin\n"
        "  --parallel N          requests in flight at once (default 32)\n"
        "  --rate N              at most N new requests per second (default: no limit)\n"
        "  --connect-timeout S   seconds to connect (default 5)\n"
        "  --timeout S           seconds per request in all (default 15)\n"
        "  --insecure            do not verify TLS certificates (self-signed servers)\n"
        "  --ca-file FILE        also trust the CA certificates in FILE (PEM)\n"
        "  -f, --format FMT      text (default), jsonl (schema exhunt/1) or csv (one row\n"
        "                        per family verdict; the rest on stderr)\n"
        "  -o, --output FILE     write there instead of stdout ('-': stdout); replaced\n"
        "                        only when the run is complete\n"
        "  --min-severity LEVEL  show verdicts at or above LEVEL (default info: all)\n"
        "  -v, --verbose         text: also print notes on stderr\n"
        "  -q, --quiet           text: no run header and no summary\n"
        "\n"
        "Exit status (docs/exit-codes.md; every verdict counts, shown or not):\n"
        "0 every target's build seen, every family patched, the product supported;\n"
        "2 usage or runtime error; 4 a family vulnerable, or the product out of\n"
        "support; 5 a target without a build (unreachable, not Exchange, no build\n"
        "shown) or a family unknown, and nothing vulnerable; 130 interrupted.\n",
        out);
}

enum { OPT_TARGETS = 256, OPT_PARALLEL, OPT_RATE, OPT_CONNECT, OPT_TIMEOUT, OPT_INSECURE, OPT_CA };

static const struct option probe_options[] = {
    {"targets", required_argument, NULL, OPT_TARGETS},
    {"parallel", required_argument, NULL, OPT_PARALLEL},
    {"rate", required_argument, NULL, OPT_RATE},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"ca-file", required_argument, NULL, OPT_CA},
    {"help", no_argument, NULL, 'h'},
    CLI_REPORT_OPTIONS,
    {NULL, 0, NULL, 0},
};

#define MAX_TARGETS 100000u

typedef struct target_list {
  char **items;
  size_t n, cap;
} target_list;

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
  char *copy = strndup(s, len);
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

static bool parse_seconds(const char *s, long *ms)
{
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || !(v > 0) || v > 3600)
    return false;
  *ms = (long)(v * 1000);
  return *ms > 0;
}

/* probe's own options (cli_args_parse takes the output group). */
typedef struct probe_parse {
  exhunt_probe_opts *opts;
  target_list *targets;
} probe_parse;

static int probe_option(void *ctx, int opt, const char *arg)
{
  probe_parse *p = ctx;
  switch (opt) {
  case OPT_TARGETS:
    return read_targets(arg, p->targets);
  case OPT_PARALLEL:
    if (!cli_parse_uint(arg, 1024, &p->opts->parallel) || p->opts->parallel == 0)
      return cli_usage_error("probe", "bad --parallel '%s' (1..1024)", arg);
    break;
  case OPT_RATE: {
    char *end;
    p->opts->rate = strtod(arg, &end);
    if (end == arg || *end || !(p->opts->rate > 0) || p->opts->rate > 100000)
      return cli_usage_error("probe", "bad --rate '%s' (requests per second, > 0)", arg);
    break;
  }
  case OPT_CONNECT:
  case OPT_TIMEOUT:
    if (!parse_seconds(arg, opt == OPT_CONNECT ? &p->opts->connect_timeout_ms
                                               : &p->opts->total_timeout_ms))
      return cli_usage_error("probe", "bad timeout '%s' (seconds, up to 3600)", arg);
    break;
  case OPT_INSECURE:
    p->opts->insecure = true;
    break;
  case OPT_CA:
    p->opts->ca_file = arg;
    break;
  }
  return 0;
}

int cmd_probe(int argc, char **argv)
{
  cli_report c;
  cli_report_init(&c, "probe");
  c.min_severity = EXHUNT_SEV_INFO;
  c.atomic_output = true;
  exposure_out o;
  exposure_out_init(&o, &c);
  exhunt_probe_opts opts;
  exhunt_probe_opts_init(&opts);
  opts.now = (int64_t)time(NULL);
  int rc = EXIT_ERROR;
  target_list targets = {NULL, 0, 0};
  probe_parse own = {&opts, &targets};
  cli_args a;
  if (!cli_args_init(&a, "probe", help_probe, NULL, &c, argc) ||
      !cli_args_parse(&a, argc, argv, "h" CLI_REPORT_SHORTOPTS, probe_options, probe_option, &own,
                      &rc))
    goto cleanup;
  for (int i = optind; i < argc; i++)
    if (!add_target(&targets, argv[i], strlen(argv[i]))) {
      rc = cli_usage_error("probe", "too many targets (at most %u)", MAX_TARGETS);
      goto cleanup;
    }
  if (targets.n == 0) {
    rc = cli_usage_error("probe", "%s", "no TARGET given");
    goto cleanup;
  }
  cli_report_set_roots(&c, (const char *const *)targets.items, targets.n, "targets");
  cli_interrupt_install("probe");
  if ((rc = cli_report_open(&c, a.output, NULL, 0, true)) != 0)
    goto cleanup;
  cli_report_header(&c, NULL);
  exhunt_sink sink = exposure_out_sink(&o);
  exhunt_scan_stats stats;
  exhunt_err err =
      exhunt_probe_targets((const char *const *)targets.items, targets.n, &opts, &sink, &stats);
  if (err) {
    fprintf(stderr, "exhunt probe: %s\n", exhunt_strerror(err));
    rc = EXIT_ERROR;
    goto cleanup;
  }
  rc = exposure_out_finish(&o, &stats);

cleanup:
  for (size_t i = 0; i < targets.n; i++)
    free(targets.items[i]);
  free(targets.items);
  exposure_out_free(&o);
  cli_args_free(&a);
  return cli_report_close(&c, rc);
}
