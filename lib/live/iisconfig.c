/*
 * iisconfig.c - applicationHost.config from a byte span (iisconfig.h).
 *
 * One forward pass of a small tokenizer: text is skipped to the next '<';
 * comments, CDATA, processing instructions and a DOCTYPE are skipped whole;
 * a start tag gives its name and the few attributes read here, as views
 * into the input; an end tag pops the element stack to its match (a
 * stray one is ignored, as a forgiving reader must). The stack holds the
 * names of the open elements to EXH_IIS_MAX_DEPTH; deeper ones are only
 * counted, so nesting costs no memory and no recursion. Where an element
 * stands is told by its parents' names (a <virtualDirectory> counts in an
 * <application> of a <site> of <sites>), so the same names elsewhere
 * (<location>, <system.webServer>) are never taken for sites.
 *
 * The log folders are settled at the end: <siteDefaults> comes after the
 * sites in a real file, and a site's own <logFile> overrides it.
 */
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/ascii.h"
#include "core/dynbuf.h"
#include "core/limits.h"
#include "live/iisconfig.h"
#include "platform/strext.h"

#define NONE ((size_t)-1)
#define DEFAULT_LOG_DIR "%SystemDrive%\\inetpub\\logs\\LogFiles"
/* A variable name longer than this is no variable Windows sets. */
#define MAX_VAR_NAME 255u

/* A <logFile> (or <centralW3CLogFile>) as written: views into the input,
 * p NULL when the attribute is absent. */
typedef struct log_attrs {
  exh_view dir, enabled, format;
  uint64_t line;
} log_attrs;

/* The attributes of a start tag that this reader looks at. */
typedef struct attrs {
  exh_view name, id, path, physical, directory, enabled, format, mode;
} attrs;

typedef struct parser {
  const char *start, *p, *end;
  const char *line_at; /* line numbers are counted forward from here */
  uint64_t line;
  exh_view stack[EXH_IIS_MAX_DEPTH];
  size_t depth; /* open elements; names kept for the first EXH_IIS_MAX_DEPTH */
  exhunt_env_lookup lookup;
  void *ctx;
  exh_iis_config *out;
  log_attrs *site_logs; /* parallel to out->sites */
  size_t cap_sites, cap_logs, cap_dirs;
  log_attrs defaults, central;
  size_t cur_site; /* the open <site>'s index, NONE if it was left out */
  exh_view cur_app;
  exhunt_err err;
} parser;

/* ---------------------------------------------------------------------- */
/* Small helpers.                                                          */

static bool view_is(exh_view v, const char *lit)
{
  size_t n = strlen(lit);
  return v.p && v.n == n && memcmp(v.p, lit, n) == 0;
}

static bool view_is_ci(exh_view v, const char *lit)
{
  size_t n = strlen(lit);
  return v.p && v.n == n && strncasecmp(v.p, lit, n) == 0;
}

/* The line of position q (from 1); positions asked for never go back. */
static uint64_t line_of(parser *ps, const char *q)
{
  const char *s = ps->line_at;
  while (s < q) {
    const char *nl = memchr(s, '\n', (size_t)(q - s));
    if (!nl)
      break;
    ps->line++;
    s = nl + 1;
  }
  ps->line_at = s;
  return ps->line;
}

/* The name of the open element k levels up (0: the parent of what comes
 * next); an empty view above the top or past the names kept. */
static exh_view up(const parser *ps, size_t k)
{
  if (k >= ps->depth || ps->depth - 1 - k >= EXH_IIS_MAX_DEPTH)
    return (exh_view){NULL, 0};
  return ps->stack[ps->depth - 1 - k];
}

static void truncated(parser *ps)
{
  ps->out->truncated = true;
  ps->out->end_line = line_of(ps, ps->end);
  ps->p = ps->end;
}

/* Appends the UTF-8 form of code point cp to out; false if it is none
 * (0, a surrogate, past U+10FFFF). */
static bool put_utf8(char **out, uint32_t cp)
{
  char *o = *out;
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return false;
  if (cp < 0x80) {
    *o++ = (char)cp;
  } else if (cp < 0x800) {
    *o++ = (char)(0xC0 | (cp >> 6));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = (char)(0xE0 | (cp >> 12));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *o++ = (char)(0xF0 | (cp >> 18));
    *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  }
  *out = o;
  return true;
}

/* One entity at s (s[0] == '&', before end) written to *out; how many
 * input bytes it took, 0 if it is none (then '&' stands as written). An
 * entity is never longer in UTF-8 than as written ("&#x10FFFF;", 10 bytes,
 * is 4), so the decoded value fits in the input's length. */
static size_t entity(const char *s, const char *end, char **out)
{
  static const struct {
    const char *name;
    char ch;
  } named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
  size_t avail = (size_t)(end - s);
  for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
    size_t n = strlen(named[i].name);
    if (avail > n && memcmp(s + 1, named[i].name, n) == 0) {
      *(*out)++ = named[i].ch;
      return n + 1;
    }
  }
  if (avail < 4 || s[1] != '#')
    return 0;
  bool hex = s[2] == 'x' || s[2] == 'X';
  size_t i = hex ? 3 : 2, digits = 0;
  uint32_t cp = 0;
  for (; i < avail && s[i] != ';'; i++, digits++) {
    int d = hex ? exh_hexval((unsigned char)s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
    if (d < 0 || digits >= 8)
      return 0;
    cp = cp * (hex ? 16u : 10u) + (uint32_t)d;
  }
  if (i >= avail || digits == 0 || !put_utf8(out, cp))
    return 0;
  return i + 1;
}

/* An attribute's value, XML-decoded, as a new string (NULL: no memory). */
static char *decode(exh_view v)
{
  char *s = exh_malloc(v.n + 1);
  if (!s)
    return NULL;
  char *o = s;
  const char *p = v.p, *end = v.p + v.n;
  while (p < end) {
    size_t took = *p == '&' ? entity(p, end, &o) : 0;
    if (took) {
      p += took;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return s;
}

char *exh_iis_expand(const char *in, size_t len, exhunt_env_lookup lookup, void *ctx,
                     char **unresolved, bool *too_long)
{
  exh_dynbuf b;
  exh_dynbuf_init(&b, EXH_MAX_PATH);
  *unresolved = NULL;
  *too_long = false;
  exhunt_err err = EXHUNT_OK;
  const char *p = in, *end = in + len;
  while (p < end && !err) {
    const char *pct = memchr(p, '%', (size_t)(end - p));
    const char *close = pct ? memchr(pct + 1, '%', (size_t)(end - pct - 1)) : NULL;
    if (!close) {
      err = exh_dynbuf_add(&b, p, (size_t)(end - p));
      break;
    }
    if ((err = exh_dynbuf_add(&b, p, (size_t)(pct - p))) != EXHUNT_OK)
      break;
    size_t n = (size_t)(close - pct - 1);
    const char *value = NULL;
    if (n > 0 && n <= MAX_VAR_NAME && lookup) {
      char name[MAX_VAR_NAME + 1];
      memcpy(name, pct + 1, n);
      name[n] = '\0';
      value = lookup(ctx, name);
    }
    if (value) {
      err = exh_dynbuf_adds(&b, value);
    } else {
      /* left as written, as Windows leaves it */
      err = exh_dynbuf_add(&b, pct, n + 2);
      if (!err && n > 0 && !*unresolved && !(*unresolved = exh_strndup(pct, n + 2)))
        err = EXHUNT_ENOMEM;
    }
    p = close + 1;
  }
  char *s = NULL;
  if (!err)
    s = b.data ? b.data : exh_strdup("");
  else
    exh_dynbuf_free(&b);
  if (!s) {
    *too_long = err == EXHUNT_ELIMIT;
    exh_free(*unresolved);
    *unresolved = NULL;
  }
  return s;
}

/* A decoded and expanded path; false only when out of memory. */
static bool path_of(parser *ps, exh_view v, char **path, char **unresolved)
{
  *path = *unresolved = NULL;
  char *raw = decode(v);
  if (!raw)
    return false;
  bool too_long;
  *path = exh_iis_expand(raw, strlen(raw), ps->lookup, ps->ctx, unresolved, &too_long);
  exh_free(raw);
  return *path || too_long;
}

/* ---------------------------------------------------------------------- */
/* The elements read.                                                      */

static void add_site(parser *ps, const attrs *a, uint64_t line)
{
  exh_iis_config *c = ps->out;
  ps->cur_site = NONE;
  if (c->n_sites == EXH_IIS_MAX_SITES) {
    c->sites_left_out++;
    return;
  }
  exh_iis_site *sites = exh_grow(c->sites, c->n_sites, &ps->cap_sites, 16, sizeof *sites);
  if (sites)
    c->sites = sites;
  log_attrs *logs = exh_grow(ps->site_logs, c->n_sites, &ps->cap_logs, 16, sizeof *logs);
  if (logs)
    ps->site_logs = logs;
  if (!sites || !logs) {
    ps->err = EXHUNT_ENOMEM;
    return;
  }
  exh_iis_site *s = &c->sites[c->n_sites];
  memset(s, 0, sizeof *s);
  memset(&ps->site_logs[c->n_sites], 0, sizeof *logs);
  s->line = line;
  s->name = a->name.p ? decode(a->name) : exh_strdup("");
  if (!s->name) {
    ps->err = EXHUNT_ENOMEM;
    return;
  }
  /* IIS's ids are unsigned 32-bit decimals */
  uint64_t id = 0;
  bool ok = a->id.p && a->id.n > 0 && a->id.n <= 10;
  for (size_t i = 0; ok && i < a->id.n; i++) {
    ok = a->id.p[i] >= '0' && a->id.p[i] <= '9';
    id = id * 10 + (uint64_t)(a->id.p[i] - '0');
  }
  s->has_id = ok && id <= UINT32_MAX;
  s->id = s->has_id ? (uint32_t)id : 0;
  ps->cur_site = c->n_sites++;
}

static void add_dir(parser *ps, const attrs *a, uint64_t line)
{
  exh_iis_config *c = ps->out;
  if (ps->cur_site == NONE || !a->physical.p)
    return;
  if (c->n_dirs == EXH_IIS_MAX_DIRS) {
    c->dirs_left_out++;
    return;
  }
  exh_iis_dir *dirs = exh_grow(c->dirs, c->n_dirs, &ps->cap_dirs, 32, sizeof *dirs);
  if (!dirs) {
    ps->err = EXHUNT_ENOMEM;
    return;
  }
  c->dirs = dirs;
  exh_iis_dir *d = &c->dirs[c->n_dirs];
  memset(d, 0, sizeof *d);
  d->site = ps->cur_site;
  d->line = line;
  c->n_dirs++; /* freed with the config whatever happens next */
  d->app = ps->cur_app.p ? decode(ps->cur_app) : exh_strdup("");
  d->vdir = a->path.p ? decode(a->path) : exh_strdup("");
  if (!d->app || !d->vdir || !path_of(ps, a->physical, &d->path, &d->unresolved))
    ps->err = EXHUNT_ENOMEM;
}

static void keep_log(log_attrs *l, const attrs *a, uint64_t line)
{
  if (a->directory.p) {
    l->dir = a->directory;
    l->line = line;
  }
  if (a->enabled.p)
    l->enabled = a->enabled;
  if (a->format.p)
    l->format = a->format;
}

/* A start tag's meaning, from its name and its parents' (before it is
 * pushed). */
static void element(parser *ps, exh_view name, const attrs *a, uint64_t line)
{
  if (ps->depth == 0 && view_is(name, "configuration")) {
    ps->out->seen_root = true;
    return;
  }
  exh_view p0 = up(ps, 0), p1 = up(ps, 1), p2 = up(ps, 2);
  if (view_is(name, "site") && view_is(p0, "sites") && view_is(p1, "system.applicationHost")) {
    add_site(ps, a, line);
  } else if (view_is(name, "application") && view_is(p0, "site") && view_is(p1, "sites")) {
    ps->cur_app = a->path;
  } else if (view_is(name, "virtualDirectory") && view_is(p0, "application") &&
             view_is(p1, "site") && view_is(p2, "sites")) {
    add_dir(ps, a, line);
  } else if (view_is(name, "logFile") && view_is(p0, "site") && view_is(p1, "sites")) {
    if (ps->cur_site != NONE)
      keep_log(&ps->site_logs[ps->cur_site], a, line);
  } else if (view_is(name, "logFile") && view_is(p0, "siteDefaults") && view_is(p1, "sites")) {
    keep_log(&ps->defaults, a, line);
  } else if (view_is(name, "log") && view_is(p0, "system.applicationHost")) {
    if (a->mode.p)
      ps->out->central = view_is_ci(a->mode, "CentralW3C");
  } else if (view_is(name, "centralW3CLogFile") && view_is(p0, "log") &&
             view_is(p1, "system.applicationHost")) {
    keep_log(&ps->central, a, line);
  }
}

/* ---------------------------------------------------------------------- */
/* The tokenizer.                                                          */

static bool is_name_end(char c)
{
  return exh_is_space((unsigned char)c) || c == '>' || c == '/' || c == '=';
}

static void keep_attr(attrs *a, exh_view name, exh_view value)
{
  static const struct {
    const char *name;
    size_t off;
  } wanted[] = {
      {"name", offsetof(attrs, name)},           {"id", offsetof(attrs, id)},
      {"path", offsetof(attrs, path)},           {"physicalPath", offsetof(attrs, physical)},
      {"directory", offsetof(attrs, directory)}, {"enabled", offsetof(attrs, enabled)},
      {"logFormat", offsetof(attrs, format)},    {"centralLogFileMode", offsetof(attrs, mode)},
  };
  for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++)
    if (view_is(name, wanted[i].name)) {
      *(exh_view *)((char *)a + wanted[i].off) = value;
      return;
    }
}

/* A start tag at ps->p ('<' and a name): its attributes, its meaning,
 * then pushed unless it closes itself. */
static void start_tag(parser *ps)
{
  const char *lt = ps->p, *q = lt + 1, *end = ps->end;
  while (q < end && !is_name_end(*q))
    q++;
  exh_view name = {lt + 1, (size_t)(q - lt - 1)};
  attrs a;
  memset(&a, 0, sizeof a);
  bool closed = false;
  for (;;) {
    while (q < end && exh_is_space((unsigned char)*q))
      q++;
    if (q >= end) {
      truncated(ps);
      return;
    }
    if (*q == '>') {
      q++;
      break;
    }
    if (*q == '/') {
      if (q + 1 < end && q[1] == '>') {
        closed = true;
        q += 2;
        break;
      }
      q++;
      continue;
    }
    const char *an = q;
    while (q < end && !is_name_end(*q))
      q++;
    exh_view aname = {an, (size_t)(q - an)};
    if (q == an) /* a lone '=': skipped */
      q++;
    while (q < end && exh_is_space((unsigned char)*q))
      q++;
    if (q >= end || *q != '=')
      continue; /* an attribute without a value */
    q++;
    while (q < end && exh_is_space((unsigned char)*q))
      q++;
    if (q >= end) {
      truncated(ps);
      return;
    }
    exh_view value;
    if (*q == '"' || *q == '\'') {
      const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
      if (!close) {
        truncated(ps);
        return;
      }
      value = (exh_view){q + 1, (size_t)(close - q - 1)};
      q = close + 1;
    } else { /* unquoted, as no XML has it: up to a blank or '>' */
      const char *v = q;
      while (q < end && !exh_is_space((unsigned char)*q) && *q != '>')
        q++;
      value = (exh_view){v, (size_t)(q - v)};
    }
    keep_attr(&a, aname, value);
  }
  uint64_t line = line_of(ps, lt);
  element(ps, name, &a, line);
  ps->p = q;
  if (closed)
    return;
  if (ps->depth < EXH_IIS_MAX_DEPTH)
    ps->stack[ps->depth] = name;
  else
    ps->out->too_deep++;
  ps->depth++;
}

/* An end tag at ps->p ("</"): pops to its element, if it is open. */
static void end_tag(parser *ps)
{
  const char *q = ps->p + 2, *end = ps->end;
  const char *gt = memchr(q, '>', (size_t)(end - q));
  if (!gt) {
    truncated(ps);
    return;
  }
  const char *n = q;
  while (n < gt && !is_name_end(*n))
    n++;
  exh_view name = {q, (size_t)(n - q)};
  ps->p = gt + 1;
  if (ps->depth == 0)
    return;
  if (ps->depth > EXH_IIS_MAX_DEPTH) { /* names not kept down there */
    ps->depth--;
    return;
  }
  for (size_t i = ps->depth; i-- > 0;) {
    if (ps->stack[i].n != name.n || memcmp(ps->stack[i].p, name.p, name.n) != 0)
      continue;
    /* every element above it closes with it */
    for (size_t k = i; k < ps->depth; k++) {
      if (view_is(ps->stack[k], "site"))
        ps->cur_site = NONE;
      if (view_is(ps->stack[k], "site") || view_is(ps->stack[k], "application"))
        ps->cur_app = (exh_view){NULL, 0};
    }
    ps->depth = i;
    return;
  }
}

/* Skips markup at ps->p that opens with `open` up to `close`. */
static void skip_to(parser *ps, size_t open_len, const char *close)
{
  const char *from = ps->p + open_len;
  const char *hit = exh_memmem(from, (size_t)(ps->end - from), close, strlen(close));
  if (!hit) {
    truncated(ps);
    return;
  }
  ps->p = hit + strlen(close);
}

/* <!DOCTYPE ...> with an internal subset in [...]: to the '>' past it. */
static void skip_declaration(parser *ps)
{
  int brackets = 0;
  for (const char *q = ps->p + 2; q < ps->end; q++) {
    if (*q == '[')
      brackets++;
    else if (*q == ']' && brackets > 0)
      brackets--;
    else if (*q == '>' && brackets == 0) {
      ps->p = q + 1;
      return;
    }
  }
  truncated(ps);
}

static bool starts(const parser *ps, const char *lit)
{
  size_t n = strlen(lit);
  return (size_t)(ps->end - ps->p) >= n && memcmp(ps->p, lit, n) == 0;
}

static void tokenize(parser *ps)
{
  while (ps->p < ps->end && !ps->err) {
    const char *lt = memchr(ps->p, '<', (size_t)(ps->end - ps->p));
    if (!lt)
      break;
    ps->p = lt;
    if (starts(ps, "<!--"))
      skip_to(ps, 4, "-->");
    else if (starts(ps, "<![CDATA["))
      skip_to(ps, 9, "]]>");
    else if (starts(ps, "<?"))
      skip_to(ps, 2, "?>");
    else if (starts(ps, "<!"))
      skip_declaration(ps);
    else if (starts(ps, "</"))
      end_tag(ps);
    else if (ps->p + 1 < ps->end && !is_name_end(ps->p[1]) && ps->p[1] != '<')
      start_tag(ps);
    else
      ps->p++; /* a '<' that opens nothing */
  }
}

/* ---------------------------------------------------------------------- */
/* The log folders, once every site and the defaults are known.            */

static void settle_log(parser *ps, exh_iis_site *s, const log_attrs *own)
{
  exh_iis_config *c = ps->out;
  const log_attrs *from;
  if (c->central) {
    from = &ps->central;
    s->log_from = EXH_IIS_LOG_CENTRAL;
  } else if (own->dir.p) {
    from = own;
    s->log_from = EXH_IIS_LOG_SITE;
  } else if (ps->defaults.dir.p) {
    from = &ps->defaults;
    s->log_from = EXH_IIS_LOG_DEFAULTS;
  } else {
    from = &ps->defaults;
    s->log_from = EXH_IIS_LOG_DEFAULT;
  }
  s->log_line = from->dir.p ? from->line : 0;
  exh_view enabled =
      c->central ? ps->central.enabled : (own->enabled.p ? own->enabled : ps->defaults.enabled);
  s->log_off = view_is_ci(enabled, "false");
  exh_view format = own->format.p ? own->format : ps->defaults.format;
  if (!c->central && format.p && !view_is_ci(format, "W3C")) {
    if (!(s->log_format = decode(format))) {
      ps->err = EXHUNT_ENOMEM;
      return;
    }
  }
  if (s->log_off || (!c->central && !s->has_id))
    return;
  char *dir = NULL;
  if (from->dir.p) {
    if (!path_of(ps, from->dir, &dir, &s->log_unresolved)) {
      ps->err = EXHUNT_ENOMEM;
      return;
    }
  } else {
    bool too_long;
    dir = exh_iis_expand(DEFAULT_LOG_DIR, strlen(DEFAULT_LOG_DIR), ps->lookup, ps->ctx,
                         &s->log_unresolved, &too_long);
    if (!dir && !too_long) {
      ps->err = EXHUNT_ENOMEM;
      return;
    }
  }
  if (!dir)
    return; /* too long */
  size_t n = strlen(dir);
  while (n > 0 && (dir[n - 1] == '\\' || dir[n - 1] == '/'))
    n--;
  exh_dynbuf b;
  exh_dynbuf_init(&b, EXH_MAX_PATH);
  exhunt_err err = exh_dynbuf_add(&b, dir, n);
  if (!err)
    err = c->central ? exh_dynbuf_adds(&b, "\\W3SVC")
                     : exh_dynbuf_addf(&b, "\\W3SVC%lu", (unsigned long)s->id);
  exh_free(dir);
  if (err) {
    exh_dynbuf_free(&b);
    if (err != EXHUNT_ELIMIT)
      ps->err = err;
    return;
  }
  s->log_dir = b.data;
}

exhunt_err exh_iis_config_parse(const uint8_t *data, size_t len, exhunt_env_lookup lookup,
                                void *ctx, exh_iis_config *out)
{
  if (!out)
    return EXHUNT_EINVAL;
  memset(out, 0, sizeof *out);
  if (!data && len)
    return EXHUNT_EINVAL;
  if (len > EXH_IIS_MAX_CONFIG)
    return EXHUNT_ELIMIT;
  if (len >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF)))
    return EXHUNT_EUNSUPPORTED;
  parser *ps = exh_calloc(1, sizeof *ps);
  if (!ps)
    return EXHUNT_ENOMEM;
  const char *text = (const char *)data;
  if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) { /* UTF-8's BOM */
    text += 3;
    len -= 3;
  }
  ps->start = ps->p = ps->line_at = text;
  ps->end = text + len;
  ps->line = 1;
  ps->lookup = lookup;
  ps->ctx = ctx;
  ps->out = out;
  ps->cur_site = NONE;
  if (len)
    tokenize(ps);
  for (size_t i = 0; i < out->n_sites && !ps->err; i++)
    settle_log(ps, &out->sites[i], &ps->site_logs[i]);
  exhunt_err err = ps->err;
  exh_free(ps->site_logs);
  exh_free(ps);
  return err;
}

void exh_iis_config_free(exh_iis_config *c)
{
  if (!c)
    return;
  for (size_t i = 0; i < c->n_sites; i++) {
    exh_free(c->sites[i].name);
    exh_free(c->sites[i].log_dir);
    exh_free(c->sites[i].log_unresolved);
    exh_free(c->sites[i].log_format);
  }
  exh_free(c->sites);
  for (size_t i = 0; i < c->n_dirs; i++) {
    exh_free(c->dirs[i].path);
    exh_free(c->dirs[i].unresolved);
    exh_free(c->dirs[i].app);
    exh_free(c->dirs[i].vdir);
  }
  exh_free(c->dirs);
  memset(c, 0, sizeof *c);
}
