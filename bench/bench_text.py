"""Median read+check time per text report, and peak memory. Run: python bench/bench_text.py [N]

Reads every bundled sample text report (and the pypdf text of the sample PDFs) N times each,
in-process, and reports the median and p95 per report; peak memory via tracemalloc (Python
allocations) and the process's max RSS.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import xxgk

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
FILES = sorted((DATA / "corpus").glob("*.txt")) + sorted((DATA / "pypdf").glob("*.txt"))


def main(rounds: int = 50) -> None:
    for f in FILES:  # warm-up: imports, regex compilation, rule loading
        xxgk.read(f)
    times: list[float] = []
    for _ in range(rounds):
        for f in FILES:
            t0 = time.perf_counter()
            xxgk.read(f)
            times.append(time.perf_counter() - t0)
    tracemalloc.start()
    for f in FILES:
        xxgk.read(f)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times.sort()
    print(f"text reports: {len(FILES)} files x {rounds} rounds")
    print(f"read+check median {statistics.median(times) * 1000:.2f} ms/report, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms, {len(times) / sum(times):.0f} reports/s (1 core)")
    print(f"peak Python allocation during one report {peak / 1e6:.1f} MB; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
