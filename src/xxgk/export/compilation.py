"""A compilation (汇总) as XLSX: the three tables laid out like the template with each compiled
cell coloured by its reliability, then the per-cell contributor counts, the bodies and the
template arithmetic over the compiled numbers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk.export.layout import SHORT_NAMES, label_of, table_grid
from xxgk.export.xlsx import (
    BOLD,
    grid_widths,
    new_workbook,
    save_workbook,
    write_grid,
    write_legend,
    write_rows,
)

if TYPE_CHECKING:
    from xxgk.compile import Compilation


def compilation_heading(comp: Compilation) -> str:
    c = comp.counts()
    year = f"{comp.year}年" if comp.year is not None else "年度未知"
    return (f"汇总 · {year} · 模板 {comp.template} · {len(comp.included)} 个机关 · "
            f"完整 {c['complete']} / 不完整 {c['incomplete']} / 未知 {c['unknown']} 格")


def write_compilation_xlsx(comp: Compilation, target: str | Path | io.BytesIO) -> None:
    wb = new_workbook()

    def view(path: str) -> tuple[Any, str, str | None]:
        cell = comp.cells[path]
        return cell.value, cell.status, None

    for table in comp.tmpl.tables:
        ws = wb.create_sheet(SHORT_NAMES[table.key])
        row = write_legend(ws, 1, ("incomplete", "unknown"))
        ws.cell(row, 1, compilation_heading(comp)).font = BOLD
        grid = table_grid(table)
        write_grid(ws, row + 1, grid, view)
        grid_widths(ws, grid)
    cells = wb.create_sheet("cells")
    write_rows(cells, ("cell", "label", "value", "status", "read", "inferred", "blank", "missing",
                       "bodies with unknown value"),
               [(p, label_of(comp.tmpl, p), c.value, c.status, c.read, c.inferred, c.blank, c.missing,
                 c.unknown_bodies) for p, c in comp.cells.items()],
               (40, 50, 10, 11, 6, 8, 6, 8, 60))
    bodies = wb.create_sheet("bodies")
    rows: list[tuple[Any, ...]] = []
    rows += [(b.body, "included", b.file, b.year, b.errors, "") for b in comp.included]
    rows += [(m.body, "missing", None, None, None, m.reason) for m in comp.missing]
    rows += [(b.body, "not on the expected list", b.file, b.year, b.errors, "") for b in comp.unexpected]
    rows += [(d.body, "duplicate (not counted)", d.file, None, None, f"counted: {d.kept}")
             for d in comp.duplicates]
    write_rows(bodies, ("body", "status", "file", "year", "error findings", "note"), rows,
               (36, 22, 34, 6, 30, 40))
    checks = wb.create_sheet("checks")
    write_rows(checks, ("rule", "equation", "left", "right", "result"),
               [(c.code, c.description, c.lhs, c.rhs, c.result) for c in comp.checks],
               (14, 60, 10, 10, 10))
    if comp.notes:
        notes = wb.create_sheet("notes")
        write_rows(notes, ("note",), [(n,) for n in comp.notes], (120,))
    save_workbook(wb, target)
