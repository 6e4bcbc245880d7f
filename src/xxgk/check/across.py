"""The rules that look across reports — one body's years, one year's bodies — over a set of reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xxgk.check import finding_order
from xxgk.check.corpus import check_corpus
from xxgk.check.peers import peer_findings
from xxgk.report import Finding, Report


def check_across(reports: Sequence[Report], select: Iterable[str] | None = None,
                 ignore: Iterable[str] | None = None, expected: Sequence[str] | None = None) -> list[Finding]:
    """Run the cross-year and cross-body rules over `reports`: each finding about a report is
    appended to that report's findings (kept in the rules' order); the findings about the set
    itself (bodies that did not report) are returned."""
    select, ignore = list(select or []), list(ignore or [])
    touched: set[int] = set()
    for report, finding in check_corpus(reports, select, ignore):
        report.findings.append(finding)
        touched.add(id(report))
    about_set: list[Finding] = []
    for owner, finding in peer_findings(reports, expected=expected, select=select, ignore=ignore):
        if owner is None:
            about_set.append(finding)
        else:
            owner.findings.append(finding)
            touched.add(id(owner))
    for report in reports:
        if id(report) in touched:
            report.findings.sort(key=finding_order)
    return about_set
