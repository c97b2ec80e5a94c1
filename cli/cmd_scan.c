/*
 * cmd_scan.c - `exhunt scan`: find web shells and IOCs in files and trees.
 *
 * The command only wires things together: it parses options, loads rule and
 * IOC files into an exhunt_rules, refuses an output file under a scanned
 * root, runs exhunt_scan_paths with a sink that formats each record
 * (lib/output/format.c) and writes it whole, draws the progress line, and
 * picks the exit code: 1 if anything was reported, else 2 if anything could
 * not be examined or a rule failed to load, else 0.
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
#include "core/alloc.h"
#include "output/format.h"

#define MAX_RULE_FILE (64u * 1024 * 1024)

typedef enum { FMT_TEXT, FMT_JSONL } out_format;

typedef struct scan_cli {
  out_format format;
  FILE *out;
  bool out_is_tty;
  bool color;
  bool verbose;
  bool quiet;
  bool progress; /* stderr is a TTY and progress not disabled */
  bool progress_drawn;
  exhunt_severity min_severity;
  uint64_t reported[EXHUNT_SEV_COUNT];
  uint64_t files_flagged; /* files with at least one reported finding */
  uint64_t load_errors;   /* rule/IOC problems before the scan */
  uint64_t write_errors;
  struct timespec start;
  exh_dynbuf line;
  exh_dynbuf last_path; /* text: the file whose block is open */
} scan_cli;

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
        "                        or 2021-03-01T12:00:00Z). mtime can be forged: see docs\n"
        "  --max-filesize SIZE   content rules skip larger files, which are still hashed\n"
        "                        (default 32M; K, M, G suffixes)\n"
        "  -x, --one-file-system do not enter other file systems\n"
        "  --max-depth N         directory depth limit (default 64)\n"
        "  -j, --threads N       worker threads (default: one per core)\n"
        "Output:\n"
        "  -f, --format FMT      text (default) or jsonl (schema exhunt/1)\n"
        "  -o, --output FILE     write there instead of stdout (never under a PATH)\n"
        "  --min-severity LEVEL  report findings at or above LEVEL: info, low (default),\n"
        "                        medium, high, critical\n"
        "  -v, --verbose         text: also print notes (skips, limits) on stderr\n"
        "  -q, --quiet           text: no summary\n"
        "  --no-progress         no progress line (it is only drawn on a terminal)\n"
        "\n"
        "Exit status: 0 nothing found; 1 findings reported (even if some files could\n"
        "not be read); 2 usage or fatal error, or errors and no findings (the scan is\n"
        "incomplete, so it cannot say clean).\n",
        out);
}

/* ---------------------------------------------------------------------- */
/* Sink.                                                                   */

static void clear_progress(scan_cli *c)
{
  if (c->progress_drawn) {
    fputs("\r\033[K", stderr);
    c->progress_drawn = false;
  }
}

static void write_line(scan_cli *c, FILE *f)
{
  if (c->line.len && fwrite(c->line.data, 1, c->line.len, f) != c->line.len)
    c->write_errors++;
  exh_dynbuf_reset(&c->line);
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  scan_cli *c = ctx;
  if (f->severity < c->min_severity)
    return;
  c->reported[f->severity]++;
  /* A file's findings arrive together (one batch per file). */
  bool new_file = !c->last_path.data || strcmp(c->last_path.data, f->path) != 0;
  if (new_file) {
    exh_dynbuf_reset(&c->last_path);
    exh_dynbuf_adds(&c->last_path, f->path);
    c->files_flagged++;
  }
  exhunt_err err = c->format == FMT_JSONL ? exh_jsonl_finding(&c->line, f)
                                          : exh_text_finding(&c->line, f, c->color, new_file);
  if (err)
    c->write_errors++;
  if (c->out_is_tty)
    clear_progress(c);
  write_line(c, c->out);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  scan_cli *c = ctx;
  if (c->format == FMT_JSONL) {
    if (exh_jsonl_notice(&c->line, n))
      c->write_errors++;
    write_line(c, c->out);
    return;
  }
  if (n->kind != EXHUNT_NOTICE_ERROR && !c->verbose)
    return;
  if (exh_text_notice(&c->line, n))
    c->write_errors++;
  clear_progress(c);
  write_line(c, stderr);
}

static void on_progress(void *ctx, const exhunt_scan_stats *s)
{
  scan_cli *c = ctx;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double secs =
      (double)(now.tv_sec - c->start.tv_sec) + (double)(now.tv_nsec - c->start.tv_nsec) / 1e9;
  if (secs <= 0)
    secs = 1e-9;
  uint64_t found = 0;
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    found += c->reported[i];
  fprintf(stderr, "\r\033[K%llu files, %.0f files/s, %.1f MB/s, %llu findings",
          (unsigned long long)s->files_scanned, (double)s->files_scanned / secs,
          (double)s->bytes_read / 1e6 / secs, (unsigned long long)found);
  c->progress_drawn = true;
}

/* ---------------------------------------------------------------------- */
/* Rule loading.                                                           */

static bool has_rule_ext(const char *name)
{
  const char *dot = strrchr(name, '.');
  return dot && (strcasecmp(dot, ".yar") == 0 || strcasecmp(dot, ".yara") == 0);
}

static void load_error(scan_cli *c, const exhunt_sink *sink, const char *what, const char *path,
                       const char *reason)
{
  exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ERULES, what, path, reason};
  sink->on_notice(sink->ctx, &n);
  c->load_errors++;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static exhunt_err add_rule_file(scan_cli *c, exhunt_rules *rules, const char *path,
                                const exhunt_sink *sink, bool iocs)
{
  char *text = NULL;
  size_t len = 0;
  if (cli_read_file(path, MAX_RULE_FILE, &text, &len) != 0) {
    load_error(c, sink, iocs ? "ioc-load" : "rule-load", path, strerror(errno));
    return EXHUNT_OK;
  }
  exhunt_err err = iocs ? exhunt_rules_add_iocs(rules, path, text, len, sink)
                        : exhunt_rules_add_yara(rules, path, text, len, sink);
  exh_free(text);
  if (err == EXHUNT_ERULES) {
    /* Already reported through the sink, by name and reason. */
    c->load_errors++;
    return EXHUNT_OK;
  }
  return err;
}

/* A folder of rules: every .yar/.yara below it, in sorted order. */
static exhunt_err add_rule_dir(scan_cli *c, exhunt_rules *rules, const char *dir,
                               const exhunt_sink *sink, unsigned depth)
{
  DIR *d = opendir(dir);
  if (!d) {
    load_error(c, sink, "rule-load", dir, strerror(errno));
    return EXHUNT_OK;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  exhunt_err err = EXHUNT_OK;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      char **grown = exh_reallocarray(names, cap, sizeof *names);
      if (!grown) {
        err = EXHUNT_ENOMEM;
        break;
      }
      names = grown;
    }
    size_t plen = strlen(dir) + strlen(de->d_name) + 2;
    names[n] = exh_malloc(plen);
    if (!names[n]) {
      err = EXHUNT_ENOMEM;
      break;
    }
    snprintf(names[n], plen, "%s/%s", dir, de->d_name);
    n++;
  }
  closedir(d);
  if (!err)
    qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n && !err; i++) {
    struct stat st;
    if (stat(names[i], &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth < 8)
      err = add_rule_dir(c, rules, names[i], sink, depth + 1);
    else if (S_ISREG(st.st_mode) && has_rule_ext(names[i]))
      err = add_rule_file(c, rules, names[i], sink, false);
  }
  for (size_t i = 0; i < n; i++)
    exh_free(names[i]);
  exh_free(names);
  return err;
}

/* ---------------------------------------------------------------------- */

/* Evidence is read-only: refuse an output file inside any scanned root. */
static bool output_inside_roots(const char *output, char **roots, int n_roots)
{
  char dirbuf[PATH_MAX];
  snprintf(dirbuf, sizeof dirbuf, "%s", output);
  char *slash = strrchr(dirbuf, '/');
  const char *dir = slash ? (slash == dirbuf ? "/" : (*slash = '\0', dirbuf)) : ".";
  char *out_real = realpath(dir, NULL);
  if (!out_real)
    return false;
  bool inside = false;
  for (int i = 0; i < n_roots && !inside; i++) {
    char *root_real = realpath(roots[i], NULL);
    if (!root_real)
      continue;
    struct stat st;
    if (stat(root_real, &st) == 0 && S_ISDIR(st.st_mode)) {
      size_t rl = strlen(root_real);
      inside = strncmp(out_real, root_real, rl) == 0 &&
               (out_real[rl] == '\0' || out_real[rl] == '/' || rl == 1);
    }
    free(root_real);
  }
  free(out_real);
  return inside;
}

enum {
  OPT_RULES = 256,
  OPT_IOCS,
  OPT_NO_DEFAULT,
  OPT_NO_HEUR,
  OPT_EXCLUDE,
  OPT_NEWER,
  OPT_MAXSIZE,
  OPT_MAXDEPTH,
  OPT_MINSEV,
  OPT_NOPROGRESS,
};

static const struct option scan_options[] = {
    {"rules", required_argument, NULL, OPT_RULES},
    {"iocs", required_argument, NULL, OPT_IOCS},
    {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT},
    {"no-heuristics", no_argument, NULL, OPT_NO_HEUR},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"newer-than", required_argument, NULL, OPT_NEWER},
    {"max-filesize", required_argument, NULL, OPT_MAXSIZE},
    {"max-depth", required_argument, NULL, OPT_MAXDEPTH},
    {"one-file-system", no_argument, NULL, 'x'},
    {"threads", required_argument, NULL, 'j'},
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"min-severity", required_argument, NULL, OPT_MINSEV},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"no-progress", no_argument, NULL, OPT_NOPROGRESS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("exhunt scan: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nTry 'exhunt help scan'.\n", stderr);
  return EXIT_ERROR;
}

int cmd_scan(int argc, char **argv)
{
  int rc = EXIT_ERROR;
  scan_cli c;
  memset(&c, 0, sizeof c);
  c.min_severity = EXHUNT_SEV_LOW;
  exh_dynbuf_init(&c.line, 0);
  exh_dynbuf_init(&c.last_path, 0);
  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  exhunt_rules *rules = NULL;
  const char **excludes = NULL;
  size_t n_excludes = 0;
  const char **rule_paths = NULL, **ioc_paths = NULL;
  size_t n_rule_paths = 0, n_ioc_paths = 0;
  bool no_default = false, no_heur = false, no_progress = false;
  const char *output = NULL;
  FILE *out_file = NULL;

  /* Repeatable options collect into arrays sized by argc: enough for all. */
  excludes = exh_calloc((size_t)argc, sizeof *excludes);
  rule_paths = exh_calloc((size_t)argc, sizeof *rule_paths);
  ioc_paths = exh_calloc((size_t)argc, sizeof *ioc_paths);
  if (!excludes || !rule_paths || !ioc_paths) {
    fputs("exhunt scan: out of memory\n", stderr);
    goto cleanup;
  }

  optind = 1;
  int opt;
  while ((opt = getopt_long(argc, argv, "xj:f:o:vqh", scan_options, NULL)) != -1) {
    switch (opt) {
    case OPT_RULES:
      rule_paths[n_rule_paths++] = optarg;
      break;
    case OPT_IOCS:
      ioc_paths[n_ioc_paths++] = optarg;
      break;
    case OPT_NO_DEFAULT:
      no_default = true;
      break;
    case OPT_NO_HEUR:
      no_heur = true;
      break;
    case OPT_EXCLUDE:
      excludes[n_excludes++] = optarg;
      break;
    case OPT_NEWER:
      if (!cli_parse_date(optarg, &opts.newer_than)) {
        rc = usage_error("bad --newer-than date '%s' (want 2021-03-01 or 2021-03-01T12:00:00Z)",
                         optarg);
        goto cleanup;
      }
      break;
    case OPT_MAXSIZE:
      if (!cli_parse_size(optarg, &opts.max_filesize) || opts.max_filesize == 0) {
        rc = usage_error("bad --max-filesize '%s'", optarg);
        goto cleanup;
      }
      break;
    case OPT_MAXDEPTH:
      if (!cli_parse_uint(optarg, 4096, &opts.max_depth) || opts.max_depth == 0) {
        rc = usage_error("bad --max-depth '%s'", optarg);
        goto cleanup;
      }
      break;
    case 'x':
      opts.one_file_system = true;
      break;
    case 'j':
      if (!cli_parse_uint(optarg, 256, &opts.threads) || opts.threads == 0) {
        rc = usage_error("bad --threads '%s' (1..256)", optarg);
        goto cleanup;
      }
      break;
    case 'f':
      if (strcmp(optarg, "text") == 0) {
        c.format = FMT_TEXT;
      } else if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0) {
        c.format = FMT_JSONL;
      } else {
        rc = usage_error("unknown format '%s' (text or jsonl)", optarg);
        goto cleanup;
      }
      break;
    case 'o':
      output = optarg;
      break;
    case OPT_MINSEV:
      if (exhunt_severity_parse(optarg, &c.min_severity) != EXHUNT_OK) {
        rc = usage_error("unknown severity '%s'", optarg);
        goto cleanup;
      }
      break;
    case 'v':
      c.verbose = true;
      break;
    case 'q':
      c.quiet = true;
      break;
    case OPT_NOPROGRESS:
      no_progress = true;
      break;
    case 'h':
      help_scan(stdout);
      rc = EXIT_CLEAN;
      goto cleanup;
    default:
      fputs("Try 'exhunt help scan'.\n", stderr);
      goto cleanup;
    }
  }
  if (optind >= argc) {
    rc = usage_error("%s", "no PATH given");
    goto cleanup;
  }
  char **roots = argv + optind;
  int n_roots = argc - optind;
  opts.excludes = excludes;
  opts.n_excludes = n_excludes;

  if (output) {
    if (output_inside_roots(output, roots, n_roots)) {
      rc = usage_error("refusing to write '%s' inside a scanned path (evidence is read-only)",
                       output);
      goto cleanup;
    }
    out_file = fopen(output, "w");
    if (!out_file) {
      fprintf(stderr, "exhunt scan: cannot write '%s': %s\n", output, strerror(errno));
      goto cleanup;
    }
    c.out = out_file;
  } else {
    c.out = stdout;
    c.out_is_tty = isatty(STDOUT_FILENO);
  }
  const char *no_color = getenv("NO_COLOR");
  c.color = c.out_is_tty && !(no_color && *no_color) && c.format == FMT_TEXT;
  c.progress = !no_progress && isatty(STDERR_FILENO);
  exhunt_sink sink = {&c, on_finding, on_notice, c.progress ? on_progress : NULL};

  exhunt_err err = exhunt_rules_new(&rules);
  if (err) {
    fprintf(stderr, "exhunt scan: %s\n", exhunt_strerror(err));
    goto cleanup;
  }
  if (no_heur)
    exhunt_rules_set_heuristics(rules, false);
  if (!no_default) {
    err = exhunt_rules_add_default(rules, &sink);
    if (err == EXHUNT_ERULES)
      c.load_errors++;
    else if (err) {
      fprintf(stderr, "exhunt scan: default rules: %s\n", exhunt_strerror(err));
      goto cleanup;
    }
  }
  for (size_t i = 0; i < n_rule_paths; i++) {
    struct stat st;
    if (stat(rule_paths[i], &st) == 0 && S_ISDIR(st.st_mode))
      err = add_rule_dir(&c, rules, rule_paths[i], &sink, 0);
    else
      err = add_rule_file(&c, rules, rule_paths[i], &sink, false);
    if (err) {
      fprintf(stderr, "exhunt scan: %s\n", exhunt_strerror(err));
      goto cleanup;
    }
  }
  for (size_t i = 0; i < n_ioc_paths; i++) {
    if ((err = add_rule_file(&c, rules, ioc_paths[i], &sink, true)) != EXHUNT_OK) {
      fprintf(stderr, "exhunt scan: %s\n", exhunt_strerror(err));
      goto cleanup;
    }
  }
  if ((err = exhunt_rules_compile(rules, &sink)) != EXHUNT_OK) {
    fprintf(stderr, "exhunt scan: compiling rules: %s\n", exhunt_strerror(err));
    goto cleanup;
  }
  exhunt_rules_info info;
  exhunt_rules_get_info(rules, &info);
  if (info.yara_rules == 0 && !info.heuristics &&
      info.iocs_sha256 + info.iocs_sha1 + info.iocs_md5 + info.iocs_name + info.iocs_path == 0) {
    rc = usage_error("%s", "no rules, IOCs or heuristics left to scan with");
    goto cleanup;
  }

  clock_gettime(CLOCK_MONOTONIC, &c.start);
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  err = exhunt_scan_paths(rules, (const char *const *)roots, (size_t)n_roots, &opts, &sink, &stats);
  clear_progress(&c);
  if (err) {
    fprintf(stderr, "exhunt scan: %s\n", exhunt_strerror(err));
    goto cleanup;
  }
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);

  uint64_t reported = 0;
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    reported += c.reported[i];
  rc = reported                                            ? EXIT_FINDINGS
       : (stats.errors || c.load_errors || c.write_errors) ? EXIT_ERROR
                                                           : EXIT_CLEAN;
  exh_summary sum = {"scan", &stats, &info, {0}, c.files_flagged, 0, rc};
  memcpy(sum.reported, c.reported, sizeof sum.reported);
  sum.elapsed_seconds =
      (double)(end.tv_sec - c.start.tv_sec) + (double)(end.tv_nsec - c.start.tv_nsec) / 1e9;
  /* The error count in the summary includes rule-load errors. */
  stats.errors += c.load_errors;
  if (c.format == FMT_JSONL) {
    exh_jsonl_summary(&c.line, &sum);
    write_line(&c, c.out);
  } else if (!c.quiet) {
    exh_dynbuf_addc(&c.line, '\n');
    exh_text_summary(&c.line, &sum);
    write_line(&c, c.out);
  }
  if (fflush(c.out) != 0 || c.write_errors) {
    fprintf(stderr, "exhunt scan: writing output failed\n");
    rc = EXIT_ERROR;
  }

cleanup:
  exhunt_rules_free(rules);
  if (out_file && fclose(out_file) != 0 && rc != EXIT_ERROR) {
    fprintf(stderr, "exhunt scan: closing output failed: %s\n", strerror(errno));
    rc = EXIT_ERROR;
  }
  exh_dynbuf_free(&c.line);
  exh_dynbuf_free(&c.last_path);
  exh_free(excludes);
  exh_free(rule_paths);
  exh_free(ioc_paths);
  return rc;
}
