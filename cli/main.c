/*
 * main.c - the exhunt command: dispatches to sub-commands.
 *
 * Each sub-command lives in its own cmd_*.c, described by one cli_command
 * (cli/options.h) whose option table makes both its parser and its help, so
 * `exhunt help CMD`, `exhunt CMD --help` and what CMD takes cannot drift.
 */
#include <stdio.h>
#include <string.h>
#include <yara.h>

#include "cli.h"
#include "options.h"
#include "os.h"
#include "platform/process.h"

/* Every command (its options and its run are its cmd_*.c's), in the order
 * `exhunt --help` lists them, with its line there. */
static const struct {
  const cli_command *cmd;
  const char *summary;
} commands[] = {
    {&cmd_hunt, "the whole hunt: verdict per server, story per attacker, reports"},
    {&cmd_scan, "find web shells and HAFNIUM indicators in files and trees"},
    {&cmd_logs, "hunt exploitation in Exchange and IIS logs"},
    {&cmd_exposure, "which CVEs an Exchange build (given, or found in evidence) is exposed to"},
    {&cmd_probe, "fingerprint the Exchange build of remote servers over HTTPS, and assess it"},
    {&cmd_baseline, "record known-good web folders, and diff a server against them"},
    {&cmd_watch, "scan files as they land in folder trees (inotify), as a service"},
    {&cmd_quarantine, "move suspect files into a vault, neutralised and verified"},
    {&cmd_restore, "put quarantined files back from the vault, byte for byte"},
    {&cmd_vault, "list or verify a quarantine vault"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
  fputs("exhunt " EXHUNT_VERSION " - hunt Exchange/IIS compromise (HAFNIUM/ProxyLogon and kin)\n"
        "\n"
        "Usage: exhunt COMMAND [OPTIONS] ...\n"
        "       exhunt help COMMAND\n"
        "       exhunt --version\n"
        "\n"
        "Commands:\n",
        out);
  for (size_t i = 0; i < N_COMMANDS; i++)
    fprintf(out, "  %-10s %s\n", commands[i].cmd->name, commands[i].summary);
  fputs("\nExit status: 0 nothing to do; 1 compromise or a suspicious file seen; 2 usage or\n"
        "runtime error; 3 attacks attempted, none succeeded; 4 vulnerable or out of support;\n"
        "5 not enough evidence to answer; 130 interrupted (docs/exit-codes.md, and\n"
        "'exhunt help COMMAND').\n",
        out);
}

static const cli_command *find_command(const char *name)
{
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].cmd->name, name) == 0)
      return commands[i].cmd;
  return NULL;
}

int main(int argc, char **argv)
{
  /* Windows: UTF-8 arguments, binary streams, a UTF-8 console. */
  if (cli_os_start(&argc, &argv) != 0)
    return EXIT_ERROR;
  /* Windows, elevated: read evidence whose ACL leaves out the
   * Administrators group, as backup software does (the seam opens with
   * backup semantics, read-only). POSIX: nothing. Before any thread. */
  (void)exh_enable_backup_privilege();
  cli_set_argv(argc, argv);
  if (argc < 2) {
    usage(stderr);
    return EXIT_ERROR;
  }
  const char *arg = argv[1];
  if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
    printf("exhunt %s (libyara %s, %s)\n", EXHUNT_VERSION, YR_VERSION, cli_os_crypto_name());
    return EXIT_CLEAN;
  }
  if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
    usage(stdout);
    return EXIT_CLEAN;
  }
  if (strcmp(arg, "help") == 0) {
    if (argc < 3) {
      usage(stdout);
      return EXIT_CLEAN;
    }
    const cli_command *cmd = find_command(argv[2]);
    if (!cmd) {
      fprintf(stderr, "exhunt: no command '%s'\n", argv[2]);
      return EXIT_ERROR;
    }
    cli_help(stdout, cmd);
    return EXIT_CLEAN;
  }
  const cli_command *cmd = find_command(arg);
  if (!cmd) {
    fprintf(stderr, "exhunt: unknown command '%s'\n\n", arg);
    usage(stderr);
    return EXIT_ERROR;
  }
  return cmd->run(argc - 1, argv + 1);
}
