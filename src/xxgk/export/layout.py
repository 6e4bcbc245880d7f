"""Where each label and each cell of a template table goes on a printed grid.

The XLSX writers and the HTML audit both lay tables out "like the template". Both read this one
grid, which is derived from the template declaration (`xxgk.template`): labels are the declared
verbatim labels, never re-typed here. A grid is a list of positioned cells (row, col, spans), like
an HTML table with its spans resolved, so a writer only has to place and merge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from xxgk.i18n import N_, gettext
from xxgk.template import Table, Template
from xxgk.vocabulary import cell_name

Kind = Literal["title", "block", "head", "label", "value"]

# Short sheet and heading names of the three tables, by table key (二 主动公开, 三 依申请, 四 复议诉讼):
# message ids, shown through short_name() in the current language.
SHORT_NAMES = {"active": N_("II active disclosure"), "applications": N_("III applications"),
               "appeals": N_("IV reviews and lawsuits")}


def short_name(key: str) -> str:
    """A table's short name (a sheet name) in the current language: 二 主动公开."""
    return gettext(SHORT_NAMES[key])


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    kind: Kind
    text: str = ""
    path: str | None = None  # "table.row.col" for value cells
    rowspan: int = 1
    colspan: int = 1
    # A row the report printed although its template does not have it (e.g. the 2019 （六）其他处理
    # in a 2021 report): shown after the table so the reviewer sees what was printed.
    foreign: bool = False


@dataclass(frozen=True)
class Grid:
    table: Table
    cells: tuple[GridCell, ...]
    n_rows: int
    n_cols: int

    def rows(self) -> list[list[GridCell]]:
        """Cells grouped by grid row, each row in column order (HTML <tr> order)."""
        out: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out

    def value_paths(self) -> list[str]:
        return [c.path for c in self.cells if c.path]


def table_grid(table: Table) -> Grid:
    """The printed layout of one declared table."""
    if table.layout == "flat":
        return _flat_grid(table)
    if all(r.columns == table.rows[0].columns for r in table.rows):
        return _matrix_grid(table)
    return blocks_grid(table)


def template_grids(template: Template) -> list[Grid]:
    return [table_grid(t) for t in template.tables]


def report_grid(template: Template, key: str, paths: Iterable[str]) -> Grid:
    """The grid of table `key` for a report whose cells are `paths`: the template's table, plus the
    template's foreign rows (declared rows of the other template) the report printed, at the end."""
    table = template.table(key)
    present = {p.split(".")[1] for p in paths if p.startswith(key + ".")}
    foreign = tuple(r for r in template.foreign_rows if r.key in present and not table.has_row(r.key)
                    and r.columns == table.rows[0].columns)
    if not foreign or table.layout == "flat":
        return table_grid(table)
    grid = table_grid(replace(table, rows=table.rows + tuple(replace(r, block="") for r in foreign)))
    keys = {r.key for r in foreign}
    cells = tuple(replace(c, foreign=True) if c.row >= grid.n_rows - len(foreign) and (
        c.path is None or c.path.split(".")[1] in keys) else c for c in grid.cells)
    return replace(grid, cells=cells)


def blocks_grid(table: Table, header: str = "") -> Grid:
    """Table 二: one block per 第二十条 item, each with its own column header line (`header` in
    its first cell: the forms print 信息内容 there); the last column label spans what is left."""
    width = 1 + max(len(r.columns) for r in table.rows)
    cells: list[GridCell] = []
    r = 0
    prev_block: str | None = None
    prev_cols: tuple[str, ...] | None = None
    for row in table.rows:
        cols = tuple(c.key for c in row.columns)
        if row.block != prev_block or cols != prev_cols:
            if row.block != prev_block:
                cells.append(GridCell(r, 0, "block", row.block, colspan=width))
                r += 1
            cells.append(GridCell(r, 0, "head", header))
            for i, col in enumerate(row.columns):
                span = width - 1 - i if i == len(row.columns) - 1 else 1
                cells.append(GridCell(r, 1 + i, "head", col.label, colspan=span))
            r += 1
            prev_block, prev_cols = row.block, cols
        cells.append(GridCell(r, 0, "label", row.label))
        for i, col in enumerate(row.columns):
            span = width - 1 - i if i == len(row.columns) - 1 else 1
            cells.append(GridCell(r, 1 + i, "value", path=f"{table.key}.{row.key}.{col.key}", colspan=span))
        r += 1
    return Grid(table, tuple(cells), r, width)


def _matrix_grid(table: Table) -> Grid:
    """Table 三: rows × the same columns; a row's block (（三）不予公开…) is a merged label column."""
    columns = table.rows[0].columns
    width = 2 + len(columns)
    cells: list[GridCell] = [GridCell(0, 0, "head", "", colspan=2)]
    cells += [GridCell(0, 2 + i, "head", c.label) for i, c in enumerate(columns)]
    r = 1
    i = 0
    rows = table.rows
    while i < len(rows):
        row = rows[i]
        if row.block:
            j = i
            while j < len(rows) and rows[j].block == row.block:
                j += 1
            cells.append(GridCell(r, 0, "block", row.block, rowspan=j - i))
            for k in range(i, j):
                cells.append(GridCell(r + k - i, 1, "label", rows[k].label))
                cells += _value_cells(table, rows[k].key, columns, r + k - i, 2)
            r += j - i
            i = j
        else:
            cells.append(GridCell(r, 0, "label", row.label, colspan=2))
            cells += _value_cells(table, row.key, columns, r, 2)
            r += 1
            i += 1
    return Grid(table, tuple(cells), r, width)


def _value_cells(table: Table, row_key: str, columns: tuple, r: int, c0: int) -> list[GridCell]:
    return [GridCell(r, c0 + k, "value", path=f"{table.key}.{row_key}.{col.key}")
            for k, col in enumerate(columns)]


def _flat_grid(table: Table) -> Grid:
    """Table 四: the groups side by side and all numbers on one line, as the template prints it.

    A row label "行政诉讼/未经复议直接起诉" is a two-level header: the part before the slash is
    merged over every consecutive group that shares it.
    """
    parts = [r.label.split("/", 1) for r in table.rows]
    cells: list[GridCell] = []
    c = 0
    i = 0
    while i < len(table.rows):
        top = parts[i][0]
        j = i
        while j < len(table.rows) and parts[j][0] == top and len(parts[j]) == 2 and len(parts[i]) == 2:
            j += 1
        if j == i:  # a single-level group: its label covers both header lines
            n = len(table.rows[i].columns)
            cells.append(GridCell(0, c, "head", top, rowspan=2, colspan=n))
            c += n
            i += 1
            continue
        start = c
        for k in range(i, j):
            n = len(table.rows[k].columns)
            cells.append(GridCell(1, c, "head", parts[k][1], colspan=n))
            c += n
        cells.append(GridCell(0, start, "head", top, colspan=c - start))
        i = j
    c = 0
    for row in table.rows:
        for col in row.columns:
            cells.append(GridCell(2, c, "head", col.label))
            cells.append(GridCell(3, c, "value", path=f"{table.key}.{row.key}.{col.key}"))
            c += 1
    return Grid(table, tuple(cells), 4, c)


def label_of(template: Template, path: str) -> str:
    """A cell by its template labels, as xxgk.vocabulary names it (（三）不予公开 · 1.属于国家秘密 ·
    自然人); a key that no template declares is shown as it is (there is nothing better to show)."""
    try:
        return cell_name(template, path)
    except (KeyError, StopIteration, ValueError):
        return path
