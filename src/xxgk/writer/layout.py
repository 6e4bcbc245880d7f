"""The official forms (国办公开办函〔2019〕60号, 〔2021〕30号) as grids: where every label, heading
and number goes, with the merged cells the forms print.

Rows, columns and labels come from the template declaration (`xxgk.template`); only the print
furniture the declaration does not hold (信息内容, 申请人情况, 法人或其他组织, the balance note,
三、本年度办理结果) is spelled here, verbatim from the forms. The DOCX, HTML and XLSX writers all
place these grids; none of them re-types a label.
"""

from __future__ import annotations

from collections.abc import Iterable

from xxgk.export.layout import Grid, GridCell, blocks_grid
from xxgk.report import Number, Report
from xxgk.template import APPEAL_COLUMNS, APPLICANT_COLUMNS, Row, Template

# Print furniture of the official forms (not rows or columns, so not in the template).
INFO_HEADER = "信息内容"
APPLICANT_GROUP = "申请人情况"
ORG_GROUP = "法人或其他组织"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_GROUP = "三、本年度办理结果"

TABLE_KEYS = ("active", "applications", "appeals")
# Rows of table 三 that sit under 三、本年度办理结果 (every row between 二、上年结转 and 四、结转下年度).
_BEFORE_RESULTS = ("new_received", "carried_over")
_AFTER_RESULTS = ("carried_forward",)


def fmt_number(value: Number | None) -> str:
    """A value as the forms print it: integers plainly, 万元 with up to 4 decimals, no trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _row(template: Template, table: str, key: str) -> Row:
    t = template.table(table)
    return t.row(key) if t.has_row(key) else next(r for r in template.foreign_rows if r.key == key)


def printed_application_rows(template: Template, report: Report | None = None) -> list[str]:
    """Row keys of table 三 in printed order: the template's own rows; for a report that printed the
    other template's rows (the 2019 （六）其他处理 in a 2021 report), those rows where it printed
    them, so that re-rendering it gives back what it printed."""
    own = [r.key for r in template.table("applications").rows]
    if report is None:
        return own
    foreign = report.foreign_rows()
    if not foreign:
        return own
    replaced = set(report.replaced_rows())
    out: list[str] = []
    last_replaced = max(i for i, k in enumerate(own) if k in template.replaced_by_foreign)
    for i, key in enumerate(own):
        if key not in replaced:
            out.append(key)
        if i == last_replaced:
            out.extend(foreign)
    return out


def active_grid(template: Template) -> Grid:
    """Table 二 as the forms print it: the export's block layout with 信息内容 heading each block."""
    return blocks_grid(template.table("active"), header=INFO_HEADER)


def applications_grid(template: Template, rows: Iterable[str] | None = None) -> Grid:
    """Table 三: the balance note over three label columns, 申请人情况 / 自然人 · 法人或其他组织 · 总计
    in three header lines; 三、本年度办理结果 and the （三）–（六） blocks merged down their rows."""
    table = template.table("applications")
    keys = list(rows) if rows is not None else [r.key for r in table.rows]
    n = len(APPLICANT_COLUMNS)
    cells: list[GridCell] = [
        GridCell(0, 0, "head", BALANCE_NOTE, rowspan=3, colspan=3),
        GridCell(0, 3, "head", APPLICANT_GROUP, colspan=n),
        GridCell(1, 3, "head", APPLICANT_COLUMNS[0].label, rowspan=2),
        GridCell(1, 4, "head", ORG_GROUP, colspan=n - 2),
        GridCell(1, 3 + n - 1, "head", APPLICANT_COLUMNS[-1].label, rowspan=2),
    ]
    cells += [GridCell(2, 4 + i, "head", c.label) for i, c in enumerate(APPLICANT_COLUMNS[1:-1])]
    top = 3
    results = [i for i, k in enumerate(keys) if k not in _BEFORE_RESULTS + _AFTER_RESULTS]
    if results:
        cells.append(GridCell(top + results[0], 0, "block", RESULTS_GROUP, rowspan=len(results)))
    i = 0
    while i < len(keys):
        row = _row(template, "applications", keys[i])
        r = top + i
        if i not in results:
            cells.append(GridCell(r, 0, "label", row.label, colspan=3))
        elif row.block:
            j = i
            while j < len(keys) and _row(template, "applications", keys[j]).block == row.block:
                j += 1
            cells.append(GridCell(r, 1, "block", row.block, rowspan=j - i))
            for k in range(i, j):
                cells.append(GridCell(top + k, 2, "label", _row(template, "applications", keys[k]).label))
                cells += _values(template, keys[k], top + k)
            i = j
            continue
        else:
            cells.append(GridCell(r, 1, "label", row.label, colspan=2))
        cells += _values(template, keys[i], r)
        i += 1
    return Grid(table, tuple(cells), top + len(keys), 3 + n)


def _values(template: Template, key: str, r: int) -> list[GridCell]:
    row = _row(template, "applications", key)
    return [GridCell(r, 3 + k, "value", path=f"applications.{key}.{c.key}") for k, c in enumerate(row.columns)]


def appeals_grid(template: Template) -> Grid:
    """Table 四: 行政复议 (five columns) and 行政诉讼 over 未经复议直接起诉 / 复议后起诉; the review
    group's column labels span two header lines; the 15 numbers on one line."""
    table = template.table("appeals")
    n = len(APPEAL_COLUMNS)
    parts = [r.label.partition("/") for r in table.rows]
    cells: list[GridCell] = []
    c = 0
    i = 0
    while i < len(table.rows):
        top, slash, _ = parts[i]
        if not slash:  # a one-level group (行政复议): its column labels fill both lower header lines
            cells.append(GridCell(0, c, "head", top, colspan=n))
            cells += [GridCell(1, c + k, "head", col.label, rowspan=2) for k, col in enumerate(APPEAL_COLUMNS)]
            c += n
            i += 1
            continue
        j = i
        while j < len(table.rows) and parts[j][0] == top and parts[j][1]:
            j += 1
        cells.append(GridCell(0, c, "head", top, colspan=n * (j - i)))
        for k in range(i, j):
            cells.append(GridCell(1, c, "head", parts[k][2], colspan=n))
            cells += [GridCell(2, c + m, "head", col.label) for m, col in enumerate(APPEAL_COLUMNS)]
            c += n
        i = j
    c = 0
    for row in table.rows:
        for col in row.columns:
            cells.append(GridCell(3, c, "value", path=f"appeals.{row.key}.{col.key}"))
            c += 1
    return Grid(table, tuple(cells), 4, c)


def form_grids(template: Template, report: Report | None = None) -> list[Grid]:
    """The three tables of the official form, in section order."""
    return [active_grid(template),
            applications_grid(template, printed_application_rows(template, report)),
            appeals_grid(template)]


def cell_text(report: Report, path: str) -> str:
    """What the document prints in a value cell: the number (read, or fixed by the arithmetic), or
    nothing when it is not known."""
    cell = report.cells.get(path)
    return fmt_number(cell.value) if cell is not None else ""
