/*
 * events.c - JSON-lines Windows events into exh_event; see events.h.
 */
#include "events.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"

void exh_event_free(exh_event *ev)
{
  if (ev->doc)
    json_decref((json_t *)ev->doc);
  ev->doc = NULL;
  ev->n_fields = 0;
}

exh_view exh_event_get(const exh_event *ev, const char *name)
{
  for (size_t i = 0; i < ev->n_fields; i++)
    if (strcasecmp(ev->fields[i].name, name) == 0)
      return ev->fields[i].value;
  exh_view empty = {"", 0};
  return empty;
}

/* Every name exh_event_from_json and exh_event_from_xml look up for the
 * event's shape, and every one detect.c's exh_detect_event reads: these are
 * kept past the field cap and the depth, so that padding an event with
 * fields does not hide it. A detector that reads a new field adds it here
 * (test_logs.c's padded-event tests catch one that is missing). */
static const char *const key_fields[] = {
    /* shape (first_of lists below) */
    "Channel", "LogName", "log_name", "SourceName", "ProviderName", "provider_name", "source_name",
    "Provider", "Name", "EventID", "event_id", "EventId", "Id", "Level", "TimeCreated",
    "@timestamp", "SystemTime", "UtcTime", "Message",
    /* detectors */
    "ParentImage", "ParentProcessName", "Image", "NewProcessName", "CommandLine", "SourceImage",
    "TargetImage", "TargetFilename"};
_Static_assert(sizeof key_fields / sizeof key_fields[0] <= EXH_EVENT_KEY_FIELDS,
               "every key field needs a slot past the cap");

bool exh_event_key_field(const char *name)
{
  for (size_t i = 0; i < sizeof key_fields / sizeof key_fields[0]; i++)
    if (strcasecmp(key_fields[i], name) == 0)
      return true;
  return false;
}

static bool has_field(const exh_event *ev, const char *name)
{
  for (size_t i = 0; i < ev->n_fields; i++)
    if (strcasecmp(ev->fields[i].name, name) == 0)
      return true;
  return false;
}

bool exh_event_keep(exh_event *ev, const char *name, bool deep)
{
  if (!deep && ev->n_fields < EXH_MAX_EVENT_FIELDS)
    return true;
  /* Past the cap or the depth: a key field not yet seen (lookups take the
   * first of a name, so a repeat changes nothing). Distinct key names are
   * at most EXH_EVENT_KEY_FIELDS, so the slots past the cap never run out;
   * the check guards the array all the same. */
  if (ev->n_fields < EXH_EVENT_FIELDS && exh_event_key_field(name) && !has_field(ev, name))
    return true;
  ev->fields_dropped++;
  return false;
}

static void add_field(exh_event *ev, const char *name, json_t *value, bool deep)
{
  /* null, arrays: no detector reads them, and they have no text */
  if (!json_is_string(value) && !json_is_number(value) && !json_is_boolean(value))
    return;
  if (!exh_event_keep(ev, name, deep))
    return;
  exh_event_field *f = &ev->fields[ev->n_fields];
  if (json_is_string(value)) {
    f->value.p = json_string_value(value);
    f->value.n = json_string_length(value);
  } else if (json_is_integer(value)) {
    int n = snprintf(ev->numbuf[ev->n_fields], sizeof ev->numbuf[0], "%lld",
                     (long long)json_integer_value(value));
    f->value.p = ev->numbuf[ev->n_fields];
    f->value.n = n > 0 ? (size_t)n : 0;
  } else if (json_is_real(value)) {
    /* Velociraptor's SystemTime is epoch seconds with a fraction. %.16g
     * fits the buffer whatever the value ("-1.234567890123456e-308" is 23
     * bytes) and keeps a whole number whole ("4688", not "4688.0"). */
    int n =
        snprintf(ev->numbuf[ev->n_fields], sizeof ev->numbuf[0], "%.16g", json_real_value(value));
    f->value.p = ev->numbuf[ev->n_fields];
    f->value.n = n > 0 && (size_t)n < sizeof ev->numbuf[0] ? (size_t)n : 0;
  } else {
    f->value.p = json_is_true(value) ? "true" : "false";
    f->value.n = strlen(f->value.p);
  }
  f->name = name;
  ev->n_fields++;
}

/* Leaves of nested objects, by their last key name. Velociraptor's
 * {"EventID":{"Value":4688}} is kept under "EventID" too. Below
 * EXH_EVENT_DEPTH only key fields are kept; an object below
 * EXH_EVENT_KEY_DEPTH is not read at all (the recursion is bounded), and
 * that is said: a key field may be in it. */
static void flatten(exh_event *ev, json_t *obj, const char *parent, int depth)
{
  const char *key;
  json_t *value;
  if (depth > EXH_EVENT_KEY_DEPTH) {
    ev->fields_dropped++;
    ev->key_fields_lost = true;
    return;
  }
  bool deep = depth > EXH_EVENT_DEPTH;
  json_object_foreach(obj, key, value)
  {
    if (json_is_object(value))
      flatten(ev, value, key, depth + 1);
    else if (parent && strcasecmp(key, "Value") == 0)
      add_field(ev, parent, value, deep);
    else
      add_field(ev, key, value, deep);
  }
}

static exh_view first_of(const exh_event *ev, const char *const *names)
{
  for (; *names; names++) {
    exh_view v = exh_event_get(ev, *names);
    if (v.n)
      return v;
  }
  exh_view empty = {"", 0};
  return empty;
}

/* Epoch times before 1990 or from 2100 on are not event times: a counter
 * or an id that landed in a time field. */
#define EPOCH_MIN INT64_C(631152000)  /* 1990-01-01T00:00:00Z */
#define EPOCH_MAX INT64_C(4102444800) /* 2100-01-01T00:00:00Z */
/* Above this a number is milliseconds: as seconds it is past year 5000. */
#define EPOCH_MS_FROM INT64_C(100000000000)

static int64_t epoch_in_range(int64_t t)
{
  if (t >= EPOCH_MS_FROM)
    t /= 1000;
  return t >= EPOCH_MIN && t < EPOCH_MAX ? t : EXHUNT_NO_TIME;
}

/* Digits at *p (at most 15, so no overflow) as a number; false if none. */
static bool take_number(const char **p, const char *end, int64_t *out)
{
  int64_t x = 0;
  int n = 0;
  for (; *p < end && **p >= '0' && **p <= '9'; (*p)++, n++) {
    if (n == 15)
      return false;
    x = x * 10 + (**p - '0');
  }
  *out = x;
  return n > 0;
}

/* "1614747600", "1614747600.123" (a JSON number as add_field renders it, or
 * a numeric string), or milliseconds "1614747600123": the whole view must
 * be the number. */
static int64_t epoch_time(exh_view v)
{
  const char *p = v.p, *end = v.p + v.n;
  int64_t t;
  if (!take_number(&p, end, &t))
    return EXHUNT_NO_TIME;
  if (p < end && *p == '.') {
    int64_t frac;
    p++;
    if (p < end && !take_number(&p, end, &frac))
      return EXHUNT_NO_TIME;
  }
  return p == end ? epoch_in_range(t) : EXHUNT_NO_TIME;
}

/* .NET's JSON date, "/Date(1614747600123)/" or "/Date(1614747600123+0000)/"
 * (PowerShell 5's ConvertTo-Json, DataContractJsonSerializer): milliseconds
 * since 1970 UTC. The offset is only the writer's local zone, for display:
 * the number is UTC whatever it says, so it is checked and not applied. */
static int64_t dotnet_date(exh_view v)
{
  static const char head[] = "/Date(";
  const char *p = v.p + sizeof head - 1, *end = v.p + v.n;
  int64_t ms;
  if (!exh_view_starts(v, head) || !take_number(&p, end, &ms))
    return EXHUNT_NO_TIME;
  if (p < end && (*p == '+' || *p == '-')) {
    const char *zone = ++p;
    int64_t hhmm;
    if (!take_number(&p, end, &hhmm) || p - zone != 4)
      return EXHUNT_NO_TIME;
  }
  if (end - p != 2 || p[0] != ')' || p[1] != '/')
    return EXHUNT_NO_TIME;
  int64_t t = ms / 1000;
  return t >= EPOCH_MIN && t < EPOCH_MAX ? t : EXHUNT_NO_TIME;
}

/* An event's time in any of the forms exports write it: ISO 8601 (OTRF,
 * winlogbeat, EVTX rendered as JSON), epoch seconds (Velociraptor's
 * SystemTime), or a .NET date. */
static int64_t event_time(exh_view v)
{
  if (v.n && v.p[0] == '/')
    return dotnet_date(v);
  int64_t t = exh_parse_iso8601(v);
  return t != EXHUNT_NO_TIME ? t : epoch_time(v);
}

/* Level as a number (EVTX, OTRF, Velociraptor) or by its name (winlogbeat's
 * log.level "error", PowerShell's "Error"): the detectors compare numbers. */
static int event_level(exh_view v)
{
  static const struct {
    const char *name;
    int level;
  } names[] = {{"critical", 1},      {"error", 2}, {"warning", 3}, {"information", 4},
               {"informational", 4}, {"info", 4},  {"verbose", 5}};
  int n = exh_view_uint(v);
  if (n >= 0)
    return n;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (exh_view_eq(v, names[i].name))
      return names[i].level;
  return -1;
}

bool exh_event_from_json(exh_event *ev, const char *line, size_t len)
{
  memset(ev, 0, offsetof(exh_event, numbuf));
  ev->doc = NULL;
  if (len == 0 || line[0] != '{')
    return false;
  json_error_t error;
  json_t *doc = json_loadb(line, len, 0, &error);
  if (!doc)
    return false;
  if (!json_is_object(doc)) {
    json_decref(doc);
    return false;
  }
  ev->doc = doc;
  flatten(ev, doc, NULL, 0);
  /* LogName and Id: PowerShell's Get-WinEvent | ConvertTo-Json; log_name and
   * source_name: winlogbeat 6. */
  static const char *const channel[] = {"Channel", "channel", "LogName", "log_name", NULL};
  static const char *const provider[] = {
      "SourceName", "ProviderName", "provider_name", "source_name", "Provider", "Name", NULL};
  static const char *const id[] = {"EventID", "event_id", "EventId", NULL};
  static const char *const level[] = {"Level", "level", NULL};
  static const char *const when[] = {"TimeCreated", "@timestamp", "SystemTime", "UtcTime", NULL};
  static const char *const message[] = {"Message", "message", NULL};
  ev->channel = first_of(ev, channel);
  ev->provider = first_of(ev, provider);
  ev->event_id = exh_view_uint(first_of(ev, id));
  /* "Id" alone is too common a name to be an event id; beside LogName it is
   * Get-WinEvent's. */
  if (ev->event_id < 0 && exh_event_get(ev, "LogName").n)
    ev->event_id = exh_view_uint(exh_event_get(ev, "Id"));
  ev->level = event_level(first_of(ev, level));
  ev->time = event_time(first_of(ev, when));
  ev->message = first_of(ev, message);
  if (ev->channel.n == 0 && ev->event_id < 0) {
    exh_event_free(ev);
    return false;
  }
  return true;
}
