"""The source beside the tables: PDF pages as images (pypdfium2), web pages, Word files and text
as their paragraphs and tables; and where each cell was printed on a PDF page, when that can be
told for certain."""

from __future__ import annotations

import difflib
import io
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from xxgk.document import Document, Paragraph, Table
from xxgk.errors import XxgkError
from xxgk.extract import detect_kind, extract_bytes
from xxgk.report import Report

_PAGE = re.compile(r"^p(\d+)")
_NUM = re.compile(r"^-?[\d,，]+(?:\.\d+)?$")
# pdfium is not thread-safe: one document operation at a time in this process.
PDFIUM = threading.Lock()


@dataclass
class Block:
    kind: str  # "p" or "table"
    loc: str
    text: str = ""
    rows: list[list[dict[str, Any]]] = field(default_factory=list)


@dataclass
class Source:
    kind: str
    name: str
    pages: int = 0
    sizes: list[tuple[float, float]] = field(default_factory=list)  # PDF page sizes in points
    blocks: list[Block] = field(default_factory=list)
    boxes: dict[str, tuple[int, tuple[float, float, float, float]]] = field(default_factory=dict)
    error: str | None = None


def page_of(loc: str | None) -> int | None:
    m = _PAGE.match(loc or "")
    return int(m.group(1)) if m else None


def _canon(text: str) -> str | None:
    t = text.strip().replace("件", "").replace(" ", "")
    if not _NUM.match(t):
        return None
    n = float(t.replace(",", "").replace("，", ""))
    return str(int(n)) if n.is_integer() else repr(n)


def _canon_value(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def cell_boxes(doc: Document, report: Report) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Where each read cell was printed: its table cell's box on its page.

    The parser reads a page's numbers in template order, which is the tables' reading order, so
    the read cells of a page are aligned with the numeric table cells of that page (longest
    matching runs, values equal). Only runs of at least two equal values are trusted; a cell
    outside them has no box (the page is still shown)."""
    by_page: dict[int, list[str]] = {}
    for path, c in report.cells.items():
        p = page_of(c.loc)
        if c.status == "read" and c.value is not None and p is not None:
            by_page.setdefault(p, []).append(path)
    printed: dict[int, list[tuple[str, tuple[float, float, float, float]]]] = {}
    for tb in doc.tables():
        for c in sorted(tb.cells, key=lambda c: (c.row, c.col)):
            if c.loc is None or c.loc.page is None or c.loc.box is None:
                continue
            canon = _canon(c.text)
            if canon is not None:
                printed.setdefault(c.loc.page, []).append((canon, c.loc.box))
    out: dict[str, tuple[int, tuple[float, float, float, float]]] = {}
    for page, paths in by_page.items():
        cells = printed.get(page, [])
        a = [_canon_value(report.cells[p].value) for p in paths]
        b = [text for text, _box in cells]
        for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
            if m.size >= 2:
                for k in range(m.size):
                    out[paths[m.a + k]] = (page, cells[m.b + k][1])
    return out


def _blocks(doc: Document) -> list[Block]:
    out: list[Block] = []
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            out.append(Block("p", str(b.loc), b.text))
        elif isinstance(b, Table):
            rows = [[{"text": c.text, "rowspan": c.rowspan, "colspan": c.colspan,
                      "loc": str(c.loc) if c.loc else str(b.loc)} for c in r] for r in b.rows()]
            out.append(Block("table", str(b.loc), rows=rows))
    return out


class _LRU:
    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict[Any, Any](), threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_sources = _LRU(32)
_images = _LRU(64)


def cached(sha256: str, where: str) -> Source | None:
    return _sources.get(sha256) or _sources.get(("gone", where, sha256))


def gone(sha256: str, where: str) -> Source:
    """The submitted bytes are not on this server (`where`: the store) any more: remembered, so
    the next view does not look for them again."""
    src = Source("gone", "")
    _sources.put(("gone", where, sha256), src)
    return src


def load_source(sha256: str, name: str, data: bytes, report: Report) -> Source:
    hit = _sources.get(sha256)
    if hit is not None:
        return hit
    kind = detect_kind(data)
    if kind == "image" or report.source.kind in ("scan", "image"):
        # A scan: its pages are shown as they are; reading them again (OCR, seconds a page) to
        # place the cells is not done for a page view.
        src = Source("image" if kind == "image" else "pdf", name)
        if kind == "pdf":
            src.sizes = pdf_sizes(data)
            src.pages = len(src.sizes)
        _sources.put(sha256, src)
        return src
    try:
        with PDFIUM:
            doc = extract_bytes(data, name)
    except XxgkError as e:
        src = Source("", name, error=str(e))
        _sources.put(sha256, src)
        return src
    src = Source(doc.kind, name, doc.pages or 0)
    if doc.kind == "pdf":
        src.sizes = pdf_sizes(data)
        src.boxes = cell_boxes(doc, report)
    else:
        src.blocks = _blocks(doc)
    _sources.put(sha256, src)
    return src


def pdf_sizes(data: bytes) -> list[tuple[float, float]]:
    import pypdfium2 as pdfium

    with PDFIUM:
        pdf = pdfium.PdfDocument(data)
        try:
            return [tuple(pdf[i].get_size()) for i in range(len(pdf))]  # type: ignore[misc]
        finally:
            pdf.close()


def page_png(sha256: str, data: bytes, page: int, scale: float = 1.5) -> bytes | None:
    """Page `page` (1-based) as PNG; None when the document has no such page."""
    key = (sha256, page, scale)
    hit = _images.get(key)
    if hit is not None:
        return hit
    import pypdfium2 as pdfium

    if not data.lstrip()[:5].startswith(b"%PDF"):
        return None  # only PDFs have pages to show
    with PDFIUM:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return None
        try:
            if not 1 <= page <= len(pdf):
                return None
            image = pdf[page - 1].render(scale=scale).to_pil()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    png = buf.getvalue()
    _images.put(key, png)
    return png


IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"II*\x00": "image/tiff",
               b"MM\x00*": "image/tiff", b"BM": "image/bmp"}


def image_type(data: bytes) -> str | None:
    """The media type of an image source (shown as it is), None for anything else."""
    return next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
