"""What a round gives back: the round summary (XLSX, one row per report) and the round's 汇总
compiled from the corrected values, each corrected figure marked as corrected."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from xxgk.corpus.compile import Compilation, CompileError, body_of, compile_by_template, compile_reports
from xxgk.export.compilation import write_compilation_xlsx
from xxgk.export.xlsx import new_workbook, save_workbook, write_rows
from xxgk.i18n import _
from xxgk.report import Report
from xxgk.review.reports import cell_label, corrections_of, in_force, review_report
from xxgk.review.rounds import expected_of, get_round, overview, round_shas
from xxgk.store import Store
from xxgk.vocabulary import cell_name, level_name


def summary_xlsx(store: Store, round_id: int) -> bytes:
    """One row per report of the round: who, its review state, its problems and corrections."""
    ov = overview(store, round_id)
    header = [_("Body"), _("File"), _("Region"), _("Level"), _("Year"), _("Review state"), _("Reviewer's opinion"),
              _("Errors"), _("Warnings"), _("Confirmed problems"), _("Dismissed"), _("Corrections"),
              _("Problems to correct")]
    rows: list[list[Any]] = []
    for row in sorted(ov.rows, key=lambda r: (r.entry.agency or "", r.entry.file, r.sha256)):
        e = row.entry
        problems = ""
        if row.confirmed:
            rr = review_report(store, e.sha256)
            problems = "\n".join(f"{f.finding.code}: {f.finding.message}" for f in rr.decided("confirm"))
        rows.append([e.agency or "", e.file, e.region or "", level_name(e.level), e.year, row.state.name,
                     row.state.comment, row.errors, row.warnings, row.confirmed, row.dismissed, row.corrections,
                     problems])
    wb = new_workbook()
    ws = wb.create_sheet(_("Round summary"))
    write_rows(ws, header, rows, widths=[28, 30, 16, 10, 8, 10, 30, 8, 8, 10, 8, 8, 80])
    if ov.missing:
        miss = wb.create_sheet(_("Not submitted"))
        write_rows(miss, [_("Expected body without a report")], [[n] for n in ov.missing], widths=[40])
    buf = io.BytesIO()
    save_workbook(wb, buf)
    return buf.getvalue()


@dataclass
class RoundCompilation:
    compilations: list[Compilation]
    # Per compiled cell, the corrections that went into it: body, file, read and corrected value, why.
    corrected: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"compilations": [c.to_dict() for c in self.compilations],
                "corrected": {p: list(v) for p, v in sorted(self.corrected.items())},
                "error": self.error}


def round_reports(store: Store, round_id: int) -> tuple[list[Report], dict[str, list[dict[str, Any]]]]:
    """The round's reports with the corrections in force applied (and re-checked where there are
    any), and what was corrected, by cell."""
    shas = set(round_shas(store.engine, round_id))
    years = sorted({e.year for e in store.entries() if e.sha256 in shas and e.year is not None})
    reports: list[Report] = []
    corrected: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for rep in store.reports(year=years or None):
        sha = rep.source.sha256
        if sha not in shas or sha in seen:
            continue
        seen.add(sha)
        current = in_force(corrections_of(store.engine, sha))
        if current:
            rr = review_report(store, sha)
            rep = rr.corrected
            for path, c in current.items():
                read = rr.report.cells.get(path)
                corrected.setdefault(path, []).append({
                    "body": body_of(rep), "file": rep.source.file, "id": sha,
                    "read": read.value if read else None, "corrected": c.value, "reason": c.reason,
                    "user": c.user, "label": cell_label(rep, path)})
        reports.append(rep)
    return reports, corrected


def compile_round(store: Store, round_id: int) -> RoundCompilation:
    rnd = get_round(store.engine, round_id)
    reports, corrected = round_reports(store, round_id)
    if rnd.year is not None:
        reports = [r for r in reports if r.meta.year == rnd.year]
    expected = expected_of(store.engine, round_id) or None
    filters = {"round": rnd.name}
    try:
        if len({r.meta.template for r in reports}) > 1:
            comps = compile_by_template(reports, expected=expected, filters=filters)
        else:
            comps = [compile_reports(reports, expected=expected, filters=filters)]
    except CompileError as e:
        return RoundCompilation([], corrected, str(e))
    return RoundCompilation(comps, corrected)


def compilation_xlsx(result: RoundCompilation) -> bytes:
    """The compiled tables (the export's own layout), plus a sheet listing every corrected figure."""
    if not result.compilations:
        raise CompileError(result.error or _("nothing to compile"))
    buf = io.BytesIO()
    write_compilation_xlsx(result.compilations[0], buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb.create_sheet(_("Corrected figures"))
    rows = [[item["label"], item["body"], item["file"], item["read"], item["corrected"], item["reason"], item["user"]]
            for path in sorted(result.corrected) for item in result.corrected[path]]
    write_rows(ws, [_("Cell"), _("Body"), _("File"), _("As printed"), _("Corrected"), _("Reason"), _("Reviewer")],
               rows, widths=[50, 28, 30, 12, 12, 40, 12])
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


def compilation_csv(result: RoundCompilation) -> str:
    """One row per compiled cell: template, year, cell (by its labels), value, completeness, how many
    reports gave it, and whether corrected figures went into it."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["template", "year", "cell", "label", "value", "status", "known", "unknown", "corrected"])
    for comp in result.compilations:
        for path, c in comp.cells.items():
            w.writerow([comp.template, comp.year, path, cell_name(comp.template, path),
                        "" if c.value is None else c.value, c.status, c.known, c.unknown,
                        len(result.corrected.get(path, []))])
    return buf.getvalue()
