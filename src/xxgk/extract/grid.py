"""Rows of cells with row/column spans -> an aligned `Table` on a true grid.

HTML and Word both describe a table as rows of cells, where a cell may span several columns
(`colspan`, `w:gridSpan`) and several rows (`rowspan`, `w:vMerge`). A cell spanning rows from
above occupies grid slots in the rows below, so the k-th cell written in a row is *not*
necessarily in grid column k. This module places every cell at its true top-left grid position
with the HTML table-forming algorithm (each cell goes to the first free column at or after the
cursor), so that "column 3" means the same thing on every row and a spanned cell appears once.

Blank cells stay blank (empty text) at their grid position: whether blank means 0 is the
parser's decision, not ours. A row that is simply shorter than the others is left short — a slot
no cell covers was never printed, which is different from a printed empty cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from xxgk.document import Location, Table, TableCell
from xxgk.errors import InputError
from xxgk.i18n import _

# HTML caps colspan at 1000 and rowspan at 65534 (WHATWG "rules for parsing non-negative
# integers" in the table model); a real report table is about 30 x 20.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
# Total grid slots one table may cover. A hostile page can ask for 1000 x 65534 slots with a
# single cell; refusing beyond this keeps memory and time bounded (a real report uses < 1000).
MAX_GRID_SLOTS = 500_000

_CJK = re.compile(r"[\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_WS_RUN = re.compile(r"\s+")


@dataclass
class SpanCell:
    """One cell as the source wrote it, before placement."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    loc: Location | None = None
    # The grid column the source states explicitly (Word rows carry `w:gridBefore`, so their
    # positions are known); None lets the cell flow to the next free column, as in HTML.
    col: int | None = None


def clean_text(raw: str) -> str:
    """Collapse whitespace as a browser does; a line break between two Chinese characters
    vanishes (CSS Text 3 segment-break rule), so source wrapping and `<br>` inside a vertical
    label (三<br>、<br>本<br>年…) do not leave spaces. Digits are never joined: "12<br>5" is "12 5"."""

    def repl(m: re.Match[str]) -> str:
        ws = m.group(0)
        inside = m.start() > 0 and m.end() < len(raw)
        if "\n" in ws and inside and _CJK.match(raw[m.start() - 1]) and _CJK.match(raw[m.end()]):
            return ""
        return " "

    return _WS_RUN.sub(repl, raw).strip()


def clamp_span(value: int, maximum: int) -> int:
    """A span as HTML browsers read it: below 1 counts as 1, above the cap counts as the cap."""
    return max(1, min(value, maximum))


def place(rows: Sequence[Sequence[SpanCell]], file: str = "") -> list[TableCell]:
    """Place `rows` on a grid; returns cells in row-major order of their top-left slot.

    A rowspan reaching past the last row is cut at the last row (as browsers do). Raises
    InputError when the table would cover more than MAX_GRID_SLOTS slots.
    """
    n_rows = len(rows)
    occupied: set[tuple[int, int]] = set()
    slots = 0
    out: list[TableCell] = []
    for r, row in enumerate(rows):
        cursor = 0
        for cell in row:
            colspan = clamp_span(cell.colspan, MAX_COLSPAN)
            rowspan = min(clamp_span(cell.rowspan, MAX_ROWSPAN), n_rows - r)
            if cell.col is not None:
                cursor = max(cursor, cell.col)
            while (r, cursor) in occupied:
                cursor += 1
            # A cell whose span runs into a slot already taken by a rowspan from above is
            # narrowed to the free run, like a browser's "table model error": the earlier cell
            # keeps its slot, nothing is drawn twice and no overlap reaches the parser.
            width = 1
            while width < colspan and (r, cursor + width) not in occupied:
                width += 1
            slots += width * rowspan
            if slots > MAX_GRID_SLOTS:
                raise InputError(file, _("a table covers more than {limit} grid cells "
                                         "(row/column spans out of proportion); not a report table").format(
                                           limit=MAX_GRID_SLOTS))
            for dr in range(rowspan):
                for dc in range(width):
                    occupied.add((r + dr, cursor + dc))
            out.append(TableCell(cell.text, r, cursor, rowspan, width, loc=cell.loc))
            cursor += width
    out.sort(key=lambda c: (c.row, c.col))
    return out


def build_table(rows: Sequence[Sequence[SpanCell]], loc: Location, file: str = "") -> Table:
    """An aligned Table (grid positions are trustworthy) from rows of spanned cells."""
    return Table(place(rows, file), loc, aligned=True)
