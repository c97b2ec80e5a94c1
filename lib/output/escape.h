/*
 * escape.h - making attacker-chosen bytes safe for each output format.
 *
 * File names and file contents come from the attacker. Every byte that
 * reaches an output goes through one of these encoders, and all of them
 * ask one table (exh_cp_escaped) which code points are never written raw:
 * Unicode general categories Cc (C0 and C1 controls), Cf (format
 * characters: bidi embeddings, overrides, isolates and marks such as
 * U+202E and U+061C, zero-width characters such as U+200B, U+FEFF, tag
 * characters U+E0000..) and Zl/Zp (U+2028, U+2029), generated from Unicode
 * data by tools/gen-escape-table.py (the version is named in escape.c).
 *   - JSON: valid UTF-8 passes through, except the table's code points,
 *     written as \uXXXX (a surrogate pair above U+FFFF; \n, \r, \t by
 *     name): the decoded string is the same, and no line splitter (Python's
 *     str.splitlines, JavaScript's line terminators) breaks a JSON line.
 *     Invalid UTF-8 becomes U+FFFD and the caller is told (it then adds the
 *     exact bytes in base64 next to the lossy string);
 *   - display (text output, terminals): reversible and inert. Printable
 *     ASCII and valid UTF-8 outside the table pass through; a backslash
 *     becomes "\\"; a table code point becomes "\u{X}" (lower-case hex,
 *     no leading zeros: "\u{202e}"); every other byte (an ASCII control,
 *     a byte of invalid UTF-8) becomes "\xNN". Reversible because a
 *     backslash of the input is always doubled, and UTF-8 has one encoding
 *     per code point, so "\u{X}" gives back the exact bytes.
 * Part of the borrowed-helper tier that cli/ may use (see ARCHITECTURE.md).
 */
#ifndef EXH_ESCAPE_H
#define EXH_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dynbuf.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t exh_utf8_seq(const uint8_t *s, size_t len, uint32_t *cp);

/* Whether code point cp is one no output writes raw (Cc, Cf, Zl, Zp; see
 * above). Thread-safe (a constant table). */
bool exh_cp_escaped(uint32_t cp);

/* Appends JSON string contents (no quotes). *lossy set if bytes were replaced. */
exhunt_err exh_escape_json(exh_dynbuf *b, const void *data, size_t len, bool *lossy);
/* Appends a quoted JSON string; for NUL-terminated strings, NULL -> null. */
exhunt_err exh_json_str(exh_dynbuf *b, const char *s);
/* Appends the terminal-safe display form (control bytes and invalid UTF-8
 * as \\xNN; a backslash doubled, except in the Windows build, where it is
 * the path separator). */
exhunt_err exh_escape_display(exh_dynbuf *b, const void *data, size_t len);
/* Appends one CSV cell, quotes included (RFC 4180: always quoted, '"'
 * doubled). A cell whose first byte is = + - @, tab or CR gets a leading
 * apostrophe, so a spreadsheet shows it instead of running it. Control
 * bytes (so line breaks too) and invalid UTF-8 become \xNN, the table's
 * other code points \u{X}, as in the display form; a backslash stays
 * single, so a Windows path reads as it does in the evidence (not
 * reversible: JSON Lines keeps the exact bytes). */
exhunt_err exh_csv_cell(exh_dynbuf *b, const void *data, size_t len);
/* Appends standard base64. */
exhunt_err exh_base64(exh_dynbuf *b, const void *data, size_t len);
/* Appends lower-case hex. */
exhunt_err exh_hex(exh_dynbuf *b, const uint8_t *data, size_t len);
/* Appends an ISO 8601 UTC timestamp "YYYY-MM-DDTHH:MM:SSZ". */
exhunt_err exh_iso8601(exh_dynbuf *b, int64_t unix_seconds);

#endif
