#!/usr/bin/env python3
"""check_jsonl.py PROFILE FILE - is FILE well-formed exhunt/1 JSON Lines?

The shell tests' one schema check (tests/common/lib.sh: th_check_jsonl).
Every profile asserts that there is output, that every line is a JSON
object with the schema id and a type the command may write, and that the
last line is the summary; then what its command adds:

  scan      exhunt scan and logs (tests/cli/cli_tests.sh): file findings
            and log findings carry their fields, notes and errors say what
            and why, the summary its counters, and files_flagged counts the
            files with a finding;
  baseline  exhunt baseline diff (tests/cli/baseline_tests.sh): findings
            carry the common fields;
  exposure  exhunt exposure and probe (tests/cli/exposure_tests.sh): every
            finding is an exposure verdict of a family, every build record
            a result.

Exits 0 when FILE passes, else an AssertionError names the line.
"""
import json
import sys

TYPES = {
    "scan": ("finding", "note", "error", "summary", "coverage"),
    "baseline": ("finding", "note", "error", "summary"),
    "exposure": ("finding", "note", "error", "summary", "build"),
}


def scan_line(o, ln):
    if o["type"] == "finding" and "line" in o:
        for k in ("category", "severity", "rule", "title", "path", "line", "cve", "outcome", "excerpt"):
            assert k in o, (k, ln)
        assert o["outcome"] in ("exploited", "attempted", "probe")
        assert isinstance(o["cve"], list)
    elif o["type"] == "finding":
        for k in ("category", "severity", "rule", "title", "path", "sha256", "size", "mtime", "matches"):
            assert k in o, (k, ln)
        assert o["severity"] in ("critical", "high", "medium", "low", "info")
        assert o["mtime"].endswith("Z")
    if o["type"] in ("note", "error"):
        assert "what" in o and "reason" in o, ln


def scan_end(lines, last):
    for k in ("files_seen", "files_scanned", "skipped", "errors", "findings", "files_flagged", "bytes_read",
              "elapsed_seconds"):
        assert k in last, k
    # files, not batches: the logs engine sends a file's SSRF rows after all
    # the others, so one file's findings can arrive in two groups
    paths = {json.loads(ln)["path"] for ln in lines if json.loads(ln)["type"] == "finding"}
    assert last["files_flagged"] == len(paths), ("files_flagged", last["files_flagged"], len(paths))


def baseline_line(o, ln):
    if o["type"] == "finding":
        for k in ("category", "severity", "rule", "title", "path"):
            assert k in o, (k, ln)


def exposure_line(o, ln):
    if o["type"] == "finding":
        assert o["category"] == "exposure", ln
        for k in ("severity", "rule", "title", "description", "build", "build_source", "status", "cve"):
            assert k in o, (k, ln)
        assert o["status"] in ("vulnerable", "patched", "unknown"), ln
        assert isinstance(o["cve"], list) and o["cve"], ln
    if o["type"] == "build":
        assert o["result"] in ("found", "exchange-no-build", "not-exchange", "unreachable", "error"), ln
        assert isinstance(o["current"], bool)


PER_LINE = {"scan": scan_line, "baseline": baseline_line, "exposure": exposure_line}
AT_END = {"scan": scan_end}


def main():
    profile, path = sys.argv[1], sys.argv[2]
    lines = open(path, encoding="utf-8").read().splitlines()
    assert lines, "no output"
    for ln in lines:
        o = json.loads(ln)
        assert o["schema"] == "exhunt/1", ln
        assert o["type"] in TYPES[profile], ln
        PER_LINE[profile](o, ln)
    last = json.loads(lines[-1])
    assert last["type"] == "summary", "last line is not the summary"
    if profile in AT_END:
        AT_END[profile](lines, last)


if __name__ == "__main__":
    main()
