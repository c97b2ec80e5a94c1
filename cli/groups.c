/*
 * groups.c - the shared option groups (scope, window, resources, caps; see
 * groups.h): their defaults, the check across two of them (--until after
 * --since), and --nice, the one option the CLI carries out itself, because
 * priorities belong to the process, not to a library call. Each value is
 * taken and checked by its row in options.c.
 */
#include "groups.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "platform/process.h"
#include "report.h"

bool cli_groups_init(cli_groups *g, int argc)
{
  memset(g, 0, sizeof *g);
  exhunt_scope_init(&g->scope);
  exhunt_window_init(&g->window);
  exhunt_resources_init(&g->resources);
  g->newer_than = EXHUNT_NO_TIME;
  g->exclude_slots = exh_calloc(argc > 0 ? (size_t)argc : 1, sizeof *g->exclude_slots);
  g->scope.excludes = g->exclude_slots;
  return g->exclude_slots != NULL;
}

void cli_groups_free(cli_groups *g)
{
  exh_free(g->exclude_slots);
  g->exclude_slots = NULL;
  g->scope.excludes = NULL;
  g->scope.n_excludes = 0;
}

int cli_groups_check(const cli_groups *g, const char *command)
{
  if (g->window.since != EXHUNT_NO_TIME && g->window.until != EXHUNT_NO_TIME &&
      g->window.until < g->window.since)
    return cli_usage_error(command, "%s", "--until is before --since");
  return 0;
}

void cli_apply_nice(const cli_groups *g, const char *command)
{
  if (!g->nice)
    return;
  /* Idle I/O class: the disk serves exhunt only when nobody else asks. Set
   * before the CPU priority, so anyone who sees nice 19 sees both. */
  if (exh_lower_io_priority() != 0)
    fprintf(stderr, "exhunt %s: --nice: I/O priority not lowered: %s\n", command, strerror(errno));
  if (exh_lower_cpu_priority() != 0)
    fprintf(stderr, "exhunt %s: --nice: CPU priority not lowered: %s\n", command, strerror(errno));
}
