/*
 * fuzz_iisconfig.c - libFuzzer target: the applicationHost.config reader
 * (lib/live/iisconfig.c) and the live plan made from it (lib/live/plan.c)
 * on arbitrary bytes. Beyond memory safety it checks the contract: counts
 * within their caps, every folder tied to a site that exists, log folders
 * named W3SVC; every root of the plan a plain local path in the library's
 * form, and every other place inside the root it names.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "exhunt/live.h"
#include "live/iisconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few variables, one of them long enough to make paths too long. */
static const char *lookup(void *ctx, const char *name)
{
  static char longest[EXH_MAX_PATH];
  (void)ctx;
  if (strcasecmp(name, "SystemDrive") == 0)
    return "C:";
  if (strcasecmp(name, "SystemRoot") == 0)
    return "C:\\Windows";
  if (strcasecmp(name, "ExchangeInstallPath") == 0)
    return "D:\\Exchange\\";
  if (strcasecmp(name, "LONG") == 0) {
    memset(longest, 'x', sizeof longest - 1);
    return longest;
  }
  return NULL;
}

static void check_config(const exh_iis_config *c)
{
  if (c->n_sites > EXH_IIS_MAX_SITES || c->n_dirs > EXH_IIS_MAX_DIRS)
    __builtin_trap();
  for (size_t i = 0; i < c->n_dirs; i++) {
    const exh_iis_dir *d = &c->dirs[i];
    if (d->site >= c->n_sites || !d->app || !d->vdir)
      __builtin_trap();
    if (d->path && strlen(d->path) > EXH_MAX_PATH)
      __builtin_trap();
  }
  for (size_t i = 0; i < c->n_sites; i++) {
    const exh_iis_site *s = &c->sites[i];
    if (!s->name || (s->log_dir && (s->log_off || !strstr(s->log_dir, "\\W3SVC"))))
      __builtin_trap();
  }
}

static void check_plan(const exhunt_live_plan *p)
{
  size_t roots = 0;
  for (size_t i = 0; i < p->n_places; i++) {
    const exhunt_live_place *pl = &p->places[i];
    const char *s = pl->path;
    size_t n = strlen(s);
    bool drive = n >= 3 && s[1] == ':' && s[2] == '/' && s[0] >= 'A' && s[0] <= 'Z';
    if (!drive || strstr(s, "//") || (n > 3 && s[n - 1] == '/') || strstr(s, "\\"))
      __builtin_trap();
    if (pl->within == EXHUNT_LIVE_ROOT) {
      if (roots >= p->n_roots || p->roots[roots++] != pl->path)
        __builtin_trap();
      continue;
    }
    if (pl->within == EXHUNT_LIVE_LEFT_OUT)
      continue;
    if (pl->within >= p->n_places || p->places[pl->within].within != EXHUNT_LIVE_ROOT)
      __builtin_trap();
    const char *r = p->places[pl->within].path;
    size_t rn = strlen(r);
    if (strncasecmp(s, r, rn) != 0 || (s[rn] && s[rn] != '/' && r[rn - 1] != '/'))
      __builtin_trap();
  }
  if (roots != p->n_roots || p->n_roots > EXH_HUNT_MAX_SERVER_ROOTS ||
      p->n_notes > EXH_LIVE_MAX_NOTES)
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  exh_iis_config c;
  exhunt_err rc = exh_iis_config_parse(data, size, lookup, NULL, &c);
  if (rc != EXHUNT_OK && rc != EXHUNT_ENOMEM && rc != EXHUNT_EUNSUPPORTED)
    __builtin_trap();
  if (rc == EXHUNT_OK)
    check_config(&c);
  exh_iis_config_free(&c);

  exhunt_live_inputs in = {.exchange_install =
                               "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\",
                           .exchange_source = "fuzz",
                           .iis_config = data,
                           .iis_config_len = size,
                           .lookup = lookup};
  exhunt_live_plan *plan = NULL;
  rc = exhunt_live_plan_make(&in, &plan);
  if (rc != EXHUNT_OK && rc != EXHUNT_ENOMEM)
    __builtin_trap();
  if (rc == EXHUNT_OK)
    check_plan(plan);
  exhunt_live_plan_free(plan);
  return 0;
}
