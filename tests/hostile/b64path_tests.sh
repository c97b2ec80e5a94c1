#!/usr/bin/env bash
# b64path_tests.sh - how `exhunt quarantine --findings` reads a finding's
# path_b64 (the exact bytes of a path that is not valid UTF-8, as scan and
# hunt write it): padded standard base64 decodes to the path, whatever its
# padding; anything else is "a bad path" and the line is skipped, counted
# on stderr. Blanks around the text, '=' inside it, more than two '=',
# the URL-safe alphabet, a length that is not a multiple of 4 and a NUL in
# the decoded path are all refused: exhunt never writes them.
# Usage: b64path_tests.sh EXHUNT SRC_DIR SHARED_DIR BUILD(normal|asan)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
th_args "$@"
th_begin b64path

R=$TMP/root
V=$TMP/vault
mkdir -p "$R"
# Names of 1, 2 and 3 bytes past the directory's, so every padding occurs.
for name in a ab abc abcd; do
  printf '<%%@ Page Language="Jscript"%%><%%eval(Request.Item["p"]);%%>\n' >"$R/$name.aspx"
done
SHA=$(sha256sum "$R/a.aspx" | cut -d' ' -f1)
b64() { printf '%s' "$1" | base64 -w0; }

# One finding line whose path_b64 is $1 (the JSON string's content).
finding() {
  printf '{"schema":"exhunt/1","type":"finding","severity":"high","path":"x","path_b64":"%s","sha256":"%s"}\n' "$1" "$SHA"
}

# accepted B64 LABEL: the line is read (no line skipped for a bad path).
# refused B64 LABEL: the line is skipped as a bad path.
run() {
  finding "$1" >"$TMP/f.jsonl"
  "$EXHUNT" quarantine --dry-run --vault "$V" --root "$R" --findings "$TMP/f.jsonl" \
    >"$TMP/out" 2>"$TMP/err"
}
accepted() {
  run "$1"
  if grep -q 'with a bad path, skipped' "$TMP/err"; then bad "$2: refused"; else ok; fi
}
refused() {
  run "$1"
  grep -q '1 line(s) not JSON or with a bad path, skipped' "$TMP/err" && ok || bad "$2: read"
}

for name in a ab abc abcd; do
  accepted "$(b64 "$R/$name.aspx")" "padded path $name"
done
P=$(b64 "$R/abcd.aspx") # "=" at the end, and a length that is a multiple of 4
accepted "$(b64 "$R/a.aspx")" "two '=' of padding"
refused "" "empty"
refused "${P%=}" "padding cut (length not a multiple of 4)"
refused "${P}===" "three more '='"
refused " ${P%=}" "a leading blank"
refused "${P%=} " "a trailing blank"
refused "    $P" "four leading blanks"
refused "$P    " "four trailing blanks"
refused '\t\t\t\t'"$P" "leading tabs"
refused "$P"'\r\n\r\n' "trailing CR LF"
refused "$P----" "trailing dashes"
refused "Q=JD$P" "'=' inside"
refused "$(printf '%s' "$P" | tr '+/' '-_')-_-_" "URL-safe alphabet"
refused "YQBi" "a NUL in the path (a, NUL, b)"
refused "QUJD====" "four '='"
refused "Q===" "'=' three times after one character"

th_end b64path
