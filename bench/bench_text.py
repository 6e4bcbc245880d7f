"""Text reports: read + check time per report, by stage, next to the goal. Run: python bench/bench_text.py [N]

Reads every bundled sample text report (and the pypdf text of the sample PDFs) N times each,
in-process, the way ingest's workers do (extract, parse, identify once, run the rules once), and
prints the median per report next to the goal (<= 3 ms), with the machine's load. The same-run
baseline is the cost of decoding and splitting the same bytes into lines (what any reader of
these files pays): the ratio to it stays meaningful when a busy machine slows everything down.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from xxgk import identity
from xxgk.check import run_rules
from xxgk.extract import extract_bytes
from xxgk.extract.text import decode
from xxgk.parse import parse_document

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
FILES = sorted((DATA / "corpus").glob("*.txt")) + sorted((DATA / "pypdf").glob("*.txt"))
GOAL_MS = 3.0


def read_and_check(data: bytes, name: str) -> dict[str, float]:
    t0 = time.perf_counter()
    doc = extract_bytes(data, name)
    t1 = time.perf_counter()
    report = parse_document(doc)
    t2 = time.perf_counter()
    identity.apply(report)
    t3 = time.perf_counter()
    report.findings = run_rules(report)
    t4 = time.perf_counter()
    return {"extract": t1 - t0, "parse": t2 - t1, "identity": t3 - t2, "rules": t4 - t3, "total": t4 - t0}


def baseline(data: bytes, name: str) -> float:
    t0 = time.perf_counter()
    decode(data, name).splitlines()
    return time.perf_counter() - t0


def main(rounds: int = 50) -> None:
    inputs = [(f.read_bytes(), f.name) for f in FILES]
    for data, name in inputs:  # warm-up: imports, regex compilation, rule loading
        read_and_check(data, name)
    stages: dict[str, list[float]] = {}
    base: list[float] = []
    for _ in range(rounds):
        for data, name in inputs:
            for k, v in read_and_check(data, name).items():
                stages.setdefault(k, []).append(v)
            base.append(baseline(data, name))
    tracemalloc.start()
    for data, name in inputs:
        read_and_check(data, name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    med = {k: statistics.median(v) * 1000 for k, v in stages.items()}
    b = statistics.median(base) * 1000
    load = os.getloadavg()
    print(f"text reports: {len(FILES)} files x {rounds} rounds; load average {load[0]:.2f} on {os.cpu_count()} cores")
    print(f"read+check median {med['total']:.2f} ms/report (goal <= {GOAL_MS:.0f} ms: "
          f"{'PASS' if med['total'] <= GOAL_MS else 'FAIL'}); "
          f"p95 {sorted(stages['total'])[int(len(stages['total']) * 0.95)] * 1000:.2f} ms")
    print("  by stage: " + ", ".join(f"{k} {med[k]:.2f} ms" for k in ("extract", "parse", "identity", "rules")))
    print(f"  same-run baseline (decode + split lines) {b:.3f} ms; read+check / baseline {med['total'] / b:.0f}x")
    print(f"peak Python allocation during one report {peak / 1e6:.1f} MB; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
