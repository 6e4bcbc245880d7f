"""Cell-level rules: values not printed, unknown, blank, negative or fractional."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.report import Finding, Report


def _by_row(report: Report, paths: list[str]) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for p in paths:
        rows.setdefault(p.rsplit(".", 1)[0], []).append(p)
    return rows


def _row_label(report: Report, row_path: str) -> str:
    return report.template.row_of(row_path + ".x").label


def _skipped(report: Report) -> set[str]:
    """Rows that a printed foreign row stands in for: reported once by outdated-template-row."""
    return {f"applications.{r}" for r in report.replaced_rows()}


@rule("missing-cells", "warning", "Cells the report does not print (a row without numbers, or a number lost)")
def missing_cells(report: Report) -> Iterator[Finding]:
    """A row printed without numbers, a row that lost one of its numbers, or a row not printed at
    all. The report is incomplete as published even when the arithmetic lets xxgk infer the
    value (the finding says so; such cells have status `inferred`). When the number of printed
    values does not fit the row, no value is placed by guesswork: every cell of the row is
    treated as not printed."""
    r = get("missing-cells")
    skipped = _skipped(report)
    paths = [p for p, c in report.cells.items()
             if (c.status == "missing" or (c.status == "inferred" and c.raw is None))
             and p.rsplit(".", 1)[0] not in skipped]
    for row_path, cells in _by_row(report, paths).items():
        first = report.cells[cells[0]]
        inferred = [p for p in cells if report.cells[p].status == "inferred"]
        why = first.note.split(";")[0] if first.note else "not printed"
        if len(inferred) == len(cells):
            values = ", ".join(str(report.value(p)) for p in cells)
            tail = f"all {len(cells)} values inferred from the arithmetic ({values})"
        elif inferred:
            tail = f"{len(inferred)} of {len(cells)} values inferred from the arithmetic, the rest unknown"
        else:
            tail = "the arithmetic cannot fix them"
        yield r.text_finding(f"{_row_label(report, row_path)}：{why}; {tail}", cells,
                        next((report.cells[p].loc for p in cells if report.cells[p].loc), None))


@rule("unresolved-cells", "error", "Cells whose value is unknown after inference")
def unresolved_cells(report: Report) -> Iterator[Finding]:
    """Cells that were not printed, printed blank, or unreadable, and that the arithmetic does not
    fix uniquely. Their value is `null` in the JSON: xxgk never turns an unknown into 0. The
    report must be corrected before its figures can be used or compiled."""
    r = get("unresolved-cells")
    skipped = _skipped(report)
    paths = [p for p, c in report.cells.items() if c.value is None and p.rsplit(".", 1)[0] not in skipped]
    for row_path, cells in _by_row(report, paths).items():
        labels = "、".join(report.template.row_of(p).column(p.rsplit(".", 1)[1]).label for p in cells)
        yield r.text_finding(f"{_row_label(report, row_path)}：value unknown ({labels})", cells,
                        next((report.cells[p].loc for p in cells if report.cells[p].loc), None))


@rule("blank-cells", "info", "Cells printed empty or as a dash")
def blank_cells(report: Report) -> Iterator[Finding]:
    """Cells printed empty, or as "—", "-", "/", "无". Some reports mean 0 by a blank, others mean
    "not applicable" or "unknown". xxgk records what was printed (status `blank`) and fills the
    value only where the arithmetic fixes it (status `inferred`, with the printed text kept)."""
    r = get("blank-cells")
    paths = [p for p, c in report.cells.items()
             if c.status == "blank" or (c.status == "inferred" and c.raw is not None)]
    for row_path, cells in _by_row(report, paths).items():
        yield r.text_finding(f"{_row_label(report, row_path)}：{len(cells)} cell(s) printed blank", cells,
                        report.cells[cells[0]].loc)


@rule("negative-count", "error", "A count or an amount below zero")
def negative_count(report: Report) -> Iterator[Finding]:
    """Every count of the tables, and every money amount, is non-negative. Only 本年增/减 of the
    2019 table 二 may be negative."""
    r = get("negative-count")
    for p, c in report.cells.items():
        if c.value is not None and c.value < 0 and report.template.column_of(p).kind != "signed":
            yield r.text_finding(f"{report.template.label(p)} = {c.value} is negative", [p], c.loc)


@rule("non-integer-count", "error", "A count that is not a whole number")
def non_integer_count(report: Report) -> Iterator[Finding]:
    """Counts (件数, 申请数, 复议/诉讼数) are whole numbers; a fraction means a mistyped cell or a
    money amount printed in the wrong column. Money columns (万元) are exempt."""
    r = get("non-integer-count")
    for p, c in report.cells.items():
        if (c.value is not None and report.template.column_of(p).kind != "money"
                and not float(c.value).is_integer()):
            yield r.text_finding(f"{report.template.label(p)} = {c.value} is not a whole number", [p], c.loc)
