/*
 * story.c - from one server's findings to its story; the verdict is
 * verdict.c's, from what the story ties together.
 *
 *  1. Steps. Every log finding becomes a step of the attacker (client IP)
 *     it names, with a kind read from its rule: probe, attempt, ssrf,
 *     vdir-reset, file-written, shell-request, command. Records without an
 *     address (ECP Server, Windows events) join the attacker active within
 *     ten minutes of them, or an "unattributed" story.
 *  2. Shells. A file flagged high or critical on disk is a shell; so is a
 *     file a log shows written (OAB download path, file-creation event) or
 *     requested (IIS/HttpProxy line to a drop folder). They are tied
 *     together by path (Windows paths in logs against paths under the
 *     root, case-insensitively), by URL, and, for the CVE-2021-27065 chain,
 *     by content: the script a Set-*VirtualDirectory line put in ExternalUrl
 *     is looked for in the shell files. A shell only logs know of is checked
 *     on disk (read-only lookups); absent, it is reported as deleted.
 *  3. Stories, one per attacker, through the sink; then verdict.c.
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "hunt/hunt_int.h"

#define ATTACH_WINDOW_SEC 600 /* IP-less records join an attacker this close */
#define VDIR_RESET_WINDOW_SEC 600
#define MAX_SHELL_READ (1024u * 1024u)
#define TEXT_MAX 512

bool exh_ids_add(hunt_ids *l, const char *id)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->ids[i], id) == 0)
      return true;
  return exh_ids_push(l, id);
}

/* Appends without the duplicate check, for lists that each record enters at
 * most once by construction: exh_ids_add's check is linear, so filling a
 * list of n with it costs n^2/2 string compares (20,000 hostile log lines:
 * two hundred million). */
bool exh_ids_push(hunt_ids *l, const char *id)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    const char **bigger = exh_reallocarray(l->ids, cap, sizeof *bigger);
    if (!bigger)
      return false;
    l->ids = bigger;
    l->cap = cap;
  }
  l->ids[l->n++] = id;
  return true;
}

static exhunt_evidence ids_view(const hunt_ids *l)
{
  exhunt_evidence e = {l->ids, l->n};
  return e;
}

typedef struct attacker {
  const char *ip;
  const char *ua;
  exhunt_story_step *steps;
  size_t n_steps, cap_steps;
  int64_t first, last;
} attacker;

typedef struct story_ctx {
  hunt_server *hs;
  const exhunt_sink *sink;
  attacker *att;
  size_t n_att, cap_att;
  hunt_shell *shells;
  size_t n_shells, cap_shells;
  size_t n_steps;          /* in all attackers: EXH_STORY_MAX_STEPS */
  size_t n_log_shells;     /* shells only logs know: EXH_STORY_MAX_LOG_SHELLS */
  uint64_t steps_left_out; /* records over a cap, not placed in a story */
  uint64_t shells_left_out;
  uint64_t scripts_left_out; /* set-vdir lines past EXH_STORY_MAX_VDIR_SCRIPTS scripts */
  /* Web folders a requested URL may sit under, found once (disk_path_of_url). */
  char *bases[EXH_STORY_MAX_WEB_BASES + 8];
  size_t n_bases;
  bool bases_done;
  exhunt_err err;
} story_ctx;

/* ---------------------------------------------------------------------- */
/* Small helpers.                                                          */

const char *exh_hunt_step_kind(const exhunt_finding *f)
{
  static const struct {
    const char *rule, *kind;
  } map[] = {
      {"exhunt.log.proxylogon_probe", "probe"},
      {"exhunt.log.cve_2021_26855_attempt", "attempt"},
      {"exhunt.log.proxyshell_attempt", "attempt"},
      {"exhunt.log.cve_2021_26855_ssrf", "ssrf"},
      {"exhunt.log.proxyshell_ssrf", "ssrf"},
      {"exhunt.log.owassrf", "ssrf"},
      {"exhunt.log.iis_ecp_js_ssrf", "ssrf"},
      {"exhunt.log.cve_2021_27065_set_vdir", "vdir-reset"},
      {"exhunt.log.cve_2021_27065_reset_vdir", "vdir-reset"},
      {"exhunt.log.cve_2021_26858_oab_write", "file-written"},
      {"exhunt.log.webshell_file_created", "file-written"},
      {"exhunt.log.proxyshell_export_to_web", "file-written"},
      {"exhunt.log.iis_webshell_request", "shell-request"},
      {"exhunt.log.iis_webshell_tunnel", "shell-request"},
      {"exhunt.log.iis_webshell_tunnel_traffic", "shell-request"},
      {"exhunt.hunt.request_to_shell", "shell-request"},
      {"exhunt.log.web_worker_child_process", "command"},
      {"exhunt.log.web_worker_unusual_child", "command"},
      {"exhunt.log.web_worker_remote_thread", "command"},
  };
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (strcmp(f->rule, map[i].rule) == 0)
      return map[i].kind;
  return "other";
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
    const char *hit = strcasestr(rel, roots[i]);
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

/* A directory under the evidence, read-only, with O_NOATIME where the
 * kernel allows it (as the walker opens them). */
static int open_dir_at(int parent, const char *name)
{
  /* The root itself may be a symlink the user gave (resolved once, as the
   * walker does); nothing below it is followed. */
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (parent == AT_FDCWD ? 0 : O_NOFOLLOW);
  int fd = openat(parent, name, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM)
    fd = openat(parent, name, flags);
  return fd;
}

/* Does root/rel exist, matching each component case-insensitively (Windows
 * evidence on Linux)? Directories are opened read-only, never followed
 * through symlinks. */
static bool exists_ci(const char *root, const char *rel)
{
  int dfd = open_dir_at(AT_FDCWD, root);
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
    int probe = dup(dfd);
    DIR *d = probe >= 0 ? fdopendir(probe) : NULL;
    if (!d) {
      if (probe >= 0)
        close(probe);
      break;
    }
    char name[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
      if (strcasecmp(e->d_name, want) == 0) {
        snprintf(name, sizeof name, "%s", e->d_name);
        break;
      }
    closedir(d);
    if (!name[0])
      break;
    if (!slash) {
      struct stat st;
      found = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
      break;
    }
    int next = open_dir_at(dfd, name);
    close(dfd);
    dfd = next;
    if (dfd < 0)
      return false;
    p = slash + 1;
  }
  close(dfd);
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
/* Attackers and steps.                                                    */

static int attacker_of(story_ctx *c, const char *ip)
{
  for (size_t i = 0; i < c->n_att; i++)
    if ((ip == NULL) == (c->att[i].ip == NULL) && (!ip || strcmp(ip, c->att[i].ip) == 0))
      return (int)i;
  if (ip && c->n_att >= EXH_STORY_MAX_ATTACKERS)
    return -1; /* add_step counts what is left out */
  if (c->n_att == c->cap_att) {
    size_t cap = c->cap_att ? c->cap_att * 2 : 8;
    attacker *bigger = exh_reallocarray(c->att, cap, sizeof *bigger);
    if (!bigger) {
      c->err = EXHUNT_ENOMEM;
      return -1;
    }
    c->att = bigger;
    c->cap_att = cap;
  }
  attacker *a = &c->att[c->n_att];
  memset(a, 0, sizeof *a);
  a->ip = ip;
  a->first = a->last = EXHUNT_NO_TIME;
  return (int)c->n_att++;
}

static void add_step(story_ctx *c, int ai, const hunt_rec *r)
{
  if (ai < 0 || c->n_steps >= EXH_STORY_MAX_STEPS) {
    if (!c->err)
      c->steps_left_out++;
    return;
  }
  attacker *a = &c->att[ai];
  if (a->n_steps == a->cap_steps) {
    size_t cap = a->cap_steps ? a->cap_steps * 2 : 16;
    exhunt_story_step *bigger = exh_reallocarray(a->steps, cap, sizeof *bigger);
    if (!bigger) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    a->steps = bigger;
    a->cap_steps = cap;
  }
  c->n_steps++;
  exhunt_story_step *s = &a->steps[a->n_steps++];
  s->time = r->f.timestamp;
  s->step = exh_hunt_step_kind(&r->f);
  s->title = r->f.title;
  s->evidence = r->id;
  s->path = r->f.path;
  s->line = r->f.line;
  if (s->time != EXHUNT_NO_TIME) {
    if (a->first == EXHUNT_NO_TIME || s->time < a->first)
      a->first = s->time;
    if (a->last == EXHUNT_NO_TIME || s->time > a->last)
      a->last = s->time;
  }
}

/* The attacker with a step nearest to t (within the attach window). */
static int nearest_attacker(const story_ctx *c, int64_t t)
{
  int best = -1;
  int64_t best_d = ATTACH_WINDOW_SEC + 1;
  if (t == EXHUNT_NO_TIME)
    return -1;
  for (size_t i = 0; i < c->n_att; i++) {
    if (!c->att[i].ip)
      continue;
    for (size_t k = 0; k < c->att[i].n_steps; k++) {
      int64_t st = c->att[i].steps[k].time;
      if (st == EXHUNT_NO_TIME)
        continue;
      int64_t d = st > t ? st - t : t - st;
      if (d < best_d) {
        best_d = d;
        best = (int)i;
      }
    }
  }
  return best;
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

/* A record's address, user agent and position, for most_common_ua. */
typedef struct ua_at {
  const char *ip, *ua;
  size_t at;
} ua_at;

static int cmp_ua_at(const void *a, const void *b)
{
  const ua_at *x = a, *y = b;
  int d = strcmp(x->ip, y->ip);
  if (!d)
    d = strcmp(x->ua, y->ua);
  return d ? d : (x->at > y->at) - (x->at < y->at);
}

/* Every record with an address and a user agent, sorted by both: each
 * attacker's most common user agent is then one run of this array (counted
 * pair by pair, one address with n records cost n^2 compares). */
static ua_at *ua_index(const story_ctx *c, size_t *n_out)
{
  const hunt_server *hs = c->hs;
  size_t n = 0;
  *n_out = 0;
  for (size_t i = 0; i < hs->n_recs; i++) {
    const exhunt_finding *f = &hs->recs[i].f;
    n += f->client_ip && f->user_agent && *f->user_agent;
  }
  ua_at *v = n ? exh_calloc(n, sizeof *v) : NULL;
  if (!v)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < hs->n_recs && k < n; i++) {
    const exhunt_finding *f = &hs->recs[i].f;
    if (f->client_ip && f->user_agent && *f->user_agent)
      v[k++] = (ua_at){f->client_ip, f->user_agent, i};
  }
  qsort(v, k, sizeof *v, cmp_ua_at);
  *n_out = k;
  return v;
}

/* The user agent of most of this address's records; on a tie, the one seen
 * first. NULL if none. */
static const char *most_common_ua(const ua_at *v, size_t n, const char *ip)
{
  size_t lo = 0, hi = n; /* first entry with this address */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(v[mid].ip, ip) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  const char *best = NULL;
  size_t best_n = 0, best_at = 0;
  for (size_t i = lo; i < n && strcmp(v[i].ip, ip) == 0;) {
    size_t j = i + 1;
    while (j < n && strcmp(v[j].ip, ip) == 0 && strcmp(v[j].ua, v[i].ua) == 0)
      j++;
    /* v[i] is the run's first occurrence */
    if (j - i > best_n || (j - i == best_n && v[i].at < best_at)) {
      best_n = j - i;
      best_at = v[i].at;
      best = v[i].ua;
    }
    i = j;
  }
  return best;
}

static void build_attackers(story_ctx *c)
{
  hunt_server *hs = c->hs;
  /* First the records with an address... */
  for (size_t i = 0; i < hs->n_recs && !c->err; i++) {
    const hunt_rec *r = &hs->recs[i];
    if (r->origin == ORIGIN_LOGS && r->f.client_ip && *r->f.client_ip)
      add_step(c, attacker_of(c, r->f.client_ip), r);
  }
  /* ...then those without one, to the attacker active at that time. */
  for (size_t i = 0; i < hs->n_recs && !c->err; i++) {
    const hunt_rec *r = &hs->recs[i];
    if (r->origin != ORIGIN_LOGS || (r->f.client_ip && *r->f.client_ip))
      continue;
    if (c->n_steps >= EXH_STORY_MAX_STEPS) { /* nothing more joins: no search */
      c->steps_left_out++;
      continue;
    }
    int ai = nearest_attacker(c, r->f.timestamp);
    add_step(c, ai >= 0 ? ai : attacker_of(c, NULL), r);
  }
  size_t n_ua = 0;
  ua_at *uas = ua_index(c, &n_ua); /* NULL: none, or no memory (no user agents then) */
  for (size_t i = 0; i < c->n_att; i++) {
    /* an attacker whose first step could not be kept has none (NULL) */
    if (c->att[i].n_steps > 1)
      qsort(c->att[i].steps, c->att[i].n_steps, sizeof *c->att[i].steps, cmp_steps);
    if (c->att[i].ip)
      c->att[i].ua = most_common_ua(uas, n_ua, c->att[i].ip);
  }
  exh_free(uas);
}

/* Which attacker a finding id belongs to, or -1. */
static int attacker_of_id(const story_ctx *c, const char *id)
{
  for (size_t i = 0; i < c->n_att; i++)
    for (size_t k = 0; k < c->att[i].n_steps; k++)
      if (strcmp(c->att[i].steps[k].evidence, id) == 0)
        return (int)i;
  return -1;
}

/* ---------------------------------------------------------------------- */
/* Shells.                                                                 */

static hunt_shell *new_shell(story_ctx *c, char *path, char *url)
{
  if (c->n_shells == c->cap_shells) {
    size_t cap = c->cap_shells ? c->cap_shells * 2 : 8;
    hunt_shell *bigger = exh_reallocarray(c->shells, cap, sizeof *bigger);
    if (!bigger) {
      exh_free(path);
      exh_free(url);
      c->err = EXHUNT_ENOMEM;
      return NULL;
    }
    c->shells = bigger;
    c->cap_shells = cap;
  }
  hunt_shell *s = &c->shells[c->n_shells++];
  memset(s, 0, sizeof *s);
  s->path = path;
  s->url = url;
  s->attacker = -1;
  return s;
}

static bool is_file_shell(const hunt_rec *r)
{
  return r->origin == ORIGIN_SCAN && r->f.severity >= EXHUNT_SEV_HIGH;
}

/* The shell at this path (either is a suffix of the other, as a log names
 * C:\... and the root is any folder above), case-insensitively. */
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

static hunt_shell *shell_by_url(story_ctx *c, const char *url, size_t n)
{
  for (size_t i = 0; i < c->n_shells; i++) {
    const char *u = c->shells[i].url;
    if (u && strlen(u) == n && strncasecmp(u, url, n) == 0)
      return &c->shells[i];
  }
  return NULL;
}

/* Where a URL would be on disk, if anywhere, under the usual folders. */
/* Tries base + url under the root; the new relative path if it exists. */
static char *try_base(const char *root, const char *base, size_t bl, const char *url, size_t n)
{
  char *rel = exh_malloc(bl + n + 1);
  if (!rel)
    return NULL;
  memcpy(rel, base, bl);
  memcpy(rel + bl, url, n);
  rel[bl + n] = '\0';
  if (exists_ci(root, rel))
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
    const char *p = hs->recs[i].f.path;
    if (!p)
      continue;
    const char *rel = exh_hunt_rel_of(hs->root, p);
    for (size_t k = 0; k < sizeof marks / sizeof *marks && c->n_bases < cap; k++) {
      const char *hit = strcasestr(rel, marks[k]);
      if (hit && (hit == rel || hit[-1] == '/'))
        add_base(c, rel, (size_t)(hit - rel) + strlen(marks[k]));
    }
  }
  for (size_t i = 0; i < hs->n_recs + hs->n_builds && c->n_bases < cap && !c->err; i++) {
    const char *p = i < hs->n_recs ? hs->recs[i].f.path : hs->builds[i - hs->n_recs].b.path;
    if (!p)
      continue;
    const char *rel = exh_hunt_rel_of(hs->root, p);
    const char *hit = strcasestr(rel, "v15/");
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
    char *found = try_base(c->hs->root, c->bases[i], strlen(c->bases[i]), url, n);
    if (found)
      return found;
  }
  return NULL;
}

/* A Set-*VirtualDirectory line and the script it set (index in scripts). */
typedef struct vdir_set {
  size_t rec, script;
} vdir_set;

/* A virtual-directory reset line, by time. */
typedef struct vdir_reset {
  int64_t time;
  size_t rec;
} vdir_reset;

static int cmp_vdir_reset(const void *a, const void *b)
{
  const vdir_reset *x = a, *y = b;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return (x->rec > y->rec) - (x->rec < y->rec);
}

static bool is_rule(const hunt_rec *r, const char *rule)
{
  return r->origin == ORIGIN_LOGS && strcmp(r->f.rule, rule) == 0;
}

/* CVE-2021-27065: the script set in a virtual directory, found in a shell
 * file, ties the file to that line and the resets after it. Each shell
 * file is read once and searched for each distinct script (at most
 * EXH_STORY_MAX_VDIR_SCRIPTS; past them a note): reading every file again
 * for every line cost lines x shells reads of up to 1 MiB (3,000 lines and
 * 300 shells: 15 s). A shell's evidence keeps the order it had: each line,
 * then the resets within VDIR_RESET_WINDOW_SEC after it. */
static void tie_vdir_scripts(story_ctx *c)
{
  const hunt_server *hs = c->hs;
  size_t n_set = 0, n_reset = 0, n_scripts = 0;
  for (size_t i = 0; i < hs->n_recs; i++) {
    const hunt_rec *r = &hs->recs[i];
    n_set +=
        is_rule(r, "exhunt.log.cve_2021_27065_set_vdir") && r->f.artifact && r->f.artifact_len >= 8;
    n_reset +=
        is_rule(r, "exhunt.log.cve_2021_27065_reset_vdir") && r->f.timestamp != EXHUNT_NO_TIME;
  }
  if (n_set == 0)
    return;
  char *scripts[EXH_STORY_MAX_VDIR_SCRIPTS];
  size_t lens[EXH_STORY_MAX_VDIR_SCRIPTS];
  bool match[EXH_STORY_MAX_VDIR_SCRIPTS];
  vdir_set *sets = exh_calloc(n_set, sizeof *sets);
  vdir_reset *resets = n_reset ? exh_calloc(n_reset, sizeof *resets) : NULL;
  bool *seen = n_reset ? exh_calloc(n_reset, sizeof *seen) : NULL;
  uint8_t *buf = exh_malloc(MAX_SHELL_READ);
  size_t k_set = 0, k_reset = 0;
  if (!sets || (n_reset && (!resets || !seen)) || !buf) {
    c->err = EXHUNT_ENOMEM;
    goto cleanup;
  }
  for (size_t i = 0; i < hs->n_recs && !c->err; i++) {
    const hunt_rec *r = &hs->recs[i];
    if (is_rule(r, "exhunt.log.cve_2021_27065_reset_vdir") && r->f.timestamp != EXHUNT_NO_TIME)
      resets[k_reset++] = (vdir_reset){r->f.timestamp, i};
    if (!is_rule(r, "exhunt.log.cve_2021_27065_set_vdir") || !r->f.artifact ||
        r->f.artifact_len < 8)
      continue;
    size_t slen;
    char *script = copy_script(r->f.artifact, r->f.artifact_len, &slen);
    if (!script) {
      c->err = EXHUNT_ENOMEM;
      break;
    }
    size_t si = 0;
    while (si < n_scripts && (lens[si] != slen || memcmp(scripts[si], script, slen) != 0))
      si++;
    if (si < n_scripts) {
      exh_free(script);
    } else if (n_scripts < EXH_STORY_MAX_VDIR_SCRIPTS) {
      scripts[n_scripts] = script;
      lens[n_scripts++] = slen;
    } else {
      exh_free(script);
      c->scripts_left_out++;
      continue;
    }
    sets[k_set++] = (vdir_set){i, si};
  }
  if (k_reset > 1)
    qsort(resets, k_reset, sizeof *resets, cmp_vdir_reset);
  for (size_t k = 0; k < c->n_shells && !c->err; k++) {
    hunt_shell *s = &c->shells[k];
    if (!s->on_disk || !s->finding)
      continue;
    bool refused;
    int fd = exh_open_evidence(s->finding->f.path, &refused);
    if (fd < 0)
      continue;
    size_t got = 0;
    ssize_t n;
    while (got < MAX_SHELL_READ && (n = read(fd, buf + got, MAX_SHELL_READ - got)) > 0)
      got += (size_t)n;
    close(fd);
    bool any = false;
    for (size_t si = 0; si < n_scripts; si++)
      any |= match[si] = lens[si] > 0 && memmem(buf, got, scripts[si], lens[si]) != NULL;
    if (!any)
      continue;
    if (seen)
      memset(seen, 0, k_reset * sizeof *seen);
    bool ok = true;
    for (size_t i = 0; i < k_set && ok; i++) {
      if (!match[sets[i].script])
        continue;
      const hunt_rec *r = &hs->recs[sets[i].rec];
      ok = exh_ids_push(&s->planted_by, r->id); /* each line once per hunt_shell */
      if (r->f.timestamp == EXHUNT_NO_TIME)
        continue;
      size_t lo = 0, hi = k_reset; /* the first reset at or after the line */
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (resets[mid].time < r->f.timestamp)
          lo = mid + 1;
        else
          hi = mid;
      }
      for (size_t j = lo;
           ok && j < k_reset && resets[j].time - r->f.timestamp <= VDIR_RESET_WINDOW_SEC; j++) {
        if (!seen[j]) {
          seen[j] = true;
          ok = exh_ids_push(&s->planted_by, hs->recs[resets[j].rec].id);
        }
      }
    }
    if (!ok)
      c->err = EXHUNT_ENOMEM;
  }
cleanup:
  for (size_t si = 0; si < n_scripts; si++)
    exh_free(scripts[si]);
  exh_free(sets);
  exh_free(resets);
  exh_free(seen);
  exh_free(buf);
}

static void build_shells(story_ctx *c)
{
  hunt_server *hs = c->hs;
  /* Files on disk. */
  for (size_t i = 0; i < hs->n_recs && !c->err; i++) {
    const hunt_rec *r = &hs->recs[i];
    if (!is_file_shell(r) || !r->f.path)
      continue;
    const char *rel = exh_hunt_rel_of(hs->root, r->f.path);
    if (shell_by_path(c, rel))
      continue;
    char *path = exh_strdup(rel);
    char *url = path ? exh_hunt_url_of(rel) : NULL;
    if (!path) {
      c->err = EXHUNT_ENOMEM;
      return;
    }
    hunt_shell *s = new_shell(c, path, url);
    if (s) {
      s->on_disk = true;
      s->finding = r;
    }
  }
  /* Files the logs show written, and requested. */
  for (size_t i = 0; i < hs->n_recs && !c->err; i++) {
    const hunt_rec *r = &hs->recs[i];
    if (r->origin != ORIGIN_LOGS || !r->f.artifact || !r->f.artifact_len)
      continue;
    const char *kind = exh_hunt_step_kind(&r->f);
    if (strcmp(kind, "file-written") == 0) {
      /* Only an artifact that is a Windows path names the file (a
       * ProxyShell export artifact may be the whole cmdlet line). */
      const char *a = r->f.artifact;
      size_t an = r->f.artifact_len;
      while (an && (*a == '"' || *a == '\'' || *a == ' ')) {
        a++;
        an--;
      }
      bool drive = an >= 3 && a[1] == ':' && a[2] == '\\';
      bool unc = an >= 2 && a[0] == '\\' && a[1] == '\\';
      if (!drive && !unc)
        continue;
      char *norm = normalise_windows_path(r->f.artifact, r->f.artifact_len);
      if (!norm)
        continue;
      hunt_shell *s = shell_by_path(c, norm);
      if (!s && c->n_log_shells >= EXH_STORY_MAX_LOG_SHELLS) {
        c->shells_left_out++;
        exh_free(norm);
        continue;
      }
      if (!s) {
        c->n_log_shells++;
        char *url = exh_hunt_url_of(norm);
        bool present = exists_ci(hs->root, norm);
        s = new_shell(c, norm, url);
        if (s)
          s->on_disk = present;
      } else {
        exh_free(norm);
      }
      /* each record is visited once here and lands in one hunt_shell */
      if (s && !exh_ids_push(&s->planted_by, r->id))
        c->err = EXHUNT_ENOMEM;
    } else if (strcmp(kind, "shell-request") == 0 && r->f.artifact[0] == '/') {
      size_t n = r->f.artifact_len;
      const char *q = memchr(r->f.artifact, '?', n);
      if (q)
        n = (size_t)(q - r->f.artifact);
      hunt_shell *s = shell_by_url(c, r->f.artifact, n);
      if (!s && c->n_log_shells >= EXH_STORY_MAX_LOG_SHELLS) {
        c->shells_left_out++;
        continue;
      }
      if (!s) {
        c->n_log_shells++;
        char *url = exh_strndup(r->f.artifact, n);
        char *path = url ? disk_path_of_url(c, url, n) : NULL;
        if (!url) {
          c->err = EXHUNT_ENOMEM;
          return;
        }
        s = new_shell(c, path, url);
        if (s)
          s->on_disk = path != NULL;
      }
      if (s && !exh_ids_push(&s->requests, r->id))
        c->err = EXHUNT_ENOMEM;
      if (s && r->f.outcome && strcmp(r->f.outcome, "exploited") == 0)
        s->ok_requests++;
    }
  }
  tie_vdir_scripts(c);
  if (c->err)
    return;
  /* Each shell to the first attacker its evidence names. */
  for (size_t k = 0; k < c->n_shells; k++) {
    hunt_shell *s = &c->shells[k];
    for (size_t j = 0; j < s->planted_by.n && s->attacker < 0; j++)
      s->attacker = attacker_of_id(c, s->planted_by.ids[j]);
    for (size_t j = 0; j < s->requests.n && s->attacker < 0; j++)
      s->attacker = attacker_of_id(c, s->requests.ids[j]);
    if (s->attacker >= 0 && !c->att[s->attacker].ip)
      s->attacker = -1;
  }
}

/* ---------------------------------------------------------------------- */
/* Output.                                                                 */

static void emit_one_story(story_ctx *c, int ai)
{
  size_t n_sh = 0;
  for (size_t k = 0; k < c->n_shells; k++)
    n_sh += c->shells[k].attacker == ai;
  const attacker *a = ai >= 0 ? &c->att[ai] : NULL;
  if (!a && n_sh == 0)
    return;
  exhunt_story_shell *sh = n_sh ? exh_calloc(n_sh, sizeof *sh) : NULL;
  if (n_sh && !sh) {
    c->err = EXHUNT_ENOMEM;
    return;
  }
  size_t j = 0;
  for (size_t k = 0; k < c->n_shells; k++) {
    const hunt_shell *s = &c->shells[k];
    if (s->attacker != ai)
      continue;
    sh[j].path = s->path ? s->path : s->url;
    sh[j].url = s->url;
    sh[j].on_disk = s->on_disk;
    sh[j].finding = s->finding ? s->finding->id : NULL;
    sh[j].planted_by = ids_view(&s->planted_by);
    sh[j].requests = ids_view(&s->requests);
    j++;
  }
  exhunt_story st = {c->hs->root,
                     a ? a->ip : NULL,
                     a ? a->ua : NULL,
                     a ? a->first : EXHUNT_NO_TIME,
                     a ? a->last : EXHUNT_NO_TIME,
                     a ? a->steps : NULL,
                     a ? a->n_steps : 0,
                     sh,
                     n_sh};
  c->sink->on_story(c->sink->ctx, &st);
  exh_free(sh);
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
static void emit_stories(story_ctx *c)
{
  if (!c->sink->on_story)
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
  /* up to EXH_STORY_MAX_ATTACKERS of them: by first activity, then index */
  if (n > 1) /* order is NULL when there is no attacker */
    qsort(order, n, sizeof *order, cmp_att_order);
  for (size_t i = 0; i < n && !c->err; i++)
    emit_one_story(c, (int)order[i].i);
  exh_free(order);
  int unattributed = -1;
  for (size_t i = 0; i < c->n_att; i++)
    if (!c->att[i].ip)
      unattributed = (int)i;
  /* Shells tied to no attacker go with the unattributed steps (attacker
   * index -1 in the shell, matched by emit_one_story(-1)); the IP-less
   * steps themselves live in att[unattributed]. */
  if (!c->err && unattributed >= 0) {
    for (size_t k = 0; k < c->n_shells; k++)
      if (c->shells[k].attacker < 0)
        c->shells[k].attacker = unattributed;
    emit_one_story(c, unattributed);
  } else if (!c->err) {
    emit_one_story(c, -1);
  }
}

/* Says which story cap was hit, for which server, and what it left out. */
static void note_caps(story_ctx *c)
{
  char reason[256];
  if (!c->sink->on_notice)
    return;
  if (c->steps_left_out) {
    snprintf(reason, sizeof reason,
             "%llu log finding(s) not placed in an attacker's story: over %u steps or %u "
             "addresses per server; they are still findings and count in the verdict",
             (unsigned long long)c->steps_left_out, EXH_STORY_MAX_STEPS, EXH_STORY_MAX_ATTACKERS);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "story-capped", c->hs->root, reason};
    c->sink->on_notice(c->sink->ctx, &n);
  }
  if (c->scripts_left_out) {
    snprintf(reason, sizeof reason,
             "%llu Set-*VirtualDirectory line(s) set a script past the first %u distinct "
             "ones; not looked for in the shell files",
             (unsigned long long)c->scripts_left_out, EXH_STORY_MAX_VDIR_SCRIPTS);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "story-scripts-capped", c->hs->root,
                       reason};
    c->sink->on_notice(c->sink->ctx, &n);
  }
  if (c->shells_left_out) {
    snprintf(reason, sizeof reason,
             "%llu log finding(s) name a shell past the first %u known only from logs; not tied "
             "to a shell",
             (unsigned long long)c->shells_left_out, EXH_STORY_MAX_LOG_SHELLS);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "story-shells-capped", c->hs->root,
                       reason};
    c->sink->on_notice(c->sink->ctx, &n);
  }
}

exhunt_err exh_hunt_story(hunt_server *hs, const exh_builddb *db, int64_t now,
                          const exhunt_sink *sink)
{
  story_ctx c;
  memset(&c, 0, sizeof c);
  c.hs = hs;
  c.sink = sink;
  exhunt_err err = EXHUNT_OK;
  build_attackers(&c);
  if (!c.err)
    build_shells(&c);
  if (!c.err)
    note_caps(&c);
  if (!c.err)
    emit_stories(&c);
  if (!c.err)
    err = exh_hunt_verdict(hs, c.shells, c.n_shells, db, now, sink);
  if (!err)
    err = c.err;
  for (size_t i = 0; i < c.n_att; i++)
    exh_free(c.att[i].steps);
  exh_free(c.att);
  for (size_t i = 0; i < c.n_shells; i++) {
    exh_free(c.shells[i].path);
    exh_free(c.shells[i].url);
    exh_free(c.shells[i].planted_by.ids);
    exh_free(c.shells[i].requests.ids);
  }
  exh_free(c.shells);
  for (size_t i = 0; i < c.n_bases; i++)
    exh_free(c.bases[i]);
  return err;
}
