"""Reads tags and stream facts of every file in a list with Debian's python3-mutagen, for the benchmark.

Usage: /usr/bin/python3 mutagen_read.py <file-with-one-path-per-line> [timed-passes]
Like read-ours.ts: one untimed pass over the list, then the timed passes; prints one JSON line with
the fastest: files, ok, errors, seconds (reading only, after imports), cpu_seconds (the least CPU
time of a pass), passes (files/s of each), max_rss_kb.
"""
import json
import resource
import sys
import time

import mutagen


def read(path):
    f = mutagen.File(path)
    if f is None:
        raise ValueError("unknown format")
    info = f.info
    facts = {
        "length": getattr(info, "length", None),
        "bitrate": getattr(info, "bitrate", None),
        "sample_rate": getattr(info, "sample_rate", None),
        "channels": getattr(info, "channels", None),
    }
    tags = {}
    if f.tags is not None:
        for key, value in f.tags.items():
            tags[str(key)] = str(value)[:256]
    return facts, tags


def one_pass(paths):
    errors = 0
    started = time.perf_counter()
    cpu = time.process_time()
    for path in paths:
        try:
            read(path)
        except Exception:  # a benchmark counts failures, it does not stop on them
            errors += 1
    return time.perf_counter() - started, errors, time.process_time() - cpu


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        paths = [line.rstrip("\n") for line in fh if line.strip()]
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    one_pass(paths)
    timed = [one_pass(paths) for _ in range(passes)]
    seconds, errors, _ = min(timed)
    print(json.dumps({
        "files": len(paths),
        "ok": len(paths) - errors,
        "errors": errors,
        "seconds": seconds,
        "cpu_seconds": min(c for _, _, c in timed),
        "passes": [round(len(paths) / s) for s, _, _ in timed],
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
