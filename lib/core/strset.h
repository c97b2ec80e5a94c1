/*
 * strset.h - a set of strings (open addressing, FNV-1a), for "have I seen
 * this name before" questions: the files a report has flagged, and the like.
 * Copies what it keeps; bounded only by memory, so callers keep the number
 * of names in check.
 */
#ifndef EXH_STRSET_H
#define EXH_STRSET_H

#include <stddef.h>

typedef struct exh_strset {
  char **slots; /* NULL or a copy; a power of two of them, at most half used */
  size_t n_slots, count;
} exh_strset;

/* An empty set needs no allocation: zero it (or use EXH_STRSET_INIT). */
#define EXH_STRSET_INIT                                                                            \
  {                                                                                                \
    NULL, 0, 0                                                                                     \
  }

/* 1 if `s` was added, 0 if it was in the set, -1 out of memory (the names
 * in the set are unchanged; it may have grown its table). */
int exh_strset_add(exh_strset *set, const char *s);

void exh_strset_free(exh_strset *set);

#endif
