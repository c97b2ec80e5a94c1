/*
 * table.h - header-bound records of Exchange CSV and IIS W3C logs.
 *
 * Both formats carry their schema in the file: Exchange logs a
 * "#Fields: a,b,c" line (or, in some exports, a bare CSV header line), IIS
 * "#Fields: a b c", which may change in the middle of a file. Columns are
 * bound by name, case-insensitively, never by position: schemas differ
 * between builds. Exchange values follow RFC 4180 quoting ("" inside quotes
 * is one "), unquoted into a per-table scratch buffer; W3C values are
 * space-separated, with "-" meaning empty. Rows with fewer fields than the
 * header read the missing ones as empty; extra fields are ignored.
 */
#ifndef EXH_TABLE_H
#define EXH_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ascii.h"
#include "core/dynbuf.h"
#include "core/limits.h"
#include "exhunt/exhunt.h"

typedef enum exh_table_format { EXH_FMT_CSV = 0, EXH_FMT_W3C = 1 } exh_table_format;

typedef struct exh_table {
  exh_table_format format;
  /* Header, from #Fields (or the bare CSV header line). */
  exh_dynbuf names;                /* field names, NUL-separated */
  size_t name_off[EXH_MAX_FIELDS]; /* offsets into names.data */
  size_t n_names;
  bool have_header;
  unsigned header_changes; /* #Fields lines seen after the first */
  /* Metadata lines. */
  char version[64];  /* "#Version:" value */
  char software[96]; /* "#Software:" */
  char log_type[64]; /* "#Log-type:" */
  /* Current record. */
  exh_view values[EXH_MAX_FIELDS];
  size_t n_values;
  bool ragged; /* this record's field count differs from the header's */
  /* The cap on fields (EXH_MAX_FIELDS, or lower: exh_table_set_limits),
   * and whether the last header or record reached it (the rest is not
   * read). */
  size_t max_fields;
  bool header_capped;
  bool fields_capped;
  exh_dynbuf scratch;
  bool nomem; /* an allocation failed: a header or a record was cut short */
} exh_table;

typedef enum exh_line_kind {
  EXH_LINE_EMPTY = 0,
  EXH_LINE_META,     /* a # line (header or metadata) */
  EXH_LINE_RECORD,   /* values are in t->values */
  EXH_LINE_NO_HEADER /* a data line before any header: cannot be bound */
} exh_line_kind;

void exh_table_init(exh_table *t, exh_table_format format);
void exh_table_free(exh_table *t);

/* The user's caps: fields per record (0 or above EXH_MAX_FIELDS: that) and
 * line length (the unquoting scratch holds twice it; 0: EXH_MAX_LINE). */
void exh_table_set_limits(exh_table *t, size_t max_fields, size_t max_line);

/* Feeds one line: classify, then split a record into t->values. */
exh_line_kind exh_table_line(exh_table *t, const char *line, size_t len);

/* The two halves, for readers that split only records a literal prefilter
 * lets through: classify handles # lines and headers and says whether the
 * line is a record; split fills t->values. */
exh_line_kind exh_table_classify(exh_table *t, const char *line, size_t len);
void exh_table_split(exh_table *t, const char *line, size_t len);

/* RFC 4180 lets a quoted value hold a line break, so one record may span
 * several lines. Given whether line [p, p+n) starts inside a quoted value
 * (`in_quote`: the line before ended inside one), says whether it ends
 * inside one, with split_csv's rules: a '"' opens a value only at the
 * start of a field, "" inside one is a quote, and bytes after the closing
 * quote up to the comma are kept as they are. */
bool exh_csv_ends_in_quote(const char *p, size_t n, bool in_quote);

/* Field `nth` (0 or 1, before any quoted separator) of an unsplit record. */
exh_view exh_table_first_field(const exh_table *t, const char *line, size_t len, size_t nth);

/* Column index of a field name (case-insensitive), or -1. */
int exh_table_col(const exh_table *t, const char *name);

/* Value of column `col` in the current record; empty if absent, out of
 * range or "-" (W3C). */
exh_view exh_table_get(const exh_table *t, int col);

/* A small decimal number (at most 9 digits), or -1. */
int exh_view_uint(exh_view v);

/* Case-insensitive comparisons on views. */
bool exh_view_eq(exh_view v, const char *s);
bool exh_view_has(exh_view v, const char *needle);
bool exh_view_starts(exh_view v, const char *prefix);

#endif
