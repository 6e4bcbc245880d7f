"""The extractor's output: one `Document` whatever the input kind.

A Document is an ordered list of blocks: `Paragraph`s (a line or a paragraph of text) and
`Table`s (a grid of cells with row/col spans). Every block and cell knows where it came from
(`Location`). Extractors build Documents; the parser reads them and never looks at the file.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from xxgk.i18n import _
from xxgk.template import SECTIONS

SourceKind = Literal["text", "pdf", "html", "docx", "scan", "image"]


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """Where something was printed: a page and/or a line (1-based), optionally a box in points."""

    page: int | None = None
    line: int | None = None
    box: tuple[float, float, float, float] | None = field(default=None, compare=False)

    def __str__(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"p{self.page}")
        if self.line is not None:
            parts.append(f"L{self.line}")
        return ":".join(parts) or "?"


@dataclass(slots=True)
class Paragraph:
    text: str
    loc: Location
    # Recognition confidence in [0, 1] of the line's least sure character when it was read by
    # OCR; None when it was read exactly (a text layer, HTML, Word). The parser carries it to
    # the meta values taken from the line (meta.provenance "title.confidence", …).
    confidence: float | None = None


@dataclass(slots=True)
class TableCell:
    text: str
    row: int  # grid row of the cell's top-left corner (0-based)
    col: int  # grid column of the cell's top-left corner (0-based)
    rowspan: int = 1
    colspan: int = 1
    loc: Location | None = None
    # Recognition confidence in [0, 1] when the text came from OCR; None when it was read exactly.
    confidence: float | None = None


@dataclass(slots=True)
class Table:
    """A grid of cells. `aligned` says whether grid positions are trustworthy.

    Tables rebuilt from HTML, DOCX or ruled PDFs know their true column positions
    (aligned=True): a blank cell is a real, placed blank. Tab-separated text dumps do not:
    their cells drift left or right when a label is split (aligned=False), so the parser
    must never place a value by its position alone.
    """

    cells: list[TableCell]
    loc: Location
    aligned: bool = True

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def rows(self) -> list[list[TableCell]]:
        """Cells grouped by the grid row they start in, left to right (spanned cells appear once)."""
        out: list[list[TableCell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out


Block = Paragraph | Table


@dataclass
class Document:
    blocks: list[Block]
    kind: SourceKind
    file: str = ""
    sha256: str = ""
    pages: int | None = None
    # Things the extractor noticed but could not fix (e.g. "page 3 has no text layer").
    warnings: list[str] = field(default_factory=list)
    # What the file says about itself outside its text, by where it says it: "html:title" (the
    # page's <title>), "html:ArticleTitle", "html:ContentSource" (meta tags), "docx:title",
    # "docx:author" (core properties). The parser takes the title and body from them when the
    # text prints none.
    properties: dict[str, str] = field(default_factory=dict)

    def paragraphs(self) -> Iterator[Paragraph]:
        return (b for b in self.blocks if isinstance(b, Paragraph))

    def tables(self) -> Iterator[Table]:
        return (b for b in self.blocks if isinstance(b, Table))

    def text(self) -> str:
        """All text in reading order, one block per line, table cells joined by tabs."""
        lines: list[str] = []
        for b in self.blocks:
            if isinstance(b, Paragraph):
                lines.append(b.text)
            else:
                lines.extend("\t".join(c.text for c in row) for row in b.rows())
        return "\n".join(lines)

    def lines(self) -> Iterator[str]:
        """Each paragraph's text, and a tab for each table (content that is not a heading)."""
        return (b.text if isinstance(b, Paragraph) else "\t" for b in self.blocks)


# A section heading as the template declares it: its numeral, a comma, its words; short.
_HEADINGS = [(s.no, s.title[0], re.compile(s.match)) for s in SECTIONS]
_HEADING_MAX = 40


def report_copies(lines: Iterable[str]) -> int:
    """How many reports the lines hold one after another, from the template's section headings
    (一、总体情况 … 六、其他需要报告的事项): each time their numbering starts over, another report
    begins. A table of contents (headings on consecutive lines) is not counted. Blank lines are
    passed over. 0: no heading at all. Linear in the lines, and cheap: a regex runs only on short
    lines that start with a section numeral."""
    found: list[tuple[int, int]] = []  # (section no, index among non-blank lines)
    index = -1
    for line in lines:
        text = line.strip()
        if not text:
            continue
        index += 1
        if len(text) > _HEADING_MAX or len(text) < 3 or text[1] not in "、.．,，":
            continue
        for no, numeral, rx in _HEADINGS:
            if text[0] == numeral and rx.search(text):
                found.append((no, index))
                break
    at = {i for _, i in found}
    kept = [h for h in found if h[1] - 1 not in at and h[1] + 1 not in at]  # a contents list: headings in a row
    copies = 1 if kept else 0
    for (before, _n1), (after, _n2) in itertools.pairwise(kept):
        if after <= before - 2:  # 六 … then 一 or 二 again: a new report starts
            copies += 1
    return copies


def too_many_reports(copies: int) -> str | None:
    """The reason to refuse a file holding several reports (None for one or none)."""
    if copies < 2:
        return None
    return _("holds {n} reports one after another (the section headings 一 to 六 start over {again} "
             "times): split it into one file per report").format(n=copies, again=copies - 1)
