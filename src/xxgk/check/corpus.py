"""Running the corpus (cross-year) rules: over one body's reports, or over any collection of
reports grouped by body. The rules themselves live in `xxgk.check.rules.cross_report`; the store
calls `body_findings` with one body's reports at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xxgk.check.registry import selected
from xxgk.identity import report_body_key
from xxgk.report import Finding, Report


def _year_order(reports: Iterable[Report]) -> list[Report]:
    return sorted((r for r in reports if r.meta.year is not None), key=lambda r: (r.meta.year, r.source.sha256))


def body_findings(
    reports: Sequence[Report], select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[tuple[Report, Finding]]:
    """Corpus findings over the reports of ONE body: (the report it belongs to, finding). Each
    rule sees the body's reports up to and including the one it judges, in year order."""
    rules = selected(select, ignore, scope="corpus")
    ordered = _year_order(reports)
    out: list[tuple[Report, Finding]] = []
    for i, rep in enumerate(ordered):
        if i == 0:
            continue
        for r in rules:
            out.extend((rep, f) for f in r.func(ordered[: i + 1]))
    return out


def check_corpus(
    reports: Iterable[Report], select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[tuple[Report, Finding]]:
    """Cross-year findings over any collection of reports: grouped by body (xxgk.identity's
    key: region code + normalised name), each body's years compared in order. Reports whose
    body cannot be told for sure are left out. Returns (report, finding) pairs, by body then year."""
    groups: dict[str, list[Report]] = {}
    for rep in reports:
        key = report_body_key(rep)
        if key is not None:
            groups.setdefault(key, []).append(rep)
    out: list[tuple[Report, Finding]] = []
    for key in sorted(groups):
        out.extend(body_findings(groups[key], select, ignore))
    return out
