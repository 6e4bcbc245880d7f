"""Precision and recall of the reviewers' rules (issue 14) on generated reports and the samples.

    python bench/rules_precision.py            # 300 clean reports, 60 injections per defect, 20 regions
    python bench/rules_precision.py --n 100

False alarms: findings of the new rules on clean generated reports of both templates (text
styles tsv / pypdf / clean in turn) and on clean synthetic regions (several bodies over two
years). Recall: every injected defect of the generator (xxgk.synth.defects, xxgk.synth.corpus)
found by its rule. The bundled samples are listed with the new rules' findings, to read by eye.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

import xxgk
from xxgk.check.across import check_across
from xxgk.synth import generate, render_text
from xxgk.synth.corpus import CORPUS_DEFECTS, region, region_with
from xxgk.synth.defects import applicable, inject

NEW = ("late-publication", "copied-from-other-body", "section5-boilerplate", "outline-numbering", "fee-unit",
       "report-revised", "missing-subordinate", "narrative-vs-table")
REPORT_DEFECTS = {"late-date": "late-publication", "boilerplate-5": "section5-boilerplate",
                  "fee-in-yuan": "fee-unit", "broken-outline": "outline-numbering"}
STYLES = ("tsv", "pypdf", "clean")
SAMPLES = Path(xxgk.__file__).parent / "samples"


def read(report, style: str, name: str):
    return xxgk.read_bytes(render_text(report, style=style).data, name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--injections", type=int, default=60)
    ap.add_argument("--regions", type=int, default=20)
    args = ap.parse_args()
    t0 = time.perf_counter()

    alarms: Counter[str] = Counter()
    templates: Counter[str] = Counter()
    reports = []
    for seed in range(args.n):
        syn = generate(seed)
        templates[syn.template] += 1
        rep = read(syn, STYLES[seed % 3], f"clean-{seed}.txt")
        reports.append(rep)
        alarms.update(f.code for f in rep.findings if f.code in NEW and f.severity != "info")
    across_alarms: Counter[str] = Counter()
    for seed in range(args.regions):
        reg = region(seed)
        reps = [read(s, "clean", f) for f, s in reg.reports]
        about = check_across(reps, expected=reg.bodies)
        across_alarms.update(f.code for r in reps for f in r.findings if f.code in NEW)
        across_alarms.update(f.code for f in about)

    recall: dict[str, tuple[int, int]] = {}
    for kind, code in REPORT_DEFECTS.items():
        hit = tried = 0
        seed = 0
        while tried < args.injections and seed < args.injections * 5:
            syn = generate(seed)
            seed += 1
            if applicable(syn, kind):
                continue
            bad = inject(syn, kind, random.Random(seed))
            rep = read(bad, STYLES[tried % 3], f"{kind}-{seed}.txt")
            tried += 1
            hit += any(f.code == code for f in rep.findings)
        recall[f"{kind} → {code}"] = (hit, tried)
    for kind in CORPUS_DEFECTS:
        hit = 0
        for seed in range(args.regions):
            reg = region_with(seed + 1000, kind)
            reps = [read(s, "clean", f) for f, s in reg.reports]
            about = check_across(reps, expected=reg.bodies)
            got = {(f.code, f"{r.meta.agency} {r.meta.year}") for r in reps for f in r.findings}
            got |= {(f.code, None) for f in about}
            hit += set(reg.expected) <= got
        recall[f"{kind} (region)"] = (hit, args.regions)

    print(f"clean generated reports: {args.n} (template 2019: {templates['2019']}, 2021: {templates['2021']}), "
          f"clean regions: {args.regions} × 4 bodies × 2 years")
    print("false alarms (warning or error) per rule, clean reports | clean regions:")
    for code in NEW:
        print(f"  {code:24} {alarms[code]:4} | {across_alarms[code]:4}")
    print("recall of injected defects:")
    for name, (hit, tried) in recall.items():
        print(f"  {name:44} {hit}/{tried}")
    print("bundled samples, findings of the new rules:")
    for f in sorted(SAMPLES.iterdir()):
        if f.suffix in (".txt", ".pdf"):
            found = [x for x in xxgk.read(f).findings if x.code in NEW]
            print(f"  {f.name:32} " + ("; ".join(f"{x.code} ({x.severity}): {x.message}" for x in found) or "—"))
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
