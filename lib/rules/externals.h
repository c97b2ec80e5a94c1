/*
 * externals.h - the YARA external variables exhunt defines, as Loki and THOR
 * do, so public rule sets (signature-base's among them) compile unchanged.
 * Shared by the library and by the build-time rule compiler
 * (tools/exh-rulec.c), whose output must agree with the library exactly.
 */
#ifndef EXH_EXTERNALS_H
#define EXH_EXTERNALS_H

#include <stddef.h>

static const char *const exh_external_names[] = {"filename", "filepath", "extension", "filetype",
                                                 "owner"};
#define EXH_N_EXTERNALS (sizeof exh_external_names / sizeof exh_external_names[0])

#endif
