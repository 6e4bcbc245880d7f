"""One body's reports side by side: the cells that changed, the indicators of each year and the
cross-year findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xxgk.check.rules.cross_report import body_findings
from xxgk.corpus.compile import normalize_name
from xxgk.corpus.indicators import INDICATORS, Indicator, compute
from xxgk.corpus.selection import check_text, check_year, select
from xxgk.errors import UsageError
from xxgk.i18n import _
from xxgk.report import Finding, Number, Report
from xxgk.vocabulary import cell_name

if TYPE_CHECKING:
    from xxgk.store import Store


@dataclass
class CellChange:
    path: str
    label: str
    values: list[Number | None]
    statuses: list[str | None]  # None: the cell is not in that year's template


@dataclass
class Comparison:
    body: str
    years: list[int]
    reports: list[Report]
    changed: list[CellChange]
    unchanged: int
    indicators: list[dict[str, Indicator]]
    findings: list[Finding]  # cross-year findings (corpus rules of the registry)

    def to_dict(self) -> dict[str, Any]:
        return {
            "body": self.body, "years": self.years,
            "files": [r.source.file for r in self.reports],
            "templates": [r.meta.template for r in self.reports],
            "changed": [{"cell": c.path, "label": c.label, "values": c.values, "statuses": c.statuses}
                        for c in self.changed],
            "unchanged": self.unchanged,
            "indicators": {k: [ind[k].to_dict() for ind in self.indicators] for k in INDICATORS},
            "findings": [f.to_dict() for f in self.findings],
        }


def cross_year_findings(reports: Sequence[Report]) -> list[Finding]:
    """Findings of the corpus-scope (cross-year) rules over one body's reports: each year judged
    against the one before, as the checker's own runner does."""
    return [f for _report, f in body_findings(reports)]


def _label(report: Report, path: str) -> str:
    try:
        return cell_name(report.template, path)
    except (KeyError, StopIteration):
        return path  # a row no template declares: its key is all there is


def compare_reports(reports: Sequence[Report],
                    label: Callable[[Report, str], str] | None = None) -> Comparison:
    """Side by side: cells whose value differs between the reports (in year order), the
    indicators of each, and the cross-year findings."""
    reps = sorted(reports, key=lambda r: (r.meta.year or 0, r.source.file))
    if not reps:
        raise UsageError(_("nothing to compare"))
    paths: dict[str, None] = {}
    for r in reversed(reps):  # newest template's order first
        for p in r.template.cell_paths():
            paths.setdefault(p, None)
    for r in reps:
        for p in r.cells:
            paths.setdefault(p, None)
    changed: list[CellChange] = []
    unchanged = 0
    for p in paths:
        values = [r.value(p) for r in reps]
        statuses = [r.cells[p].status if p in r.cells else None for r in reps]
        if len(set(values)) > 1 or (len({s is None for s in statuses}) > 1):
            owner = next(r for r in reversed(reps) if p in r.cells or p in r.template.cell_paths())
            changed.append(CellChange(p, (label or _label)(owner, p), values, statuses))
        else:
            unchanged += 1
    body = reps[-1].meta.agency or reps[-1].source.file
    return Comparison(body, [r.meta.year or 0 for r in reps], reps, changed, unchanged,
                      [compute(r) for r in reps], cross_year_findings(reps))


def compare_body(store: Store, body: str, years: Sequence[int] = ()) -> Comparison:
    """Compare the stored reports of the body named `body` (exact, or a substring matching one
    body) for `years` (default: every stored year). Raises UsageError saying what is wrong."""
    check_text(body, "BODY")
    for y in years:
        check_year(y, "--years")
    candidates = select(store, agency=body)
    names = sorted({r.meta.agency for r in candidates if r.meta.agency})
    exact = [n for n in names if normalize_name(n) == normalize_name(body)]
    if not names:
        raise UsageError(_("no stored report of a body named like {body}").format(body=body))
    if len(exact) != 1 and len(names) > 1:
        raise UsageError(_("{body} matches several bodies: {names}; give the full name").format(
            body=body, names="、".join(names)))
    name = exact[0] if exact else names[0]
    reports = [r for r in candidates if r.meta.agency == name]
    have = sorted({r.meta.year for r in reports if r.meta.year is not None})
    chosen = sorted(set(years)) if years else have
    absent = [y for y in chosen if y not in have]
    stored = ", ".join(map(str, have)) or _("none with a year")
    if absent:
        raise UsageError(_("{body} has no stored report for {years} (stored: {stored})").format(
            body=name, years=", ".join(map(str, absent)), stored=stored))
    picked = [next(r for r in reports if r.meta.year == y) for y in chosen]
    if len(picked) < 2:
        raise UsageError(_("{body}: need two years to compare (stored: {stored})").format(body=name, stored=stored))
    return compare_reports(picked)
