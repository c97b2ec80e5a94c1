/*
 * strset.c - a set of strings; see strset.h.
 */
#include "strset.h"

#include <stdint.h>
#include <string.h>

#include "alloc.h"

static uint64_t hash_str(const char *s)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* The slot holding `s`, or the empty slot where it would go. */
static char **find_slot(char **slots, size_t n_slots, const char *s)
{
  size_t mask = n_slots - 1;
  for (size_t i = (size_t)hash_str(s) & mask;; i = (i + 1) & mask)
    if (!slots[i] || strcmp(slots[i], s) == 0)
      return &slots[i];
}

static int grow(exh_strset *set)
{
  size_t n = set->n_slots ? set->n_slots * 2 : 64;
  char **slots = exh_calloc(n, sizeof *slots);
  if (!slots)
    return -1;
  for (size_t i = 0; i < set->n_slots; i++)
    if (set->slots[i])
      *find_slot(slots, n, set->slots[i]) = set->slots[i];
  exh_free(set->slots);
  set->slots = slots;
  set->n_slots = n;
  return 0;
}

int exh_strset_add(exh_strset *set, const char *s)
{
  if ((set->count + 1) * 2 > set->n_slots && grow(set) != 0)
    return -1;
  char **slot = find_slot(set->slots, set->n_slots, s);
  if (*slot)
    return 0;
  char *copy = exh_strdup(s);
  if (!copy)
    return -1;
  *slot = copy;
  set->count++;
  return 1;
}

void exh_strset_free(exh_strset *set)
{
  for (size_t i = 0; i < set->n_slots; i++)
    exh_free(set->slots[i]);
  exh_free(set->slots);
  set->slots = NULL;
  set->n_slots = set->count = 0;
}
