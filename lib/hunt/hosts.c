/*
 * hosts.c - one server per host: the hosts a hunt root holds (hosts.h,
 * docs/hosts.md).
 *
 * Two halves. The look (exh_hunt_find_hosts) lists folders breadth-first
 * from the root into an exh_hosts_tree: each folder is classified from the
 * names it holds (a drive tree holds `Windows`, `Program Files`, `inetpub`,
 * `$MFT`, ...; an install root is a `V15` holding `Bin`, `Logging`, ...; a
 * log folder holds `u_ex*.log`, `HttpProxy_*.log`, `*.evtx`), and drive
 * trees and install roots are not entered: what is inside them belongs to
 * them. Breadth-first, so a cap cuts the deepest levels, not a whole
 * sibling; a root that is a drive tree costs one listing.
 *
 * The decision (exh_hosts_decide) is pure: each marker is mapped to the
 * folder of its host by climbing well-known names (`V15` -> `Exchange
 * Server` -> `Microsoft` -> `Program Files` -> the drive; a drive named
 * `C`, `C%3A`, `%5C%5C.%5CC%3A`, `C$` -> its parent; Velociraptor's
 * `uploads/<accessor>` and shadow-copy folders -> the collection folder
 * above them), the hosts nested in others are folded into the outer one,
 * and the root is split only when two or more distinct hosts remain.
 * Everything ambiguous becomes a notice.
 *
 * Names are hostile input: they are carried as (bytes, length), compared
 * byte-wise with ASCII case folding only, and never interpreted further.
 */
#include "hosts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/ascii.h"
#include "core/compiler.h"
#include "core/dynbuf.h"
#include "core/limits.h"
#include "platform/fs.h"

/* Entries read in one look, all folders together: a folder of a million
 * files at the top of a root must not make the look cost more than the
 * hunt. Past it the look stops, as at the folder cap. */
#define HOSTS_MAX_ENTRIES 2000000u

/* Longest name kept (NAME_MAX on Linux); the longest notice reason; the
 * longest path built (a root of at most EXH_MAX_PATH bytes, which is
 * checked, and EXH_HOSTS_MAX_DEPTH names below it). */
#define HOSTS_MAX_NAME 255u
#define HOSTS_MAX_REASON (64u * 1024u)
#define HOSTS_MAX_BUILT (EXH_MAX_PATH + (EXH_HOSTS_MAX_DEPTH + 5) * (HOSTS_MAX_NAME + 1))

/* ---------------------------------------------------------------------- */
/* The tree.                                                               */

enum node_flag {
  N_LISTED = 1u << 0,     /* begin() was called */
  N_UNREADABLE = 1u << 1, /* could not be opened or read to the end */
  N_CUT = 1u << 2,        /* holds folders the caps kept out of the tree */
  N_DRIVE = 1u << 3,      /* a drive tree */
  N_INSTALL = 1u << 4,    /* an Exchange install root */
  N_LOGS = 1u << 5        /* holds Exchange, IIS or Windows event logs */
};

/* What a folder's own name says, worked out once when it is recorded. */
enum name_class {
  C_DRIVE_NAMED = 1u << 0, /* C, C:, C%3A, %5C%5C.%5CC%3A, C$, C_drive, ... */
  C_SHADOW = 1u << 1,      /* a shadow copy: vss1, ...HarddiskVolumeShadowCopy1 */
  C_UPLOADS = 1u << 2,     /* Velociraptor's uploads */
  C_CLIMB = 1u << 3,       /* a well-known Windows/Exchange/IIS folder name */
  C_V1X = 1u << 4,         /* V14, V15 */
  C_EXSERVER = 1u << 5,    /* Exchange Server, ExchangeServer */
  C_HTTPPROXY = 1u << 6    /* HttpProxy: its children are protocol folders */
};

enum log_kind {
  K_IIS = 1u << 0,
  K_HTTPPROXY = 1u << 1,
  K_ECP = 1u << 2,
  K_OAB = 1u << 3,
  K_EVTX = 1u << 4
};

typedef struct hnode {
  char *name; /* NULL for the root */
  uint32_t name_len;
  uint32_t parent;   /* EXH_HOSTS_NONE for the root */
  uint32_t n_other;  /* entries not recorded as folders here: files, links, cut folders */
  char *first_other; /* the smallest of them, by bytes */
  uint32_t first_other_len;
  uint32_t drive_strong; /* bits of drive_marks[] seen */
  uint32_t drive_weak;
  uint32_t inst_bits; /* bits of install_marks[] seen */
  int err;            /* errno when N_UNREADABLE */
  uint16_t flags;
  uint8_t depth;
  uint8_t cls;
  uint8_t log_kinds;
} hnode;

typedef struct hinst {
  uint32_t drive; /* the drive tree it was found in */
  char *suffix;   /* below the drive, e.g. "Program Files/Microsoft/Exchange Server/V15" */
  uint32_t suffix_len;
} hinst;

struct exh_hosts_tree {
  hnode *nodes;
  uint32_t n, cap;
  hinst *inst;
  uint32_t n_inst, cap_inst;
  uint32_t cur;       /* folder being listed, EXH_HOSTS_NONE between listings */
  uint32_t cur_start; /* n when it began: its children follow */
  bool capped_dirs, capped_depth, capped_entries;
};

/* ---------------------------------------------------------------------- */
/* Names.                                                                  */

/* `lit` is lower-case ASCII. */
static bool eq_ci(const char *s, size_t n, const char *lit)
{
  size_t l = strlen(lit);
  if (n != l)
    return false;
  for (size_t i = 0; i < n; i++)
    if (exh_lower(s[i]) != lit[i])
      return false;
  return true;
}

static bool prefix_ci(const char *s, size_t n, const char *lit)
{
  size_t l = strlen(lit);
  return n >= l && eq_ci(s, l, lit);
}

static bool suffix_ci(const char *s, size_t n, const char *lit)
{
  size_t l = strlen(lit);
  return n >= l && eq_ci(s + n - l, l, lit);
}

static bool all_digits(const char *s, size_t n)
{
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

static bool is_letter(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char exh_hosts_drive_letter(const char *name, size_t len)
{
  const char *s = name;
  size_t n = len;
  if (!s)
    return 0;
  /* Velociraptor's raw device accessor: \\.\C: URL-escaped, or unescaped
   * by an unzip tool that decodes names. */
  if (prefix_ci(s, n, "%5c%5c.%5c")) {
    s += 10;
    n -= 10;
  } else if (prefix_ci(s, n, "\\\\.\\")) {
    s += 4;
    n -= 4;
  }
  static const char *const before[] = {"drive_", "drive-", "drive ", "drive", "volume_", "vol_"};
  for (size_t i = 0; i < sizeof before / sizeof *before; i++)
    if (n == strlen(before[i]) + 1 && prefix_ci(s, n, before[i]) && is_letter(s[n - 1]))
      return (char)(exh_lower(s[n - 1]) - ('a' - 'A'));
  if (n == 0 || !is_letter((unsigned char)s[0]))
    return 0;
  static const char *const after[] = {"",       ":",      "%3a",   "$", "_drive",
                                      "-drive", " drive", "drive", "_", "_volume"};
  for (size_t i = 0; i < sizeof after / sizeof *after; i++)
    if (eq_ci(s + 1, n - 1, after[i]))
      return (char)(exh_lower(s[0]) - ('a' - 'A'));
  return 0;
}

static bool shadow_name(const char *s, size_t n)
{
  if (exh_contains_ci(s, n, "shadowcopy"))
    return true;
  return (prefix_ci(s, n, "vss") || prefix_ci(s, n, "vsc")) && all_digits(s + 3, n - 3);
}

/* Folders a log or an install root sits in on a Windows host: climbed from
 * a marker up to the drive (or the host folder, when the drive was not
 * collected as one). */
static const char *const climb_names[] = {"program files",
                                          "program files (x86)",
                                          "microsoft",
                                          "exchange server",
                                          "exchangeserver",
                                          "exchange",
                                          "v14",
                                          "v15",
                                          "logging",
                                          "httpproxy",
                                          "ecp",
                                          "server",
                                          "frontend",
                                          "clientaccess",
                                          "oabgeneratorlog",
                                          "inetpub",
                                          "logs",
                                          "logfiles",
                                          "windows",
                                          "system32",
                                          "winevt"};

static uint8_t classify_name(const char *s, size_t n)
{
  uint8_t c = 0;
  if (exh_hosts_drive_letter(s, n))
    c |= C_DRIVE_NAMED;
  if (shadow_name(s, n))
    c |= C_SHADOW;
  if (eq_ci(s, n, "uploads"))
    c |= C_UPLOADS;
  for (size_t i = 0; i < sizeof climb_names / sizeof *climb_names; i++)
    if (eq_ci(s, n, climb_names[i]))
      c |= C_CLIMB;
  if (prefix_ci(s, n, "w3svc") && all_digits(s + 5, n - 5))
    c |= C_CLIMB;
  if (eq_ci(s, n, "v14") || eq_ci(s, n, "v15"))
    c |= C_V1X;
  if (eq_ci(s, n, "exchange server") || eq_ci(s, n, "exchangeserver"))
    c |= C_EXSERVER;
  if (eq_ci(s, n, "httpproxy"))
    c |= C_HTTPPROXY;
  return c;
}

/* Names at the top of a Windows volume. Matched whatever their type: a
 * mounted image shows `Documents and Settings` as a symlink, and KAPE
 * copies `$Extend` as a folder and `$MFT` as a file. `Windows` and `Users`
 * alone are weak (source trees have a `windows` folder). */
static const struct {
  const char *name;
  bool strong;
} drive_marks[] = {
    {"program files", true},
    {"program files (x86)", true},
    {"programdata", true},
    {"inetpub", true},
    {"exchangesetuplogs", true},
    {"$recycle.bin", true},
    {"system volume information", true},
    {"documents and settings", true},
    {"$extend", true},
    {"$mft", true},
    {"$logfile", true},
    {"$boot", true},
    {"pagefile.sys", true},
    {"hiberfil.sys", true},
    {"swapfile.sys", true},
    {"bootmgr", true},
    {"windows", false},
    {"users", false},
};

/* Folders of an Exchange install root (V15, V14; Exchange Server itself in
 * a 2007-style or flattened copy). */
static const char *const install_marks[] = {
    "bin",     "logging",          "frontend",    "clientaccess", "transportroles",
    "mailbox", "unifiedmessaging", "exchangeoab", "fip-fs",       "remotescripts"};

static uint8_t log_kind_of(const char *s, size_t n)
{
  bool log = suffix_ci(s, n, ".log") || suffix_ci(s, n, ".log.gz");
  if (log && prefix_ci(s, n, "u_ex"))
    return K_IIS;
  if (log && prefix_ci(s, n, "ex") && n >= 12 && all_digits(s + 2, 6))
    return K_IIS; /* ex210303.log: IIS's non-UTF-8 name */
  if (prefix_ci(s, n, "httpproxy_"))
    return K_HTTPPROXY;
  if (prefix_ci(s, n, "ecpserver"))
    return K_ECP;
  if (prefix_ci(s, n, "oabgenerator"))
    return K_OAB;
  if (suffix_ci(s, n, ".evtx") || suffix_ci(s, n, ".evtx.gz"))
    return K_EVTX;
  return 0;
}

static unsigned popcount32(uint32_t x)
{
  unsigned c = 0;
  for (; x; x &= x - 1)
    c++;
  return c;
}

/* ---------------------------------------------------------------------- */
/* Building the tree.                                                      */

static void node_free(hnode *nd)
{
  exh_free(nd->name);
  exh_free(nd->first_other);
  nd->name = nd->first_other = NULL;
}

exhunt_err exh_hosts_tree_new(exh_hosts_tree **out)
{
  if (!out)
    return EXHUNT_EINVAL;
  *out = NULL;
  exh_hosts_tree *t = exh_calloc(1, sizeof *t);
  if (!t)
    return EXHUNT_ENOMEM;
  t->nodes = exh_calloc(16, sizeof *t->nodes);
  if (!t->nodes) {
    exh_free(t);
    return EXHUNT_ENOMEM;
  }
  t->cap = 16;
  t->n = 1;
  t->nodes[0].parent = EXH_HOSTS_NONE;
  t->cur = EXH_HOSTS_NONE;
  *out = t;
  return EXHUNT_OK;
}

void exh_hosts_tree_free(exh_hosts_tree *t)
{
  if (!t)
    return;
  for (uint32_t i = 0; i < t->n; i++)
    node_free(&t->nodes[i]);
  exh_free(t->nodes);
  for (uint32_t i = 0; i < t->n_inst; i++)
    exh_free(t->inst[i].suffix);
  exh_free(t->inst);
  exh_free(t);
}

uint32_t exh_hosts_tree_count(const exh_hosts_tree *t)
{
  return t ? t->n : 0;
}

exhunt_err exh_hosts_tree_begin(exh_hosts_tree *t, uint32_t dir)
{
  if (!t || dir >= t->n || t->cur != EXH_HOSTS_NONE || (t->nodes[dir].flags & N_LISTED))
    return EXHUNT_EINVAL;
  t->nodes[dir].flags |= N_LISTED;
  t->cur = dir;
  t->cur_start = t->n;
  return EXHUNT_OK;
}

/* Keeps the smallest name, by bytes, among a folder's unrecorded entries. */
static exhunt_err note_other(hnode *nd, const char *name, size_t len)
{
  nd->n_other++;
  if (nd->first_other) {
    size_t m = len < nd->first_other_len ? len : nd->first_other_len;
    int c = memcmp(name, nd->first_other, m);
    if (c > 0 || (c == 0 && len >= nd->first_other_len))
      return EXHUNT_OK;
  }
  char *copy = exh_malloc(len + 1);
  if (!copy) {
    nd->n_other--;
    return EXHUNT_ENOMEM;
  }
  memcpy(copy, name, len);
  copy[len] = '\0';
  exh_free(nd->first_other);
  nd->first_other = copy;
  nd->first_other_len = (uint32_t)len;
  return EXHUNT_OK;
}

static exhunt_err add_node(exh_hosts_tree *t, uint32_t parent, const char *name, size_t len,
                           uint32_t *child)
{
  if (t->n == t->cap) {
    uint32_t cap = t->cap * 2;
    hnode *bigger = exh_reallocarray(t->nodes, cap, sizeof *bigger);
    if (!bigger)
      return EXHUNT_ENOMEM;
    t->nodes = bigger;
    t->cap = cap;
  }
  char *copy = exh_malloc(len + 1);
  if (!copy)
    return EXHUNT_ENOMEM;
  memcpy(copy, name, len);
  copy[len] = '\0';
  hnode *nd = &t->nodes[t->n];
  memset(nd, 0, sizeof *nd);
  nd->name = copy;
  nd->name_len = (uint32_t)len;
  nd->parent = parent;
  nd->depth = (uint8_t)(t->nodes[parent].depth + 1);
  nd->cls = classify_name(name, len);
  *child = t->n++;
  return EXHUNT_OK;
}

exhunt_err exh_hosts_tree_entry(exh_hosts_tree *t, uint32_t dir, const char *name, size_t len,
                                bool is_dir, uint32_t *child)
{
  if (child)
    *child = EXH_HOSTS_NONE;
  if (!t || dir != t->cur || (!name && len))
    return EXHUNT_EINVAL;
  /* What a directory entry on disk cannot be. */
  if (len == 0 || len > HOSTS_MAX_NAME || memchr(name, '\0', len) || memchr(name, '/', len) ||
      (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
    return EXHUNT_OK;
  hnode *nd = &t->nodes[dir];
  for (size_t i = 0; i < sizeof drive_marks / sizeof *drive_marks; i++)
    if (eq_ci(name, len, drive_marks[i].name)) {
      if (drive_marks[i].strong)
        nd->drive_strong |= 1u << i;
      else
        nd->drive_weak |= 1u << i;
    }
  if (is_dir) {
    for (size_t i = 0; i < sizeof install_marks / sizeof *install_marks; i++)
      if (eq_ci(name, len, install_marks[i]))
        nd->inst_bits |= 1u << i;
  } else {
    nd->log_kinds |= log_kind_of(name, len);
  }
  if (is_dir) {
    bool too_deep = nd->depth >= EXH_HOSTS_MAX_DEPTH;
    bool too_many = t->n >= EXH_HOSTS_MAX_DIRS;
    if (!too_deep && !too_many) {
      uint32_t idx;
      exhunt_err err = add_node(t, dir, name, len, &idx);
      if (err)
        return err;
      if (child)
        *child = idx;
      return EXHUNT_OK;
    }
    nd->flags |= N_CUT;
    t->capped_depth = t->capped_depth || too_deep;
    t->capped_dirs = t->capped_dirs || too_many;
  }
  return note_other(nd, name, len);
}

bool exh_hosts_tree_end(exh_hosts_tree *t, uint32_t dir)
{
  if (!t || dir != t->cur)
    return false;
  t->cur = EXH_HOSTS_NONE;
  hnode *nd = &t->nodes[dir];
  unsigned score = 2 * popcount32(nd->drive_strong) + popcount32(nd->drive_weak);
  unsigned inst = popcount32(nd->inst_bits);
  bool named = nd->cls & (C_DRIVE_NAMED | C_SHADOW);
  if (score >= 2 || (score >= 1 && named))
    nd->flags |= N_DRIVE;
  else if (((nd->cls & C_V1X) && inst >= 1) || ((nd->cls & C_EXSERVER) && inst >= 2))
    nd->flags |= N_INSTALL;
  else {
    if (nd->log_kinds)
      nd->flags |= N_LOGS;
    return false;
  }
  /* Not entered: what it holds is its own. Its folders were recorded last. */
  for (uint32_t i = t->cur_start; i < t->n; i++)
    node_free(&t->nodes[i]);
  t->n = t->cur_start;
  nd->flags &= (uint16_t)~N_CUT;
  return true;
}

void exh_hosts_tree_unreadable(exh_hosts_tree *t, uint32_t dir)
{
  if (t && dir < t->n)
    t->nodes[dir].flags |= N_UNREADABLE;
}

exhunt_err exh_hosts_tree_install(exh_hosts_tree *t, uint32_t drive, const char *suffix, size_t len)
{
  if (!t || drive >= t->n || !suffix || !(t->nodes[drive].flags & N_DRIVE) || len > 4096 ||
      memchr(suffix, '\0', len))
    return EXHUNT_EINVAL;
  if (t->n_inst == t->cap_inst) {
    uint32_t cap = t->cap_inst ? t->cap_inst * 2 : 8;
    hinst *bigger = exh_reallocarray(t->inst, cap, sizeof *bigger);
    if (!bigger)
      return EXHUNT_ENOMEM;
    t->inst = bigger;
    t->cap_inst = cap;
  }
  char *copy = exh_malloc(len + 1);
  if (!copy)
    return EXHUNT_ENOMEM;
  memcpy(copy, suffix, len);
  copy[len] = '\0';
  t->inst[t->n_inst++] = (hinst){drive, copy, (uint32_t)len};
  return EXHUNT_OK;
}

/* ---------------------------------------------------------------------- */
/* Mapping a marker to its host folder.                                    */

/* Up through well-known Windows folder names, from an install root or a
 * log folder to the drive (or the host folder, when no drive was kept). */
static uint32_t climb(const exh_hosts_tree *t, uint32_t x)
{
  while (x != EXH_HOSTS_ROOT) {
    uint32_t p = t->nodes[x].parent;
    if (!(t->nodes[x].cls & C_CLIMB) && !(t->nodes[p].cls & C_HTTPPROXY))
      break;
    x = p;
  }
  return x;
}

/* A drive's host: the folder above it, past shadow-copy folders and
 * Velociraptor's uploads/<accessor>. A folder not named like a drive is its
 * own host. Never above the root. */
static uint32_t host_of(const exh_hosts_tree *t, uint32_t x)
{
  if (x == EXH_HOSTS_ROOT || !(t->nodes[x].cls & (C_DRIVE_NAMED | C_SHADOW)))
    return x;
  uint32_t y = t->nodes[x].parent;
  while (y != EXH_HOSTS_ROOT) {
    uint32_t p = t->nodes[y].parent;
    if (t->nodes[y].cls & (C_SHADOW | C_UPLOADS)) {
      y = p;
      continue;
    }
    if (t->nodes[p].cls & C_UPLOADS) { /* y is the accessor: auto, ntfs, mft, ... */
      if (p == EXH_HOSTS_ROOT)
        return EXH_HOSTS_ROOT;
      y = t->nodes[p].parent;
      continue;
    }
    break;
  }
  return y;
}

/* The folder an install root or a log folder hangs from: up through
 * well-known names; then, for a custom install folder right in a drive
 * (D:\Exch\V15, E:\MSExchange\V15: a name with "exch" in it, under a
 * folder named like a drive), the drive. Only that narrow case: a host
 * folder under a batch folder named "a" must stay a host. */
static uint32_t drive_of(const exh_hosts_tree *t, uint32_t x)
{
  x = climb(t, x);
  if (x == EXH_HOSTS_ROOT || (t->nodes[x].cls & (C_DRIVE_NAMED | C_SHADOW)))
    return x;
  uint32_t p = t->nodes[x].parent;
  if (exh_contains_ci(t->nodes[x].name, t->nodes[x].name_len, "exch") &&
      (t->nodes[p].cls & (C_DRIVE_NAMED | C_SHADOW)))
    return p;
  return x;
}

/* Places on a server the logs come from: a folder holding logs of two
 * places was gathered from a host (IIS's and Exchange's, say); one place
 * only may be one server's logs sorted by kind, or a set of samples. */
static unsigned places_of(uint8_t kinds)
{
  return ((kinds & K_IIS) ? 1u : 0u) + ((kinds & (K_HTTPPROXY | K_ECP | K_OAB)) ? 1u : 0u) +
         ((kinds & K_EVTX) ? 1u : 0u);
}

/* ---------------------------------------------------------------------- */
/* Paths and names for the output.                                         */

/* Path of x relative to the root ("" for the root) into b (reset first). */
static exhunt_err rel_path(const exh_hosts_tree *t, uint32_t x, exh_dynbuf *b)
{
  uint32_t chain[EXH_HOSTS_MAX_DEPTH + 1];
  unsigned n = 0;
  for (; x != EXH_HOSTS_ROOT && n <= EXH_HOSTS_MAX_DEPTH; x = t->nodes[x].parent)
    chain[n++] = x;
  exh_dynbuf_reset(b);
  exhunt_err err = exh_dynbuf_add(b, "", 0);
  while (!err && n-- > 0) {
    const hnode *nd = &t->nodes[chain[n]];
    if (b->len)
      err = exh_dynbuf_addc(b, '/');
    if (!err)
      err = exh_dynbuf_add(b, nd->name, nd->name_len);
  }
  return err;
}

/* root + "/" + rel (rel may be empty: then the root as given). */
static exhunt_err join_path(const char *root, const char *rel, size_t rel_len, exh_dynbuf *b)
{
  exh_dynbuf_reset(b);
  size_t rl = strlen(root);
  exhunt_err err = exh_dynbuf_add(b, root, rl);
  if (!err && rel_len && rl && root[rl - 1] != '/')
    err = exh_dynbuf_addc(b, '/');
  if (!err)
    err = exh_dynbuf_add(b, rel, rel_len);
  return err;
}

static bool stamp_chars(const char *s, size_t n)
{
  if (n < 4 || !all_digits(s, 4))
    return false;
  for (size_t i = 4; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || memchr("TZtz_:.+-", s[i], 9)))
      return false;
  return true;
}

/* A folder's display name: Velociraptor's "Collection-<host>-<timestamp>"
 * (its default file name template) gives the host; anything else is kept. */
static char *display_name(const char *s, size_t n)
{
  const char *p = s;
  size_t m = n;
  if (m > 4 && suffix_ci(p, m, ".zip"))
    m -= 4;
  if (m > 11 && prefix_ci(p, m, "collection-")) {
    p += 11;
    m -= 11;
    for (size_t k = 1; k < m; k++)
      if (p[k] == '-' && stamp_chars(p + k + 1, m - k - 1)) {
        m = k;
        break;
      }
  } else {
    p = s;
    m = n;
  }
  return exh_strndup(p, m);
}

static char *display_of(const exh_hosts_tree *t, uint32_t x, const char *root)
{
  if (x != EXH_HOSTS_ROOT)
    return display_name(t->nodes[x].name, t->nodes[x].name_len);
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/')
    n--;
  size_t b = n;
  while (b > 0 && root[b - 1] != '/')
    b--;
  if (b == n) /* "/" */
    return exh_strndup(root, n);
  return display_name(root + b, n - b);
}

/* ---------------------------------------------------------------------- */
/* The decision.                                                           */

enum role {
  R_STRONG = 1u << 0, /* a drive tree or install root maps here */
  R_WEAK = 1u << 1,   /* a log folder maps here */
  R_FINAL = 1u << 2,  /* a strong host kept (not inside another) */
  R_WFINAL = 1u << 3, /* a log-only host kept */
  R_BELOW = 1u << 4,  /* a kept strong host lies strictly below */
  R_HOST = 1u << 5,   /* in the answer (or the one host beside which others sit) */
  R_SCAFF = 1u << 6,  /* strictly above an R_HOST: the collection's own folders */
  R_QUAL = 1u << 7    /* an R_WFINAL whose logs come from two places of a server */
};

typedef struct decide {
  const exh_hosts_tree *t;
  const char *root;
  const exhunt_sink *sink;
  uint8_t *role;
  uint8_t *kinds;
  exh_dynbuf a, b, reason; /* scratch paths and the notice being written */
} decide;

static void emit(const decide *d, exhunt_notice_kind kind, exhunt_err code, const char *what,
                 const char *path)
{
  exhunt_notice n = {kind, code, what, path, d->reason.data ? d->reason.data : ""};
  d->sink->on_notice(d->sink->ctx, &n);
}

/* The reason is capped; past the cap it is cut, not lost. */
static exhunt_err say(decide *d, const char *fmt, ...) EXH_PRINTF(2, 3);
static exhunt_err say(decide *d, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  exhunt_err err = exh_dynbuf_adds(&d->reason, buf);
  return err == EXHUNT_ELIMIT ? EXHUNT_OK : err;
}

/* Raw bytes (a name or a path) into the reason, uncut by printf. */
static exhunt_err say_bytes(decide *d, const char *s, size_t n)
{
  exhunt_err err = exh_dynbuf_add(&d->reason, s, n);
  return err == EXHUNT_ELIMIT ? EXHUNT_OK : err;
}

static uint32_t final_host_of(const decide *d, uint32_t x)
{
  for (; x != EXH_HOSTS_NONE; x = d->t->nodes[x].parent)
    if (d->role[x] & R_HOST)
      return x;
  return EXH_HOSTS_NONE;
}

/* Entries in the collection's own folders (R_SCAFF) that are neither a host
 * nor lead to one: their count and the first in path order (in d->b). */
static exhunt_err count_outside(decide *d, uint32_t *count)
{
  const exh_hosts_tree *t = d->t;
  *count = 0;
  exh_dynbuf_reset(&d->b);
  bool have = false;
  for (uint32_t i = 0; i < t->n; i++) {
    const hnode *nd = &t->nodes[i];
    bool cand_dir = i != EXH_HOSTS_ROOT && (d->role[nd->parent] & R_SCAFF) &&
                    !(d->role[i] & (R_HOST | R_SCAFF));
    bool cand_files = (d->role[i] & R_SCAFF) && nd->n_other;
    if (!cand_dir && !cand_files)
      continue;
    *count += cand_dir ? 1 : 0;
    *count += cand_files ? nd->n_other : 0;
    exhunt_err err = rel_path(t, i, &d->a);
    if (!err && !cand_dir) {
      if (d->a.len)
        err = exh_dynbuf_addc(&d->a, '/');
      if (!err)
        err = exh_dynbuf_add(&d->a, nd->first_other, nd->first_other_len);
    }
    if (err)
      return err;
    size_t m = d->a.len < d->b.len ? d->a.len : d->b.len;
    int c = have ? memcmp(d->a.data, d->b.data, m) : -1;
    if (!have || c < 0 || (c == 0 && d->a.len < d->b.len)) {
      exh_dynbuf_reset(&d->b);
      if ((err = exh_dynbuf_add(&d->b, d->a.data, d->a.len)) != EXHUNT_OK)
        return err;
      have = true;
    }
  }
  return EXHUNT_OK;
}

static void mark_scaffold(decide *d)
{
  const exh_hosts_tree *t = d->t;
  for (uint32_t i = 0; i < t->n; i++)
    if (d->role[i] & R_HOST)
      for (uint32_t p = t->nodes[i].parent; p != EXH_HOSTS_NONE; p = t->nodes[p].parent)
        d->role[p] |= R_SCAFF;
}

/* "EX01 (EX01), EX02 (Collection-EX02-.../...)" for up to NOTE_NAMES hosts. */
static exhunt_err say_hosts(decide *d, const uint32_t *hs, uint32_t n)
{
  exhunt_err err = EXHUNT_OK;
  for (uint32_t i = 0; i < n && i < EXH_HOSTS_NOTE_NAMES && !err; i++) {
    char *name = display_of(d->t, hs[i], d->root);
    if (!name)
      return EXHUNT_ENOMEM;
    err = rel_path(d->t, hs[i], &d->a);
    if (!err && i)
      err = say(d, ", ");
    if (!err)
      err = say_bytes(d, name, strlen(name));
    if (!err && strcmp(name, d->a.data) != 0) {
      err = say(d, " (");
      if (!err)
        err = say_bytes(d, d->a.data, d->a.len);
      if (!err)
        err = say(d, ")");
    }
    exh_free(name);
  }
  if (!err && n > EXH_HOSTS_NOTE_NAMES)
    err = say(d, " and %u more", (unsigned)(n - EXH_HOSTS_NOTE_NAMES));
  return err;
}

typedef struct nested_pair {
  uint32_t inner, outer;
} nested_pair;

/* Steps 1 and 2 (docs/hosts.md): markers to hosts; hosts inside hosts folded
 * into the outer one. */
static void resolve(decide *d, nested_pair *nested, uint32_t *n_nested, uint32_t *n_strong)
{
  const exh_hosts_tree *t = d->t;
  for (uint32_t i = 0; i < t->n; i++) {
    const hnode *nd = &t->nodes[i];
    if (nd->flags & N_DRIVE)
      d->role[host_of(t, i)] |= R_STRONG;
    else if (nd->flags & N_INSTALL)
      d->role[host_of(t, drive_of(t, i))] |= R_STRONG;
    else if (nd->flags & N_LOGS) {
      uint32_t h = host_of(t, drive_of(t, i));
      d->role[h] |= R_WEAK;
      d->kinds[h] |= nd->log_kinds;
    }
  }
  *n_nested = *n_strong = 0;
  /* Outer first: by depth. */
  for (unsigned depth = 0; depth <= EXH_HOSTS_MAX_DEPTH; depth++)
    for (uint32_t i = 0; i < t->n; i++) {
      if (t->nodes[i].depth != depth || !(d->role[i] & R_STRONG))
        continue;
      uint32_t outer = EXH_HOSTS_NONE;
      for (uint32_t p = t->nodes[i].parent; p != EXH_HOSTS_NONE; p = t->nodes[p].parent)
        if (d->role[p] & R_FINAL)
          outer = p;
      if (outer == EXH_HOSTS_NONE) {
        d->role[i] |= R_FINAL;
        (*n_strong)++;
        for (uint32_t p = t->nodes[i].parent; p != EXH_HOSTS_NONE; p = t->nodes[p].parent)
          d->role[p] |= R_BELOW;
        continue;
      }
      if (*n_nested < EXH_HOSTS_MAX_NOTES)
        nested[*n_nested] = (nested_pair){i, outer};
      (*n_nested)++;
    }
  /* Log folders: inside a kept host they are that host's; one that holds
   * a kept host is not a host (its loose files are beside the hosts); of
   * nested ones the outer is kept, with the kinds of logs of all. */
  for (unsigned depth = 0; depth <= EXH_HOSTS_MAX_DEPTH; depth++)
    for (uint32_t i = 0; i < t->n; i++) {
      if (t->nodes[i].depth != depth || !(d->role[i] & R_WEAK) ||
          (d->role[i] & (R_FINAL | R_BELOW)))
        continue;
      uint32_t outer = EXH_HOSTS_NONE;
      for (uint32_t p = t->nodes[i].parent; p != EXH_HOSTS_NONE; p = t->nodes[p].parent)
        if (d->role[p] & (R_FINAL | R_WFINAL))
          outer = p;
      if (outer == EXH_HOSTS_NONE)
        d->role[i] |= R_WFINAL;
      else if (d->role[outer] & R_WFINAL) {
        d->kinds[outer] |= d->kinds[i];
      }
    }
}

/* Folders the look could not see (a cap) that lie outside every host in
 * `inside` (R_HOST): they might hold a host of their own. */
static bool unseen_outside(const decide *d)
{
  const exh_hosts_tree *t = d->t;
  for (uint32_t i = 0; i < t->n; i++) {
    const hnode *nd = &t->nodes[i];
    bool unseen = (nd->flags & N_CUT) || !(nd->flags & (N_LISTED | N_UNREADABLE));
    if (unseen && final_host_of(d, i) == EXH_HOSTS_NONE)
      return true;
  }
  return false;
}

static exhunt_err say_caps(decide *d)
{
  const exh_hosts_tree *t = d->t;
  if (!t->capped_dirs && !t->capped_depth && !t->capped_entries)
    return say(d, "the look for hosts left folders outside the hosts it found unlisted");
  exhunt_err err = say(d, "the look for hosts stopped at its cap (");
  const char *sep = "";
  if (!err && t->capped_dirs) {
    err = say(d, "%u folders", EXH_HOSTS_MAX_DIRS);
    sep = ", ";
  }
  if (!err && t->capped_depth) {
    err = say(d, "%s%u levels deep", sep, EXH_HOSTS_MAX_DEPTH);
    sep = ", ";
  }
  if (!err && t->capped_entries)
    err = say(d, "%s%u entries", sep, HOSTS_MAX_ENTRIES);
  if (!err)
    err = say(d, ") before seeing every folder outside the hosts it found");
  return err;
}

static int cmp_hosts(const void *a, const void *b)
{
  const exh_host *x = a, *y = b;
  return strcmp(x->path, y->path);
}

/* The answer when the root is one server. */
static exhunt_err one_host(decide *d, uint32_t named, exh_host_list *out)
{
  out->hosts = exh_calloc(1, sizeof *out->hosts);
  if (!out->hosts)
    return EXHUNT_ENOMEM;
  out->n = 1;
  out->split = false;
  out->hosts[0].path = exh_strdup(d->root);
  out->hosts[0].name = display_of(d->t, named, d->root);
  if (!out->hosts[0].path || !out->hosts[0].name)
    return EXHUNT_ENOMEM;
  return EXHUNT_OK;
}

static exhunt_err split_hosts(decide *d, exh_host_list *out, uint32_t n_hosts)
{
  const exh_hosts_tree *t = d->t;
  out->hosts = exh_calloc(n_hosts, sizeof *out->hosts);
  if (!out->hosts)
    return EXHUNT_ENOMEM;
  out->split = true;
  exhunt_err err = EXHUNT_OK;
  for (uint32_t i = 0; i < t->n && !err; i++) {
    if (!(d->role[i] & R_HOST))
      continue;
    exh_host *h = &out->hosts[out->n++];
    err = rel_path(t, i, &d->a);
    if (!err)
      err = join_path(d->root, d->a.data, d->a.len, &d->b);
    if (err)
      break;
    h->path = exh_strndup(d->b.data, d->b.len);
    h->name = display_of(t, i, d->root);
    if (!h->path || !h->name)
      err = EXHUNT_ENOMEM;
  }
  if (err)
    return err;
  qsort(out->hosts, out->n, sizeof *out->hosts, cmp_hosts);
  /* Two hosts named alike (EX01/Triage and EX02/Triage) are told apart by
   * their path below the root. */
  size_t rl = strlen(d->root);
  bool *alike = exh_calloc(out->n ? out->n : 1, sizeof *alike);
  if (!alike)
    return EXHUNT_ENOMEM;
  for (size_t i = 0; i < out->n; i++)
    for (size_t j = i + 1; j < out->n; j++)
      if (strcmp(out->hosts[i].name, out->hosts[j].name) == 0)
        alike[i] = alike[j] = true;
  for (size_t i = 0; i < out->n && !err; i++) {
    if (!alike[i])
      continue;
    const char *rel = out->hosts[i].path + rl;
    while (*rel == '/')
      rel++;
    char *name = exh_strdup(rel);
    if (!name) {
      err = EXHUNT_ENOMEM;
      break;
    }
    exh_free(out->hosts[i].name);
    out->hosts[i].name = name;
  }
  exh_free(alike);
  return err;
}

/* Two install roots in one host, unless they are the same install seen
 * twice: the same path below drives of the same letter (Velociraptor's
 * auto and ntfs accessors), or below a shadow copy of it. */
typedef struct inst_key {
  uint32_t host;
  char letter; /* 'C', '?' for a shadow copy, 0 when no drive was kept */
  char *below; /* path below the drive, folded */
  char *path;  /* relative to the root */
} inst_key;

static exhunt_err inst_key_of(decide *d, uint32_t drive, uint32_t node, const char *suffix,
                              size_t suffix_len, inst_key *k)
{
  const exh_hosts_tree *t = d->t;
  k->below = k->path = NULL;
  k->letter = 0;
  if (drive != EXH_HOSTS_ROOT) {
    const hnode *dn = &t->nodes[drive];
    k->letter = (dn->cls & C_SHADOW) ? '?' : exh_hosts_drive_letter(dn->name, dn->name_len);
  }
  exhunt_err err = rel_path(t, node, &d->a);
  if (!err && suffix_len) {
    if (d->a.len)
      err = exh_dynbuf_addc(&d->a, '/');
    if (!err)
      err = exh_dynbuf_add(&d->a, suffix, suffix_len);
  }
  if (err)
    return err;
  k->path = exh_strndup(d->a.data, d->a.len);
  if ((err = rel_path(t, drive, &d->b)) != EXHUNT_OK || !k->path)
    return k->path ? err : EXHUNT_ENOMEM;
  const char *below = d->a.data + (d->b.len < d->a.len ? d->b.len : d->a.len);
  while (*below == '/')
    below++;
  k->below = exh_strdup(below);
  if (!k->below)
    return EXHUNT_ENOMEM;
  for (char *p = k->below; *p; p++)
    *p = exh_lower(*p);
  return EXHUNT_OK;
}

static bool same_install(const inst_key *a, const inst_key *b)
{
  return strcmp(a->below, b->below) == 0 &&
         (a->letter == b->letter || a->letter == '?' || b->letter == '?');
}

static int cmp_inst_path(const void *a, const void *b)
{
  const inst_key *x = a, *y = b;
  return strcmp(x->path, y->path);
}

static exhunt_err two_installs(decide *d)
{
  const exh_hosts_tree *t = d->t;
  exhunt_err err = EXHUNT_OK;
  inst_key keep[EXH_HOSTS_MAX_NOTES];
  uint32_t notes = 0;
  /* One pass per host: hosts are few and install roots fewer. */
  for (uint32_t h = 0; h < t->n && !err; h++) {
    if (!(d->role[h] & R_HOST))
      continue;
    uint32_t n_keep = 0;
    bool more = false;
    /* found by the look (node = the V15 folder) and inside drive trees */
    for (uint32_t j = 0; j < t->n + t->n_inst && !err; j++) {
      uint32_t node, drive;
      const char *suffix = "";
      size_t sl = 0;
      if (j < t->n) {
        if (!(t->nodes[j].flags & N_INSTALL))
          continue;
        node = j;
        drive = drive_of(t, j);
      } else {
        const hinst *in = &t->inst[j - t->n];
        node = drive = in->drive;
        suffix = in->suffix;
        sl = in->suffix_len;
      }
      if (final_host_of(d, node) != h)
        continue;
      inst_key k;
      err = inst_key_of(d, drive, node, suffix, sl, &k);
      bool known = false;
      for (uint32_t m = 0; !err && m < n_keep && !known; m++)
        known = same_install(&keep[m], &k);
      if (!err && !known && n_keep < EXH_HOSTS_MAX_NOTES) {
        keep[n_keep++] = k;
        continue;
      }
      more = more || (!err && !known);
      exh_free(k.below);
      exh_free(k.path);
    }
    if (!err && n_keep >= 2 && notes++ < EXH_HOSTS_MAX_NOTES) {
      qsort(keep, n_keep, sizeof *keep, cmp_inst_path);
      exh_dynbuf_reset(&d->reason);
      char *name = display_of(t, h, d->root);
      err = name ? rel_path(t, h, &d->a) : EXHUNT_ENOMEM;
      if (!err)
        err = join_path(d->root, d->a.data, d->a.len, &d->b);
      if (!err)
        err = say(d, "host ");
      if (!err)
        err = say_bytes(d, name, strlen(name));
      if (!err)
        err = say(d, " holds %s%u Exchange install roots (", more ? "more than " : "", n_keep);
      for (uint32_t m = 0; m < n_keep && m < 2 && !err; m++) {
        err = say(d, "%s", m ? " and " : "");
        if (!err)
          err = say_bytes(d, keep[m].path, strlen(keep[m].path));
      }
      if (!err)
        err = say(d,
                  "%s); they are hunted as this one server, so one build decides the "
                  "exposure of both. If they come from two servers, hunt each one's folder "
                  "as its own root",
                  n_keep > 2 ? ", ..." : "");
      if (!err)
        emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "hosts-two-installs", d->b.data);
      exh_free(name);
    }
    for (uint32_t m = 0; m < n_keep; m++) {
      exh_free(keep[m].below);
      exh_free(keep[m].path);
    }
  }
  return err;
}

static exhunt_err nested_notes(decide *d, const nested_pair *nested, uint32_t n_nested)
{
  exhunt_err err = EXHUNT_OK;
  for (uint32_t i = 0; i < n_nested && i < EXH_HOSTS_MAX_NOTES && !err; i++) {
    exh_dynbuf_reset(&d->reason);
    err = rel_path(d->t, nested[i].inner, &d->a);
    if (!err)
      err = join_path(d->root, d->a.data, d->a.len, &d->b);
    if (!err)
      err = say(d, "this folder looks like a host of its own (a drive or an Exchange install) "
                   "but lies inside the host ");
    if (!err)
      err = rel_path(d->t, nested[i].outer, &d->a);
    if (!err)
      err = d->a.len ? say_bytes(d, d->a.data, d->a.len) : say(d, "that is the root itself");
    if (!err)
      err = say(d, "; it is hunted as part of that host. If it is another server, hunt it as its "
                   "own root");
    if (!err && i + 1 == EXH_HOSTS_MAX_NOTES && n_nested > EXH_HOSTS_MAX_NOTES)
      err = say(d, " (and %u more folders like it)", (unsigned)(n_nested - EXH_HOSTS_MAX_NOTES));
    if (!err)
      emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "hosts-nested", d->b.data);
  }
  return err;
}

static exhunt_err unreadable_notes(decide *d)
{
  const exh_hosts_tree *t = d->t;
  exhunt_err err = EXHUNT_OK;
  uint32_t n = 0;
  for (uint32_t i = 0; i < t->n && !err; i++) {
    if (!(t->nodes[i].flags & N_UNREADABLE) || final_host_of(d, i) != EXH_HOSTS_NONE)
      continue;
    if (n++ >= EXH_HOSTS_MAX_NOTES)
      continue;
    exh_dynbuf_reset(&d->reason);
    err = rel_path(t, i, &d->a);
    if (!err)
      err = join_path(d->root, d->a.data, d->a.len, &d->b);
    if (!err)
      err = say(d, "could not be looked into for hosts (%s); a host inside it would be missed",
                strerror(t->nodes[i].err ? t->nodes[i].err : EIO));
    if (!err) {
      int e = t->nodes[i].err;
      exhunt_err code = e == EACCES || e == EPERM ? EXHUNT_EACCES
                        : e == ENOENT             ? EXHUNT_ENOENT
                        : e == ELOOP              ? EXHUNT_ELOOP
                                                  : EXHUNT_EIO;
      emit(d, EXHUNT_NOTICE_NOTE, code, "hosts-unreadable", d->b.data);
    }
  }
  if (!err && n > EXH_HOSTS_MAX_NOTES) {
    exh_dynbuf_reset(&d->reason);
    err = say(d, "%u more folders could not be looked into for hosts",
              (unsigned)(n - EXH_HOSTS_MAX_NOTES));
    if (!err)
      emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_EIO, "hosts-unreadable", d->root);
  }
  return err;
}

static exhunt_err decide_run(decide *d, exh_host_list *out)
{
  const exh_hosts_tree *t = d->t;
  nested_pair nested[EXH_HOSTS_MAX_NOTES];
  uint32_t n_nested, n_strong;
  resolve(d, nested, &n_nested, &n_strong);

  /* Hosts: drives and installs, and log folders gathered from a host.
   * When there are two, the other log folders are servers of their own
   * too (rather than left unhunted). */
  uint32_t n_qual = 0;
  for (uint32_t i = 0; i < t->n; i++)
    if ((d->role[i] & R_WFINAL) && places_of(d->kinds[i]) >= 2) {
      d->role[i] |= R_QUAL;
      n_qual++;
    }
  bool split = n_strong + n_qual >= 2;
  uint32_t n_hosts = 0, the_one = EXH_HOSTS_ROOT;
  for (uint32_t i = 0; i < t->n; i++) {
    bool keep = split ? (d->role[i] & (R_FINAL | R_WFINAL)) : (d->role[i] & (R_FINAL | R_QUAL));
    if (keep) {
      d->role[i] |= R_HOST;
      n_hosts++;
      the_one = i;
    }
  }
  bool unseen = unseen_outside(d), fell_back = false;
  exhunt_err err = EXHUNT_OK;
  if (split && (unseen || n_hosts > EXH_HOSTS_MAX_HOSTS)) {
    /* Not everything outside the hosts was seen (or there are too many):
     * the split could leave a host unhunted or cut in two. */
    exh_dynbuf_reset(&d->reason);
    uint32_t *hs = exh_calloc(n_hosts, sizeof *hs);
    if (!hs)
      return EXHUNT_ENOMEM;
    for (uint32_t i = 0, k = 0; i < t->n; i++)
      if (d->role[i] & R_HOST)
        hs[k++] = i;
    err = say(d, "the root looks like it holds %u hosts (", (unsigned)n_hosts);
    if (!err)
      err = say_hosts(d, hs, n_hosts);
    exh_free(hs);
    if (!err)
      err = say(d, "), but ");
    if (!err && n_hosts > EXH_HOSTS_MAX_HOSTS)
      err = say(d, "that is more than %u", EXH_HOSTS_MAX_HOSTS);
    else if (!err)
      err = say_caps(d);
    if (!err)
      err = say(d, ", so it is hunted as one server. For one verdict per host, hunt each host's "
                   "folder as its own root");
    if (!err)
      emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "hosts-capped", d->root);
    for (uint32_t i = 0; i < t->n; i++)
      d->role[i] &= (uint8_t) ~(R_HOST | R_SCAFF);
    split = false;
    fell_back = true;
    unseen = false; /* said */
    n_hosts = 0;
    for (uint32_t i = 0; i < t->n; i++)
      if (d->role[i] & (R_FINAL | R_QUAL)) {
        n_hosts++;
        the_one = i;
      }
    if (n_hosts != 1)
      the_one = EXH_HOSTS_ROOT;
  }
  if (err)
    return err;

  if (split) {
    if ((err = split_hosts(d, out, n_hosts)) != EXHUNT_OK)
      return err;
    exh_dynbuf_reset(&d->reason);
    err = say(d, "the root holds %u hosts, hunted as one server each: ", (unsigned)n_hosts);
    /* name them in the order of the answer */
    for (size_t k = 0; k < out->n && k < EXH_HOSTS_NOTE_NAMES && !err; k++) {
      const char *rel = out->hosts[k].path + strlen(d->root);
      while (*rel == '/')
        rel++;
      err = say(d, "%s", k ? ", " : "");
      if (!err)
        err = say_bytes(d, out->hosts[k].name, strlen(out->hosts[k].name));
      if (!err && strcmp(out->hosts[k].name, rel) != 0) {
        err = say(d, " (");
        if (!err)
          err = say_bytes(d, rel, strlen(rel));
        if (!err)
          err = say(d, ")");
      }
    }
    if (!err && out->n > EXH_HOSTS_NOTE_NAMES)
      err = say(d, " and %u more", (unsigned)(out->n - EXH_HOSTS_NOTE_NAMES));
    if (!err)
      emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "hosts-split", d->root);
    mark_scaffold(d);
    uint32_t count = 0;
    if (!err)
      err = count_outside(d, &count);
    if (!err && count) {
      exh_dynbuf_reset(&d->reason);
      err = join_path(d->root, d->b.data, d->b.len, &d->a);
      if (!err)
        err = say(d, "%u %s under the root belong%s to no host and %s not hunted (the first: ",
                  (unsigned)count, count == 1 ? "entry" : "entries", count == 1 ? "s" : "",
                  count == 1 ? "is" : "are");
      if (!err)
        err = say_bytes(d, d->b.data, d->b.len);
      if (!err)
        err = say(d, "). Move them into their host's folder, or hunt them on their own "
                     "(exhunt hunt PATH)");
      if (!err)
        emit(d, EXHUNT_NOTICE_ERROR, EXHUNT_EUNSUPPORTED, "hosts-unassigned", d->a.data);
    }
  } else {
    if ((err = one_host(d, n_hosts == 1 ? the_one : EXH_HOSTS_ROOT, out)) != EXHUNT_OK)
      return err;
    if (n_hosts == 1 && the_one != EXH_HOSTS_ROOT) {
      d->role[the_one] |= R_HOST;
      mark_scaffold(d);
      uint32_t count = 0;
      err = count_outside(d, &count);
      if (!err && count) {
        exh_dynbuf_reset(&d->reason);
        err = join_path(d->root, d->b.data, d->b.len, &d->a);
        if (!err)
          err = say(d, "one host found (");
        if (!err)
          err = say_bytes(d, out->hosts[0].name, strlen(out->hosts[0].name));
        if (!err)
          err = say(d, "), and %u %s beside it (the first: ", (unsigned)count,
                    count == 1 ? "entry" : "entries");
        if (!err)
          err = say_bytes(d, d->b.data, d->b.len);
        if (!err)
          err = say(d, "); the whole root is hunted as that one server. If some of it comes "
                       "from another server, hunt it as its own root");
        if (!err)
          emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "hosts-beside", d->a.data);
      }
    } else if (n_strong == 0 && !fell_back) {
      /* Every folder logs were found in (each climbed to its host folder),
       * nested or not: with no drive or install beside them, nothing says
       * whether they are one server's logs sorted by kind or several
       * servers' logs. */
      uint32_t k = 0;
      for (uint32_t i = 0; i < t->n; i++)
        k += (d->role[i] & R_WEAK) ? 1 : 0;
      if (k >= 2) {
        uint32_t *hs = exh_calloc(k, sizeof *hs);
        if (!hs)
          return EXHUNT_ENOMEM;
        k = 0;
        for (uint32_t i = 0; i < t->n; i++)
          if (d->role[i] & R_WEAK)
            hs[k++] = i;
        exh_dynbuf_reset(&d->reason);
        err = say(d,
                  "logs sit in %u separate folders with no drive or Exchange install beside "
                  "them (",
                  (unsigned)k);
        if (!err)
          err = say_hosts(d, hs, k);
        exh_free(hs);
        if (!err)
          err = say(d, "); they are taken for one server's logs sorted by kind and hunted "
                       "together. If they come from different servers, hunt each folder as its "
                       "own root");
        if (!err)
          emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "hosts-logs-merged", d->root);
      }
    }
    if (!err && unseen) {
      exh_dynbuf_reset(&d->reason);
      err = say_caps(d);
      if (!err)
        err = say(d, ". If the root holds several hosts, they are hunted as one server: hunt "
                     "each host's folder as its own root");
      if (!err)
        emit(d, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "hosts-capped", d->root);
    }
    /* For the install and unreadable checks below, the root is the host. */
    for (uint32_t i = 0; i < t->n; i++)
      d->role[i] &= (uint8_t) ~(R_HOST | R_SCAFF);
    if (n_hosts == 1 && the_one != EXH_HOSTS_ROOT)
      d->role[the_one] |= R_HOST; /* unreadable folders beside it matter */
  }
  if (!err)
    err = unreadable_notes(d);
  if (!err)
    err = nested_notes(d, nested, n_nested);
  if (!err && !split) {
    for (uint32_t i = 0; i < t->n; i++)
      d->role[i] &= (uint8_t)~R_HOST;
    d->role[EXH_HOSTS_ROOT] |= R_HOST;
  }
  if (!err)
    err = two_installs(d);
  return err;
}

exhunt_err exh_hosts_decide(const exh_hosts_tree *t, const char *root, const exhunt_sink *sink,
                            exh_host_list *out)
{
  if (!out)
    return EXHUNT_EINVAL;
  memset(out, 0, sizeof *out);
  if (!t || !root || !sink || !sink->on_notice || t->cur != EXH_HOSTS_NONE)
    return EXHUNT_EINVAL;
  decide d = {t, root, sink, NULL, NULL, {0}, {0}, {0}};
  exh_dynbuf_init(&d.a, HOSTS_MAX_BUILT);
  exh_dynbuf_init(&d.b, HOSTS_MAX_BUILT);
  exh_dynbuf_init(&d.reason, HOSTS_MAX_REASON);
  exhunt_err err = EXHUNT_ENOMEM;
  d.role = exh_calloc(t->n, 1);
  d.kinds = exh_calloc(t->n, 1);
  if (d.role && d.kinds)
    err = decide_run(&d, out);
  exh_free(d.role);
  exh_free(d.kinds);
  exh_dynbuf_free(&d.a);
  exh_dynbuf_free(&d.b);
  exh_dynbuf_free(&d.reason);
  if (err)
    exh_host_list_free(out);
  return err;
}

void exh_host_list_free(exh_host_list *l)
{
  if (!l)
    return;
  for (size_t i = 0; i < l->n; i++) {
    exh_free(l->hosts[i].path);
    exh_free(l->hosts[i].name);
  }
  exh_free(l->hosts);
  memset(l, 0, sizeof *l);
}

/* ---------------------------------------------------------------------- */
/* The look: listing folders from the disk into the tree.                  */

static int open_dir_at(int parent, const char *name)
{
  /* The root itself may be a symlink the user gave (resolved once, as the
   * walker does); nothing below it is followed. */
  bool refused;
  return exh_open_noatime_at(
      parent, name, EXH_O_DIRECTORY | (parent == EXH_AT_CWD ? 0 : EXH_O_NOFOLLOW), &refused);
}

/* The descriptors of the last folder opened and its ancestors: breadth-
 * first order lists siblings one after another, so most folders open with
 * one openat() from their parent's descriptor, kept here. */
typedef struct chain {
  uint32_t idx[EXH_HOSTS_MAX_DEPTH + 1];
  int fd[EXH_HOSTS_MAX_DEPTH + 1];
  unsigned n;
} chain;

static int chain_open(chain *c, const exh_hosts_tree *t, uint32_t i)
{
  uint32_t anc[EXH_HOSTS_MAX_DEPTH + 1];
  unsigned depth = t->nodes[i].depth;
  uint32_t x = i;
  for (unsigned k = depth + 1; k-- > 0; x = t->nodes[x].parent)
    anc[k] = x;
  unsigned keep = 0;
  while (keep < c->n && keep <= depth && c->idx[keep] == anc[keep])
    keep++;
  while (c->n > keep && c->n > 1)
    exh_close(c->fd[--c->n]);
  while (c->n <= depth) {
    int fd = open_dir_at(c->fd[c->n - 1], t->nodes[anc[c->n]].name);
    if (fd < 0)
      return -1;
    c->idx[c->n] = anc[c->n];
    c->fd[c->n++] = fd;
  }
  return c->fd[depth];
}

static bool dir_from(int fd, exh_dir *d)
{
  int copy = exh_dup(fd);
  if (copy < 0)
    return false;
  if (exh_dir_open_fd(d, copy) != 0) {
    exh_close(copy);
    return false;
  }
  exh_dir_rewind(d); /* the copy shares its offset with fd */
  return true;
}

static bool entry_is_dir(int dfd, const exh_dirent *de)
{
  if (de->type != EXH_FT_UNKNOWN)
    return de->type == EXH_FT_DIR;
  exh_stat st;
  return exh_stat_at(dfd, de->name, EXH_AT_NOFOLLOW, &st) == 0 && st.type == EXH_FT_DIR;
}

/* The child of dfd named `want` (folded) that is a folder, the smallest by
 * bytes if case variants exist, into name[]. */
static bool find_child(int dfd, const char *want, char name[HOSTS_MAX_NAME + 1])
{
  exh_dir d;
  if (!dir_from(dfd, &d))
    return false;
  bool found = false;
  exh_dirent de;
  while (exh_dir_next(&d, &de) > 0) {
    size_t n = strlen(de.name);
    if (n > HOSTS_MAX_NAME || !eq_ci(de.name, n, want) || !entry_is_dir(dfd, &de))
      continue;
    if (!found || strcmp(de.name, name) < 0) {
      memcpy(name, de.name, n + 1);
      found = true;
    }
  }
  exh_dir_close(&d);
  return found;
}

/* Does this folder hold at least one install-root folder (Bin, Logging...)? */
static bool holds_install(int dfd)
{
  exh_dir d;
  if (!dir_from(dfd, &d))
    return false;
  bool yes = false;
  exh_dirent de;
  while (!yes && exh_dir_next(&d, &de) > 0) {
    size_t n = strlen(de.name);
    for (size_t i = 0; i < sizeof install_marks / sizeof *install_marks && !yes; i++)
      yes = eq_ci(de.name, n, install_marks[i]) && entry_is_dir(dfd, &de);
  }
  exh_dir_close(&d);
  return yes;
}

/* Exchange install roots at the usual places in a drive tree, which the
 * look does not enter: a host with two of them is worth a note. */
static exhunt_err probe_installs(exh_hosts_tree *t, uint32_t drive, int dfd)
{
  static const char *const paths[][4] = {
      {"program files", "microsoft", "exchange server", NULL},
      {"exchange server", NULL, NULL, NULL},
      {"exchangeserver", NULL, NULL, NULL},
      {"exchange", NULL, NULL, NULL},
  };
  static const char *const versions[] = {"v15", "v14"};
  exhunt_err err = EXHUNT_OK;
  for (size_t p = 0; p < sizeof paths / sizeof *paths && !err; p++) {
    char suffix[4 * (HOSTS_MAX_NAME + 1) + 8];
    size_t sl = 0;
    int fd = dfd;
    bool ok = true;
    for (size_t k = 0; k < 3 && paths[p][k] && ok; k++) {
      char name[HOSTS_MAX_NAME + 1];
      ok = find_child(fd, paths[p][k], name);
      int next = ok ? open_dir_at(fd, name) : -1;
      if (fd != dfd)
        exh_close(fd);
      fd = next;
      ok = fd >= 0;
      if (ok) {
        size_t n = strlen(name);
        if (sl)
          suffix[sl++] = '/';
        memcpy(suffix + sl, name, n);
        sl += n;
      }
    }
    for (size_t v = 0; v < 2 && ok && !err; v++) {
      char name[HOSTS_MAX_NAME + 1];
      if (!find_child(fd, versions[v], name))
        continue;
      int vfd = open_dir_at(fd, name);
      if (vfd < 0)
        continue;
      if (holds_install(vfd)) {
        char full[sizeof suffix];
        size_t n = strlen(name);
        memcpy(full, suffix, sl);
        size_t fl = sl;
        if (fl)
          full[fl++] = '/';
        memcpy(full + fl, name, n);
        fl += n;
        err = exh_hosts_tree_install(t, drive, full, fl);
      }
      exh_close(vfd);
    }
    if (fd >= 0 && fd != dfd)
      exh_close(fd);
  }
  return err;
}

typedef struct look {
  exh_hosts_tree *t;
  uint64_t entries;
} look;

/* Lists folder i (open as fd) into the tree. */
static exhunt_err list_one(look *L, uint32_t i, int fd)
{
  exh_hosts_tree *t = L->t;
  exhunt_err err = exh_hosts_tree_begin(t, i);
  if (err)
    return err;
  exh_dir d;
  if (!dir_from(fd, &d)) {
    t->nodes[i].flags |= N_UNREADABLE;
    t->nodes[i].err = errno;
    exh_hosts_tree_end(t, i);
    return EXHUNT_OK;
  }
  for (;;) {
    exh_dirent de;
    int got = exh_dir_next(&d, &de);
    if (got <= 0) {
      if (got < 0) {
        t->nodes[i].flags |= N_UNREADABLE;
        t->nodes[i].err = errno;
      }
      break;
    }
    if (++L->entries > HOSTS_MAX_ENTRIES) {
      t->nodes[i].flags |= N_CUT;
      t->capped_entries = true;
      break;
    }
    uint32_t child;
    err = exh_hosts_tree_entry(t, i, de.name, strlen(de.name), entry_is_dir(fd, &de), &child);
    if (err)
      break;
  }
  exh_dir_close(&d);
  if (err) {
    exh_hosts_tree_end(t, i);
    return err;
  }
  if (exh_hosts_tree_end(t, i) && (t->nodes[i].flags & N_DRIVE))
    err = probe_installs(t, i, fd);
  return err;
}

static exhunt_err look_at(const char *root, exh_hosts_tree *t)
{
  chain c;
  c.n = 0;
  c.fd[0] = open_dir_at(EXH_AT_CWD, root);
  if (c.fd[0] < 0) {
    /* Not a folder, or not there: one server as it is; the hunt's walk
     * says what is wrong with it. */
    t->nodes[EXH_HOSTS_ROOT].flags |= N_LISTED;
    return EXHUNT_OK;
  }
  c.idx[0] = EXH_HOSTS_ROOT;
  c.n = 1;
  /* The root's own name counts too: a root named C, C%3A or V15. */
  size_t n = strlen(root), b;
  while (n > 1 && root[n - 1] == '/')
    n--;
  for (b = n; b > 0 && root[b - 1] != '/';)
    b--;
  t->nodes[EXH_HOSTS_ROOT].cls = classify_name(root + b, n - b);
  look L = {t, 0};
  exhunt_err err = EXHUNT_OK;
  /* t->n grows as folders are listed (and shrinks back for drive trees and
   * install roots, but only past i): breadth-first by construction. */
  for (uint32_t i = 0; i < t->n && !err; i++) {
    if (t->capped_entries) {
      /* stop: what is left unlisted counts as unseen */
      break;
    }
    int fd = chain_open(&c, t, i);
    if (fd < 0) {
      t->nodes[i].flags |= N_UNREADABLE;
      t->nodes[i].err = errno;
      continue;
    }
    err = list_one(&L, i, fd);
  }
  while (c.n > 0)
    exh_close(c.fd[--c.n]);
  return err;
}

exhunt_err exh_hunt_find_hosts(const char *root, const exhunt_sink *sink, exh_host_list *out)
{
  if (!out)
    return EXHUNT_EINVAL;
  memset(out, 0, sizeof *out);
  if (!root || !sink || !sink->on_notice)
    return EXHUNT_EINVAL;
  exh_hosts_tree *t = NULL;
  exhunt_err err = exh_hosts_tree_new(&t);
  /* A root past the path cap is hunted as it is (the walker has the same
   * cap): the paths built below it must stay bounded. */
  if (!err && strlen(root) <= EXH_MAX_PATH)
    err = look_at(root, t);
  else if (!err)
    t->nodes[EXH_HOSTS_ROOT].flags |= N_LISTED;
  if (!err)
    err = exh_hosts_decide(t, root, sink, out);
  exh_hosts_tree_free(t);
  return err;
}
