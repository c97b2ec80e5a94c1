/*
 * prefilter_needles.h - what the two matchers behind prefilter.h share:
 * the literals of each log family and what a match of one must be followed
 * by before it counts (prefilter_needles.c). The matchers only find the
 * literals, Hyperscan in prefilter_hs.c, the portable Aho-Corasick
 * automaton in prefilter_ac.c; every match then goes through
 * exh_pf_hits_take, so both builds report the same lines.
 *
 * Internal to lib/logs/: the prefilter's own files include it, nothing
 * else does.
 */
#ifndef EXH_PREFILTER_NEEDLES_H
#define EXH_PREFILTER_NEEDLES_H

#include <stdbool.h>
#include <stddef.h>

#include "detect.h"

/* What a match must be followed by to count. Only literals go to the
 * matchers: Hyperscan's literal matcher runs at 10+ GB/s here, while a
 * pattern with a class or a repeat halved the speed of its whole
 * database; the needles that need more than a literal are finished here:
 * a few bytes each, or the line check every scanner shares
 * (exh_needle_line_ok), which turns away the ordinary traffic that holds a
 * needle (Outlook's autodiscover.json, OWA logons, ...) before the engine
 * splits its row. */
typedef enum exh_pf_then {
  EXH_PF_THEN_NOTHING = 0,
  EXH_PF_THEN_META,        /* "\n#": a header or metadata line; stop */
  EXH_PF_THEN_SERVER_PATH, /* "server~": a '/' before any ',' '~' or line end */
  EXH_PF_THEN_ECP_JS,      /* "/ecp/": 1-3 letters, then ".js" */
  EXH_PF_THEN_LINE,        /* the needle's line check */
} exh_pf_then;

typedef struct exh_pf_needle {
  const char *literal; /* ASCII; matched case-insensitively */
  exh_pf_then then;
  exh_needle_check check; /* EXH_PF_THEN_LINE */
  /* The portable matcher's anchor: the offset of the literal's byte pair
   * rarest in logs (counted on the log bench's tree), which it looks for
   * first (prefilter_ac.c). Hyperscan chooses its own. */
  unsigned anchor;
} exh_pf_needle;

typedef struct exh_pf_family {
  exh_log_family fam;
  const exh_pf_needle *needles;
  size_t n;
} exh_pf_family;

/* The families with needles (HttpProxy, IIS), and the most needles one
 * has. Immutable. */
#define EXH_PF_FAMILIES 2u
#define EXH_PF_MAX_NEEDLES 8u
extern const exh_pf_family exh_pf_families[EXH_PF_FAMILIES];

/* One scan of one buffer [p, end): where the matcher's matches go. */
typedef struct exh_pf_hits {
  exh_log_family fam;
  const char *p, *end;
  const exh_pf_needle *needles;
  exh_hit_fn fn;
  void *ctx;
  bool taking; /* fn still wants hits */
  bool meta;   /* a "\n#" was found: the scan is over */
  /* The line of the last hit reported: the engine's fn drops further
   * hits in it (logs.c, on_block_hit), so they are neither checked nor
   * reported again. */
  const char *line_start, *line_end;
} exh_pf_hits;

void exh_pf_hits_init(exh_pf_hits *h, const exh_pf_family *f, const char *p, size_t n,
                      exh_hit_fn fn, void *ctx);

/* A match of needle `id` of h's family whose last byte is after[-1], in
 * any order: checks what must follow, reports its line to fn while fn
 * takes them (a match in the line reported last is not looked at again).
 * false when the scan is over (a "\n#": h->meta is set); true to go on,
 * which the caller does, looking for "\n#" alone, once h->taking is
 * false. */
bool exh_pf_hits_take(exh_pf_hits *h, size_t id, const char *after);

#endif
