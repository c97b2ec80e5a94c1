/*
 * test_corpus.c - detection quality of the default pack over real samples.
 *
 * Scans ../shared/corpus/webshells (360 real web shells) and
 * ../shared/corpus/benign (1402 benign ASP.NET files) with the default
 * rules, exactly as `exhunt scan` does, and counts a file as flagged when
 * it has a finding at the CLI's default reporting level (low or above).
 * Prints recall and false positives with the list of every miss and every
 * false alarm, and fails below the floors: signature-base alone flags
 * 338/360 and 0/1402, and exhunt must do at least as well (README).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"

/* Floors: raise them when detection improves, never lower them silently. */
#define MIN_WEBSHELLS_FLAGGED 358
#define MAX_BENIGN_FLAGGED 0

typedef struct seen {
  char **paths;
  size_t n, cap;
} seen;

static void push(char ***arr, size_t *n, size_t *cap, const char *s)
{
  if (*n == *cap) {
    *cap = *cap ? *cap * 2 : 512;
    *arr = realloc(*arr, *cap * sizeof **arr);
    if (!*arr)
      abort();
  }
  (*arr)[(*n)++] = strdup(s);
}

static bool contains(char **arr, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(arr[i], s) == 0)
      return true;
  return false;
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  seen *s = ctx;
  if (f->severity >= EXHUNT_SEV_LOW && !contains(s->paths, s->n, f->path))
    push(&s->paths, &s->n, &s->cap, f->path);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  if (n->kind == EXHUNT_NOTICE_ERROR)
    fprintf(stderr, "error: %s: %s: %s\n", n->what, n->path ? n->path : "-", n->reason);
}

static exhunt_scan_stats scan(const exhunt_rules *rules, const char *dir, seen *s)
{
  exhunt_sink sink = {.ctx = s, .on_finding = on_finding, .on_notice = on_notice};
  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  exhunt_scan_stats stats;
  const char *paths[] = {dir};
  if (exhunt_scan_paths(rules, paths, 1, &opts, &sink, &stats) != EXHUNT_OK) {
    fprintf(stderr, "scan of %s failed\n", dir);
    exit(1);
  }
  return stats;
}

/* Lists files of dir that are (flagged == true) or are not in s->paths. */
static void list_files(const char *dir, seen *s, bool want_flagged)
{
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "find '%s' -type f | sort", dir);
  FILE *p = popen(cmd, "r");
  if (!p)
    return;
  char line[4096];
  while (fgets(line, sizeof line, p)) {
    line[strcspn(line, "\n")] = '\0';
    if (contains(s->paths, s->n, line) == want_flagged)
      printf("  %s\n", line);
  }
  pclose(p);
}

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: %s WEBSHELL_DIR BENIGN_DIR\n", argv[0]);
    return 2;
  }
  exhunt_rules *rules;
  exhunt_sink quiet = {.on_notice = on_notice};
  if (exhunt_rules_new(&rules) || exhunt_rules_add_default(rules, &quiet) ||
      exhunt_rules_compile(rules, &quiet)) {
    fprintf(stderr, "default rules failed to load\n");
    return 1;
  }
  seen shells = {0}, benign = {0};
  exhunt_scan_stats ws = scan(rules, argv[1], &shells);
  exhunt_scan_stats bs = scan(rules, argv[2], &benign);

  printf("web shells flagged: %zu/%llu (floor %d)\n", shells.n,
         (unsigned long long)ws.files_scanned, MIN_WEBSHELLS_FLAGGED);
  printf("missed web shells:\n");
  list_files(argv[1], &shells, false);
  printf("benign flagged: %zu/%llu (ceiling %d)\n", benign.n, (unsigned long long)bs.files_scanned,
         MAX_BENIGN_FLAGGED);
  printf("false positives:\n");
  list_files(argv[2], &benign, true);

  int failed = 0;
  if (ws.files_scanned < 360 || bs.files_scanned < 1402) {
    printf("FAIL: corpus incomplete (%llu, %llu files)\n", (unsigned long long)ws.files_scanned,
           (unsigned long long)bs.files_scanned);
    failed = 1;
  }
  if (shells.n < MIN_WEBSHELLS_FLAGGED) {
    printf("FAIL: recall below the floor\n");
    failed = 1;
  }
  if (benign.n > MAX_BENIGN_FLAGGED) {
    printf("FAIL: false positives above the ceiling\n");
    failed = 1;
  }
  exhunt_rules_free(rules);
  for (size_t i = 0; i < shells.n; i++)
    free(shells.paths[i]);
  for (size_t i = 0; i < benign.n; i++)
    free(benign.paths[i]);
  free(shells.paths);
  free(benign.paths);
  printf("%d passed, %d failed\n", failed ? 0 : 1, failed);
  return failed;
}
