"""Defects that live across reports, injected into a small synthetic region: a section copied
between two bodies, a revised second version of a report, a body that stopped reporting.

A region is a set of bodies (each a seed of `generate`) reporting over consecutive years, with the
truth of which cross-report findings a correct checker must raise. Renders like any synthetic
report (`render_text`, `render_html`…); the tests and `bench/rules_precision.py` read them back and
run `xxgk.check.across.check_across` over the whole set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from xxgk.synth.generate import generate
from xxgk.synth.truth import SyntheticReport

CORPUS_DEFECTS = ("copied-section", "revised-version", "missing-body")


@dataclass
class Region:
    """Synthetic reports of several bodies over several years, and what must be found across them.

    expected: (rule code, "body year" the finding belongs to, or None for the set);
    bodies: the names of the bodies expected to report (the round's list).
    """

    reports: list[tuple[str, SyntheticReport]]  # (file name, report)
    bodies: list[str] = field(default_factory=list)
    expected: list[tuple[str, str | None]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _file(report: SyntheticReport, suffix: str = "") -> str:
    return f"{report.body.name}-{report.year}{suffix}.txt"


def key(report: SyntheticReport) -> str:
    return f"{report.body.name} {report.year}"


def region(seed: int, bodies: int = 4, years: tuple[int, ...] = (2023, 2024)) -> Region:
    """`bodies` distinct bodies, each reporting every year of `years` on the 2021 template; each
    year's report is its own draw (own numbers, own words), signed before its deadline."""
    rng = random.Random(seed)
    out: list[tuple[str, SyntheticReport]] = []
    names: list[str] = []
    while len(names) < bodies:
        base = generate(rng.randrange(10**6))
        if base.body.name in names:
            continue
        names.append(base.body.name)
        for y in years:
            # A draw of the same level (its numbers are of that level's size) on the 2021 template.
            draw = generate(rng.randrange(10**6))
            for _ in range(200):
                if draw.template == "2021" and draw.body.level == base.body.level:
                    break
                draw = generate(rng.randrange(10**6))
            rep = draw.evolve(body=base.body, year=y, published=f"{y + 1}-01-{rng.randint(10, 28):02d}")
            out.append((_file(rep), rep))
    return Region(out, names)


def _with_section5(report: SyntheticReport, paragraphs: tuple[str, ...]) -> SyntheticReport:
    return report.evolve(text=replace(report.text, section5=paragraphs))


def copied_section(r: Region, rng: random.Random) -> Region:
    """The last year's section 五 of one body copied word for word into another body's report."""
    last = max(rep.year for _, rep in r.reports)
    current = [(f, rep) for f, rep in r.reports if rep.year == last]
    (_, a), (_, b) = rng.sample(current, 2)
    words = next(s for s in a.sections if s.no == 5).paragraphs
    copied = _with_section5(b, tuple(p.replace(a.body.short, b.body.short) for p in words))
    r.reports = [(f, copied if rep is b else rep) for f, rep in r.reports]
    r.expected += [("copied-from-other-body", key(a)), ("copied-from-other-body", key(b))]
    r.defects.append("copied-section")
    return r


def revised_version(r: Region, rng: random.Random) -> Region:
    """A second file of one body's last report with one count changed (a silent revision)."""
    last = max(rep.year for _, rep in r.reports)
    _, rep = rng.choice([(f, rep) for f, rep in r.reports if rep.year == last])
    vals = dict(rep.values)
    cell = "active.licensing.decisions"
    vals[cell] = int(vals[cell]) + rng.randint(1, 9)
    second = rep.evolve(values=vals)
    name = _file(rep, "-修订")
    r.reports.append((name, second))
    r.expected += [("report-revised", key(rep))]
    r.defects.append("revised-version")
    return r


def missing_body(r: Region, rng: random.Random) -> Region:
    """One body on the round's list, which reported the year before, has no report for the last year."""
    last = max(rep.year for _, rep in r.reports)
    f, _ = rng.choice([(f, rep) for f, rep in r.reports if rep.year == last])
    r.reports = [(g, x) for g, x in r.reports if g != f]
    r.expected += [("missing-subordinate", None)]
    r.defects.append("missing-body")
    return r


APPLY = {"copied-section": copied_section, "revised-version": revised_version, "missing-body": missing_body}


def region_with(seed: int, defect: str, bodies: int = 4) -> Region:
    return APPLY[defect](region(seed, bodies), random.Random(seed))


__all__ = ["CORPUS_DEFECTS", "Region", "key", "region", "region_with"]
