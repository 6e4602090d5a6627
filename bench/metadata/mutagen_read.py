"""Reads tags and stream facts of every file in a list with Debian's python3-mutagen, for the benchmark.

Usage: /usr/bin/python3 mutagen_read.py <file-with-one-path-per-line>
Prints one JSON line: files, ok, errors, seconds (reading only, after imports and a warm-up of
the first 300 files), max_rss_kb.
"""
import json
import resource
import sys
import time

import mutagen

WARM_UP = 300


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


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        paths = [line.rstrip("\n") for line in fh if line.strip()]
    # The same warm-up as read-ours.ts gives its JIT: the first files, read before timing.
    for path in paths[:WARM_UP]:
        try:
            read(path)
        except Exception:
            pass
    ok = errors = 0
    started = time.perf_counter()
    for path in paths:
        try:
            read(path)
            ok += 1
        except Exception:  # a benchmark counts failures, it does not stop on them
            errors += 1
    seconds = time.perf_counter() - started
    max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"files": len(paths), "ok": ok, "errors": errors, "seconds": seconds, "max_rss_kb": max_rss_kb}))


if __name__ == "__main__":
    main()
