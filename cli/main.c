/*
 * main.c - the exhunt command: dispatches to sub-commands.
 *
 * Each sub-command lives in its own cmd_*.c with its help text next to its
 * option parser, so `exhunt help CMD` and `exhunt CMD --help` cannot drift.
 */
#include <openssl/opensslv.h>
#include <stdio.h>
#include <string.h>
#include <yara.h>

#include "cli.h"

typedef struct command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
  void (*help)(FILE *out);
} command;

static const command commands[] = {
    {"hunt", "the whole hunt: verdict per server, story per attacker, reports", cmd_hunt,
     help_hunt},
    {"scan", "find web shells and HAFNIUM indicators in files and trees", cmd_scan, help_scan},
    {"logs", "hunt exploitation in Exchange and IIS logs", cmd_logs, help_logs},
    {"exposure", "which CVEs an Exchange build (given, or found in evidence) is exposed to",
     cmd_exposure, help_exposure},
    {"probe", "fingerprint the Exchange build of remote servers over HTTPS, and assess it",
     cmd_probe, help_probe},
    {"baseline", "record known-good web folders, and diff a server against them", cmd_baseline,
     help_baseline},
    {"watch", "scan files as they land in folder trees (inotify), as a service", cmd_watch,
     help_watch},
    {"quarantine", "move suspect files into a vault, neutralised and verified", cmd_quarantine,
     help_quarantine},
    {"restore", "put quarantined files back from the vault, byte for byte", cmd_restore,
     help_restore},
    {"vault", "list or verify a quarantine vault", cmd_vault, help_vault},
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
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs("\nExit status: 0 nothing to do; 1 compromise or a suspicious file seen; 2 usage or\n"
        "runtime error; 3 attacks attempted, none succeeded; 4 vulnerable or out of support;\n"
        "5 not enough evidence to answer; 130 interrupted (docs/exit-codes.md, and\n"
        "'exhunt help COMMAND').\n",
        out);
}

static const command *find_command(const char *name)
{
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int main(int argc, char **argv)
{
  cli_set_argv(argc, argv);
  if (argc < 2) {
    usage(stderr);
    return EXIT_ERROR;
  }
  const char *arg = argv[1];
  if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
    printf("exhunt %s (libyara %s, %s)\n", EXHUNT_VERSION, YR_VERSION, OPENSSL_VERSION_TEXT);
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
    const command *cmd = find_command(argv[2]);
    if (!cmd) {
      fprintf(stderr, "exhunt: no command '%s'\n", argv[2]);
      return EXIT_ERROR;
    }
    cmd->help(stdout);
    return EXIT_CLEAN;
  }
  const command *cmd = find_command(arg);
  if (!cmd) {
    fprintf(stderr, "exhunt: unknown command '%s'\n\n", arg);
    usage(stderr);
    return EXIT_ERROR;
  }
  return cmd->run(argc - 1, argv + 1);
}
