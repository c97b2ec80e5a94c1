/*
 * fuzz_hosts.c - libFuzzer target: the host decision of exhunt hunt
 * (lib/hunt/hosts.c) over a folder tree the input describes, listed
 * breadth-first through the same tree API the look on disk uses
 * (exh_hosts_tree_begin/entry/end/unreadable/install, then
 * exh_hosts_decide). Names are hostile: they come from a dictionary of the
 * names the rules know (drives, Velociraptor folders, install chains, log
 * names) or as raw bytes. Checks that hold for any tree:
 *  - the call succeeds, with one host (the root, as given) or, split, with
 *    2 .. EXH_HOSTS_MAX_HOSTS hosts in strictly increasing path order, each
 *    below the root, none inside another, each with a name;
 *  - every notice has a hosts-* tag and a reason within its cap.
 *
 * Input: byte 0 picks the root string; then, for each recorded folder in
 * order, one control byte (0xff: unreadable; else its low 5 bits are the
 * number of entries; a name a folder already listed is skipped), then per entry one byte (bit 7: a
 * folder; low 7 bits: a dictionary name, or >= 64: a raw name of the next byte's length, up to 40,
 * from the bytes after it); a folder that ends as a drive tree takes one more byte (odd: an install
 * root inside it). Folders left when the input ends stay unlisted, as when a cap stops the look.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hunt/hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "C",
    "D",
    "C%3A",
    "%5C%5C.%5CC%3A",
    "Windows",
    "Program Files",
    "inetpub",
    "Users",
    "$MFT",
    "Microsoft",
    "Exchange Server",
    "V15",
    "V14",
    "Bin",
    "Logging",
    "FrontEnd",
    "ClientAccess",
    "HttpProxy",
    "Owa",
    "W3SVC1",
    "LogFiles",
    "logs",
    "u_ex210303.log",
    "HttpProxy_2021030312-1.LOG",
    "ECPServer20210303-1.LOG",
    "Security.evtx",
    "uploads",
    "auto",
    "ntfs",
    "%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy1",
    "vss1",
    "Collection-EX01-2021-03-05T10_00_00Z",
    "Collection-EX02-2021-03-05T10_00_00Z",
    "EX01",
    "EX02",
    "EX03",
    "Exch",
    "notes.txt",
    "ExchangeSetupLogs",
    "ProgramData",
    "C$",
    "drive_d",
    "Triage",
    "ECP",
    "Server",
    "x",
    "Collection-",
    "Collection--2021",
    ".",
    "..",
};
static const char *const roots[] = {
    "/ev", "/ev/", "", "/", "rel", "/x/Collection-EX09-2021-01-01T00_00_00Z", "C", "V15"};
static const char *const suffixes[] = {"Program Files/Microsoft/Exchange Server/V15",
                                       "Exchange Server/V15", "Exchange/V14"};

typedef struct check {
  size_t notices;
} check;

static void on_notice(void *ctx, const exhunt_notice *n)
{
  check *c = ctx;
  c->notices++;
  if (!n->what || strncmp(n->what, "hosts-", 6) != 0 || !n->reason ||
      strlen(n->reason) > 64 * 1024 ||
      (n->kind != EXHUNT_NOTICE_NOTE && n->kind != EXHUNT_NOTICE_ERROR))
    abort();
}

static void check_list(const exh_host_list *l, const char *root)
{
  size_t rl = strlen(root);
  if (l->n == 0 || !l->hosts)
    abort();
  if (!l->split) {
    if (l->n != 1 || strcmp(l->hosts[0].path, root) != 0 || !l->hosts[0].name)
      abort();
    return;
  }
  if (l->n < 2 || l->n > EXH_HOSTS_MAX_HOSTS)
    abort();
  for (size_t i = 0; i < l->n; i++) {
    const exh_host *h = &l->hosts[i];
    if (!h->path || !h->name || strncmp(h->path, root, rl) != 0 || strlen(h->path) <= rl)
      abort();
    if (i && strcmp(l->hosts[i - 1].path, h->path) >= 0)
      abort();
    /* none inside another: sorted, so an enclosing host comes just before
     * some host it encloses, or before a run of them */
    for (size_t j = 0; j < i; j++) {
      size_t pl = strlen(l->hosts[j].path);
      if (pl && strncmp(l->hosts[j].path, h->path, pl) == 0 &&
          (h->path[pl] == '/' || l->hosts[j].path[pl - 1] == '/'))
        abort();
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  const char *root = roots[data[0] % (sizeof roots / sizeof *roots)];
  size_t pos = 1;
  exh_hosts_tree *t = NULL;
  if (exh_hosts_tree_new(&t) != EXHUNT_OK)
    return 0;
  for (uint32_t dir = 0; dir < exh_hosts_tree_count(t) && pos < size; dir++) {
    uint8_t ctl = data[pos++];
    if (ctl == 0xff) {
      exh_hosts_tree_unreadable(t, dir);
      continue;
    }
    if (exh_hosts_tree_begin(t, dir) != EXHUNT_OK)
      abort();
    unsigned n = ctl & 0x1f;
    /* a folder lists a name once (the harness keeps what a disk keeps) */
    const char *seen[32];
    size_t seen_len[32], n_seen = 0;
    for (unsigned k = 0; k < n && pos < size; k++) {
      uint8_t e = data[pos++];
      bool is_dir = e & 0x80;
      unsigned pick = e & 0x7f;
      const char *name;
      size_t len;
      if (pick < sizeof names / sizeof *names) {
        name = names[pick];
        len = strlen(name);
      } else if (pick >= 64 && pos < size) {
        len = data[pos++] % 41;
        if (len > size - pos)
          len = size - pos;
        name = (const char *)data + pos;
        pos += len;
        (void)exh_hosts_drive_letter(name, len);
      } else {
        continue;
      }
      bool again = false;
      for (size_t m = 0; m < n_seen && !again; m++)
        again = seen_len[m] == len && memcmp(seen[m], name, len) == 0;
      if (again)
        continue;
      seen[n_seen] = name;
      seen_len[n_seen++] = len;
      uint32_t child;
      exhunt_err err = exh_hosts_tree_entry(t, dir, name, len, is_dir, &child);
      if (err != EXHUNT_OK)
        abort();
      if (child != EXH_HOSTS_NONE && child >= exh_hosts_tree_count(t))
        abort();
    }
    bool terminal = exh_hosts_tree_end(t, dir);
    if (terminal && pos < size && (data[pos++] & 1))
      (void)exh_hosts_tree_install(t, dir, suffixes[dir % 3], strlen(suffixes[dir % 3]));
  }
  check c = {0};
  exhunt_sink sink = {.ctx = &c, .on_notice = on_notice};
  exh_host_list l;
  if (exh_hosts_decide(t, root, &sink, &l) != EXHUNT_OK)
    abort();
  check_list(&l, root);
  exh_host_list_free(&l);
  exh_hosts_tree_free(t);
  return 0;
}
