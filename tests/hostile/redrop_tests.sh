#!/usr/bin/env bash
# redrop_tests.sh - `exhunt watch --quarantine-new` against an attacker who
# drops a web shell again at the same path, as attackers do as a matter of
# routine once one is removed.
#
# (1) Three drops at one path, one after the other: the same bytes twice,
#     then different bytes. Each must end in the vault (a new item each
#     time, even for the same hash: the vault keeps every drop) and gone
#     from its place. The old watch moved only the first: it remembered the
#     last path it had moved and never moved that path again.
# (2) A rapid re-drop: a big shell (24 MiB, slow to copy into the vault) is
#     replaced at the same path while its quarantine is under way (the
#     vault's temp copy is seen in VAULT/tmp). Both must end in the vault
#     and the path must end empty.
# Each file has several findings (the default rules and a filename IOC),
# so the watch must still move a file once per drop, not once per finding.
# Usage: redrop_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin redrop

W=$TMP/www/w
V=$TMP/vault
OUT=$TMP/out.jsonl
STAGE=$TMP/stage # same file system as W, outside it: a rename lands whole
mkdir -p "$W" "$STAGE"
SHELL_A='<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>'
SHELL_B='<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%> '
printf 'filename\tx.aspx\thigh\tre-dropped shell name\ttest\t-\nfilename\tbig.aspx\thigh\tbig shell name\ttest\t-\n' >"$TMP/iocs.tsv"

# Vault items (quarantine records), from `vault list`.
items() { "$EXHUNT" vault list --vault "$V" -f jsonl 2>/dev/null | grep -c '"type":"vault-entry"'; }
count_quarantined() { grep -c '"what":"quarantined"' "$OUT" 2>/dev/null; }
# Waits up to $2 s for `count_quarantined` to reach $1.
wait_quarantined() {
  local want=$1 i=0
  while [ $i -lt $(($2 * 100)) ]; do
    [ "$(count_quarantined)" -ge "$want" ] && return 0
    sleep 0.01
    i=$((i + 1))
  done
  return 1
}

"$EXHUNT" watch -f jsonl -o "$OUT" --iocs "$TMP/iocs.tsv" --quarantine-new --vault "$V" "$TMP/www" \
  2>"$TMP/err" &
PID=$!
th_at_exit '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null'
for _ in $(seq 1000); do grep -q '"watch-ready"' "$OUT" 2>/dev/null && break; sleep 0.01; done
grep -q '"watch-ready"' "$OUT" || { echo "FAIL - watch not ready: $(cat "$TMP/err")"; exit 1; }
sleep 1.1 # a file must be born after the start, at the file system's time resolution

# --- (1) three drops at the same path ----------------------------------------------
n=0
for content in "$SHELL_A" "$SHELL_A" "$SHELL_B"; do
  n=$((n + 1))
  printf '%s' "$content" >"$W/x.aspx"
  if wait_quarantined $n 20; then
    ok "drop $n: quarantined"
  else
    bad "drop $n: no quarantine within 20 s ($(count_quarantined) so far)"
  fi
  [ ! -e "$W/x.aspx" ] && ok "drop $n: gone from its place" || bad "drop $n: still in place"
  got=$(items)
  [ "$got" = "$n" ] && ok "drop $n: $n vault items" || bad "drop $n: $got vault items, want $n"
done
nf=$(grep '"type":"finding"' "$OUT" | grep -cF "\"path\":\"$W/x.aspx\"")
[ "$nf" -ge 6 ] && ok "each drop had several findings ($nf in all)" ||
  bad "want >= 2 findings per drop (the dedupe must be exercised), got $nf"
grep -q '"what":"quarantine-refused"\|"what":"quarantine-failed"' "$OUT" &&
  bad "a refusal or failure: $(grep '"what":"quarantine-' "$OUT" | grep -v '"quarantined"' | head -3)" ||
  ok "no refusal or failure (each file moved once, not once per finding)"

# --- (2) a re-drop while the previous quarantine is under way ------------------------
# 24 MiB that gzip cannot shrink: the vault's copy takes long enough to be seen.
{ printf '%s' "$SHELL_A"; head -c $((24 * 1024 * 1024)) /dev/urandom; } >"$STAGE/big1"
{ printf '%s' "$SHELL_B"; head -c 4096 /dev/urandom; } >"$STAGE/big2"
sha1=$(sha256sum "$STAGE/big1" | cut -c1-64)
sha2=$(sha256sum "$STAGE/big2" | cut -c1-64)
mv "$STAGE/big1" "$W/big.aspx"
seen=0
for _ in $(seq 20000); do
  if compgen -G "$V/tmp/*.part" >/dev/null; then
    seen=1
    break
  fi
  sleep 0.001
done
if [ $seen = 1 ]; then
  mv "$STAGE/big2" "$W/big.aspx" # the re-drop, mid-quarantine
  ok "re-dropped while the first copy was being written to the vault"
else
  bad "never saw the first quarantine under way (VAULT/tmp); re-dropping late"
  mv "$STAGE/big2" "$W/big.aspx"
fi
both=0
for _ in $(seq 3000); do
  l=$("$EXHUNT" vault list --vault "$V" -f jsonl 2>/dev/null)
  if grep -q "$sha1" <<<"$l" && grep -q "$sha2" <<<"$l" && [ ! -e "$W/big.aspx" ]; then
    both=1
    break
  fi
  sleep 0.01
done
[ $both = 1 ] && ok "rapid re-drop: both drops in the vault, the path empty" ||
  bad "rapid re-drop: vault has first=$(grep -c "$sha1" <<<"$l") second=$(grep -c "$sha2" <<<"$l"); path $( [ -e "$W/big.aspx" ] && echo still there || echo gone)"
# What the watch said about the big drops (for the log: the first is usually
# "failed: replaced or removed at its path while being quarantined").
grep '"what":"quarantine' "$OUT" | grep -F "$W/big.aspx" | grep -o '"reason":"[^"]*"' | sed 's/^/     /'
got=$(items)
[ "$got" = 5 ] && ok "5 vault items in all" || bad "$got vault items in all, want 5"
"$EXHUNT" vault verify --vault "$V" >/dev/null 2>&1 && ok "vault verify passes" || bad "vault verify fails"

kill -TERM $PID
wait $PID
rc=$?
PID=
[ $rc = 0 ] && ok "watch stops with 0 on SIGTERM" || bad "watch exit $rc"
grep -q 'ERROR: AddressSanitizer\|runtime error:' "$TMP/err" && bad "sanitizer: $(head -5 "$TMP/err")"
th_end redrop
