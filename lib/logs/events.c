/*
 * events.c - JSON-lines Windows events into exh_event; see events.h.
 */
#include "events.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect.h"

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

static void add_field(exh_event *ev, const char *name, json_t *value)
{
  if (ev->n_fields == EXH_EVENT_FIELDS)
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
  } else if (json_is_boolean(value)) {
    f->value.p = json_is_true(value) ? "true" : "false";
    f->value.n = strlen(f->value.p);
  } else {
    return;
  }
  f->name = name;
  ev->n_fields++;
}

/* Leaves of nested objects, by their last key name. Velociraptor's
 * {"EventID":{"Value":4688}} is kept under "EventID" too. */
static void flatten(exh_event *ev, json_t *obj, const char *parent, int depth)
{
  const char *key;
  json_t *value;
  if (depth > 8)
    return;
  json_object_foreach(obj, key, value)
  {
    if (json_is_object(value))
      flatten(ev, value, key, depth + 1);
    else if (parent && strcasecmp(key, "Value") == 0)
      add_field(ev, parent, value);
    else
      add_field(ev, key, value);
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
  static const char *const channel[] = {"Channel", "channel", NULL};
  static const char *const provider[] = {"SourceName", "ProviderName", "provider_name",
                                         "Provider",   "Name",         NULL};
  static const char *const id[] = {"EventID", "event_id", "EventId", NULL};
  static const char *const level[] = {"Level", "level", NULL};
  static const char *const when[] = {"TimeCreated", "@timestamp", "SystemTime", "UtcTime", NULL};
  static const char *const message[] = {"Message", "message", NULL};
  ev->channel = first_of(ev, channel);
  ev->provider = first_of(ev, provider);
  ev->event_id = exh_view_uint(first_of(ev, id));
  ev->level = exh_view_uint(first_of(ev, level));
  ev->time = exh_parse_iso8601(first_of(ev, when));
  ev->message = first_of(ev, message);
  if (ev->channel.n == 0 && ev->event_id < 0) {
    exh_event_free(ev);
    return false;
  }
  return true;
}
