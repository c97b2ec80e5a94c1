/*
 * embedded.h - the default rule pack compiled into the library.
 *
 * The table is generated at build time (cmake/embed.cmake) from rules/:
 * each file's bytes are pulled in with the assembler's .incbin, so the pack
 * needs no file at run time and costs no start-up parsing of C arrays.
 */
#ifndef EXH_EMBEDDED_H
#define EXH_EMBEDDED_H

#include <stddef.h>

typedef struct exh_embedded_file {
  const char *name;          /* path under rules/, e.g. "yara/signature-base/gen_webshells.yar" */
  const char *kind;          /* "yara", "iocs", "exchange" (build database), "report" */
  const char *source;        /* the folder it came from: "signature-base", "exhunt", ... */
  const unsigned char *data; /* first byte */
  const unsigned char *end;  /* one past the last byte */
} exh_embedded_file;

extern const exh_embedded_file exh_embedded_files[];
extern const size_t exh_embedded_count;

/* The "yara" files above, compiled at build time (tools/exh-rulec.c) and
 * saved in libyara's format, for loading without compiling. */
extern const unsigned char exh_default_yarc[], exh_default_yarc_end[];

#endif
