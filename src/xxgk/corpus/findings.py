"""The findings of checked reports written out: as text for people, CSV and JSON for programs.

JSON keeps the codes (`code`, `severity`, `cells`, `params`) and the message rendered in the
current language; CSV has one row per finding; text names cells by their template labels and
locations as 第4页 / 第58行, never by keys.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xxgk.corpus.selection import Filters
from xxgk.errors import UsageError
from xxgk.export.layout import label_of
from xxgk.i18n import _
from xxgk.report import Finding, Report
from xxgk.store import Store, StoredFinding
from xxgk.vocabulary import location_text, severity_name

SEVERITIES = ("error", "warning", "info")
CSV_COLUMNS = ("file", "code", "severity", "message", "cells", "loc")


@dataclass(frozen=True)
class FindingLine:
    """One finding as people read it: each part already in the current language."""

    severity: str  # the code (error, warning, info), for colour
    severity_name: str
    code: str
    where: str  # 第4页第9行
    message: str
    cells: str  # the template labels of the cells, "；"-separated

    def text(self) -> str:
        parts = [self.severity_name, self.code, self.where, self.message]
        line = " ".join(p for p in parts if p)
        return f"{line}（{self.cells}）" if self.cells else line


def cell_labels(report: Report, cells: Sequence[str]) -> list[str]:
    """Cells by their template labels (a key no template declares is shown as printed)."""
    return [label_of(report.template, p) for p in cells]


def finding_line(report: Report, finding: Finding, max_cells: int = 3) -> FindingLine:
    labels = cell_labels(report, finding.cells)
    shown = "；".join(labels[:max_cells])
    if len(labels) > max_cells:
        shown += _("… and {n} more cell(s)").format(n=len(labels) - max_cells)
    return FindingLine(finding.severity, severity_name(finding.severity), finding.code,
                       location_text(finding.loc), finding.message, shown)


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    c = Counter(f.severity for f in findings)
    return {s: c.get(s, 0) for s in SEVERITIES}


def worst(findings: Iterable[Finding]) -> str | None:
    """The most severe level among the findings (None: no finding)."""
    seen = {f.severity for f in findings}
    return next((s for s in SEVERITIES if s in seen), None)


def findings_text(reports: Iterable[Report]) -> str:
    """Plain text: per report its file, body and year, then one line per finding."""
    out = []
    for r in reports:
        head = " ".join(str(x) for x in (r.source.file, r.meta.agency or "", r.meta.year or "") if x)
        out.append(f"== {head}")
        if not r.findings:
            out.append(_("no findings"))
        out += [finding_line(r, f).text() for f in r.findings]
    return "\n".join(out) + "\n"


def findings_records(reports: Iterable[Report], about_set: Sequence[Finding] = ()) -> list[dict[str, object]]:
    """Per report: file, sha256, body, year and its findings (the JSON of `xxgk check --format json`);
    then, when there are findings about the set as a whole, one entry with `file` null holding them."""
    out: list[dict[str, object]] = [
        {"file": r.source.file, "sha256": r.source.sha256, "agency": r.meta.agency, "year": r.meta.year,
         "findings": [f.to_dict() for f in r.findings]} for r in reports]
    if about_set:
        out.append({"file": None, "sha256": None, "agency": None, "year": None,
                    "findings": [f.to_dict() for f in about_set]})
    return out


def findings_json(reports: Iterable[Report], about_set: Sequence[Finding] = ()) -> str:
    return json.dumps(findings_records(reports, about_set), ensure_ascii=False, indent=1) + "\n"


def findings_csv(reports: Iterable[Report], about_set: Sequence[Finding] = ()) -> str:
    """One row per finding; the columns are codes (file, code, severity, message, cells, loc),
    the message is in the current language."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in reports:
        for f in r.findings:
            w.writerow([r.source.file, f.code, f.severity, f.message, " ".join(f.cells), f.loc or ""])
    for f in about_set:
        w.writerow(["", f.code, f.severity, f.message, "", ""])
    return buf.getvalue()


STORED_COLUMNS = ("file", "agency", "year", "scope", "code", "severity", "message", "loc")


def stored_findings(store: Store, filters: Filters | None = None, code: str | None = None,
                    severity: str | None = None) -> list[StoredFinding]:
    """The stored findings of the selected reports: their own, the cross-year and the cross-body
    ones that ingest wrote (in the store's order: report, then scope)."""
    if severity is not None and severity not in SEVERITIES:
        raise UsageError(_("--severity {value}: choose one of {choices}").format(
            value=severity, choices=", ".join(SEVERITIES)))
    return store.findings(**(filters.given() if filters else {}), code=code, severity=severity)


def stored_records(items: Iterable[StoredFinding]) -> list[dict[str, object]]:
    """One dict per stored finding: codes in English, the message in the current language."""
    return [{"file": s.file, "agency": s.agency, "year": s.year, "scope": s.scope, "code": s.code,
             "severity": s.severity, "message": s.finding.message, "cells": list(s.finding.cells),
             "loc": s.finding.loc, "params": s.finding.params} for s in items]


def stored_csv(items: Iterable[StoredFinding]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(STORED_COLUMNS)
    for rec in stored_records(items):
        w.writerow([rec[c] if rec[c] is not None else "" for c in STORED_COLUMNS])
    return buf.getvalue()
