#!/usr/bin/env bash
# output_tests.sh - outputs on an attacked server (issue 14, items 7 and 9).
#
# Item 7: the output path may have been planted. -o (every command),
# --report FMT=FILE (hunt) and baseline create -o, pointed at a symbolic
# link into the evidence, a hard link to an evidence file, the evidence
# file itself, a folder that aliases the evidence (symlink, "..", a bind
# mount when this runs as root): each must exit 2 with a "refusing to
# write" message, and every evidence file keep its bytes (SHA-256), mtime,
# inode and link count; nothing may appear in the evidence tree.
# Item 9: names carrying U+202E, U+200B, U+061C (and U+FEFF, a tag
# character) are escaped as \u{X} in text output and CSV; in JSON Lines no
# raw U+2028, U+2029 or U+0085 appears, so str.splitlines() gives one
# record per line, and path_b64 still gives the exact name.
# Usage: output_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin output
MNT="$TMP/mnt"
th_at_exit 'mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"'

CHOPPER='<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>'
EV="$TMP/ev"
SHELL_FILE="$EV/inetpub/wwwroot/aspnet_client/shell.aspx"
LOG_FILE="$EV/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"
mkdir -p "$(dirname "$SHELL_FILE")" "$(dirname "$LOG_FILE")" "$TMP/out"
printf '%s' "$CHOPPER" >"$SHELL_FILE"
printf '#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\n2021-03-03 12:00:00 10.0.0.1 POST /aspnet_client/shell.aspx - 443 - 203.0.113.5 Mozilla 200\n' >"$LOG_FILE"
touch -d '2021-03-03 12:00:00' "$SHELL_FILE" "$LOG_FILE"

# The evidence's fingerprint: every file's path, SHA-256, mtime (ns), inode
# and link count, and every folder's entries.
fingerprint() {
  (cd "$EV" && find . -print0 | sort -z | xargs -0 stat -c '%n %i %h %Y %y' && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
fingerprint >"$TMP/ev.before"
evidence_unchanged() {
  fingerprint >"$TMP/ev.after"
  cmp -s "$TMP/ev.before" "$TMP/ev.after"
}

# refused WHAT CMD...: exit 2, the reason said, the evidence untouched.
refused() {
  local what=$1
  shift
  timeout 60 "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  if [ "$rc" != 2 ]; then
    bad "$what: exit $rc, want 2"
    sed 's/^/  | /' "$TMP/stderr" | head -3
  elif ! grep -q "refusing to write" "$TMP/stderr"; then
    bad "$what: no 'refusing to write' on stderr: $(head -2 "$TMP/stderr")"
  else
    ok
  fi
  if evidence_unchanged; then ok; else
    bad "$what: the evidence changed"
    diff "$TMP/ev.before" "$TMP/ev.after" | head -5
    cp "$TMP/ev.after" "$TMP/ev.before" # report the next case on its own
  fi
}

OUT="$TMP/out"
ln -s "$SHELL_FILE" "$OUT/link-shell.jsonl"
ln -s "$LOG_FILE" "$OUT/link-log.jsonl"
ln -s "$SHELL_FILE" "$OUT/link.html"
ln -s "$EV" "$TMP/alias"
# a dangling link into the evidence: rename would replace the link, a
# write through it would create a file in the evidence
ln -s "$EV/inetpub/new.jsonl" "$OUT/dangling.jsonl"
fingerprint >"$TMP/ev.before"

# --- symbolic links at the output name ----------------------------------------
for root in "$EV" "$SHELL_FILE"; do
  refused "scan -o symlink (root $root)" "$EXHUNT" scan -f jsonl -o "$OUT/link-shell.jsonl" "$root"
  refused "baseline create -o symlink (root $root)" "$EXHUNT" baseline create -o "$OUT/link-shell.jsonl" "$root"
done
for root in "$EV" "$LOG_FILE"; do
  refused "logs -o symlink (root $root)" "$EXHUNT" logs -f jsonl -o "$OUT/link-log.jsonl" "$root"
done
refused "hunt -o symlink" "$EXHUNT" hunt --no-progress -o "$OUT/link-shell.jsonl" "$EV"
refused "hunt --report html= symlink" "$EXHUNT" hunt --no-progress --report html="$OUT/link.html" "$EV"
refused "hunt --report jsonl= symlink" "$EXHUNT" hunt --no-progress --report jsonl="$OUT/link-log.jsonl" "$EV"
refused "exposure -o symlink" "$EXHUNT" exposure -o "$OUT/link-shell.jsonl" "$EV"
refused "watch -o symlink" "$EXHUNT" watch -o "$OUT/link-shell.jsonl" "$EV"
refused "scan -o dangling symlink into the evidence" "$EXHUNT" scan -o "$OUT/dangling.jsonl" "$EV"
[ ! -e "$EV/inetpub/new.jsonl" ] && ok || bad "a file was created through the dangling link"
for l in link-shell.jsonl link-log.jsonl link.html dangling.jsonl; do
  [ -L "$OUT/$l" ] && ok || bad "the link $l was replaced"
done

# --- a hard link to an evidence file ------------------------------------------
ln "$SHELL_FILE" "$OUT/hard.jsonl"
ln "$LOG_FILE" "$OUT/hard-log.jsonl"
fingerprint >"$TMP/ev.before" # link counts are now 2
refused "scan -o hard link" "$EXHUNT" scan -f jsonl -o "$OUT/hard.jsonl" "$EV"
refused "logs -o hard link" "$EXHUNT" logs -o "$OUT/hard-log.jsonl" "$EV"
refused "hunt --report html= hard link" "$EXHUNT" hunt --no-progress --report html="$OUT/hard.jsonl" "$EV"
refused "exposure -o hard link" "$EXHUNT" exposure -o "$OUT/hard.jsonl" "$EV"
refused "baseline create -o hard link" "$EXHUNT" baseline create -o "$OUT/hard.jsonl" "$EV"
refused "watch -o hard link" "$EXHUNT" watch -o "$OUT/hard-log.jsonl" "$EV"
[ "$(stat -c %i "$OUT/hard.jsonl")" = "$(stat -c %i "$SHELL_FILE")" ] && ok || bad "the hard link was replaced"
rm -f "$OUT/hard.jsonl" "$OUT/hard-log.jsonl"
fingerprint >"$TMP/ev.before"

# --- the evidence file itself, and aliases of the evidence folder -------------
refused "scan -o the root file" "$EXHUNT" scan -o "$SHELL_FILE" "$SHELL_FILE"
refused "logs -o the root file" "$EXHUNT" logs -o "$LOG_FILE" "$LOG_FILE"
refused "baseline create -o the root file" "$EXHUNT" baseline create -o "$SHELL_FILE" "$SHELL_FILE"
refused "scan -o through a symlinked folder" "$EXHUNT" scan -o "$TMP/alias/r.jsonl" "$EV"
refused "hunt --report html= through a symlinked folder" "$EXHUNT" hunt --no-progress --report html="$TMP/alias/inetpub/r.html" "$EV"
refused "exposure -o through ../" "$EXHUNT" exposure -o "$OUT/../ev/r.jsonl" "$EV"
if mkdir -p "$MNT" && mount --bind "$EV" "$MNT" 2>/dev/null; then
  refused "scan -o through a bind mount" "$EXHUNT" scan -o "$MNT/r.jsonl" "$EV"
  refused "logs -o through a bind mount" "$EXHUNT" logs -o "$MNT/inetpub/r.jsonl" "$EV"
  refused "baseline create -o through a bind mount" "$EXHUNT" baseline create -o "$MNT/r.jsonl" "$EV"
  refused "hunt --report html= through a bind mount" "$EXHUNT" hunt --no-progress --report html="$MNT/r.html" "$EV"
  umount "$MNT"
else
  echo "note: bind-mount cases not run (mount --bind needs root)"
fi

# --- what is still written ----------------------------------------------------
"$EXHUNT" scan -f jsonl -o "$OUT/report.jsonl" "$EV" >/dev/null 2>&1
[ $? = 1 ] && grep -q '"type":"summary"' "$OUT/report.jsonl" && ok || bad "scan -o a plain file outside the evidence"
"$EXHUNT" scan -o /dev/null "$EV" >/dev/null 2>&1
[ $? = 1 ] && ok || bad "scan -o /dev/null"
# A link to a descriptor the shell opened is written, pipe or file. (/dev/fd/1
# rather than /dev/stdout: a broken build that renamed over the name would
# replace /dev/stdout itself when run as root, as the unfixed one did.)
n=$("$EXHUNT" scan -f jsonl -o /dev/fd/1 "$EV" 2>/dev/null | grep -c '"type":"summary"')
[ "$n" = 1 ] && ok || bad "scan -o /dev/fd/1 into a pipe is written"
"$EXHUNT" scan -f jsonl -o /dev/fd/1 "$EV" >"$OUT/redirected.jsonl" 2>/dev/null
[ $? = 1 ] && [ "$(grep -c '"type":"summary"' "$OUT/redirected.jsonl")" = 1 ] && ok || bad "scan -o /dev/fd/1 >FILE is written"
evidence_unchanged && ok || bad "the evidence changed during the allowed runs"

# --- item 9: invisible characters in names ------------------------------------
NAMES="$TMP/names"
mkdir -p "$NAMES"
# U+202E (x<RLO>xpsa.aspx shows as xaspx.aspx), U+200B, U+061C, U+FEFF, a tag
# character; then the line breaks of other languages: U+2028, U+2029, U+0085
for n in 'rlo-\u202e-xpsa.aspx' 'zw-\u200b-space.aspx' 'alm-\u061c-mark.aspx' 'bom-\ufeff-x.aspx' \
  'tag-\U000e0041-x.aspx' 'ls-\u2028-x.aspx' 'ps-\u2029-x.aspx' 'nel-\u0085-x.aspx' 'caf\u00e9.aspx'; do
  name=$(python3 -c "import sys; sys.stdout.buffer.write(sys.argv[1].encode().decode('unicode_escape').encode('utf-8'))" "$n")
  printf '%s' "$CHOPPER" >"$NAMES/$name"
done
"$EXHUNT" scan -j 1 "$NAMES" >"$TMP/names.txt" 2>"$TMP/names.err"
"$EXHUNT" scan -j 1 -f jsonl "$NAMES" >"$TMP/names.jsonl" 2>/dev/null
"$EXHUNT" scan -j 1 -f csv "$NAMES" >"$TMP/names.csv" 2>/dev/null
python3 - "$TMP/names.txt" "$TMP/names.jsonl" "$TMP/names.csv" "$NAMES" <<'PY' && ok || bad "item 9: escaping of invisible characters"
import base64, json, os, sys, unicodedata
text, jsonl, csvf, names = sys.argv[1:5]
want = sorted(os.listdir(names))
fails = []
def hidden(s):
    return [hex(ord(c)) for c in s if unicodedata.category(c) in ("Cf", "Zl", "Zp") or 0x80 <= ord(c) < 0xA0]
for f in (text, csvf):
    s = open(f, "rb").read().decode("utf-8")
    if hidden(s):
        fails.append("%s: raw %s" % (os.path.basename(f), sorted(set(hidden(s)))))
    for esc in ("\\u{202e}", "\\u{200b}", "\\u{61c}", "\\u{feff}", "\\u{e0041}", "\\u{2028}", "\\u{2029}", "\\u{85}"):
        if esc not in s:
            fails.append("%s: %s not shown" % (os.path.basename(f), esc))
    if "caf\u00e9.aspx" not in s:
        fails.append("%s: an ordinary letter was escaped" % os.path.basename(f))
raw = open(jsonl, "rb").read()
s = raw.decode("utf-8")
lines = s.split("\n")[:-1]
if s.splitlines() != lines:
    fails.append("jsonl: splitlines() gives %d records, \\n gives %d" % (len(s.splitlines()), len(lines)))
for bad in ("\u2028", "\u2029", "\u0085", "\u202e", "\u200b", "\u061c", "\ufeff"):
    if bad in s:
        fails.append("jsonl: raw U+%04X" % ord(bad))
got = []
for l in lines:
    o = json.loads(l)
    if o.get("type") == "finding":
        # valid UTF-8: the escapes decode to the exact name, no _b64 needed
        if "path_b64" in o:
            fails.append("jsonl: path_b64 for a valid name: %r" % o["path"])
        got.append(os.path.basename(o["path"]))
missing = [n for n in want if n not in got]
if missing:
    fails.append("jsonl: names not given back exactly: %r" % missing)
for f in fails:
    print("  " + f)
sys.exit(1 if fails else 0)
PY

# --- two outputs of one hunt onto one file, named two ways --------------------------
# (each is written to a temporary and renamed: only the last would be left)
mkdir -p "$TMP/same"
"$EXHUNT" hunt --report html="$TMP/same/r.html" --report jsonl="$TMP/same/../same/r.html" \
  "$SRC/examples/clean-exchange" >/dev/null 2>"$TMP/same.err"
rc=$?
if [ $rc = 2 ] && grep -q "are the same file, named for two outputs" "$TMP/same.err" &&
  [ -z "$(ls -A "$TMP/same")" ]; then ok; else
  bad "one file named two ways for two outputs: exit $rc, $(head -1 "$TMP/same.err")"
fi

th_end "output tests"
