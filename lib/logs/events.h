/*
 * events.h - Windows events, one normalised shape for every export.
 *
 * Evidence arrives as JSON lines from Security-Datasets/OTRF (flat keys:
 * Channel, EventID, TimeCreated, Image, ...), winlogbeat (winlog.channel,
 * winlog.event_id, winlog.event_data.*), Velociraptor (System.Channel,
 * System.EventID.Value, EventData.*), and (later) EVTX. The reader turns
 * each into an exh_event: channel, provider, id, level, time, message and a
 * flat list of named data fields, looked up case-insensitively. Nested
 * objects are flattened by their last key name, which is what every one of
 * those exports uses for the event data. Parsing is bounded: a line is at
 * most EXH_MAX_LINE bytes, the JSON depth is jansson's compile-time limit,
 * and at most EXH_EVENT_FIELDS fields are kept.
 */
#ifndef EXH_EVENTS_H
#define EXH_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "table.h"

#define EXH_EVENT_FIELDS 128u

typedef struct exh_event_field {
  const char *name; /* last key name */
  exh_view value;
} exh_event_field;

typedef struct exh_event {
  exh_view channel, provider, message;
  int event_id; /* -1 if absent */
  int level;    /* -1 if absent or unknown; 1 Critical, 2 Error, 3 Warning,
                   4 Information, 5 Verbose (names are mapped to these) */
  int64_t time; /* seconds UTC: ISO 8601 with its offset applied, epoch
                   seconds or milliseconds, or "/Date(ms)/"; EXHUNT_NO_TIME
                   if absent or unreadable */
  exh_event_field fields[EXH_EVENT_FIELDS];
  size_t n_fields;
  /* Storage for numbers rendered as text, and the parsed document. */
  char numbuf[EXH_EVENT_FIELDS][24];
  void *doc; /* json_t * */
} exh_event;

/* Parses one JSON line. Returns false (and leaves *ev empty) if the line is
 * not a JSON object that looks like an event (no channel or event id). */
bool exh_event_from_json(exh_event *ev, const char *line, size_t len);
void exh_event_free(exh_event *ev);

/* Value of a data field by name (case-insensitive); empty if absent. */
exh_view exh_event_get(const exh_event *ev, const char *name);

#endif
