"""The reports as one XLSX workbook for people: one sheet per table (二 主动公开, 三 依申请,
四 复议诉讼) with every report's table laid out like the template, one under the other; then a
findings sheet and a sources sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xxgk.export.layout import label_of, report_grid, short_name
from xxgk.export.records import sorted_reports
from xxgk.export.xlsx import (
    BOLD,
    grid_widths,
    new_workbook,
    save_workbook,
    write_grid,
    write_legend,
    write_rows,
)
from xxgk.i18n import _
from xxgk.report import Report
from xxgk.vocabulary import level_name, location_text, severity_name

TABLE_KEYS = ("active", "applications", "appeals")


def report_heading(report: Report) -> str:
    m = report.meta
    parts = [m.agency or _("(body not identified)"),
             _("year {year}").format(year=m.year) if m.year else _("(year not identified)"),
             _("template {template}").format(template=m.template) if m.template else _("(template not identified)"),
             report.source.file]
    return " · ".join(parts)


def _view(report: Report):
    def view(path: str) -> tuple[Any, str, str | None]:
        cell = report.cells.get(path)
        if cell is None:
            return None, "missing", _("not in this report")
        shown: Any = cell.value
        if shown is None and cell.status == "blank" and cell.raw:
            shown = cell.raw  # show what was printed ("—", "/") rather than an empty box
        return shown, cell.status, cell.note
    return view


def error_cells(report: Report) -> set[str]:
    return {p for f in report.findings if f.severity == "error" for p in f.cells}


def write_reports_xlsx(reports: Sequence[Report], target: str | Path | io.BytesIO) -> None:
    reps = sorted_reports(reports)
    wb = new_workbook()
    for key in TABLE_KEYS:
        ws = wb.create_sheet(short_name(key))
        row = write_legend(ws, 1, ("inferred", "blank", "missing"))
        for report in reps:
            grid = report_grid(report.template, key, report.cells)
            ws.cell(row, 1, report_heading(report)).font = BOLD
            row = write_grid(ws, row + 1, grid, _view(report), error_cells(report))
            grid_widths(ws, grid)
            row += 1
        ws.freeze_panes = "A3"
    findings = wb.create_sheet(_("findings"))
    write_rows(findings, (_("file"), _("body"), _("year"), _("rule"), _("severity"), _("message"), _("cell keys"),
                          _("cells"), _("location"), _("excerpt")),
               [(r.source.file, r.meta.agency, r.meta.year, f.code, severity_name(f.severity), f.message, f.cells,
                 [label_of(r.template, p) for p in f.cells], location_text(f.loc), f.excerpt)
                for r in reps for f in r.findings],
               (28, 24, 8, 14, 9, 60, 30, 40, 10, 40))
    sources = wb.create_sheet(_("sources"))
    write_rows(sources, (_("file"), "sha256", _("kind"), _("pages"), _("body"), _("region"), _("level"), _("year"),
                         _("template"), _("title"), _("period"), _("published"), _("cells unknown"),
                         _("errors"), _("warnings"), _("info")),
               [(r.source.file, r.source.sha256, r.source.kind, r.source.pages, r.meta.agency, r.meta.region,
                 level_name(r.meta.level) if r.meta.level else None, r.meta.year, r.meta.template, r.meta.title,
                 " – ".join(r.meta.period) if r.meta.period else None, r.meta.published,
                 sum(1 for c in r.cells.values() if c.value is None),
                 *(sum(1 for f in r.findings if f.severity == s) for s in ("error", "warning", "info")))
                for r in reps],
               (28, 18, 6, 6, 26, 12, 10, 6, 8, 40, 24, 12, 8, 8, 8, 8))
    save_workbook(wb, target)
