"""Reports as plain records (long and wide), the one source of every tabular export.

Kept free of pandas and pyarrow so CSV works on a bare install; `to_dataframe` and Parquet wrap
these records. An unknown value stays None (an empty CSV field, a null): never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from xxgk.report import Number, Report
from xxgk.template import TEMPLATES

META_COLUMNS = ("report", "file", "body", "region", "level", "year", "template")
LONG_COLUMNS = (*META_COLUMNS, "table", "row", "col", "value", "status", "location", "raw", "note")
WIDE_EXTRA = ("cells_unknown", "cells_inferred", "findings_error", "findings_warning", "findings_info")


def sort_key(report: Report) -> tuple[Any, ...]:
    """Stable order of reports in every export: year, body, file, sha256."""
    m = report.meta
    return (m.year if m.year is not None else -1, m.agency or "", report.source.file, report.source.sha256)


def sorted_reports(reports: Iterable[Report]) -> list[Report]:
    return sorted(reports, key=sort_key)


def meta_record(report: Report) -> dict[str, Any]:
    m = report.meta
    return {"report": report.source.sha256, "file": report.source.file, "body": m.agency,
            "region": m.region, "level": m.level, "year": m.year, "template": m.template}


def long_records(reports: Iterable[Report]) -> list[dict[str, Any]]:
    """One record per cell per report, in report order then template order."""
    out: list[dict[str, Any]] = []
    for report in sorted_reports(reports):
        base = meta_record(report)
        for path, cell in report.cells.items():
            t, r, c = path.split(".")
            out.append({**base, "table": t, "row": r, "col": c, "value": cell.value, "status": cell.status,
                        "location": cell.loc, "raw": cell.raw, "note": cell.note})
    return out


def wide_paths(reports: Sequence[Report]) -> list[str]:
    """Cell columns of the wide form: the newest template's paths first, then older-only paths,
    then rows a report printed outside its template (sorted), so the column set is stable."""
    seen: dict[str, None] = {}
    used = {r.meta.template or "2021" for r in reports}
    for tid in sorted(TEMPLATES, reverse=True):
        if tid in used:
            for p in TEMPLATES[tid].cell_paths():
                seen.setdefault(p, None)
    extra = sorted({p for r in reports for p in r.cells} - set(seen))
    return [*seen, *extra]


def wide_records(reports: Iterable[Report]) -> tuple[list[str], list[dict[str, Any]]]:
    """One record per report, one column per cell path (value only; statuses are in the long form)."""
    ordered = sorted_reports(reports)
    paths = wide_paths(ordered)
    columns = [*META_COLUMNS, *WIDE_EXTRA, *paths]
    rows: list[dict[str, Any]] = []
    for report in ordered:
        rec = meta_record(report)
        rec["cells_unknown"] = sum(1 for c in report.cells.values() if c.value is None)
        rec["cells_inferred"] = sum(1 for c in report.cells.values() if c.status == "inferred")
        for sev in ("error", "warning", "info"):
            rec[f"findings_{sev}"] = sum(1 for f in report.findings if f.severity == sev)
        for p in paths:
            cell = report.cells.get(p)
            rec[p] = cell.value if cell else None
        rows.append(rec)
    return columns, rows


def format_value(v: Any) -> str:
    """CSV text of a value: counts without a trailing .0, None as the empty field."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def number(v: Number | None) -> float | None:
    return None if v is None else float(v)
