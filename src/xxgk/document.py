"""The extractor's output: one `Document` whatever the input kind.

A Document is an ordered list of blocks: `Paragraph`s (a line or a paragraph of text) and
`Table`s (a grid of cells with row/col spans). Every block and cell knows where it came from
(`Location`). Extractors build Documents; the parser reads them and never looks at the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["text", "pdf", "html", "docx", "scan", "image"]


@dataclass(frozen=True, order=True)
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


@dataclass
class Paragraph:
    text: str
    loc: Location


@dataclass
class TableCell:
    text: str
    row: int  # grid row of the cell's top-left corner (0-based)
    col: int  # grid column of the cell's top-left corner (0-based)
    rowspan: int = 1
    colspan: int = 1
    loc: Location | None = None
    # Recognition confidence in [0, 1] when the text came from OCR; None when it was read exactly.
    confidence: float | None = None


@dataclass
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
