/*
 * matcher_speed.c - the log prefilter's matcher alone, for
 * bench/matcher_bench.sh: every file named (HttpProxy when its path says
 * so, else IIS) is read into memory and cut in 128 KiB blocks at line ends,
 * as the engine cuts them (blocks holding a '#' line, which the engine
 * reads line by line, are left out); then exh_prefilter_scan (the matcher
 * this libexhunt.a was built with) and exh_block_scan (the engine's
 * fallback) each scan every block, ROUNDS times. Prints the matcher's
 * name, the bytes and blocks scanned, then for each of the two the best
 * round's CPU seconds and its hits (the prefilter reports a line once,
 * exh_block_scan each needle in it).
 *
 * Built by the script against a build's libexhunt.a. Usage:
 *   matcher_speed ROUNDS FILE...
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logs/prefilter.h"

#define BLOCK (128u * 1024u) /* logs.c, BLOCK_BYTES */

typedef struct block {
  const char *p;
  size_t n;
  exh_log_family fam;
} block;

static double cpu_seconds(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static bool count_hit(void *ctx, const char *at)
{
  (void)at;
  ++*(size_t *)ctx;
  return true;
}

static bool has_meta_line(const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i] == '#' && (i == 0 || p[i - 1] == '\n'))
      return true;
  return false;
}

int main(int argc, char **argv)
{
  if (argc < 3)
    return 2;
  int rounds = atoi(argv[1]);
  exh_prefilter *pf = exh_prefilter_new();
  exh_prefilter_scratch *s = exh_prefilter_scratch_new(pf);
  if (!s || rounds < 1)
    return 2;
  block *b = NULL;
  size_t nb = 0, cap = 0, bytes = 0;
  for (int i = 2; i < argc; i++) {
    exh_log_family fam = strstr(argv[i], "HttpProxy") ? EXH_FAM_HTTPPROXY : EXH_FAM_IIS;
    FILE *f = fopen(argv[i], "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0)
      return 2;
    long len = ftell(f);
    char *d = len > 0 ? malloc((size_t)len) : NULL;
    if (!d || fseek(f, 0, SEEK_SET) != 0 || fread(d, 1, (size_t)len, f) != (size_t)len)
      return 2;
    fclose(f);
    for (size_t at = 0, n = (size_t)len; at < n;) {
      size_t end = at + BLOCK;
      if (end >= n)
        end = n;
      else
        while (end > at + 1 && d[end - 1] != '\n')
          end--;
      if (!has_meta_line(d + at, end - at)) {
        if (nb == cap) {
          cap = cap ? 2 * cap : 1024;
          if (!(b = realloc(b, cap * sizeof *b)))
            return 2;
        }
        b[nb++] = (block){d + at, end - at, fam};
        bytes += end - at;
      }
      at = end;
    }
  }
  double best_pf = 1e9, best_block = 1e9;
  size_t hits_pf = 0, hits_block = 0;
  for (int r = 0; r < rounds; r++) {
    hits_pf = hits_block = 0;
    double t0 = cpu_seconds();
    for (size_t i = 0; i < nb; i++)
      if (exh_prefilter_scan(pf, s, b[i].fam, b[i].p, b[i].n, count_hit, &hits_pf) != EXH_PF_DONE)
        return 3;
    double t1 = cpu_seconds();
    for (size_t i = 0; i < nb; i++)
      exh_block_scan(b[i].fam, b[i].p, b[i].n, count_hit, &hits_block);
    double t2 = cpu_seconds();
    best_pf = t1 - t0 < best_pf ? t1 - t0 : best_pf;
    best_block = t2 - t1 < best_block ? t2 - t1 : best_block;
  }
  printf("%s %zu %zu %.4f %zu %.4f %zu\n", exh_prefilter_matcher(), bytes, nb, best_pf, hits_pf,
         best_block, hits_block);
  return 0;
}
