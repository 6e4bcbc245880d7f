"""Text reports: read + check time per report, by stage, next to the goal (issue 11: <= 3 ms median).

    python bench/bench_text.py [ROUNDS]                  # default 50 rounds
    python bench/bench_text.py 30 --reference d86762b    # and the code of a git revision, same run

Reads every bundled sample text report (src/xxgk/samples) and the text inputs of tests/data (the
pypdf text of the sample PDFs, the identity and store fixtures) ROUNDS times each, in-process, the
way ingest's workers do (extract, parse, identify once, run the rules once), and prints the median
per report next to the goal, with the machine's load.

Repeating the same files does not flatter the figure: nothing derived from one report is kept for
the next (the reader caches only what it derives from the template declarations).

Same-run baselines keep the figure meaningful on a busy machine (2 cores shared by many):
- the cost of decoding and splitting the same bytes into lines (what any reader of these files pays);
- the CPU time of this thread (time.thread_time) besides the wall time: under load the wall time
  also counts the time the process waited for a core, the CPU time does not;
- with --reference REV, the same measurement of the code at git revision REV (exported with
  `git archive` to a temporary folder), run in a child process alternately with the current code,
  so both see the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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
FILES = sorted((ROOT / "src" / "xxgk" / "samples").glob("*.txt")) + [
    f for sub in ("pypdf", "identity", "store") for f in sorted((DATA / sub).glob("*.txt"))]
GOAL_MS = 3.0
STAGES = ("extract", "parse", "identity", "rules")


def read_and_check(data: bytes, name: str) -> dict[str, float]:
    c0 = time.thread_time()
    t0 = time.perf_counter()
    doc = extract_bytes(data, name)
    t1 = time.perf_counter()
    report = parse_document(doc)
    t2 = time.perf_counter()
    identity.apply(report)
    t3 = time.perf_counter()
    report.findings = run_rules(report)
    t4 = time.perf_counter()
    cpu = time.thread_time() - c0
    return {"extract": t1 - t0, "parse": t2 - t1, "identity": t3 - t2, "rules": t4 - t3, "total": t4 - t0,
            "cpu": cpu}


def baseline(data: bytes, name: str) -> float:
    t0 = time.perf_counter()
    decode(data, name).splitlines()
    return time.perf_counter() - t0


def measure(rounds: int) -> dict[str, float]:
    """Medians in ms: total (wall), cpu, each stage (wall), baseline, p95 of the total."""
    inputs = [(f.read_bytes(), f.name) for f in FILES]
    for data, name in inputs:  # warm-up: imports, regex compilation, rule loading
        read_and_check(data, name)
    samples: dict[str, list[float]] = {}
    base: list[float] = []
    per_file: dict[str, list[float]] = {name: [] for _, name in inputs}
    for _ in range(rounds):
        for data, name in inputs:
            for k, v in read_and_check(data, name).items():
                samples.setdefault(k, []).append(v)
                if k == "cpu":
                    per_file[name].append(v)
            base.append(baseline(data, name))
    out = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    out.update({f"file:{name}": statistics.median(v) * 1000 for name, v in per_file.items()})
    out["baseline"] = statistics.median(base) * 1000
    out["p95"] = sorted(samples["total"])[int(len(samples["total"]) * 0.95)] * 1000
    return out


def _verdict(ms: float) -> str:
    return "PASS" if ms <= GOAL_MS else "FAIL"


def report(med: dict[str, float], rounds: int) -> None:
    load = os.getloadavg()
    print(f"text reports: {len(FILES)} files x {rounds} rounds; load average {load[0]:.2f} "
          f"(5 min {load[1]:.2f}) on {os.cpu_count()} cores")
    print(f"read+check median {med['total']:.2f} ms/report wall (goal <= {GOAL_MS:.0f} ms: {_verdict(med['total'])}), "
          f"{med['cpu']:.2f} ms CPU ({_verdict(med['cpu'])}); p95 {med['p95']:.2f} ms wall")
    print("  by stage (wall): " + ", ".join(f"{k} {med[k]:.2f} ms" for k in STAGES))
    print(f"  same-run baseline (decode + split lines) {med['baseline']:.3f} ms; "
          f"read+check / baseline {med['total'] / med['baseline']:.0f}x")
    # The median report is one of the files: which ones lie around it, by CPU time.
    files = sorted((v, k.split(":", 1)[1]) for k, v in med.items() if k.startswith("file:"))
    print("  per file (median CPU ms, ascending): " + ", ".join(f"{name} {v:.2f}" for v, name in files))
    tracemalloc.start()
    for f in FILES:
        read_and_check(f.read_bytes(), f.name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocation during one report {peak / 1e6:.1f} MB; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def _child(src: Path, rounds: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, str(rounds), "--json"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def against(rev: str, rounds: int, repeats: int = 2) -> None:
    """The code at `rev` and the current code, alternately, each in its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        runs: dict[str, list[dict[str, float]]] = {rev: [], "current": []}
        for _ in range(repeats):
            runs[rev].append(_child(Path(tmp) / "src", rounds))
            runs["current"].append(_child(ROOT / "src", rounds))
    load = os.getloadavg()
    print(f"same run, alternately ({repeats} x {rounds} rounds each); load average {load[0]:.2f}")
    for name, results in runs.items():
        wall = statistics.median(r["total"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        print(f"  {name:>10}: read+check median {wall:.2f} ms wall, {cpu:.2f} ms CPU; by stage (wall) "
              + ", ".join(f"{k} {statistics.median(r[k] for r in results):.2f}" for k in STAGES))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rounds", nargs="?", type=int, default=50)
    ap.add_argument("--reference", metavar="REV", help="also measure the code of this git revision, same run")
    ap.add_argument("--json", action="store_true", help="print the medians as JSON (for --reference)")
    a = ap.parse_args(argv)
    if a.json:
        print(json.dumps(measure(a.rounds)))
        return
    report(measure(a.rounds), a.rounds)
    if a.reference:
        against(a.reference, a.rounds)


if __name__ == "__main__":
    main()
