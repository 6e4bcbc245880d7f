"""What the review page shows, computed once: the three tables laid out like the template (cells
with their status, correction and findings), and the findings with their cells' labels."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from xxgk.check.registry import load_rules
from xxgk.export.layout import Grid, report_grid
from xxgk.i18n import current_lang
from xxgk.review.reports import ReviewedReport, ReviewFinding, cell_label
from xxgk.template import TEMPLATES
from xxgk.vocabulary import SEPARATOR, STATUS_NAMES, cell_name, location_text, status_name, table_name
from xxgk.web.render import number

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass
class CellView:
    kind: str
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    path: str | None = None
    shown: str = ""
    status: str = ""
    corrected: bool = False
    read: str = ""  # what was read, when corrected
    severity: str = ""  # worst finding on the cell
    findings: list[str] = field(default_factory=list)  # finding keys
    loc: str = ""
    label: str = ""
    title: str = ""  # the tooltip: label · status · place
    foreign: bool = False


@dataclass
class TableView:
    key: str
    title: str
    rows: list[list[CellView]]


@dataclass
class FindingView:
    key: str
    id: str
    code: str
    severity: str
    message: str
    scope: str
    summary: str
    cells: list[str]
    labels: list[str]
    loc: str
    loc_text: str
    excerpt: str
    decision: str
    comment: str
    decided_by: str


def _shown(cell: Any) -> str:
    if cell is None:
        return ""
    if cell.value is not None:
        return number(cell.value)
    return cell.raw or ""


def grouped_labels(labels: list[str]) -> list[str]:
    """Cells of one row said once: （一）予以公开 · 自然人、商业企业、总计 (not the row seven times)."""
    rows: dict[str, list[str]] = {}
    for label in labels:
        row, sep, column = label.rpartition(SEPARATOR)
        rows.setdefault(row if sep else label, []).append(column if sep else "")
    return [f"{row}{SEPARATOR}{'、'.join(cols)}" if any(cols) else row for row, cols in rows.items()]


def finding_views(rr: ReviewedReport) -> list[FindingView]:
    rules = load_rules()
    out = []
    for f in sorted(rr.findings, key=lambda f: (SEVERITY_RANK.get(f.finding.severity, 3), f.finding.code, f.key)):
        out.append(_finding_view(rr, f, rules))
    return out


def _finding_view(rr: ReviewedReport, f: ReviewFinding, rules: dict[str, Any]) -> FindingView:
    rule = rules.get(f.finding.code)
    d = f.decision
    return FindingView(f.key, f.id, f.finding.code, f.finding.severity, f.finding.message, f.scope,
                       rule.summary if rule else "", list(f.finding.cells),
                       grouped_labels([cell_label(rr.report, c) for c in f.finding.cells]), f.finding.loc or "",
                       location_text(f.finding.loc), f.finding.excerpt or "", d.decision if d else "",
                       d.comment if d else "", d.user if d else "")


@lru_cache(maxsize=64)
def _grid(template: str, key: str, foreign: frozenset[str]) -> Grid:
    # A report's grid depends only on its template and which foreign rows it printed.
    return report_grid(TEMPLATES[template], key, [f"{key}.{row}.x" for row in foreign])


@lru_cache(maxsize=4096)
def _label(template: str, path: str, lang: str) -> str:
    try:
        return cell_name(template, path)
    except KeyError:
        return path


def table_views(rr: ReviewedReport) -> list[TableView]:
    report = rr.corrected
    template = report.meta.template or "2021"
    lang = current_lang()
    rows_printed = frozenset(p.split(".")[1] for p in report.cells)
    status_names = {s: status_name(s) for s in STATUS_NAMES}
    flagged: dict[str, list[ReviewFinding]] = {}
    for f in rr.findings:
        if f.decision and f.decision.decision == "dismiss":
            continue
        for p in f.finding.cells:
            flagged.setdefault(p, []).append(f)
    out = []
    for table in report.template.tables:
        grid = _grid(template, table.key, rows_printed)
        rows: list[list[CellView]] = []
        for grow in grid.rows():
            row = []
            for g in grow:
                cv = CellView(g.kind, g.text, g.rowspan, g.colspan, foreign=g.foreign)
                if g.kind == "value" and g.path:
                    cell = report.cells.get(g.path)
                    cv.path = g.path
                    cv.shown = _shown(cell)
                    cv.status = cell.status if cell else "missing"
                    cv.loc = (cell.loc or "") if cell else ""
                    cv.label = cell_label(report, g.path) if template not in TEMPLATES else \
                        _label(template, g.path, lang)
                    cv.title = SEPARATOR.join(x for x in (cv.label, status_names.get(cv.status, cv.status),
                                                          location_text(cv.loc)) if x)
                    if g.path in rr.corrections:
                        cv.corrected = True
                        cv.read = _shown(rr.report.cells.get(g.path))
                    fs = flagged.get(g.path, [])
                    cv.findings = [f.key for f in fs]
                    if fs:
                        cv.severity = min((f.finding.severity for f in fs), key=lambda s: SEVERITY_RANK.get(s, 3))
                row.append(cv)
            rows.append(row)
        out.append(TableView(table.key, table_name(table.key), rows))
    return out


def unmatched_rows(rr: ReviewedReport) -> list[dict[str, Any]]:
    return list(rr.report.unmatched)


_views: OrderedDict[tuple[Any, ...], tuple[list[TableView], dict[str, str], list[FindingView]]] = OrderedDict()
_views_lock = threading.Lock()


def review_views(rr: ReviewedReport) -> tuple[list[TableView], dict[str, str], list[FindingView]]:
    """The tables, the cell labels and the findings of the page, computed once for each state of
    the review (corrections, decisions) and language: a report is read far more often than it is
    changed."""
    decided = tuple(sorted((f.key, f.decision.decision, f.decision.comment, f.decision.user)
                           for f in rr.findings if f.decision))
    # The findings themselves too: the cross-year ones change with the body's other years.
    found = tuple((f.key, f.finding.severity, f.finding.message) for f in rr.findings)
    key = (rr.sha256, rr.report_id, rr.history[-1].id if rr.history else 0, decided, found, current_lang())
    with _views_lock:
        hit = _views.get(key)
        if hit is not None:
            _views.move_to_end(key)
            return hit
    tables = table_views(rr)
    labels = {c.path: c.label for t in tables for row in t.rows for c in row if c.path}
    value = (tables, labels, finding_views(rr))
    with _views_lock:
        _views[key] = value
        while len(_views) > 128:
            _views.popitem(last=False)
    return value
