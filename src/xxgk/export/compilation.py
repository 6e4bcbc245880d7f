"""A compilation (汇总) as XLSX: the three tables laid out like the template with each compiled
cell coloured by its reliability, then the per-cell contributor counts, the bodies and the
template arithmetic over the compiled numbers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk.export.layout import label_of, short_name, table_grid
from xxgk.export.xlsx import (
    BOLD,
    grid_widths,
    new_workbook,
    save_workbook,
    write_grid,
    write_legend,
    write_rows,
)
from xxgk.i18n import N_, _

if TYPE_CHECKING:
    from xxgk.corpus.compile import Compilation


COMPILED_STATUS = {"complete": N_("complete"), "incomplete": N_("incomplete"), "unknown": N_("unknown")}
CHECK_RESULT = {"holds": N_("holds"), "breaks": N_("breaks"), "unchecked": N_("not checked (a term is incomplete)")}


def compilation_heading(comp: Compilation) -> str:
    c = comp.counts()
    year = _("year {year}").format(year=comp.year) if comp.year is not None else _("year unknown")
    return _("Compilation · {year} · template {template} · {bodies} bodies · cells complete {complete} / "
             "incomplete {incomplete} / unknown {unknown}").format(
        year=year, template=comp.template, bodies=len(comp.included), complete=c["complete"],
        incomplete=c["incomplete"], unknown=c["unknown"])


def write_compilation_xlsx(comp: Compilation, target: str | Path | io.BytesIO) -> None:
    wb = new_workbook()

    def view(path: str) -> tuple[Any, str, str | None]:
        cell = comp.cells[path]
        return cell.value, cell.status, None

    for table in comp.tmpl.tables:
        ws = wb.create_sheet(short_name(table.key))
        row = write_legend(ws, 1, ("incomplete", "unknown"))
        ws.cell(row, 1, compilation_heading(comp)).font = BOLD
        grid = table_grid(table)
        write_grid(ws, row + 1, grid, view)
        grid_widths(ws, grid)
    cells = wb.create_sheet(_("cells"))
    write_rows(cells, (_("cell key"), _("cell"), _("value"), _("status"), _("read"), _("inferred"), _("blank"),
                       _("missing"), _("bodies with unknown value")),
               [(p, label_of(comp.tmpl, p), c.value, _(COMPILED_STATUS[c.status]), c.read, c.inferred, c.blank,
                 c.missing, c.unknown_bodies) for p, c in comp.cells.items()],
               (40, 50, 10, 11, 6, 8, 6, 8, 60))
    bodies = wb.create_sheet(_("bodies"))
    rows: list[tuple[Any, ...]] = []
    rows += [(b.body, _("included"), b.file, b.year, b.errors, "") for b in comp.included]
    rows += [(m.body, _("missing"), None, None, None, m.reason) for m in comp.missing]
    rows += [(b.body, _("not on the expected list"), b.file, b.year, b.errors, "") for b in comp.unexpected]
    rows += [(d.body, _("duplicate (not counted)"), d.file, None, None, _("counted: {file}").format(file=d.kept))
             for d in comp.duplicates]
    write_rows(bodies, (_("body"), _("status"), _("file"), _("year"), _("error findings"), _("note")), rows,
               (36, 22, 34, 6, 30, 40))
    checks = wb.create_sheet(_("checks"))
    write_rows(checks, (_("rule"), _("equation"), _("left"), _("right"), _("result")),
               [(c.code, c.description, c.lhs, c.rhs, _(CHECK_RESULT[c.result])) for c in comp.checks],
               (14, 60, 10, 10, 10))
    if comp.notes:
        notes = wb.create_sheet(_("notes"))
        write_rows(notes, (_("note"),), [(n,) for n in comp.notes], (120,))
    save_workbook(wb, target)
