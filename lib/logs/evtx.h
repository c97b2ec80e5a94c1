/*
 * evtx.h - EVTX files through libevtx, read from a random-access reader.
 *
 * libevtx reads through a libbfio handle. Ours is built on exh_ra, a
 * pread()-style reader: a descriptor the walker opened read-only (never a
 * path handed to a library that would open it its own way), or a memory
 * span for tests and the fuzzer. Each record's XML is turned into an
 * exh_event (events.h) and passed to a callback with its record number.
 * A record libevtx cannot parse is counted, not fatal.
 */
#ifndef EXH_EVTX_H
#define EXH_EVTX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "events.h"

typedef struct exh_ra {
  void *ctx;
  /* Reads up to size bytes at offset; returns bytes read or -1. */
  ssize_t (*pread)(void *ctx, uint8_t *buf, size_t size, uint64_t offset);
  uint64_t size;
} exh_ra;

typedef struct exh_evtx_stats {
  uint64_t records;    /* records libevtx reported */
  uint64_t unreadable; /* records it could not hand over, or XML we could not read */
  bool opened;         /* libevtx accepted the file */
  /* libevtx skips a chunk it cannot read without failing the file: these
   * say that it happened, so the reader can report it. */
  bool corrupted;           /* libevtx found a chunk or record it could not read */
  uint32_t chunks_declared; /* chunk count in the file header */
  uint32_t chunks_present;  /* whole 64 KiB chunks the file's size holds */
} exh_evtx_stats;

/* True if the first bytes are an EVTX file header ("ElfFile\0"). */
bool exh_is_evtx(const uint8_t *head, size_t len);

/* Reads every record; `on_event` gets each as an exh_event (valid only
 * during the call) and its record number. Returns EXHUNT_ECORRUPT if
 * libevtx refuses the file, ENOMEM on allocation failure. */
exhunt_err exh_evtx_read(const exh_ra *ra,
                         void (*on_event)(void *ctx, const exh_event *ev, uint64_t record),
                         void *ctx, exh_evtx_stats *stats);

/* Parses one record's XML into ev, unescaping into `scratch`. */
bool exh_event_from_xml(exh_event *ev, const char *xml, size_t len, exh_dynbuf *scratch);

#endif
