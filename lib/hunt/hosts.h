/*
 * hosts.h - one server per host: finding the hosts a hunt root holds.
 *
 * `exhunt hunt ROOT` treats ROOT as one server. A responder's collection
 * folder often holds several: KAPE's `out/EX01/C`, `out/EX02/C`, unpacked
 * Velociraptor collections (`Collection-EX01-.../uploads/auto/C%3A`), manual
 * copies of drives and Exchange install folders. Hunted as one, they give
 * one verdict, and one host's build decides the other's exposure.
 *
 * exh_hunt_find_hosts() takes a bounded, directory-only, breadth-first look
 * below the root, finds drive trees, Exchange install roots and folders of
 * loose Exchange/IIS logs, maps each to the folder of its host, and returns
 * one folder per host. When the root is one server (the usual case: a C:\-like
 * tree, a mounted image, one host's collection) it returns the root itself,
 * unchanged, after listing little more than the root. Every ambiguity is a
 * notice through the sink; nothing is merged or dropped silently. The rules
 * and the notices are documented in docs/hosts.md.
 *
 * The look is split in two so the decision can be tested and fuzzed without
 * a file system: a tree of what was listed (exh_hosts_tree, filled by the
 * look or by a test), and a pure decision over it (exh_hosts_decide).
 *
 * The caps live here, not in core/limits.h, so this module could be written
 * beside others without edit conflicts; they may move there when it settles.
 */
#ifndef EXH_HOSTS_H
#define EXH_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

/* Folder levels below the root that are listed. A KAPE drive sits at level
 * 2 (out/EX01/C), a Velociraptor drive at level 4 (out/Collection-EX01/
 * uploads/auto/C%3A), an install root at level 5 (EX01/Program Files/
 * Microsoft/Exchange Server/V15): 8 leaves room for a folder or three above. */
#define EXH_HOSTS_MAX_DEPTH 8u

/* Folders recorded (and so listed) in one look. A collection's scaffolding
 * is a few folders per host: drive trees and install roots are not entered.
 * Past the cap the look stops recording folders; if what it could not see
 * might hold a host, the root is hunted whole and a note says why. */
#define EXH_HOSTS_MAX_DIRS 20000u

/* Hosts one root may be split into; past it, the root is hunted whole. */
#define EXH_HOSTS_MAX_HOSTS 1024u

/* Notices of one kind (unreadable folders, nested hosts, two installs)
 * before the rest are only counted, and names listed in one notice. */
#define EXH_HOSTS_MAX_NOTES 16u
#define EXH_HOSTS_NOTE_NAMES 16u

/* One server to hunt. Both strings are owned by the list. */
typedef struct exh_host {
  char *path; /* the folder to hunt as one server: the root, or root + "/" + rel */
  char *name; /* display name: the folder's name, a Velociraptor collection's host
                 name ("Collection-EX01-2021-03-05T10_00_00Z" -> "EX01"), or the
                 path relative to the root where two hosts share a name */
} exh_host;

typedef struct exh_host_list {
  exh_host *hosts; /* in path order (bytes) */
  size_t n;        /* >= 1 after success */
  bool split;      /* false: one host, whose path is the root string as given */
} exh_host_list;

/*
 * Finds the hosts under `root` (a directory, or anything else: then it is
 * one server as it is). Notices (docs/hosts.md: hosts-split,
 * hosts-unassigned, hosts-nested, hosts-two-installs, hosts-beside,
 * hosts-logs-merged, hosts-capped, hosts-unreadable) go to sink->on_notice,
 * from the calling thread, before the call returns.
 *
 * Evidence is only read: directories are opened O_RDONLY|O_DIRECTORY|
 * O_NOFOLLOW (O_NOATIME where permitted), relative to their parent; a
 * symlink below the root is never followed (the root itself may be one, as
 * for the walker). Nothing is written.
 *
 * Returns EXHUNT_OK with at least one host in *out (the root itself when it
 * cannot be opened or listed: the hunt's walk reports that), EXHUNT_EINVAL
 * for a NULL argument or a sink without on_notice, EXHUNT_ENOMEM (then *out
 * is empty). *out is owned by the caller: exh_host_list_free().
 * Thread-safety: no shared state; concurrent calls are independent.
 */
exhunt_err exh_hunt_find_hosts(const char *root, const exhunt_sink *sink, exh_host_list *out);

/* Frees the strings and the array, and empties the list. NULL is fine. */
void exh_host_list_free(exh_host_list *l);

/* ---------------------------------------------------------------------- */
/* The tree and the decision, for exh_hunt_find_hosts, tests and fuzzing.  */

typedef struct exh_hosts_tree exh_hosts_tree;

#define EXH_HOSTS_ROOT 0u
#define EXH_HOSTS_NONE UINT32_MAX

/* A tree holding only the root (index EXH_HOSTS_ROOT), not yet listed. */
exhunt_err exh_hosts_tree_new(exh_hosts_tree **out);
void exh_hosts_tree_free(exh_hosts_tree *t);

/* Folders recorded so far (indices 0 .. n-1; some may be dropped again by
 * exh_hosts_tree_end). */
uint32_t exh_hosts_tree_count(const exh_hosts_tree *t);

/* Listing protocol, one folder at a time: begin(dir), entry() per entry,
 * end(dir). `name` is `len` raw bytes (no NUL, no '/': such a name, an empty
 * one, "." or "..", or one over 255 bytes is ignored). A folder entry is
 * recorded as a child to list later, its index in *child (EXH_HOSTS_NONE when
 * the depth or folder cap keeps it out: the folder is then marked cut).
 * Returns EXHUNT_OK, EXHUNT_EINVAL (protocol misuse), EXHUNT_ENOMEM. */
exhunt_err exh_hosts_tree_begin(exh_hosts_tree *t, uint32_t dir);
exhunt_err exh_hosts_tree_entry(exh_hosts_tree *t, uint32_t dir, const char *name, size_t len,
                                bool is_dir, uint32_t *child);
/* Classifies the folder from its entries. Returns true when it is a drive
 * tree or an Exchange install root: it is not looked into further, and the
 * children recorded since begin() are dropped. */
bool exh_hosts_tree_end(exh_hosts_tree *t, uint32_t dir);
/* The folder could not be opened or read to the end. */
void exh_hosts_tree_unreadable(exh_hosts_tree *t, uint32_t dir);
/* An Exchange install root found inside drive tree `drive` at `suffix`
 * (`len` bytes, e.g. "Program Files/Microsoft/Exchange Server/V15"). */
exhunt_err exh_hosts_tree_install(exh_hosts_tree *t, uint32_t drive, const char *suffix,
                                  size_t len);

/* Decides the hosts from a filled tree, as exh_hunt_find_hosts does, and
 * emits its notices. Same returns and ownership. */
exhunt_err exh_hosts_decide(const exh_hosts_tree *t, const char *root, const exhunt_sink *sink,
                            exh_host_list *out);

/* The drive letter a folder name stands for ('C' for "C", "c:", "C%3A",
 * "%5C%5C.%5CC%3A", "C$", "C_drive", "drive_c", ...), or 0. */
char exh_hosts_drive_letter(const char *name, size_t len);

#endif
