"""XLSX writing shared by `export` and `compile`: template-shaped sheets, status colours, and a
byte-reproducible save (openpyxl stamps the save time into docProps/core.xml and into every zip
entry; both are pinned here so the same input gives the same bytes)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from xxgk.export.layout import Grid
from xxgk.i18n import N_, _

# Cell fills by status. A read value is left plain so that the eye goes to what is not.
STATUS_FILLS: dict[str, str] = {
    "inferred": "DDEBF7",  # blue: fixed by the arithmetic, not printed
    "blank": "E7E6E6",  # grey: printed empty or a dash
    "missing": "F8CBAD",  # orange: not printed at all
    "incomplete": "FFE699",  # yellow: compiled from some unknown contributors
    "unknown": "F8CBAD",  # compiled: no contributor known
}
STATUS_LEGEND: dict[str, str] = {
    "inferred": N_("inferred"), "blank": N_("blank or a dash"), "missing": N_("missing"),
    "incomplete": N_("compiled from incomplete values"), "unknown": N_("unknown"),
}
FIXED_TIME = dt.datetime(2000, 1, 1)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
ERROR_FONT = Font(bold=True, color="C00000")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# (value, status, comment) of one cell path; status is a Cell status or a compiled status.
CellView = Callable[[str], tuple[Any, str, str | None]]


def fill(status: str) -> PatternFill | None:
    color = STATUS_FILLS.get(status)
    return PatternFill("solid", fgColor=color) if color else None


def write_legend(ws: Worksheet, row: int, statuses: Sequence[str]) -> int:
    ws.cell(row, 1, _("Colours"))
    for i, s in enumerate(statuses):
        c = ws.cell(row, 2 + i, _(STATUS_LEGEND[s]))
        c.fill = fill(s) or PatternFill()
        c.border = BORDER
    return row + 2


def write_grid(ws: Worksheet, top: int, grid: Grid, view: CellView,
               flagged: set[str] | frozenset = frozenset(), left: int = 1) -> int:
    """Write one table laid out like the template, starting at row `top`; returns the next free row.

    `flagged` paths (cells an error finding points at) are written in bold red.
    """
    for g in grid.cells:
        r, c = top + g.row, left + g.col
        cell = ws.cell(r, c)
        if g.kind == "value" and g.path:
            value, status, note = view(g.path)
            cell.value = value
            f = fill(status)
            if f:
                cell.fill = f
            if g.path in flagged:
                cell.font = ERROR_FONT
            cell.alignment = Alignment(horizontal="right", vertical="center")
            del note  # notes go to the long "cells" sheets; comments would bloat the file
        else:
            cell.value = (g.text + "（模板外）" if g.foreign else g.text) or None
            cell.alignment = CENTER if g.kind in ("head", "block") else WRAP
            if g.kind in ("head", "block"):
                cell.fill = HEAD_FILL
                cell.font = BOLD
        for rr in range(r, r + g.rowspan):
            for cc in range(c, c + g.colspan):
                ws.cell(rr, cc).border = BORDER
        if g.rowspan > 1 or g.colspan > 1:
            ws.merge_cells(start_row=r, start_column=c,
                           end_row=r + g.rowspan - 1, end_column=c + g.colspan - 1)
    return top + grid.n_rows + 1


def grid_widths(ws: Worksheet, grid: Grid, left: int = 1) -> None:
    """Widen columns to fit the table's labels (never narrows what an earlier table needed)."""
    widths: dict[int, float] = {}
    for g in grid.cells:
        w = 12.0
        if g.kind == "label":
            w = min(60.0, 2.1 * len(g.text) / g.colspan + 2)
        elif g.kind == "block" and g.rowspan > 1:
            w = 16.0
        widths[left + g.col] = max(widths.get(left + g.col, 0.0), w)
    for c, w in widths.items():
        dim = ws.column_dimensions[get_column_letter(c)]
        dim.width = max(w, dim.width if dim.customWidth else 0.0)


def write_rows(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]],
               widths: Sequence[float] | None = None) -> None:
    """A plain list sheet (findings, sources, bodies): bold header, frozen, filterable."""
    ws.append(list(header))
    for c in ws[1]:
        c.font = BOLD
        c.fill = HEAD_FILL
    for row in rows:
        ws.append([_cell_value(v) for v in row])
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for i, w in enumerate(widths or []):
        ws.column_dimensions[get_column_letter(i + 1)].width = w


def _cell_value(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    return v


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "xxgk"
    return wb


class _PinnedZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed timestamp. openpyxl adds parts by name
    (`writestr`) and worksheets from a temporary file (`write`, which would stamp the file's
    mtime): both are routed through a pinned ZipInfo."""

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None,
              compresslevel: Any = None) -> None:
        data = Path(filename).read_bytes()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None,
                 compresslevel: Any = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def save_workbook(wb: Workbook, target: str | Path | io.BytesIO) -> None:
    """Save with pinned timestamps: the same workbook content gives byte-identical files."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    archive = _PinnedZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # closes the archive
    data = buf.getvalue()
    if isinstance(target, io.BytesIO):
        target.write(data)
    else:
        Path(target).write_bytes(data)
