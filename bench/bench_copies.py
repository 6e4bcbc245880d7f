"""copied-from-other-body at scale: N reports' sections 一, 五, 六 through MinHash/LSH, time and memory.

    python bench/bench_copies.py              # 100,000 reports (300,000 sections), 200 planted copies
    python bench/bench_copies.py --n 20000

Each synthetic report's sections are built from the clauses of the bundled real reports
(shuffled, sampled, with the body's name, year and counts changed), so reports share stock
clauses the way real ones do without being copies. Then `--copies` pairs of bodies get one
section copied, lightly edited (year, body name, a clause dropped). Reported: seconds, peak RSS,
recall of the planted copies, pairs found that were not planted — and, as the baseline in the
same run, the time of the exact all-pairs comparison on a sample, extrapolated to N (what the
rule would cost without LSH). Goal (issue): 100,000 reports under 10 minutes and 2 GB.

With `--store N` (default 5,000; 0: skip), the same reports of one year go into a SQLite store
and the store's peers pass (what `xxgk ingest` runs after each batch of files) is timed: the
first pass over the year, then the pass after a small ingest of 10 more reports (one a planted
copy) — which reads the stored section signatures and hashes only the new reports — against
the rule run over all the year's complete reports (what a pass would cost without them).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import resource
import time
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import xxgk
from xxgk.check.similarity import COPY_SIMILARITY, Text, clean, near_copies

SAMPLES = Path(xxgk.__file__).parent / "samples"
SECTIONS = (1, 5, 6)
NUMERAL_TITLES = {no: f"{'一二三四五六'[no - 1]}、" for no in range(1, 7)}


def sentence_pool() -> dict[int, list[str]]:
    """Clauses of the bundled real reports, per section (each report's text is rebuilt from them)."""
    pool: dict[int, list[str]] = {no: [] for no in SECTIONS}
    for f in sorted(SAMPLES.iterdir()):
        if f.suffix not in (".txt", ".pdf"):
            continue
        rep = xxgk.read(f, check=False)
        for s in rep.sections:
            if s.no in pool:
                pool[s.no] += [x.strip() for x in re.split(r"[。；，,、\n]", s.text) if len(x.strip()) >= 6]
    return {no: sorted(set(clauses)) for no, clauses in pool.items()}


def make_text(rng: random.Random, pool: list[str], body: str, year: int) -> str:
    picked = rng.sample(pool, min(len(pool), rng.randint(14, 24)))
    out = []
    for i, s in enumerate(picked):
        s = re.sub(r"20\d\d", str(year), s)
        s = re.sub(r"\d+", lambda _: str(rng.randint(1, 400)), s)
        out.append(s.replace("我市", body).replace("我区", body).replace("园区", body) + ("。" if i % 3 == 2 else "，"))
    return "".join(out)


def planted_copy(rng: random.Random, text: str, body: str, year: int) -> str:
    """The section as another body would copy it: its own name and year put in, one clause dropped."""
    parts = [p for p in re.split(r"(?<=[，。])", text) if p]
    if len(parts) > 12:
        parts.pop(rng.randrange(len(parts)))
    return re.sub(r"第\d+号机关", body, re.sub(r"20\d\d", str(year), "".join(parts)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--baseline-sample", type=int, default=1500)
    ap.add_argument("--store", type=int, default=5000, help="reports in the store for the peers-pass figures (0: skip)")
    args = ap.parse_args()
    rng = random.Random(2025)
    pool = sentence_pool()
    t0 = time.perf_counter()
    texts: list[Text] = []
    year = 2024
    for i in range(args.n):
        body = f"第{i}号机关"
        for no in SECTIONS:
            texts.append(Text(i, i, no, make_text(rng, pool[no], body, year)))
    planted: set[tuple[int, int, int]] = set()
    for _ in range(args.copies):
        a, b = rng.sample(range(args.n), 2)
        no = rng.choice(SECTIONS)
        src = texts[a * 3 + SECTIONS.index(no)]
        texts[b * 3 + SECTIONS.index(no)] = Text(b, b, no, planted_copy(rng, src.text, f"第{b}号机关", year))
        planted.add((min(a, b), max(a, b), no))
    made = time.perf_counter() - t0

    t1 = time.perf_counter()
    found = near_copies(texts)
    seconds = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pairs = {(min(c.text.ref, o.ref), max(c.text.ref, o.ref), c.text.part) for c in found for o, _ in c.others}
    recall = len(planted & pairs) / len(planted) if planted else 1.0
    extra = pairs - planted

    # Baseline: exact similarity of every pair of one section on a sample, extrapolated.
    sample = [clean(t.text) for t in texts[: args.baseline_sample * 3: 3]]
    from rapidfuzz import fuzz

    t2 = time.perf_counter()
    for x, y in combinations(sample, 2):
        fuzz.ratio(x, y)
    per_pair = (time.perf_counter() - t2) / (len(sample) * (len(sample) - 1) / 2)
    all_pairs = per_pair * len(SECTIONS) * args.n * (args.n - 1) / 2

    print(f"reports: {args.n:,}  sections compared: {len(texts):,}  (generated in {made:.1f} s)")
    print(f"near_copies: {seconds:.1f} s, peak RSS {peak_mb:,.0f} MB   [goal for 100,000: < 600 s, < 2,048 MB]")
    print(f"planted copies found: {len(planted & pairs)}/{len(planted)} (recall {recall:.3f}); "
          f"other pairs found: {len(extra)} (threshold {COPY_SIMILARITY:.0%})")
    print(f"baseline, exact all-pairs comparison: {per_pair * 1e6:.1f} µs/pair → {all_pairs / 3600:,.1f} h "
          f"for {args.n:,} reports; LSH is {all_pairs / seconds:,.0f}× faster")
    if args.store:
        bench_store(texts[: args.store * 3], year)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")


def _report(i: int, year: int, sections: dict[int, str]):
    from xxgk.report import Meta, Report, SectionText, Source

    body = f"第{i}号机关"
    secs = [SectionText(no, NUMERAL_TITLES[no], sections.get(no, "")) for no in range(1, 7)]
    sha = hashlib.sha256(f"{body}{year}{sections}".encode()).hexdigest()
    return Report(Source(f"{body}-{year}.txt", sha, "text"), Meta(f"{body}{year}年报告", body, None, None, year), secs,
                  {})


def bench_store(texts: list[Text], year: int) -> None:
    """The store's peers pass over one year of `len(texts) / 3` reports: first, and after a small ingest."""
    import tempfile

    from xxgk.check.peers import peer_findings
    from xxgk.store import Parsed, Store

    n = len(texts) // 3
    reports = [_report(i, year, {t.part: t.text for t in texts[i * 3:i * 3 + 3]}) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "peers.sqlite") as store:
        t0 = time.perf_counter()
        for start in range(0, n, 500):
            store.write([Parsed(r.source.file, r.source.sha256, 1, r, None) for r in reports[start:start + 500]])
        written = time.perf_counter() - t0
        t1 = time.perf_counter()
        found = store.recheck_years()
        first = time.perf_counter() - t1
        # A small ingest: 10 reports more, one of them copying report 0's section 五.
        rng, pool = random.Random(7), sentence_pool()
        more = [_report(n + k, year, {no: make_text(rng, pool[no], f"第{n + k}号机关", year) for no in SECTIONS})
                for k in range(10)]
        more[0].sections[4] = replace(more[0].sections[4], text=planted_copy(rng, texts[1].text, "第{n}号机关", year))
        store.write([Parsed(r.source.file, r.source.sha256, 1, r, None) for r in more])
        if os.environ.get("XXGK_BENCH_PROFILE"):
            import cProfile
            import pstats

            with store.engine.begin() as c:
                c.exec_driver_sql("UPDATE peer_years SET needs_check = 1")
            with cProfile.Profile() as pr:
                store.check_year(year)
            pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
        t2 = time.perf_counter()
        after = store.recheck_years()
        small = time.perf_counter() - t2
        t3 = time.perf_counter()
        peer_findings([*reports, *more])
        full = time.perf_counter() - t3
    print(f"store of {n:,} reports of {year} (written in {written:.1f} s, signatures made as they are stored):")
    print(f"  peers pass, first: {first:.1f} s ({found} findings); after a small ingest of 10: {small:.2f} s "
          f"({after} findings)")
    print(f"  baseline, the rule over the year's {n + 10:,} complete reports: {full:.1f} s — the small ingest's pass "
          f"is {full / small:,.1f}× cheaper")


if __name__ == "__main__":
    main()
