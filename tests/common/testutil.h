/*
 * testutil.h - helpers shared by the unit tests: a sink that records what
 * it is told, temporary trees, and writing files.
 */
#ifndef EXH_TESTUTIL_H
#define EXH_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"

#define REC_MAX 512

typedef struct rec_finding {
  char rule[160];
  char path[512];
  char source[64];
  char license[64];
  char author[128];
  char category[32];
  exhunt_severity severity;
  exhunt_finding_kind kind;
  bool have_sha256;
  size_t n_matches;
  uint64_t line;           /* log findings */
  exhunt_attack_step step; /* log findings */
} rec_finding;

typedef struct rec_notice {
  exhunt_notice_kind kind;
  exhunt_err code;
  char what[64];
  char path[512];
  char reason[512];
} rec_notice;

typedef struct recorder {
  rec_finding findings[REC_MAX];
  size_t n_findings;
  rec_notice notices[REC_MAX];
  size_t n_notices;
} recorder;

static inline void rec_copy(char *dst, size_t cap, const char *src)
{
  snprintf(dst, cap, "%s", src ? src : "");
}

static inline void rec_on_finding(void *ctx, const exhunt_finding *f)
{
  recorder *r = ctx;
  if (r->n_findings == REC_MAX)
    return;
  rec_finding *rf = &r->findings[r->n_findings++];
  rec_copy(rf->rule, sizeof rf->rule, f->rule);
  rec_copy(rf->path, sizeof rf->path, f->path);
  rec_copy(rf->source, sizeof rf->source, f->source);
  rec_copy(rf->license, sizeof rf->license, f->license);
  rec_copy(rf->author, sizeof rf->author, f->author);
  rec_copy(rf->category, sizeof rf->category, f->category);
  rf->severity = f->severity;
  rf->kind = f->kind;
  rf->have_sha256 = false;
  rf->n_matches = 0;
  rf->line = 0;
  rf->step = EXHUNT_STEP_NONE;
  if (f->kind == EXHUNT_FINDING_FILE) {
    rf->have_sha256 = f->file.have_sha256;
    rf->n_matches = f->file.n_matches;
  }
  if (f->kind == EXHUNT_FINDING_LOG) {
    rf->line = f->log.line;
    rf->step = f->log.step;
  }
}

static inline void rec_on_notice(void *ctx, const exhunt_notice *n)
{
  recorder *r = ctx;
  if (r->n_notices == REC_MAX)
    return;
  rec_notice *rn = &r->notices[r->n_notices++];
  rn->kind = n->kind;
  rn->code = n->code;
  rec_copy(rn->what, sizeof rn->what, n->what);
  rec_copy(rn->path, sizeof rn->path, n->path);
  rec_copy(rn->reason, sizeof rn->reason, n->reason);
}

static inline exhunt_sink rec_sink(recorder *r)
{
  exhunt_sink s = {.ctx = r, .on_finding = rec_on_finding, .on_notice = rec_on_notice};
  return s;
}

/* Number of notices with this tag. */
static inline size_t rec_count_what(const recorder *r, const char *what)
{
  size_t n = 0;
  for (size_t i = 0; i < r->n_notices; i++)
    n += strcmp(r->notices[i].what, what) == 0;
  return n;
}

/* Number of findings whose path ends with `suffix`. */
static inline size_t rec_count_path(const recorder *r, const char *suffix)
{
  size_t n = 0, sl = strlen(suffix);
  for (size_t i = 0; i < r->n_findings; i++) {
    size_t pl = strlen(r->findings[i].path);
    n += pl >= sl && strcmp(r->findings[i].path + pl - sl, suffix) == 0;
  }
  return n;
}

static inline void write_file(const char *path, const void *data, size_t len)
{
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    abort();
  }
  if (len && fwrite(data, 1, len, f) != len)
    abort();
  fclose(f);
}

/* A China Chopper one-liner, the canonical HAFNIUM web shell. */
#define CHOPPER "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>"

#endif
