#!/usr/bin/env bash
# live_tests.sh - exhunt.exe hunt with no EVIDENCE under wine: the server it
# runs on (exhunt/live.h, docs/hunt.md "Live server (Windows)"). A throwaway
# wine prefix is made into an Exchange server: the compromised example's
# Exchange install where setup puts it (C:\Program Files\Microsoft\Exchange
# Server\V15, named by the registry's MsiInstallPath), its web root in
# C:\inetpub\wwwroot, its IIS logs moved to D:\IISLogs (a drive of its own)
# by an applicationHost.config that also sends one site's logs to an E: that
# is not there, and its event export in the event log folder.
#
#   roots      the folders used, what each is and where it came from, on
#              stderr and as notes in JSON Lines; the missing one skipped
#   verdict    COMPROMISED, one server named after the host, exit 1
#   parity     the findings (rule, file, line) and shells of the Linux
#              build's hunt of the example as one tree
#   read-only  no file of the server and no registry value changes
#   fallbacks  no Exchange in the registry; no IIS configuration
#   refusals   an output inside a root
#
# Usage: live_tests.sh EXHUNT_EXE SRC_DIR [LINUX_EXHUNT]
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
[ $# -ge 2 ] || { echo "usage: $0 EXHUNT_EXE SRC_DIR [LINUX_EXHUNT]" >&2; exit 2; }
EXE=$(realpath "$1")
SRC=$(realpath "$2")
LINUX=${3:-}
command -v wine >/dev/null || { echo "live_tests: wine is not installed (tools/install-deps.sh)"; exit 1; }
th_begin live
export WINEPREFIX="$TMP/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wineboot -i >/dev/null 2>&1 || true
C="$WINEPREFIX/drive_c"
[ -d "$C/windows" ] || { bad "the wine prefix was not made"; th_end live; exit; }
EX="$SRC/examples/compromised-exchange"
COLL="--collected 2021-03-03T13:05:00Z"
KEY='HKLM\SOFTWARE\Microsoft\ExchangeServer\v15\Setup'

# W ARGS...: exhunt.exe under wine from $TMP (outside every root), stdout
# in $TMP/out, stderr in $TMP/err; sets rc.
W() {
  (cd "$TMP" && wine "$EXE" "$@" >"$TMP/out" 2>"$TMP/err")
  rc=$?
}
# has TEXT FILE: one check, FILE holds the line TEXT (fixed string).
has() {
  grep -qxF -- "$1" "$2" && ok || { bad "want the line: $1"; sed 's/^/  | /' "$2" | head -12; }
}

# --- the server ----------------------------------------------------------------
mkdir -p "$C/Program Files/Microsoft" "$C/inetpub" "$C/windows/system32/winevt/Logs" \
  "$C/windows/system32/inetsrv/config" "$TMP/d-drive/IISLogs"
cp -R "$EX/Program Files/Microsoft/Exchange Server" "$C/Program Files/Microsoft/"
cp -R "$EX/inetpub/wwwroot" "$C/inetpub/"
cp -R "$EX/inetpub/logs/LogFiles/W3SVC1" "$TMP/d-drive/IISLogs/"
cp "$EX/collected/"*.jsonl "$C/windows/system32/winevt/Logs/"
ln -sfn "$TMP/d-drive" "$WINEPREFIX/dosdevices/d:"
cp "$SRC/tests/data/live/logs-on-d.config" "$C/windows/system32/inetsrv/config/applicationHost.config"
wine reg add "$KEY" /v MsiInstallPath /t REG_SZ \
  /d 'C:\Program Files\Microsoft\Exchange Server\V15\' /f >/dev/null 2>&1
wine reg query "$KEY" /v MsiInstallPath 2>/dev/null | tr -d '\r' >"$TMP/reg-before"
grep -q 'Exchange Server\\V15\\$' "$TMP/reg-before" || bad "test setup: the registry value was not written"
wineserver -w

snap() {
  for d in "$C/Program Files/Microsoft" "$C/inetpub" "$C/windows/system32/winevt/Logs" \
    "$C/windows/system32/inetsrv" "$TMP/d-drive"; do
    find "$d" -printf '%p %y %s %T@\n'
    find "$d" -type f -print0 | xargs -0 sha256sum
  done | sort
}
snap >"$TMP/before"

W hunt $COLL -f jsonl
cp "$TMP/out" "$TMP/live.jsonl"
cp "$TMP/err" "$TMP/live.err"
HOST=$(python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    if o["type"] == "verdict": print(o["server"])' "$TMP/live.jsonl")
[ "$rc" = 1 ] && ok "exit 1 (a server is COMPROMISED)" || { bad "live hunt: exit $rc"; sed 's/^/  | /' "$TMP/err" | head; }

# --- roots: said on stderr ------------------------------------------------------
V15='C:\Program Files\Microsoft\Exchange Server\V15'
has "live server: $HOST (no EVIDENCE given: the 4 folders below, hunted as one server)" "$TMP/live.err"
has "  $V15  exchange-install (registry HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup MsiInstallPath), and 18 folders of IIS sites inside it" "$TMP/live.err"
has '  C:\inetpub\wwwroot  iis-site Default Web Site (applicationHost.config line 49: application /)' "$TMP/live.err"
has '  D:\IISLogs\W3SVC1  iis-logs Default Web Site (applicationHost.config line 122: siteDefaults logFile directory)' "$TMP/live.err"
has '  C:\windows\System32\winevt\Logs  event-logs (%SystemRoot%\System32\winevt\Logs)' "$TMP/live.err"
has "  E:\\BackEnd Logs\\W3SVC2  iis-logs Exchange Back End (applicationHost.config line 119: the site's logFile directory): not there, skipped" "$TMP/live.err"
# wine sets no ExchangeInstallPath: the folder that uses it is left out, and said
grep -q "^  note: iis-site Exchange Back End: '%ExchangeInstallPath%ClientAccess\\\\rest' .* uses %ExchangeInstallPath%, which is not set here: not hunted$" "$TMP/live.err" &&
  ok || bad "the note on the unset %ExchangeInstallPath%: $(grep note "$TMP/live.err")"

# --- roots: recorded in JSON Lines, the verdict ---------------------------------
python3 - "$TMP/live.jsonl" "$HOST" <<'PY' >"$TMP/check" 2>&1 && ok "notes, run record and verdict in JSON Lines" || { bad "JSON Lines: $(cat "$TMP/check")"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
host = sys.argv[2]
notes = {}
for r in recs:
    if r["type"] == "note" and r["what"].startswith("live-"):
        notes.setdefault(r["what"], []).append(r)
assert len(notes["live-server"]) == 1 and host in notes["live-server"][0]["reason"], notes.get("live-server")
roots = [n["path"] for n in notes["live-root"]]
assert roots == ["C:\\Program Files\\Microsoft\\Exchange Server\\V15", "C:\\inetpub\\wwwroot",
                 "D:\\IISLogs\\W3SVC1", "C:\\windows\\System32\\winevt\\Logs"], roots
assert notes["live-root"][0]["reason"].startswith("exchange-install: registry HKLM\\SOFTWARE"), notes["live-root"][0]
assert [n["path"] for n in notes["live-skipped"]] == ["E:\\BackEnd Logs\\W3SVC2"], notes["live-skipped"]
assert any("%ExchangeInstallPath%" in n["reason"] for n in notes["live-note"]), notes["live-note"]
summary = [r for r in recs if r["type"] == "summary"][0]
assert summary["run"]["roots"] == roots, summary["run"]["roots"]
verdicts = [r for r in recs if r["type"] == "verdict"]
assert len(verdicts) == 1, verdicts
v = verdicts[0]
assert v["verdict"] == "COMPROMISED" and v["server"] == host, (v["verdict"], v["server"])
assert v["exposure"]["build"] == "15.1.2106.2", v["exposure"]
servers = {r.get("server") for r in recs if r["type"] in ("finding", "coverage", "story", "build")}
assert servers == {host}, servers
PY

# --- parity: the Linux build's hunt of the example as one tree ------------------
# rows FILE: each finding's (rule, file name, line), and each shell of the
# stories (path from the top of the server's tree, URL, on disk).
rows() {
  python3 - "$1" <<'PY'
import json, sys
out = []
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    if o["type"] == "finding":
        p = (o.get("path") or "").replace("\\", "/")
        out.append("finding %s %s %s" % (o["rule"], p.rsplit("/", 1)[-1], o.get("line")))
    elif o["type"] == "story":
        for s in o.get("shells", []):
            out.append("shell %s %s %s" % (s["path"].replace("\\", "/"), s.get("url"), s.get("on_disk")))
    elif o["type"] == "verdict":
        out.append("verdict %s %s" % (o["verdict"], o["headline"]))
print("\n".join(sorted(out)))
PY
}
if [ -n "$LINUX" ] && [ -x "$LINUX" ]; then
  (cd "$SRC" && "$LINUX" hunt $COLL -f jsonl examples/compromised-exchange >"$TMP/linux.jsonl" 2>/dev/null)
  linux_rc=$?
  rows "$TMP/linux.jsonl" >"$TMP/linux.rows"
  rows "$TMP/live.jsonl" >"$TMP/live.rows"
  n=$(grep -c '^finding' "$TMP/linux.rows")
  if [ "$rc" = "$linux_rc" ] && [ "$n" -gt 20 ] && diff "$TMP/linux.rows" "$TMP/live.rows" >"$TMP/parity.diff"; then
    ok "the Linux build's findings, shells and verdict ($n findings, exit $rc)"
  else
    bad "parity: exit $rc (Linux $linux_rc); $(head -8 "$TMP/parity.diff")"
  fi
else
  bad "no Linux exhunt given: the parity check did not run"
fi

# --- read-only --------------------------------------------------------------------
wineserver -w
snap >"$TMP/after"
diff "$TMP/before" "$TMP/after" >"$TMP/ro.diff" && ok "no file or folder of the server changed" ||
  bad "the server changed: $(head -6 "$TMP/ro.diff")"
wine reg query "$KEY" /v MsiInstallPath 2>/dev/null | tr -d '\r' | diff "$TMP/reg-before" - >/dev/null &&
  ok "the registry value is as it was" || bad "the registry value changed"

# --- refusals ----------------------------------------------------------------------
W hunt $COLL -o 'C:\inetpub\wwwroot\report.jsonl' -f jsonl
[ "$rc" = 2 ] && [ ! -e "$C/inetpub/wwwroot/report.jsonl" ] && ok "no output inside a root (exit 2)" ||
  bad "output inside a root: exit $rc"

# --- no Exchange in the registry ----------------------------------------------------
wine reg delete 'HKLM\SOFTWARE\Microsoft\ExchangeServer' /f >/dev/null 2>&1
wineserver -w
W hunt $COLL -f jsonl
grep -q '^  note: not an Exchange server per the registry' "$TMP/err" &&
  ! grep -q 'exchange-install' "$TMP/err" && grep -q '^  C:\\inetpub\\wwwroot  iis-site' "$TMP/err" &&
  ok "no Exchange in the registry: said, and the IIS folders and event logs hunted (exit $rc)" ||
  { bad "no Exchange: exit $rc"; sed 's/^/  | /' "$TMP/err" | head; }

# --- no IIS configuration --------------------------------------------------------------
rm "$C/windows/system32/inetsrv/config/applicationHost.config"
W hunt $COLL -f jsonl
has '  C:\inetpub  inetpub (%SystemDrive%\inetpub, IIS'"'"'s default)' "$TMP/err"
grep -qF '  note: C:\windows\System32\inetsrv\config\applicationHost.config could not be read (not found: IIS is not installed): IIS'"'"'s default folder C:\inetpub is hunted instead' "$TMP/err" &&
  ok || { bad "no configuration: the note"; sed 's/^/  | /' "$TMP/err" | head; }
[ "$rc" = 1 ] && ok "no configuration: C:\\inetpub still finds the shells (exit 1)" || bad "no configuration: exit $rc"

th_end live
