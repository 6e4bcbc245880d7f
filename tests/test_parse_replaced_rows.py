"""Report.replaced_rows: the same answer from the template's paths as from every cell's path."""

from __future__ import annotations

from pathlib import Path

import xxgk
from xxgk.report import Cell, Report

DATA = Path(__file__).parent / "data"


def _by_prefix(report: Report) -> list[str]:
    t = report.template
    if not report.foreign_rows():
        return []
    prefixes = tuple(f"applications.{r}." for r in t.replaced_by_foreign)
    printed = any(c.loc is not None for p, c in report.cells.items() if p.startswith(prefixes))
    return [] if printed else list(t.replaced_by_foreign)


def test_replaced_rows_with_and_without_extra_paths() -> None:
    report = xxgk.read(DATA / "pypdf" / "hongze-district-2024.txt", check=False)
    assert report.foreign_rows() == ["other_handling"]
    assert report.replaced_rows() == _by_prefix(report) == list(report.template.replaced_by_foreign)
    # a path the template does not have, for a replaced row, printed: the rows are then printed
    report.cells["applications.other_other.subtotal"] = Cell(1, "read", "p3:L9")
    assert report.replaced_rows() == _by_prefix(report) == []
    del report.cells["applications.other_other.subtotal"]
    report.cells["applications.other_no_fee.total"] = Cell(2, "read", "p3:L10")
    assert report.replaced_rows() == _by_prefix(report) == []
