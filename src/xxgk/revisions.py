"""Two versions of one body's report for one year: what differs, cell by cell and section by section.

A body sometimes publishes its report twice — a corrected PDF replacing the first, or a web page
that no longer matches its attachment — or changes it silently after publication. The store
keeps every version it was given (each file is its own source); this module says how two of
them differ. Two renderings of the same report (the PDF and the web page of one text) have no
differences and are not a revision.
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.check.similarity import clean
from xxgk.report import Number, Report

# Sections whose cleaned texts (see xxgk.check.similarity.clean) are at least this alike are the
# same text: a PDF and a web page of one report differ by line breaks and stray characters only.
SAME_TEXT = 0.98


@dataclass(frozen=True)
class CellChange:
    path: str
    before: Number | None
    after: Number | None


@dataclass(frozen=True)
class SectionChange:
    no: int
    similarity: float  # 0..1; 0 when the section is in one version only


@dataclass(frozen=True)
class Differences:
    cells: tuple[CellChange, ...]
    sections: tuple[SectionChange, ...]

    def __bool__(self) -> bool:
        return bool(self.cells or self.sections)


def differences(before: Report, after: Report) -> Differences:
    """Cells whose values differ (a value against an unknown counts) and sections whose texts
    differ, in template order."""
    from rapidfuzz import fuzz

    cells = []
    for path in dict.fromkeys([*before.cells, *after.cells]):
        a, b = before.value(path), after.value(path)
        if a != b:
            cells.append(CellChange(path, a, b))
    sections = []
    for no in range(1, 7):
        x, y = before.section(no), after.section(no)
        if x is None and y is None:
            continue
        if x is None or y is None:
            sections.append(SectionChange(no, 0.0))
            continue
        score = fuzz.ratio(clean(x.text), clean(y.text)) / 100
        if score < SAME_TEXT:
            sections.append(SectionChange(no, round(score, 4)))
    return Differences(tuple(cells), tuple(sections))
