#!/usr/bin/env python3
"""cpu_compare.py - CPU time (user+sys) of two exhunt binaries on the same
small cases, runs interleaved (ABBA) so load from other processes falls on
both alike; prints median [min-max] per case and the change.

For a refactor's "no slower than noise" check on a shared machine, where
wall time swings and CPU time does not. Not a peer comparison (see
scan_bench.sh, logs_bench.sh, hunt_bench.sh for those).

Usage: bench/cpu_compare.py OLD_EXHUNT NEW_EXHUNT [RUNS]   (from the repo root)
"""
import resource
import statistics
import subprocess
import sys

old, new = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
cases = {
    "scan-corpus": ["scan", "-j", "2", "-f", "jsonl", "-o", "/dev/null", "../shared/corpus"],
    "logs-data": ["logs", "-j", "2", "-f", "jsonl", "-o", "/dev/null", "tests/data/logs",
                  "../shared/research-data"],
    "hunt-examples": ["hunt", "--collected", "2021-03-03T13:05:00Z", "-f", "jsonl", "-o",
                      "/dev/null", "examples/compromised-exchange", "examples/clean-exchange"],
}
res = {}
for name, args in cases.items():
    for r in range(runs):
        order = (("before", old), ("after", new)) if r % 2 == 0 else (("after", new), ("before", old))
        for label, exe in order:
            t0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([exe] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (t1.ru_utime - t0.ru_utime) + (t1.ru_stime - t0.ru_stime)
            res.setdefault((name, label), []).append(cpu)
for name in cases:
    b, a = res[(name, "before")], res[(name, "after")]
    mb, ma = statistics.median(b), statistics.median(a)
    print(f"{name:14} before {mb:.3f} [{min(b):.3f}-{max(b):.3f}]  "
          f"after {ma:.3f} [{min(a):.3f}-{max(a):.3f}]  {100 * (ma - mb) / mb:+.1f}%")
