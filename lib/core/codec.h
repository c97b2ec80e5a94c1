/*
 * codec.h - hex and base64 decoding of input text.
 *
 * The decoders serve two kinds of caller, and their rules differ on
 * purpose. Records exhunt wrote itself (baseline, vault, IOC lists) are
 * read strictly: one bad character and the field is refused, so a damaged
 * record is said rather than half-read. Text an attacker wrote (a literal
 * in a web shell) is read leniently: both alphabets, junk skipped, because
 * the question there is "what does this hide", not "is it well formed".
 * Output goes into the caller's buffer; nothing is allocated.
 */
#ifndef EXH_CORE_CODEC_H
#define EXH_CORE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes exactly 2 * out_len hex digits (either case) of s[0, len) into
 * out. False if len is not 2 * out_len or any byte is not a hex digit (out
 * then holds an undefined prefix). */
bool exh_hex_decode(const char *s, size_t len, uint8_t *out, size_t out_len);

/* Strict standard base64 (RFC 4648 "+/" alphabet) of s[0, len) into
 * out[cap]. Trailing '=' are dropped whatever their number, so padding is
 * optional; any other byte outside the alphabet, '=' inside, or output past
 * cap is -1. Otherwise the decoded length; leftover bits of an unfinished
 * group are dropped. */
long exh_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap);

/* Lenient base64 of s[0, len): the standard and the URL-safe ("-_")
 * alphabets both count, every other byte ('=', spaces, quotes, junk) is
 * skipped, and decoding stops when out[cap] is full. Returns the decoded
 * length; never fails. */
size_t exh_base64_decode_lenient(const uint8_t *s, size_t len, uint8_t *out, size_t cap);

#endif
