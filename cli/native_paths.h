/*
 * native_paths.h - paths shown the way the operating system writes them.
 *
 * The library works on '/'-separated paths on every OS (a Windows root is
 * "C:/inetpub"), so its engines split and join one way. An administrator on
 * Windows reads, copies and pastes "C:\inetpub\wwwroot\x.aspx". This sink
 * sits between the library and the command's own sink: on Windows it
 * forwards every record with its file paths in Windows form ('/' becomes
 * '\'); elsewhere it is not installed. Which fields are file paths is said
 * here, once: a finding's path and server, a notice's path, the server of
 * coverage, builds, stories and verdicts, a build's file, a story's step
 * logs and shells. A URL (anything holding "://", such as a probe target)
 * and the log part's artifact (a requested URL) are left as they are.
 *
 * cli_native_path_in turns a path the user typed into the library's form
 * (cli_args_roots does it for every evidence root).
 */
#ifndef EXH_CLI_NATIVE_PATHS_H
#define EXH_CLI_NATIVE_PATHS_H

#include <stdbool.h>

#include "exhunt/exhunt.h"

typedef struct cli_native_sink {
  exhunt_sink inner; /* the command's sink, called with converted records */
  bool failed;       /* a conversion ran out of memory: that record went as it was */
} cli_native_sink;

/* Whether this OS writes paths with another separator than '/'. */
bool cli_native_paths_differ(void);

/* *out becomes the sink to give the library: `ns` wrapping `inner` where
 * paths differ, `inner` itself elsewhere. `ns` must outlive the run. */
void cli_native_sink_wrap(cli_native_sink *ns, const exhunt_sink *inner, exhunt_sink *out);

/* A path the user typed, put in the library's form in place ('\' to '/' on
 * Windows; the length is unchanged). */
void cli_native_path_in(char *path);

/* A path in the OS's form ('/' to '\' on Windows), a new string, or NULL
 * when out of memory. Strings holding "://" are copied unchanged. */
char *cli_native_path_out(const char *path);

#endif
