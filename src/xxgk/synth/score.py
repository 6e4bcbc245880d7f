"""Compare what xxgk read from a rendering with the synthetic truth: cells, meta, findings.

Shared by tests/test_roundtrip_*.py and bench/accuracy.py so that "correct" means one thing.
A cell is right when its value equals the truth after inference (None for None, numbers within
1e-6, so 25.1 万元 read from ``251000元`` counts); a cell the report printed as a number must
also come back with status ``read``. A wrong cell is *flagged* when the reader did not claim
to have read it (status other than ``read``) or a finding names it; unflagged wrong cells are
the silent errors the project promises never to make.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from xxgk.report import Finding, Report
from xxgk.synth.layout import Rendered
from xxgk.synth.truth import Expectation, SyntheticReport


@dataclass
class Score:
    cells: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)  # "path: got X, want Y"
    unflagged: list[str] = field(default_factory=list)  # wrong and neither non-read nor named by a finding
    status: list[str] = field(default_factory=list)  # printed numbers not reported as read
    meta: list[str] = field(default_factory=list)
    missed: list[Expectation] = field(default_factory=list)  # expected findings not raised
    found: list[Expectation] = field(default_factory=list)
    # error/warning findings neither expected nor tolerated on this rendering
    unexpected: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.wrong or self.status or self.meta or self.missed or self.unexpected)

    def summary(self) -> str:
        parts = []
        if self.wrong:
            parts.append(f"{len(self.wrong)} wrong cells ({'; '.join(self.wrong[:3])})")
        if self.status:
            parts.append(f"{len(self.status)} status ({'; '.join(self.status[:3])})")
        if self.meta:
            parts.append("meta " + "; ".join(self.meta))
        if self.missed:
            parts.append("missed " + ", ".join(e.code for e in self.missed))
        if self.unexpected:
            shown = "; ".join(f"{f.code}: {f.message[:90]}" for f in self.unexpected[:3])
            parts.append(f"unexpected {shown}")
        return " | ".join(parts) or "ok"


def _same(got: object, want: object) -> bool:
    if got is None or want is None:
        return got is None and want is None
    try:
        return abs(float(got) - float(want)) < 1e-6  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def raised(expectation: Expectation, findings: Iterable[Finding]) -> bool:
    """A finding with one of the expected codes, naming one of the expected cells when given."""
    hits = [f for f in findings if f.code in expectation.codes]
    if not expectation.cells:
        return bool(hits)
    want = set(expectation.cells)
    return any(want & set(f.cells) for f in hits)


def score(report: SyntheticReport, rendered: Rendered, parsed: Report) -> Score:
    s = Score()
    truth = rendered.expected(report)
    named = {c for f in parsed.findings for c in f.cells}
    for path, cell in truth.items():
        s.cells += 1
        got = parsed.cells.get(path)
        value = got.value if got else None
        if not _same(value, cell.value):
            s.wrong.append(f"{path}: got {value!r}, want {cell.value!r}")
            if got is not None and got.status == "read" and path not in named:
                s.unflagged.append(path)
            continue
        s.right += 1
        if cell.printed == "read" and (got is None or got.status != "read"):
            s.status.append(f"{path}: {got.status if got else 'absent'}")
    meta = parsed.meta
    if meta.year != report.year:
        s.meta.append(f"year {meta.year!r} != {report.year}")
    if meta.template != report.template:
        s.meta.append(f"template {meta.template!r} != {report.template}")
    agency = (meta.agency or "").replace(" ", "")
    if report.title and agency != report.body.name:
        s.meta.append(f"agency {meta.agency!r} != {report.body.name}")
    elif not report.title and report.body.name not in agency and not (agency and agency in report.body.name):
        # Without a title the body comes from running text; accept either containing the other.
        s.meta.append(f"agency {meta.agency!r} !~ {report.body.name}")
    for e in report.expectations:
        (s.found if raised(e, parsed.findings) else s.missed).append(e)
    allowed = {c for e in report.expectations for c in e.codes} | rendered.tolerated(report)
    s.unexpected = [f for f in parsed.findings
                    if f.severity in ("error", "warning") and f.code not in allowed]
    return s
