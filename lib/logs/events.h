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
 * and at most EXH_MAX_EVENT_FIELDS fields are kept, in document order, down
 * to EXH_EVENT_DEPTH levels of nesting. Past either bound, the fields the
 * detectors and the event's own shape read (exh_event_key_field: Image,
 * CommandLine, Channel, ...) are still kept, wherever they sit, to
 * EXH_EVENT_KEY_DEPTH levels: padding an event cannot hide it. What is not
 * kept is counted, so the reader can say so.
 */
#ifndef EXH_EVENTS_H
#define EXH_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/limits.h"
#include "table.h"

/* Slots kept for the key fields past the cap: one per distinct name (a
 * repeated one is not needed: lookups take the first). */
#define EXH_EVENT_KEY_FIELDS 32u
/* Every slot of an event: the cap, then the key fields past it. */
#define EXH_EVENT_FIELDS (EXH_MAX_EVENT_FIELDS + EXH_EVENT_KEY_FIELDS)

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
  /* Fields not kept: past the cap or the depth, and not key fields. */
  size_t fields_dropped;
  /* An object nested past EXH_EVENT_KEY_DEPTH was not read at all: a key
   * field in it would be missed. */
  bool key_fields_lost;
  /* Storage for numbers rendered as text, and the parsed document. */
  char numbuf[EXH_EVENT_FIELDS][24];
  void *doc; /* json_t * */
} exh_event;

/* Parses one JSON line. Returns false (and leaves *ev empty) if the line is
 * not a JSON object that looks like an event (no channel or event id). */
bool exh_event_from_json(exh_event *ev, const char *line, size_t len);
void exh_event_free(exh_event *ev);

/* True for a field name the detectors or the event's shape read (case-
 * insensitive). */
bool exh_event_key_field(const char *name);

/* Whether a field `name` is kept: true while under the cap (and not
 * `deep`, below EXH_EVENT_DEPTH levels), and past it for a key field not
 * kept yet. False counts it in fields_dropped. When true, the caller fills
 * fields[n_fields] (and numbuf[n_fields]) and counts it in n_fields. */
bool exh_event_keep(exh_event *ev, const char *name, bool deep);

/* Value of a data field by name (case-insensitive); empty if absent. */
exh_view exh_event_get(const exh_event *ev, const char *name);

#endif
