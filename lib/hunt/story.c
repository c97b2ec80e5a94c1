/*
 * story.c - from one server's findings to its story; the verdict is
 * verdict.c's, from what the story ties together.
 *
 * Log findings stream past: the engine reports them, hunt.c numbers them
 * and hands them to the caller at once, and the story takes what it needs
 * of each (exh_hunt_story_add) without keeping the finding. So its memory
 * grows with attackers, shells and kinds of step, never with log records:
 * of every list that grows with the records it keeps the first and the
 * last EXH_STORY_EXAMPLES by time and a count (hunt_exlist).
 *
 *  1. Steps. Every log finding becomes a step of the attacker (client IP)
 *     it names, of the kind its detector declared (exhunt_log_part.step):
 *     probe, attempt, ssrf, vdir-reset, file-written, shell-request,
 *     command. Records without an address (ECP Server, Windows events)
 *     are held (up to EXH_STORY_MAX_STEPS) and join, at the end, the
 *     attacker active within ten minutes of them (each attacker's
 *     activity is kept per ten-minute slot), or an "unattributed" story.
 *  2. Shells. A file flagged high or critical on disk is a shell; so is a
 *     file a log shows written (OAB download path, file-creation event) or
 *     requested (IIS/HttpProxy line to a drop folder, or to a shell on
 *     disk). They are tied together by path (Windows paths in logs against
 *     paths under the root, case-insensitively), by URL, and, for the
 *     CVE-2021-27065 chain, by content: the script a Set-*VirtualDirectory
 *     line put in ExternalUrl is looked for in the shell files. A shell
 *     only logs know of is checked on disk (read-only lookups); absent, it
 *     is reported as deleted.
 *  3. Stories, one per attacker, through the sink; then verdict.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "core/time.h"
#include "hunt/hunt_int.h"
#include "platform/fs.h"
#include "platform/strext.h"

#define ATTACH_WINDOW_SEC 600 /* IP-less records join an attacker this close */
#define SLOT_SEC 600          /* activity is kept per slot of this length */
#define SLOT_ATTACKERS 4      /* attackers remembered per slot */
#define VDIR_RESET_WINDOW_SEC 600
#define MAX_SHELL_READ (1024u * 1024u) /* chunk a shell file is searched in */
#define MAX_UAS 8                      /* user agents counted per attacker */
#define N_KINDS 8

/* The kinds of step in the order a story counts them: the attack's own
 * order, then "other" (a record with no step, or one this version does
 * not know). */
static const exhunt_attack_step step_order[N_KINDS] = {
    EXHUNT_STEP_PROBE,      EXHUNT_STEP_ATTEMPT,      EXHUNT_STEP_SSRF,
    EXHUNT_STEP_VDIR_RESET, EXHUNT_STEP_FILE_WRITTEN, EXHUNT_STEP_SHELL_REQUEST,
    EXHUNT_STEP_COMMAND,    EXHUNT_STEP_NONE};

/* ---------------------------------------------------------------------- */
/* Id lists and example lists.                                             */

bool exh_ids_add(hunt_ids *l, const char *id)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->ids[i], id) == 0)
      return true;
  return exh_ids_push(l, id);
}

/* Appends without the duplicate check, for lists that each record enters at
 * most once by construction: exh_ids_add's check is linear. */
bool exh_ids_push(hunt_ids *l, const char *id)
{
  const char **ids = exh_grow(l->ids, l->n, &l->cap, 8, sizeof *ids);
  if (!ids)
    return false;
  l->ids = ids;
  l->ids[l->n++] = id;
  return true;
}

static int64_t ex_time(const hunt_ex *e)
{
  return e->time == EXHUNT_NO_TIME ? INT64_MAX : e->time;
}

/* Is a before b: by time (none last), then by number. */
static bool ex_before(const hunt_ex *a, const hunt_ex *b)
{
  int64_t ta = ex_time(a), tb = ex_time(b);
  return ta != tb ? ta < tb : a->num < b->num;
}

void exh_exlist_add(hunt_exlist *l, const hunt_ex *e)
{
  l->total++;
  /* first: the smallest, ascending */
  size_t n = l->n_first;
  if (n < EXH_STORY_EXAMPLES || ex_before(e, &l->first[n - 1])) {
    size_t at = n < EXH_STORY_EXAMPLES ? n : n - 1;
    while (at > 0 && ex_before(e, &l->first[at - 1])) {
      l->first[at] = l->first[at - 1];
      at--;
    }
    l->first[at] = *e;
    if (n < EXH_STORY_EXAMPLES)
      l->n_first++;
  }
  /* last: the largest, ascending (last[0] the smallest of them) */
  n = l->n_last;
  if (n < EXH_STORY_EXAMPLES || ex_before(&l->last[0], e)) {
    if (n == EXH_STORY_EXAMPLES) { /* drop the smallest */
      memmove(&l->last[0], &l->last[1], (n - 1) * sizeof l->last[0]);
      n--;
    }
    size_t at = n;
    while (at > 0 && ex_before(e, &l->last[at - 1])) {
      l->last[at] = l->last[at - 1];
      at--;
    }
    l->last[at] = *e;
    l->n_last = (uint8_t)(n + 1);
  }
}

size_t exh_exlist_examples(const hunt_exlist *l, const hunt_ex **out)
{
  size_t n = 0;
  for (size_t i = 0; i < l->n_first; i++)
    out[n++] = &l->first[i];
  for (size_t i = 0; i < l->n_last; i++) {
    /* in both halves when the list is short: once */
    bool dup = false;
    for (size_t k = 0; k < l->n_first && !dup; k++)
      dup = l->first[k].num == l->last[i].num;
    if (!dup)
      out[n++] = &l->last[i];
  }
  return n;
}

bool exh_exlist_ids(const hunt_exlist *l, hunt_ids *out)
{
  const hunt_ex *ex[2 * EXH_STORY_EXAMPLES];
  size_t n = exh_exlist_examples(l, ex);
  for (size_t i = 0; i < n; i++)
    if (!exh_ids_push(out, ex[i]->id))
      return false;
  out->more += l->total - n;
  return true;
}

/* ---------------------------------------------------------------------- */
/* The story's state.                                                      */

typedef struct ua_count {
  char *ua;
  uint64_t n;
} ua_count;

typedef struct attacker {
  char *ip; /* NULL: the unattributed story */
  ua_count uas[MAX_UAS];
  size_t n_uas;
  hunt_exlist *kinds[N_KINDS]; /* made on first use */
  uint64_t steps;
  int64_t first, last;
  int64_t acted; /* first record with an outcome other than probe: NO_TIME if none */
  bool acts;
} attacker;

/* Who was active in one ten-minute slot. */
typedef struct slot {
  int64_t key; /* time / SLOT_SEC; INT64_MIN: empty */
  struct {
    int attacker;
    int64_t lo, hi;
  } who[SLOT_ATTACKERS];
  uint8_t n;
} slot;

/* A record without an address, held until every attacker is known. */
typedef struct held_rec {
  hunt_ex ex;
} held_rec;

/* A Set-*VirtualDirectory line (its script's index) and a reset line. */
typedef struct vdir_set {
  hunt_ex ex;
  size_t script;
} vdir_set;

/* One of the server's roots, opened once: every lookup under it starts
 * from it. `base` is where it stands in the server's tree ("" but for a
 * placed root: "inetpub/wwwroot" for C:/inetpub/wwwroot), so a path as the
 * server names it is looked for under the root that holds it. */
typedef struct story_root {
  exh_evidence_root *er; /* NULL: could not be opened, nothing looked up there */
  const char *base;
  size_t base_len;
} story_root;

struct hunt_story {
  hunt_server *hs;
  story_root *roots; /* hs->roots, same order */
  attacker *att;
  size_t n_att, cap_att;
  int *att_index; /* open addressing over att by ip: -1 empty */
  size_t att_slots;
  int unattributed; /* index in att, or -1 */
  slot *slots;
  size_t n_slots, used_slots;
  held_rec *held;
  size_t n_held, cap_held;
  hunt_shell *shells;
  size_t n_shells, cap_shells;
  int *url_index; /* open addressing over shells by URL (case-insensitive) */
  size_t url_slots, n_urls;
  size_t n_log_shells;
  char **pool; /* interned titles and paths */
  size_t pool_slots, pool_used;
  char *scripts[EXH_STORY_MAX_VDIR_SCRIPTS];
  size_t script_lens[EXH_STORY_MAX_VDIR_SCRIPTS], n_scripts;
  vdir_set *sets;
  size_t n_sets, cap_sets;
  hunt_ex *resets;
  size_t n_resets, cap_resets;
  hunt_log_facts facts;
  uint64_t steps_left_out, shells_left_out, scripts_left_out, vdir_left_out, slots_left_out;
  /* Web folders a requested URL may sit under, found once (disk_path_of_url). */
  char *bases[EXH_STORY_MAX_WEB_BASES + 8];
  size_t n_bases;
  bool bases_done;
  exhunt_err err;
};
typedef struct hunt_story story_ctx;

static uint64_t hash_bytes(const char *s, size_t n, bool fold)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (fold && ch >= 'A' && ch <= 'Z')
      ch = (unsigned char)(ch | 0x20);
    h = (h ^ ch) * 1099511628211ull;
  }
  return h;
}

/* An interned copy of s (titles and log paths repeat on every record). */
static const char *intern(story_ctx *c, const char *s)
{
  if (!s)
    return NULL;
  if (c->pool_used * 2 >= c->pool_slots) {
    size_t n = c->pool_slots ? c->pool_slots * 2 : 64;
    char **bigger = exh_calloc(n, sizeof *bigger);
    if (!bigger) {
      c->err = EXHUNT_ENOMEM;
      return NULL;
    }
    for (size_t i = 0; i < c->pool_slots; i++) {
      if (!c->pool[i])
        continue;
      size_t k = hash_bytes(c->pool[i], strlen(c->pool[i]), false) & (n - 1);
      while (bigger[k])
        k = (k + 1) & (n - 1);
      bigger[k] = c->pool[i];
    }
    exh_free(c->pool);
    c->pool = bigger;
    c->pool_slots = n;
  }
  size_t k = hash_bytes(s, strlen(s), false) & (c->pool_slots - 1);
  while (c->pool[k]) {
    if (strcmp(c->pool[k], s) == 0)
      return c->pool[k];
    k = (k + 1) & (c->pool_slots - 1);
  }
  char *copy = exh_strdup(s);
  if (!copy) {
    c->err = EXHUNT_ENOMEM;
    return NULL;
  }
  c->pool[k] = copy;
  c->pool_used++;
  return copy;
}

/* ---------------------------------------------------------------------- */
/* Small helpers.                                                          */

/* A step this version does not know is told as "other", as its name is. */
static size_t kind_index(exhunt_attack_step step)
{
  for (size_t i = 0; i < N_KINDS; i++)
    if (step_order[i] == step)
      return i;
  return N_KINDS - 1;
}

/* "C:\inetpub\wwwroot\x.aspx" -> "inetpub/wwwroot/x.aspx" (new string). */
static char *normalise_windows_path(const char *p, size_t n)
{
  while (n && (*p == '"' || *p == '\'' || *p == ' ')) {
    p++;
    n--;
  }
  while (n && (p[n - 1] == '"' || p[n - 1] == '\'' || p[n - 1] == ' '))
    n--;
  if (n >= 2 && p[1] == ':') { /* drive letter */
    p += 2;
    n -= 2;
  } else if (n >= 2 && p[0] == '\\' && p[1] == '\\') { /* \\127.0.0.1\c$\... */
    const char *dollar = memchr(p, '$', n);
    if (!dollar)
      return NULL;
    n -= (size_t)(dollar + 1 - p);
    p = dollar + 1;
  }
  while (n && (*p == '\\' || *p == '/')) {
    p++;
    n--;
  }
  char *out = exh_malloc(n + 1);
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++)
    out[i] = p[i] == '\\' ? '/' : p[i];
  out[n] = '\0';
  return out;
}

/* How a file under the root is requested, or NULL if it is not web-served:
 * inetpub/wwwroot/X -> /X; .../FrontEnd/HttpProxy/<vdir>/X or
 * .../ClientAccess/<vdir>/X -> /<vdir>/X. */
char *exh_hunt_url_of(const char *rel)
{
  static const char *const roots[] = {"inetpub/wwwroot/", "frontend/httpproxy/", "clientaccess/"};
  for (size_t i = 0; i < sizeof roots / sizeof *roots; i++) {
    const char *hit = exh_strcasestr(rel, roots[i]);
    if (!hit || (hit != rel && hit[-1] != '/'))
      continue;
    const char *rest = hit + strlen(roots[i]);
    size_t n = strlen(rest);
    char *url = exh_malloc(n + 2);
    if (!url)
      return NULL;
    url[0] = '/';
    memcpy(url + 1, rest, n + 1);
    return url;
  }
  return NULL;
}

const char *exh_hunt_rel_of(const char *root, const char *path)
{
  size_t rl = strlen(root);
  while (rl > 1 && root[rl - 1] == '/')
    rl--;
  if (strncmp(path, root, rl) == 0 && path[rl] == '/')
    return path + rl + 1;
  return path;
}

const char *exh_hunt_under(const char *root, const char *path)
{
  size_t rl = strlen(root);
  while (rl > 1 && root[rl - 1] == '/')
    rl--;
  if (strncmp(path, root, rl) != 0)
    return NULL;
  if (path[rl] == '/')
    return path + rl + 1;
  return path[rl] == '\0' ? path + rl : NULL;
}

/* "C:/..." or "C:\...": a root that keeps its place on its drive. */
static bool drive_path(const char *p)
{
  return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
         (p[2] == '/' || p[2] == '\\');
}

const char *exh_hunt_rel(const hunt_server *hs, const char *path)
{
  if (hs->n_roots == 1 && !hs->placed)
    return exh_hunt_rel_of(hs->roots[0], path);
  for (size_t i = 0; i < hs->n_roots; i++) {
    const char *rel = exh_hunt_under(hs->roots[i], path);
    if (!rel)
      continue;
    if (hs->placed && drive_path(hs->roots[i]))
      return path + 3;
    return rel;
  }
  return path;
}

/* A directory under the evidence, read-only, with O_NOATIME where the
 * kernel allows it (as the walker opens them). */
static int open_dir_at(int parent, const char *name)
{
  bool refused;
  return exh_open_noatime_at(parent, name, EXH_O_DIRECTORY | EXH_O_NOFOLLOW, &refused);
}

/* Does root/rel exist, matching each component case-insensitively (Windows
 * evidence on Linux)? From the root's descriptor (opened once, as the
 * walker's), directories read-only, never followed through symlinks. */
static bool exists_ci(const exh_evidence_root *root, const char *rel)
{
  int dfd = root && root->kind == EXH_ROOT_DIR ? exh_dup(root->fd) : -1;
  if (dfd < 0)
    return false;
  bool found = false;
  const char *p = rel;
  for (;;) {
    while (*p == '/')
      p++;
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0 || n >= 256)
      break;
    char want[256];
    memcpy(want, p, n);
    want[n] = '\0';
    /* "." and ".." are never listed: a path cannot climb out of the root */
    int probe = exh_dup(dfd);
    exh_dir d;
    if (probe < 0 || exh_dir_open_fd(&d, probe) != 0) {
      if (probe >= 0)
        exh_close(probe);
      break;
    }
    char name[256] = "";
    exh_dirent e;
    while (exh_dir_next(&d, &e) > 0)
      if (strcasecmp(e.name, want) == 0) {
        snprintf(name, sizeof name, "%s", e.name);
        break;
      }
    exh_dir_close(&d);
    if (!name[0])
      break;
    if (!slash) {
      exh_stat st;
      found = exh_stat_at(dfd, name, EXH_AT_NOFOLLOW, &st) == 0 && st.type == EXH_FT_REG;
      break;
    }
    int next = open_dir_at(dfd, name);
    exh_close(dfd);
    dfd = next;
    if (dfd < 0)
      return false;
    p = slash + 1;
  }
  exh_close(dfd);
  return found;
}

/* The script of a Set-*VirtualDirectory finding, NUL-terminated: the log
 * engine already undid the ECP log's CSV quoting, so it is as it lands in
 * the file. */
static char *copy_script(const char *s, size_t n, size_t *out_len)
{
  char *out = exh_malloc(n + 1);
  if (!out)
    return NULL;
  memcpy(out, s, n);
  out[n] = '\0';
  *out_len = n;
  return out;
}

/* ---------------------------------------------------------------------- */
/* Attackers.                                                              */

static attacker *new_attacker(story_ctx *c, const char *ip)
{
  attacker *att = exh_grow(c->att, c->n_att, &c->cap_att, 8, sizeof *att);
  if (!att) {
    c->err = EXHUNT_ENOMEM;
    return NULL;
  }
  c->att = att;
  attacker *a = &c->att[c->n_att];
  memset(a, 0, sizeof *a);
  if (ip && !(a->ip = exh_strdup(ip))) {
    c->err = EXHUNT_ENOMEM;
    return NULL;
  }
  a->first = a->last = a->acted = EXHUNT_NO_TIME;
  c->n_att++;
  return a;
}

/* The attacker with this address, made on first sight; -1 past
 * EXH_STORY_MAX_ATTACKERS (the caller counts what is left out). */
static int attacker_of(story_ctx *c, const char *ip)
{
  if (!ip) {
    if (c->unattributed < 0 && new_attacker(c, NULL))
      c->unattributed = (int)c->n_att - 1;
    return c->unattributed;
  }
  if (!c->att_index) {
    c->att_slots = 2 * EXH_STORY_MAX_ATTACKERS; /* never more than half full */
    c->att_index = exh_malloc(c->att_slots * sizeof *c->att_index);
    if (!c->att_index) {
      c->err = EXHUNT_ENOMEM;
      return -1;
    }
    for (size_t i = 0; i < c->att_slots; i++)
      c->att_index[i] = -1;
  }
  size_t k = hash_bytes(ip, strlen(ip), false) & (c->att_slots - 1);
  while (c->att_index[k] >= 0) {
    if (strcmp(c->att[c->att_index[k]].ip, ip) == 0)
      return c->att_index[k];
    k = (k + 1) & (c->att_slots - 1);
  }
  if (c->n_att - (c->unattributed >= 0) >= EXH_STORY_MAX_ATTACKERS)
    return -1;
  if (!new_attacker(c, ip))
    return -1;
  c->att_index[k] = (int)c->n_att - 1;
  return (int)c->n_att - 1;
}

static void count_ua(attacker *a, const char *ua, story_ctx *c)
{
  if (!ua || !*ua)
    return;
  for (size_t i = 0; i < a->n_uas; i++)
    if (strcmp(a->uas[i].ua, ua) == 0) {
      a->uas[i].n++;
      return;
    }
  if (a->n_uas == MAX_UAS)
    return; /* the first MAX_UAS agents are the candidates */
  char *copy = exh_strdup(ua);
  if (!copy) {
    c->err = EXHUNT_ENOMEM;
    return;
  }
  a->uas[a->n_uas++] = (ua_count){copy, 1};
}

/* The user agent of most of this attacker's records (of its first
 * MAX_UAS distinct ones); on a tie, the one seen first. */
static const char *most_common_ua(const attacker *a)
{
  const char *best = NULL;
  uint64_t best_n = 0;
  for (size_t i = 0; i < a->n_uas; i++)
    if (a->uas[i].n > best_n) {
      best_n = a->uas[i].n;
      best = a->uas[i].ua;
    }
  return best;
}

/* The ten-minute slot of t (floored, also before 1970). */
static int64_t slot_key(int64_t t)
{
  return t >= 0 ? t / SLOT_SEC : -((-t + SLOT_SEC - 1) / SLOT_SEC);
}

/* The index of the slot holding `key` in a table of n (a power of two), or
 * of the empty slot where it would go. */
static size_t slot_index(const slot *slots, size_t n, int64_t key)
{
  size_t k = (size_t)hash_bytes((const char *)&key, sizeof key, false) & (n - 1);
  while (slots[k].key != INT64_MIN && slots[k].key != key)
    k = (k + 1) & (n - 1);
  return k;
}

/* Remembers that attacker ai was active at t, for the records without an
 * address that come near it. */
static void note_activity(story_ctx *c, int ai, int64_t t)
{
  if (t == EXHUNT_NO_TIME || ai < 0 || ai == c->unattributed)
    return;
  if (c->used_slots * 2 >= c->n_slots) {
    if (c->n_slots >= EXH_STORY_MAX_SLOTS) {
      c->slots_left_out++;
      return;
    }
    size_t n = c->n_slots ? c->n_slots * 2 : 256;
    slot *bigger = exh_malloc(n * sizeof *bigger);
    if (!bigger) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    for (size_t i = 0; i < n; i++)
      bigger[i].key = INT64_MIN;
    for (size_t i = 0; i < c->n_slots; i++)
      if (c->slots[i].key != INT64_MIN)
        bigger[slot_index(bigger, n, c->slots[i].key)] = c->slots[i];
    exh_free(c->slots);
    c->slots = bigger;
    c->n_slots = n;
  }
  int64_t key = slot_key(t);
  slot *s = &c->slots[slot_index(c->slots, c->n_slots, key)];
  if (s->key == INT64_MIN) {
    memset(s, 0, sizeof *s);
    s->key = key;
    c->used_slots++;
  }
  for (size_t i = 0; i < s->n; i++)
    if (s->who[i].attacker == ai) {
      if (t < s->who[i].lo)
        s->who[i].lo = t;
      if (t > s->who[i].hi)
        s->who[i].hi = t;
      return;
    }
  if (s->n < SLOT_ATTACKERS) {
    s->who[s->n].attacker = ai;
    s->who[s->n].lo = s->who[s->n].hi = t;
    s->n++;
  }
}

/* The attacker active nearest to t (within the attach window), or -1. */
static int nearest_attacker(const story_ctx *c, int64_t t)
{
  if (t == EXHUNT_NO_TIME || !c->n_slots)
    return -1;
  int best = -1;
  int64_t best_d = ATTACH_WINDOW_SEC + 1;
  int64_t key = slot_key(t);
  for (int64_t d = -(ATTACH_WINDOW_SEC / SLOT_SEC + 1); d <= ATTACH_WINDOW_SEC / SLOT_SEC + 1;
       d++) {
    int64_t want = key + d;
    const slot *s = &c->slots[slot_index(c->slots, c->n_slots, want)];
    if (s->key != want)
      continue;
    for (size_t i = 0; i < s->n; i++) {
      int64_t dist = t < s->who[i].lo ? s->who[i].lo - t : t > s->who[i].hi ? t - s->who[i].hi : 0;
      if (dist < best_d || (dist == best_d && s->who[i].attacker < best)) {
        best_d = dist;
        best = s->who[i].attacker;
      }
    }
  }
  return best;
}

static void add_step(story_ctx *c, int ai, hunt_ex *e)
{
  attacker *a = &c->att[ai];
  size_t k = kind_index(e->step);
  if (!a->kinds[k] && !(a->kinds[k] = exh_calloc(1, sizeof *a->kinds[k]))) {
    c->err = EXHUNT_ENOMEM;
    return;
  }
  e->attacker = ai;
  exh_exlist_add(a->kinds[k], e);
  a->steps++;
  exh_span_widen(&a->first, &a->last, e->time);
}

/* ---------------------------------------------------------------------- */
/* Shells.                                                                 */

static hunt_shell *new_shell(story_ctx *c, char *path, char *url)
{
  hunt_shell *shells = exh_grow(c->shells, c->n_shells, &c->cap_shells, 8, sizeof *shells);
  if (!shells) {
    exh_free(path);
    exh_free(url);
    c->err = EXHUNT_ENOMEM;
    return NULL;
  }
  c->shells = shells;
  hunt_shell *s = &c->shells[c->n_shells++];
  memset(s, 0, sizeof *s);
  s->path = path;
  s->url = url;
  s->attacker = -1;
  return s;
}

/* Indexes shell i by its URL (the first shell with a URL keeps it). */
static void index_url(story_ctx *c, size_t i)
{
  const char *u = c->shells[i].url;
  if (!u)
    return;
  if ((c->n_urls + 1) * 2 > c->url_slots) {
    size_t n = c->url_slots ? c->url_slots * 2 : 64;
    int *bigger = exh_malloc(n * sizeof *bigger);
    if (!bigger) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    for (size_t k = 0; k < n; k++)
      bigger[k] = -1;
    for (size_t k = 0; k < c->url_slots; k++) {
      if (c->url_index[k] < 0)
        continue;
      const char *v = c->shells[c->url_index[k]].url;
      size_t h = hash_bytes(v, strlen(v), true) & (n - 1);
      while (bigger[h] >= 0)
        h = (h + 1) & (n - 1);
      bigger[h] = c->url_index[k];
    }
    exh_free(c->url_index);
    c->url_index = bigger;
    c->url_slots = n;
  }
  size_t h = hash_bytes(u, strlen(u), true) & (c->url_slots - 1);
  while (c->url_index[h] >= 0) {
    if (strcasecmp(c->shells[c->url_index[h]].url, u) == 0)
      return;
    h = (h + 1) & (c->url_slots - 1);
  }
  c->url_index[h] = (int)i;
  c->n_urls++;
}

static hunt_shell *shell_by_url(story_ctx *c, const char *url, size_t n)
{
  if (!c->url_slots)
    return NULL;
  size_t h = hash_bytes(url, n, true) & (c->url_slots - 1);
  while (c->url_index[h] >= 0) {
    const char *u = c->shells[c->url_index[h]].url;
    if (strlen(u) == n && strncasecmp(u, url, n) == 0)
      return &c->shells[c->url_index[h]];
    h = (h + 1) & (c->url_slots - 1);
  }
  return NULL;
}

/* The shell at this path (either is a suffix of the other, as a log names
 * C:\... and the root is any folder above), case-insensitively. Linear:
 * only file-writing records ask, and shells are capped. */
static hunt_shell *shell_by_path(story_ctx *c, const char *p)
{
  size_t pl = strlen(p);
  for (size_t i = 0; i < c->n_shells; i++) {
    const char *q = c->shells[i].path;
    if (!q)
      continue;
    size_t ql = strlen(q);
    const char *longer = pl >= ql ? p : q, *shorter = pl >= ql ? q : p;
    size_t ll = pl >= ql ? pl : ql, sl = pl >= ql ? ql : pl;
    if (sl && strcasecmp(longer + ll - sl, shorter) == 0 &&
        (ll == sl || longer[ll - sl - 1] == '/'))
      return &c->shells[i];
  }
  return NULL;
}

static bool is_file_shell(const hunt_rec *r)
{
  return r->origin == ORIGIN_SCAN && r->f->severity >= EXHUNT_SEV_HIGH;
}

/* Does the file the server names `rel` exist, under the root that would
 * hold it? */
static bool exists_on_server(const story_ctx *c, const char *rel)
{
  for (size_t i = 0; i < c->hs->n_roots; i++) {
    const story_root *r = &c->roots[i];
    const char *sub = rel;
    if (r->base_len) {
      if (strncasecmp(rel, r->base, r->base_len) != 0 || rel[r->base_len] != '/')
        continue;
      sub = rel + r->base_len + 1;
    }
    if (exists_ci(r->er, sub))
      return true;
  }
  return false;
}

/* Where a URL would be on disk, if anywhere, under the usual folders. */
/* Tries base + url on the server; the new relative path if it exists. */
static char *try_base(const story_ctx *c, const char *base, size_t bl, const char *url, size_t n)
{
  char *rel = exh_malloc(bl + n + 1);
  if (!rel)
    return NULL;
  memcpy(rel, base, bl);
  memcpy(rel + bl, url, n);
  rel[bl + n] = '\0';
  if (exists_on_server(c, rel))
    return rel;
  exh_free(rel);
  return NULL;
}

/* Adds a web folder (relative to the root) to c->bases unless it is there;
 * false when the list is full. */
static bool add_base(story_ctx *c, const char *p, size_t n)
{
  for (size_t i = 0; i < c->n_bases; i++)
    if (strlen(c->bases[i]) == n && memcmp(c->bases[i], p, n) == 0)
      return true;
  if (c->n_bases >= sizeof c->bases / sizeof *c->bases)
    return false;
  char *b = exh_strndup(p, n);
  if (!b) {
    c->err = EXHUNT_ENOMEM;
    return false;
  }
  c->bases[c->n_bases++] = b;
  return true;
}

/* The web folders, in the order they are tried: where the evidence shows
 * them (any path seen with inetpub/wwwroot, FrontEnd/HttpProxy or
 * ClientAccess in it: Exchange may be installed on D:\ or elsewhere), then
 * under an Exchange install the logs or builds show (.../V15/Logging/...),
 * then where Windows puts them by default. Found once, not per URL: every
 * record's path was searched for each URL before, and many shells known
 * from logs times many records cost minutes. */
static void collect_bases(story_ctx *c)
{
  const hunt_server *hs = c->hs;
  static const char *const marks[] = {"inetpub/wwwroot", "frontend/httpproxy", "clientaccess"};
  size_t cap = EXH_STORY_MAX_WEB_BASES;
  c->bases_done = true;
  for (size_t i = 0; i < hs->n_recs && c->n_bases < cap && !c->err; i++) {
    const char *p = hs->recs[i].f->path;
    if (!p)
      continue;
    const char *rel = exh_hunt_rel(hs, p);
    for (size_t k = 0; k < sizeof marks / sizeof *marks && c->n_bases < cap; k++) {
      const char *hit = exh_strcasestr(rel, marks[k]);
      if (hit && (hit == rel || hit[-1] == '/'))
        add_base(c, rel, (size_t)(hit - rel) + strlen(marks[k]));
    }
  }
  for (size_t i = 0; i < hs->n_recs + hs->n_builds && c->n_bases < cap && !c->err; i++) {
    const char *p = i < hs->n_recs ? hs->recs[i].f->path : hs->builds[i - hs->n_recs].b.path;
    if (!p)
      continue;
    const char *rel = exh_hunt_rel(hs, p);
    const char *hit = exh_strcasestr(rel, "v15/");
    if (!hit || (hit != rel && hit[-1] != '/'))
      continue;
    static const char *const under[] = {"FrontEnd/HttpProxy", "ClientAccess"};
    for (size_t k = 0; k < 2 && c->n_bases < cap; k++) {
      size_t bl = (size_t)(hit - rel) + 4, ul = strlen(under[k]);
      char base[EXH_MAX_PATH];
      if (bl + ul >= sizeof base)
        continue;
      memcpy(base, rel, bl);
      memcpy(base + bl, under[k], ul);
      add_base(c, base, bl + ul);
    }
  }
  static const char *const defaults[] = {
      "inetpub/wwwroot", "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy",
      "Program Files/Microsoft/Exchange Server/V15/ClientAccess"};
  for (size_t i = 0; i < sizeof defaults / sizeof *defaults && !c->err; i++)
    add_base(c, defaults[i], strlen(defaults[i])); /* room kept past the cap */
}

/* Where a URL would be on disk, if anywhere: the first web folder
 * (collect_bases) that holds it. */
static char *disk_path_of_url(story_ctx *c, const char *url, size_t n)
{
  if (!c->bases_done)
    collect_bases(c);
  for (size_t i = 0; i < c->n_bases; i++) {
    char *found = try_base(c, c->bases[i], strlen(c->bases[i]), url, n);
    if (found)
      return found;
  }
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Record by record.                                                       */

exhunt_err exh_hunt_story_begin(hunt_server *hs)
{
  story_ctx *c = exh_calloc(1, sizeof *c);
  if (!c)
    return EXHUNT_ENOMEM;
  c->hs = hs;
  c->unattributed = -1;
  c->facts.first = c->facts.last = EXHUNT_NO_TIME;
  hs->story = c;
  if (!(c->roots = exh_calloc(hs->n_roots, sizeof *c->roots)))
    return EXHUNT_ENOMEM;
  for (size_t i = 0; i < hs->n_roots; i++) {
    const char *root = hs->roots[i];
    story_root *r = &c->roots[i];
    r->base = "";
    if (hs->placed && drive_path(root)) {
      r->base = root + 3;
      r->base_len = strlen(r->base);
      while (r->base_len && (r->base[r->base_len - 1] == '/' || r->base[r->base_len - 1] == '\\'))
        r->base_len--;
    }
    const char *step;
    if (exh_evidence_root_open(root, &r->er, &step) == ENOMEM)
      return EXHUNT_ENOMEM; /* other failures: nothing is looked up there */
  }
  /* Files on disk: known before any log record comes. */
  for (size_t i = 0; i < hs->n_recs && !c->err; i++) {
    const hunt_rec *r = &hs->recs[i];
    if (!is_file_shell(r) || !r->f->path)
      continue;
    const char *rel = exh_hunt_rel(hs, r->f->path);
    if (shell_by_path(c, rel))
      continue;
    char *path = exh_strdup(rel);
    char *url = path ? exh_hunt_url_of(rel) : NULL;
    if (!path) {
      c->err = EXHUNT_ENOMEM;
      break;
    }
    hunt_shell *s = new_shell(c, path, url);
    if (s) {
      s->on_disk = true;
      s->finding = r;
      index_url(c, c->n_shells - 1);
    }
  }
  if (!c->err)
    collect_bases(c);
  return c->err;
}

/* A file the log shows written: the shell at that path, made if new. */
static void shell_written(story_ctx *c, const exhunt_log_part *l, const hunt_ex *e)
{
  /* Only an artifact that is a Windows path names the file (a ProxyShell
   * export artifact may be the whole cmdlet line). */
  const char *a = l->artifact;
  size_t an = l->artifact_len;
  while (an && (*a == '"' || *a == '\'' || *a == ' ')) {
    a++;
    an--;
  }
  bool drive = an >= 3 && a[1] == ':' && a[2] == '\\';
  bool unc = an >= 2 && a[0] == '\\' && a[1] == '\\';
  if (!drive && !unc)
    return;
  char *norm = normalise_windows_path(l->artifact, l->artifact_len);
  if (!norm)
    return;
  hunt_shell *s = shell_by_path(c, norm);
  if (!s && c->n_log_shells >= EXH_STORY_MAX_LOG_SHELLS) {
    c->shells_left_out++;
    exh_free(norm);
    return;
  }
  if (!s) {
    c->n_log_shells++;
    char *url = exh_hunt_url_of(norm);
    bool present = exists_on_server(c, norm);
    s = new_shell(c, norm, url);
    if (!s)
      return;
    s->on_disk = present;
    index_url(c, c->n_shells - 1);
  } else {
    exh_free(norm);
  }
  exh_exlist_add(&s->planted_by, e);
}

/* A request the log shows: the shell at that URL, made if new. */
static void shell_requested(story_ctx *c, const exhunt_log_part *l, const hunt_ex *e)
{
  size_t n = l->artifact_len;
  const char *q = memchr(l->artifact, '?', n);
  if (q)
    n = (size_t)(q - l->artifact);
  hunt_shell *s = shell_by_url(c, l->artifact, n);
  if (!s && c->n_log_shells >= EXH_STORY_MAX_LOG_SHELLS) {
    c->shells_left_out++;
    return;
  }
  if (!s) {
    c->n_log_shells++;
    char *url = exh_strndup(l->artifact, n);
    if (!url) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    char *path = disk_path_of_url(c, url, n);
    s = new_shell(c, path, url);
    if (!s)
      return;
    s->on_disk = path != NULL;
    index_url(c, c->n_shells - 1);
  }
  exh_exlist_add(&s->requests, e);
  if (l->outcome && strcmp(l->outcome, "exploited") == 0)
    s->ok_requests++;
}

/* CVE-2021-27065 lines, kept (bounded) for the tie by content at the end. */
static void keep_vdir(story_ctx *c, const exhunt_log_part *l, const hunt_ex *e)
{
  /* The reset rows (kept by time) and the Set-*VirtualDirectory rows
   * (kept with the script they planted) share the step; the artifact
   * tells them apart. */
  if (l->artifact_kind != EXHUNT_ARTIFACT_SCRIPT && e->time != EXHUNT_NO_TIME) {
    if (c->n_resets == EXH_STORY_MAX_VDIR_LINES) {
      c->vdir_left_out++;
      return;
    }
    hunt_ex *resets = exh_grow(c->resets, c->n_resets, &c->cap_resets, 16, sizeof *resets);
    if (!resets) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    c->resets = resets;
    c->resets[c->n_resets++] = *e;
    return;
  }
  if (l->artifact_kind != EXHUNT_ARTIFACT_SCRIPT || !l->artifact || l->artifact_len < 8)
    return;
  size_t si = 0;
  while (si < c->n_scripts && (c->script_lens[si] != l->artifact_len ||
                               memcmp(c->scripts[si], l->artifact, l->artifact_len) != 0))
    si++;
  if (si == c->n_scripts) {
    if (c->n_scripts == EXH_STORY_MAX_VDIR_SCRIPTS) {
      c->scripts_left_out++;
      return;
    }
    size_t slen;
    char *script = copy_script(l->artifact, l->artifact_len, &slen);
    if (!script) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    c->scripts[c->n_scripts] = script;
    c->script_lens[c->n_scripts++] = slen;
  }
  if (c->n_sets == EXH_STORY_MAX_VDIR_LINES) {
    c->vdir_left_out++;
    return;
  }
  vdir_set *sets = exh_grow(c->sets, c->n_sets, &c->cap_sets, 16, sizeof *sets);
  if (!sets) {
    c->err = EXHUNT_ENOMEM;
    return;
  }
  c->sets = sets;
  c->sets[c->n_sets++] = (vdir_set){*e, si};
}

static bool is(const char *s, const char *lit)
{
  return s && strcmp(s, lit) == 0;
}

static bool mentions_lsass(const exhunt_log_part *l)
{
  const char *hay[] = {l->artifact, l->excerpt};
  size_t lens[] = {l->artifact ? l->artifact_len : 0, l->excerpt ? l->excerpt_len : 0};
  static const char *const needles[] = {"lsass", "comsvcs", "MiniDump", "procdump"};
  for (size_t i = 0; i < 2; i++)
    for (size_t k = 0; hay[i] && k < sizeof needles / sizeof *needles; k++) {
      size_t nl = strlen(needles[k]);
      for (size_t p = 0; p + nl <= lens[i]; p++)
        if (strncasecmp(hay[i] + p, needles[k], nl) == 0)
          return true;
    }
  return false;
}

/* What the verdict counts of a log finding. */
static void add_facts(story_ctx *c, const exhunt_finding *f, const hunt_ex *e)
{
  hunt_log_facts *lf = &c->facts;
  const exhunt_log_part *l = &f->log;
  bool is_post = is(f->category, "post-exploitation") || e->step == EXHUNT_STEP_COMMAND;
  if (is_post)
    exh_exlist_add(&lf->post, e);
  if (is_post && mentions_lsass(l))
    exh_exlist_add(&lf->lsass, e);
  if (is(l->outcome, "exploited") && !is_post)
    exh_exlist_add(&lf->exploited, e);
  else if (is(l->outcome, "attempted"))
    exh_exlist_add(&lf->attempted, e);
  else if (is(l->outcome, "probe"))
    exh_exlist_add(&lf->probes, e);
  if (l->outcome && !is(l->outcome, "probe"))
    exh_span_widen(&lf->first, &lf->last, l->timestamp);
}

void exh_hunt_story_add(hunt_server *hs, const exhunt_finding *f, uint64_t num, const char *id)
{
  story_ctx *c = hs->story;
  if (!c || c->err || f->kind != EXHUNT_FINDING_LOG)
    return;
  const exhunt_log_part *l = &f->log;
  hunt_ex e;
  memset(&e, 0, sizeof e);
  e.time = l->timestamp;
  e.num = num;
  e.line = l->line;
  e.step = l->step;
  e.title = intern(c, f->title);
  e.path = intern(c, f->path);
  e.attacker = -1;
  e.ipless = -1;
  snprintf(e.id, sizeof e.id, "%s", id);
  if (c->err)
    return;
  add_facts(c, f, &e);
  if (l->client_ip && *l->client_ip) {
    int ai = attacker_of(c, l->client_ip);
    if (ai < 0) {
      if (!c->err)
        c->steps_left_out++;
    } else {
      attacker *a = &c->att[ai];
      count_ua(a, l->user_agent, c);
      if (l->outcome && !is(l->outcome, "probe") && !a->acts) {
        a->acts = true;
        a->acted = l->timestamp;
      } else if (a->acts && l->outcome && !is(l->outcome, "probe") &&
                 l->timestamp != EXHUNT_NO_TIME &&
                 (a->acted == EXHUNT_NO_TIME || l->timestamp < a->acted)) {
        a->acted = l->timestamp;
      }
      add_step(c, ai, &e);
      note_activity(c, ai, e.time);
    }
  } else if (c->n_held >= EXH_STORY_MAX_STEPS) {
    c->steps_left_out++;
  } else {
    held_rec *held = exh_grow(c->held, c->n_held, &c->cap_held, 16, sizeof *held);
    if (!held) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    c->held = held;
    e.ipless = (int)c->n_held;
    c->held[c->n_held++].ex = e;
  }
  if (c->err || !l->artifact || !l->artifact_len)
    return;
  if (e.step == EXHUNT_STEP_FILE_WRITTEN)
    shell_written(c, l, &e);
  else if (e.step == EXHUNT_STEP_SHELL_REQUEST && l->artifact[0] == '/')
    shell_requested(c, l, &e);
  else if (e.step == EXHUNT_STEP_VDIR_RESET)
    keep_vdir(c, l, &e);
}

/* ---------------------------------------------------------------------- */
/* At the end.                                                             */

static int cmp_ex(const void *a, const void *b)
{
  const hunt_ex *x = a, *y = b;
  return ex_before(x, y) ? -1 : ex_before(y, x) ? 1 : 0;
}

/* The attacker a kept example belongs to (the held records without an
 * address were placed after it was kept). */
static int attacker_of_ex(const story_ctx *c, const hunt_ex *e)
{
  if (e->ipless >= 0 && (size_t)e->ipless < c->n_held)
    return c->held[e->ipless].ex.attacker;
  return e->attacker;
}

/* CVE-2021-27065: the script set in a virtual directory, found in a shell
 * file, ties the file to that line and the resets after it. Each shell
 * file is read once and searched for each distinct script. */
static void tie_vdir_scripts(story_ctx *c)
{
  if (c->n_sets == 0)
    return;
  bool match[EXH_STORY_MAX_VDIR_SCRIPTS];
  exh_evidence_dircache cache;
  exh_evidence_dircache_init(&cache);
  uint8_t *buf = exh_malloc(MAX_SHELL_READ);
  bool *seen = c->n_resets ? exh_calloc(c->n_resets, sizeof *seen) : NULL;
  if (!buf || (c->n_resets && !seen)) {
    c->err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  if (c->n_resets > 1)
    qsort(c->resets, c->n_resets, sizeof *c->resets, cmp_ex);
  size_t max_len = 0; /* bytes carried from one chunk to the next */
  for (size_t si = 0; si < c->n_scripts; si++)
    if (c->script_lens[si] > max_len)
      max_len = c->script_lens[si];
  max_len = max_len ? max_len - 1 : 0;
  for (size_t k = 0; k < c->n_shells && !c->err; k++) {
    hunt_shell *s = &c->shells[k];
    if (!s->on_disk || !s->finding)
      continue;
    /* from the root, no component followed: the scan saw this file, but
     * its finding does not carry the identity, so that is not checked */
    exh_evidence_open res;
    exh_evidence_root *root = NULL;
    const char *rel = NULL;
    for (size_t i = 0; !rel && i < c->hs->n_roots; i++)
      if ((root = c->roots[i].er) != NULL)
        rel = exh_evidence_rel(root, s->finding->f->path);
    int fd = rel ? exh_open_evidence_at(root, rel, 0, 0, &cache, &res) : -1;
    if (fd < 0)
      continue;
    /* The whole file, a chunk at a time: each chunk starts with the last
     * bytes of the one before, so a script across the seam is found. */
    bool any = false;
    memset(match, 0, sizeof match);
    size_t keep = 0;
    exh_ssize n;
    while ((n = exh_read(fd, buf + keep, MAX_SHELL_READ - keep)) > 0) {
      size_t got = keep + (size_t)n;
      for (size_t si = 0; si < c->n_scripts; si++)
        if (!match[si] && c->script_lens[si] > 0 &&
            exh_memmem(buf, got, c->scripts[si], c->script_lens[si]) != NULL)
          any = match[si] = true;
      keep = got < max_len ? got : max_len;
      memmove(buf, buf + got - keep, keep);
    }
    exh_close(fd);
    if (!any)
      continue;
    if (seen)
      memset(seen, 0, c->n_resets * sizeof *seen);
    for (size_t i = 0; i < c->n_sets; i++) {
      if (!match[c->sets[i].script])
        continue;
      const hunt_ex *e = &c->sets[i].ex;
      exh_exlist_add(&s->planted_by, e);
      if (e->time == EXHUNT_NO_TIME)
        continue;
      size_t lo = 0, hi = c->n_resets; /* the first reset at or after the line */
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->resets[mid].time < e->time)
          lo = mid + 1;
        else
          hi = mid;
      }
      for (size_t j = lo; j < c->n_resets && c->resets[j].time - e->time <= VDIR_RESET_WINDOW_SEC;
           j++)
        if (!seen[j]) {
          seen[j] = true;
          exh_exlist_add(&s->planted_by, &c->resets[j]);
        }
    }
  }
cleanup:
  exh_evidence_dircache_free(&cache);
  exh_free(buf);
  exh_free(seen);
}

/* Records without an address to the attacker active near them; then each
 * shell to the attacker of its earliest evidence. */
static void place(story_ctx *c)
{
  for (size_t i = 0; i < c->n_held && !c->err; i++) {
    hunt_ex *e = &c->held[i].ex;
    int ai = nearest_attacker(c, e->time);
    if (ai < 0)
      ai = attacker_of(c, NULL);
    if (ai >= 0)
      add_step(c, ai, e);
  }
  tie_vdir_scripts(c);
  for (size_t k = 0; k < c->n_shells && !c->err; k++) {
    hunt_shell *s = &c->shells[k];
    const hunt_exlist *ls[] = {&s->planted_by, &s->requests};
    for (size_t i = 0; i < 2 && s->attacker < 0; i++)
      if (ls[i]->n_first)
        s->attacker = attacker_of_ex(c, &ls[i]->first[0]);
    if (s->attacker >= 0 && !c->att[s->attacker].ip)
      s->attacker = -1;
  }
}

static void ex_ids(const hunt_exlist *l, hunt_ids *out, story_ctx *c)
{
  if (!exh_exlist_ids(l, out))
    c->err = EXHUNT_ENOMEM;
}

static int cmp_steps(const void *a, const void *b)
{
  const exhunt_story_step *x = a, *y = b;
  int64_t tx = x->time == EXHUNT_NO_TIME ? INT64_MAX : x->time;
  int64_t ty = y->time == EXHUNT_NO_TIME ? INT64_MAX : y->time;
  if (tx != ty)
    return tx < ty ? -1 : 1;
  return strcmp(x->evidence, y->evidence);
}

static void emit_one_story(story_ctx *c, const exhunt_sink *sink, int ai)
{
  size_t n_sh = 0;
  for (size_t k = 0; k < c->n_shells; k++)
    n_sh += c->shells[k].attacker == ai;
  const attacker *a = ai >= 0 ? &c->att[ai] : NULL;
  if (!a && n_sh == 0)
    return;
  exhunt_story_shell *sh = n_sh ? exh_calloc(n_sh, sizeof *sh) : NULL;
  hunt_ids *lists = n_sh ? exh_calloc(2 * n_sh, sizeof *lists) : NULL;
  exhunt_story_step *steps = a ? exh_calloc(N_KINDS * 2 * EXH_STORY_EXAMPLES, sizeof *steps) : NULL;
  exhunt_step_count counts[N_KINDS];
  size_t n_steps = 0, n_counts = 0;
  if ((n_sh && (!sh || !lists)) || (a && !steps)) {
    c->err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  for (size_t k = 0; a && k < N_KINDS; k++) {
    if (!a->kinds[k])
      continue;
    const hunt_ex *ex[2 * EXH_STORY_EXAMPLES];
    size_t n = exh_exlist_examples(a->kinds[k], ex);
    for (size_t i = 0; i < n; i++)
      steps[n_steps++] = (exhunt_story_step){ex[i]->time,  exhunt_attack_step_name(ex[i]->step),
                                             ex[i]->title, ex[i]->id,
                                             ex[i]->path,  ex[i]->line};
    counts[n_counts++] =
        (exhunt_step_count){exhunt_attack_step_name(step_order[k]), a->kinds[k]->total, n};
  }
  if (n_steps > 1)
    qsort(steps, n_steps, sizeof *steps, cmp_steps);
  size_t j = 0;
  for (size_t k = 0; k < c->n_shells && !c->err; k++) {
    const hunt_shell *s = &c->shells[k];
    if (s->attacker != ai)
      continue;
    ex_ids(&s->planted_by, &lists[2 * j], c);
    ex_ids(&s->requests, &lists[2 * j + 1], c);
    sh[j].path = s->path ? s->path : s->url;
    sh[j].url = s->url;
    sh[j].on_disk = s->on_disk;
    sh[j].finding = s->finding ? s->finding->id : NULL;
    sh[j].planted_by = (exhunt_evidence){lists[2 * j].ids, lists[2 * j].n, lists[2 * j].more};
    sh[j].requests =
        (exhunt_evidence){lists[2 * j + 1].ids, lists[2 * j + 1].n, lists[2 * j + 1].more};
    j++;
  }
  if (!c->err) {
    exhunt_story st = {.server = c->hs->name,
                       .client_ip = a ? a->ip : NULL,
                       .user_agent = a ? most_common_ua(a) : NULL,
                       .first = a ? a->first : EXHUNT_NO_TIME,
                       .last = a ? a->last : EXHUNT_NO_TIME,
                       .steps = steps,
                       .n_steps = n_steps,
                       .counts = counts,
                       .n_counts = n_counts,
                       .shells = sh,
                       .n_shells = n_sh};
    sink->on_story(sink->ctx, &st);
  }
cleanup:
  for (size_t i = 0; lists && i < 2 * n_sh; i++)
    exh_free(lists[i].ids);
  exh_free(lists);
  exh_free(sh);
  exh_free(steps);
}

typedef struct att_order {
  int64_t first;
  size_t i;
} att_order;

static int cmp_att_order(const void *a, const void *b)
{
  const att_order *x = a, *y = b;
  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

/* Attackers in order of first activity, then what no address ties: steps
 * without an attacker, and shells no log ties to anyone. */
static void emit_stories(story_ctx *c, const exhunt_sink *sink)
{
  if (!sink->on_story)
    return;
  att_order *order = c->n_att ? exh_calloc(c->n_att, sizeof *order) : NULL;
  if (c->n_att && !order) {
    c->err = EXHUNT_ENOMEM;
    return;
  }
  size_t n = 0;
  for (size_t i = 0; i < c->n_att; i++)
    if (c->att[i].ip) {
      int64_t first = c->att[i].first;
      order[n++] = (att_order){first == EXHUNT_NO_TIME ? INT64_MAX : first, i};
    }
  if (n > 1)
    qsort(order, n, sizeof *order, cmp_att_order);
  for (size_t i = 0; i < n && !c->err; i++)
    emit_one_story(c, sink, (int)order[i].i);
  exh_free(order);
  /* Shells tied to no attacker go with the unattributed steps. */
  if (!c->err && c->unattributed >= 0) {
    for (size_t k = 0; k < c->n_shells; k++)
      if (c->shells[k].attacker < 0)
        c->shells[k].attacker = c->unattributed;
    emit_one_story(c, sink, c->unattributed);
  } else if (!c->err) {
    emit_one_story(c, sink, -1);
  }
}

/* Says which story cap was hit, for which server, and what it left out. */
static void note_caps(story_ctx *c, const exhunt_sink *sink)
{
  char reason[300];
  const char *root = c->hs->name;
  if (c->steps_left_out) {
    snprintf(reason, sizeof reason,
             "%llu log finding(s) not placed in an attacker's story: over %u addresses, or over "
             "%u records without an address, per server; they are still findings and count in "
             "the verdict",
             (unsigned long long)c->steps_left_out, EXH_STORY_MAX_ATTACKERS, EXH_STORY_MAX_STEPS);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "story-capped", root, reason};
    sink->on_notice(sink->ctx, &n);
  }
  if (c->slots_left_out) {
    snprintf(reason, sizeof reason,
             "attackers' activity kept for %u ten-minute slots; %llu later record(s) not kept "
             "for placing records without an address",
             EXH_STORY_MAX_SLOTS / 2, (unsigned long long)c->slots_left_out);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "story-slots-capped", root, reason};
    sink->on_notice(sink->ctx, &n);
  }
  if (c->scripts_left_out || c->vdir_left_out) {
    snprintf(reason, sizeof reason,
             "%llu Set-*VirtualDirectory line(s) set a script past the first %u distinct ones, "
             "and %llu line(s) came past the first %u of their kind; not looked for in the "
             "shell files",
             (unsigned long long)c->scripts_left_out, EXH_STORY_MAX_VDIR_SCRIPTS,
             (unsigned long long)c->vdir_left_out, EXH_STORY_MAX_VDIR_LINES);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "story-scripts-capped", root, reason};
    sink->on_notice(sink->ctx, &n);
  }
  if (c->shells_left_out) {
    snprintf(reason, sizeof reason,
             "%llu log finding(s) name a shell past the first %u known only from logs; not tied "
             "to a shell",
             (unsigned long long)c->shells_left_out, EXH_STORY_MAX_LOG_SHELLS);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "story-shells-capped", root, reason};
    sink->on_notice(sink->ctx, &n);
  }
}

exhunt_err exh_hunt_story(hunt_server *hs, const exh_builddb *db, int64_t now,
                          const exhunt_sink *sink)
{
  story_ctx *c = hs->story;
  if (!c)
    return EXHUNT_EINVAL;
  exhunt_err err = c->err;
  if (!err)
    place(c);
  if (!c->err)
    note_caps(c, sink);
  if (!c->err)
    emit_stories(c, sink);
  if (!c->err)
    err = exh_hunt_verdict(hs, c->shells, c->n_shells, &c->facts, db, now, sink);
  return err ? err : c->err;
}

void exh_hunt_story_free(hunt_server *hs)
{
  story_ctx *c = hs->story;
  if (!c)
    return;
  for (size_t i = 0; i < c->n_att; i++) {
    exh_free(c->att[i].ip);
    for (size_t k = 0; k < c->att[i].n_uas; k++)
      exh_free(c->att[i].uas[k].ua);
    for (size_t k = 0; k < N_KINDS; k++)
      exh_free(c->att[i].kinds[k]);
  }
  exh_free(c->att);
  exh_free(c->att_index);
  exh_free(c->slots);
  exh_free(c->held);
  for (size_t i = 0; i < c->n_shells; i++) {
    exh_free(c->shells[i].path);
    exh_free(c->shells[i].url);
  }
  exh_free(c->shells);
  exh_free(c->url_index);
  for (size_t i = 0; i < c->pool_slots; i++)
    exh_free(c->pool[i]);
  exh_free(c->pool);
  for (size_t i = 0; i < c->n_scripts; i++)
    exh_free(c->scripts[i]);
  exh_free(c->sets);
  exh_free(c->resets);
  for (size_t i = 0; i < c->n_bases; i++)
    exh_free(c->bases[i]);
  for (size_t i = 0; c->roots && i < hs->n_roots; i++)
    exh_evidence_root_unref(c->roots[i].er);
  exh_free(c->roots);
  exh_free(c);
  hs->story = NULL;
}

typedef struct acting {
  int64_t t;
  size_t i;
} acting;

static int cmp_acting(const void *a, const void *b)
{
  const acting *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

void exh_hunt_story_acting(const hunt_server *hs, char *out, size_t cap, size_t *n)
{
  const story_ctx *c = hs->story;
  *n = 0;
  if (cap)
    out[0] = '\0';
  if (!c || !c->n_att)
    return;
  acting *v = exh_calloc(c->n_att, sizeof *v);
  if (!v)
    return; /* the step then names no address */
  size_t k = 0;
  for (size_t i = 0; i < c->n_att; i++)
    if (c->att[i].ip && c->att[i].acts)
      v[k++] = (acting){c->att[i].acted == EXHUNT_NO_TIME ? INT64_MAX : c->att[i].acted, i};
  if (k > 1)
    qsort(v, k, sizeof *v, cmp_acting);
  for (size_t i = 0; i < k; i++) {
    const char *ip = c->att[v[i].i].ip;
    size_t l = strlen(out);
    if (l + strlen(ip) + 3 < cap) {
      snprintf(out + l, cap - l, "%s%s", l ? ", " : "", ip);
      ++*n;
    }
  }
  exh_free(v);
}
