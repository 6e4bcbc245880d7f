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
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
from itertools import combinations
from pathlib import Path

import xxgk
from xxgk.check.similarity import COPY_SIMILARITY, Text, clean, near_copies

SAMPLES = Path(xxgk.__file__).parent / "samples"
SECTIONS = (1, 5, 6)


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


if __name__ == "__main__":
    main()
