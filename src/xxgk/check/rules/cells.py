"""Cell-level rules: values not printed, unknown, blank, negative or fractional."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.vocabulary import cell_name, row_name

_WHOLE = 2 ** 1000  # ints below it convert to float exactly enough to be whole, never overflow


def _by_row(report: Report, paths: list[str]) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for p in paths:
        rows.setdefault(p.rsplit(".", 1)[0], []).append(p)
    return rows


def _row(report: Report, row_path: str) -> str:
    table, row = row_path.split(".")
    return row_name(report.template, table, row)


def _columns(report: Report, cells: list[str]) -> str:
    return "、".join(report.template.column_of(p).label for p in cells)


def _skipped(report: Report) -> set[str]:
    """Rows that a printed foreign row stands in for: reported once by outdated-template-row."""
    return {f"applications.{r}" for r in report.replaced_rows()}


def _first_loc(report: Report, cells: list[str]) -> str | None:
    return next((report.cells[p].loc for p in cells if report.cells[p].loc), None)


def _cause(report: Report, cells: list[str]) -> str:
    """Why the numbers are missing, told from the cells themselves (not from the parser's notes):
    printed but unreadable (the raw text is kept), printed on a line whose values did not fit the
    row (a location, no text), or not printed at all."""
    if any(report.cells[p].raw is not None for p in cells):
        return "unreadable"
    if any(report.cells[p].loc for p in cells):
        return "unplaceable"
    return ""


@rule("missing-cells", "warning", N_("Cells the report does not print (a row without numbers, or a number lost)"),
      message=N_("{row}: no numbers printed; the arithmetic cannot fix its {n} cells"),
      messages={
          "inferred": N_("{row}: no numbers printed; all {n} values inferred from the arithmetic ({values})"),
          "partly": N_("{row}: no numbers printed; {inferred} of {n} values inferred from the arithmetic, "
                       "the rest unknown"),
          "unplaceable": N_("{row}: the printed values do not fit its columns and which one lost its value "
                            "cannot be told; the arithmetic cannot fix its {n} cells"),
          "unplaceable-inferred": N_("{row}: the printed values do not fit its columns; all {n} values inferred "
                                     "from the arithmetic ({values})"),
          "unplaceable-partly": N_("{row}: the printed values do not fit its columns; {inferred} of {n} values "
                                   "inferred from the arithmetic, the rest unknown"),
          "unreadable": N_("{row}: {n} value(s) printed but unreadable ({printed}); the arithmetic cannot fix them"),
          "unreadable-inferred": N_("{row}: {n} value(s) printed but unreadable ({printed}); all inferred from "
                                    "the arithmetic ({values})"),
          "unreadable-partly": N_("{row}: {n} value(s) printed but unreadable ({printed}); {inferred} of them "
                                  "inferred from the arithmetic, the rest unknown"),
      },
      what=N_("A row printed without numbers, a row that lost one of its numbers, a number that could not be "
              "read, or a row not printed at all. When the number of printed values does not fit the row, no "
              "value is placed by guesswork: every cell of the row is treated as not printed."),
      why=N_("The report is incomplete as published, even when the arithmetic lets xxgk infer the value (the "
             "finding says so; such cells have status inferred). Inferred values are exact, but the body "
             "should still print them."),
      example=N_("The row 2.重复申请 prints six numbers for its seven columns: which one is missing cannot be "
                 "told, so all seven cells are not printed, and the arithmetic fills those it can."))
def missing_cells(report: Report) -> Iterator[Finding]:
    r = get("missing-cells")
    skipped = _skipped(report)
    paths = [p for p, c in report.cells.items()
             if (c.status == "missing" or (c.status == "inferred" and c.raw is None))
             and p.rsplit(".", 1)[0] not in skipped]
    for row_path, cells in _by_row(report, paths).items():
        inferred = [p for p in cells if report.cells[p].status == "inferred"]
        cause = _cause(report, cells)
        if len(inferred) == len(cells):
            how = "inferred"
        elif inferred:
            how = "partly"
        else:
            how = ""
        variant = "-".join(x for x in (cause, how) if x)
        printed = " ".join(report.cells[p].raw or "" for p in cells if report.cells[p].raw is not None)
        yield r.finding(cells, _first_loc(report, cells), variant=variant,
                        row=_row(report, row_path), n=len(cells), inferred=len(inferred),
                        values=", ".join(str(report.value(p)) for p in inferred), printed=printed,
                        columns=_columns(report, cells))


@rule("unresolved-cells", "error", N_("Cells whose value is unknown after inference"),
      message=N_("{row}: value unknown ({columns})"),
      what=N_("Cells that were not printed, printed blank, or unreadable, and that the arithmetic does not fix "
              "uniquely. Their value is null in the JSON."),
      why=N_("xxgk never turns an unknown into 0. The report must be corrected before its figures can be used "
             "or compiled: a sum over it would be wrong."),
      example=N_("（四）无法提供 · 1.本机关不掌握相关政府信息: the 自然人 and 总计 cells are blank and no relation "
                 "fixes them."))
def unresolved_cells(report: Report) -> Iterator[Finding]:
    r = get("unresolved-cells")
    skipped = _skipped(report)
    paths = [p for p, c in report.cells.items() if c.value is None and p.rsplit(".", 1)[0] not in skipped]
    for row_path, cells in _by_row(report, paths).items():
        yield r.finding(cells, _first_loc(report, cells), row=_row(report, row_path),
                        columns=_columns(report, cells), n=len(cells))


@rule("blank-cells", "info", N_("Cells printed empty or as a dash"),
      message=N_("{row}: {n} cell(s) printed blank ({columns})"),
      what=N_("Cells printed empty, or as “—”, “-”, “/”, “无”. xxgk records what was printed (status blank) and "
              "fills the value only where the arithmetic fixes it (status inferred, the printed text kept)."),
      why=N_("Some reports mean 0 by a blank, others mean “not applicable” or “unknown”. The reader of the "
             "figures should know which values were printed and which were deduced."),
      example=N_("行政事业性收费 · 本年收费金额（单位：万元） printed as “—”."))
def blank_cells(report: Report) -> Iterator[Finding]:
    r = get("blank-cells")
    paths = [p for p, c in report.cells.items()
             if c.status == "blank" or (c.status == "inferred" and c.raw is not None)]
    for row_path, cells in _by_row(report, paths).items():
        yield r.finding(cells, report.cells[cells[0]].loc, row=_row(report, row_path), n=len(cells),
                        columns=_columns(report, cells))


@rule("negative-count", "error", N_("A count or an amount below zero"),
      message=N_("{cell} is {value}: a count cannot be negative"),
      what=N_("Every count of the tables, and every money amount, is zero or more. Only 本年增/减 of the 2019 "
              "table 二 may be negative."),
      why=N_("A negative count is impossible: it is a typo (a dash read as a minus sign, a change typed into a "
             "total) and every sum it enters is wrong."),
      example=N_("行政强制 · 本年处理决定数量 printed as -88283."))
def negative_count(report: Report) -> Iterator[Finding]:
    r = get("negative-count")
    for p, c in report.cells.items():
        if c.value is not None and c.value < 0 and report.template.column_of(p).kind != "signed":
            yield r.finding([p], c.loc, cell=cell_name(report.template, p), value=c.value)


@rule("non-integer-count", "error", N_("A count that is not a whole number"),
      message=N_("{cell} is {value}: a count must be a whole number"),
      what=N_("Counts (件数, 申请数, 复议/诉讼数) are whole numbers. Money columns (万元) are exempt."),
      why=N_("A fraction in a count means a mistyped cell, or a money amount printed in the wrong column."),
      example=N_("行政强制 · 本年处理决定数量 printed as 882.83."))
def non_integer_count(report: Report) -> Iterator[Finding]:
    r = get("non-integer-count")
    for p, c in report.cells.items():
        v = c.value
        if v is None or (v.__class__ is int and -_WHOLE < v < _WHOLE):
            continue  # unknown, or a whole number that fits a float: nothing to look up
        if (c.value is not None and report.template.column_of(p).kind != "money"
                and not float(c.value).is_integer()):
            yield r.finding([p], c.loc, cell=cell_name(report.template, p), value=c.value)
