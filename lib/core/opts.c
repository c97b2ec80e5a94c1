/*
 * opts.c - the defaults of the option groups the engines share
 * (include/exhunt/exhunt.h: exhunt_scope, exhunt_resources, exhunt_window).
 * Each engine's *_opts_init calls these, so a group starts the same
 * wherever it is embedded, and a new field gets its default in one place.
 */
#include <string.h>

#include "exhunt/exhunt.h"

void exhunt_scope_init(exhunt_scope *scope)
{
  memset(scope, 0, sizeof *scope);
}

void exhunt_resources_init(exhunt_resources *resources)
{
  memset(resources, 0, sizeof *resources);
}

void exhunt_window_init(exhunt_window *window)
{
  window->since = EXHUNT_NO_TIME;
  window->until = EXHUNT_NO_TIME;
}
