"""Blank conventions, decided per report: what a printed blank (empty cell, —, -, /, 无) means.

Some offices print every 0 as an empty cell or a dash; the arithmetic fixes most of those blanks
(a column whose total is 0 forces its parts to 0), but not a whole blank row or group (an
all-"—" 上年结转 row when nothing else pins it, an all-"/" litigation group). When every blank the
arithmetic could fix came out 0, the report's own convention is proven: its remaining blanks are
taken as 0, with status `inferred` and a note saying why — never silently, and never when a
blank the arithmetic fixed is not 0 (then a blank means something else and stays unknown).

Evidence is required: at least one blank fixed to 0 by the arithmetic, or a whole row or group
of several cells printed as a mark (a dash, a slash, 无). A single cell printed "—" where no
arithmetic reaches it (行政强制 — in table 二) proves nothing and stays unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

from xxgk.i18n import _
from xxgk.parse.infer import infer
from xxgk.report import Cell
from xxgk.template import Equation


def _printed_blank(cell: Cell) -> bool:
    return cell.raw is not None and cell.status in ("blank", "inferred") and not _is_number(cell.raw)


def _is_number(raw: str) -> bool:
    return any(ch.isdigit() for ch in raw)


def blank_means_zero(cells: dict[str, Cell]) -> bool | None:
    """True when the report's blanks are proven to mean 0, False when a blank the arithmetic fixed
    is not 0, None when there is nothing to decide (no blank left unknown, or no evidence)."""
    # (_printed_blank, its cheapest test first: most cells keep no raw text)
    blanks = {p: c for p, c in cells.items() if c.raw is not None and _printed_blank(c)}
    unknown = [p for p, c in blanks.items() if c.value is None]
    if not unknown:
        return None
    fixed = [c for c in blanks.values() if c.status == "inferred"]
    if any(c.value != 0 for c in fixed):
        return False
    return True if fixed or _marked_row(cells, blanks) else None


def _marked_row(cells: dict[str, Cell], blanks: dict[str, Cell]) -> bool:
    """A whole row or group of several cells printed as a mark (an all-"—" 上年结转 row, an
    all-"/" litigation group): a convention, not one cell left unknown."""
    rows: dict[str, list[str]] = {}
    for path in cells:
        rows.setdefault(path.rsplit(".", 1)[0], []).append(path)
    return any(len(paths) >= 2 and all(p in blanks and (blanks[p].raw or "").strip() for p in paths)
               for paths in rows.values())


def apply_blank_convention(cells: dict[str, Cell], equations: Sequence[Equation]) -> list[str]:
    """Take the unknown blanks as 0 where the report's convention is proven; returns their paths.

    A zero that breaks a relation whose cells are all known is withdrawn (the blank then stays
    unknown and is reported), so the convention never hides an inconsistency.
    """
    if not blank_means_zero(cells):
        return []
    note = _("printed blank; this report prints 0 as a blank or a dash, taken as 0")
    taken = {p: c for p, c in cells.items() if c.value is None and c.raw is not None and _printed_blank(c)}
    for path, cell in taken.items():
        cells[path] = Cell(0, "inferred", cell.loc, cell.raw, note)
    usable = [eq for eq in equations if all(map(cells.__contains__, eq.cells))]
    for eq in usable:
        if any(cells[p].value is None for p in eq.cells):
            continue
        lhs = sum(cells[p].value for p in eq.lhs)  # type: ignore[misc]
        rhs = sum(cells[p].value for p in eq.rhs)  # type: ignore[misc]
        if lhs != rhs:
            for p in eq.cells:
                if p in taken:
                    cells[p] = taken[p]
    kept = [p for p in taken if cells[p].status == "inferred"]
    if kept:
        infer(cells, equations)  # the zeros may fix cells that were not printed at all
    return kept
