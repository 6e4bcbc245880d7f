"""PDF reports with a text layer: glyph positions and vector rulings -> lines and table grids.

Why pypdfium2 (PDFium, the Chrome PDF engine): on the corpus PDFs it reads every glyph with
its box 5-10x faster than pdfminer.six/pdfplumber and 3x faster than pypdf's text extraction,
it gives the drawn rulings (path segments) we need for table grids, it repairs the usual
broken cross-reference tables itself, it is permissively licensed (Apache-2.0/BSD, unlike
PyMuPDF's AGPL) and it is the same library the OCR path uses to rasterise scanned pages. The
measurements are in bench/bench_pdf.py and bench/baseline_pdfplumber.py.

What this module does, page by page (see layout.py for the shared geometry):
1. glyphs: each character with its "loose" box (font ascent/descent, so "一" and "、" are as tall
   as their neighbours), in a reading frame that undoes page and text rotation;
2. rulings: stroked path segments and hairline filled rectangles, with form XObjects unfolded;
3. tables: rulings that connect form a grid, each glyph lands in the grid cell holding its
   centre -> `Table(aligned=True)` with real spans; everything else -> `Paragraph` lines;
4. page furniture: page numbers ("- 4 -", "第4页") and running headers in the margins are
   dropped; a table cut by a page break is joined back into one table.
Pages without a text layer go to OCR (xxgk.extract.ocr) when the `ocr` extra is installed.
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
import re
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.document import Document
from xxgk.errors import InputError
from xxgk.extract.layout import Glyph, PageContent, Segment, Units, build_document, rect_rulings, segment

UNITS = Units(snap=2.0, min_cell=4.0)  # PDF points
_HAIRLINE = 2.5  # a filled rectangle thinner than this (points) is a drawn ruling
# A page whose glyphs are mostly unmapped (fonts without a ToUnicode table) has no usable text.
_MAX_UNMAPPED = 0.3

SCANNED_NO_OCR = "scanned PDF (no text layer): install the OCR extra: pip install 'xxgk[ocr]'"


def extract_pdf(data: bytes, file: str = "") -> Document:
    data, trailing = _complete_part(data, file)
    pdf = _open(data, file)
    try:
        n_pages = len(pdf)
        try:
            pages = [_read_page(pdf, i) for i in range(n_pages)]
        except pdfium.PdfiumError as e:
            raise InputError(file, f"malformed PDF: a page cannot be read ({e})") from e
    finally:
        pdf.close()

    warnings: list[str] = [trailing] if trailing else []
    textless = [p.number for p in pages if not p.glyphs]
    if textless:
        if not ocr_available():
            if len(textless) == n_pages:
                raise InputError(file, SCANNED_NO_OCR)
            warnings.append(f"pages {_ranges(textless)} have no text layer and were skipped: "
                            "install the OCR extra (pip install 'xxgk[ocr]') to read them")
        else:
            from xxgk.extract.ocr import ocr_pdf_pages

            ocr_pages = ocr_pdf_pages(data, file, textless)
            by_number = {p.number: p for p in ocr_pages}
            pages = [by_number.get(p.number, p) for p in pages]
            warnings.append(f"pages {_ranges(textless)} have no text layer and were read by OCR")
    pages = _read_pictures(data, file, pages, warnings)
    for p in pages:
        warnings.extend(p.notes)
    doc = build_document(pages, kind="pdf" if not textless or len(textless) < n_pages else "scan",
                         file=file, units=UNITS)
    doc.warnings[:0] = warnings
    return doc


def ocr_available() -> bool:
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


# ---------------------------------------------------------------- pictures on text pages

_PICTURE_SHARE = 0.08  # of the page area: smaller pictures are logos, stamps and seals
_GLYPHS_OVER_PICTURE = 10  # a picture under this much text-layer text is a background


def _inside(box: tuple[float, float, float, float], x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _pasted_pictures(page: PageContent) -> list[tuple[float, float, float, float]]:
    """Pictures on a text page that may hold a table pasted as an image: large, and with no
    text-layer text drawn over them (a letterhead or watermark background has text on top)."""
    out = []
    for box in page.pictures:
        area = (box[2] - box[0]) * (box[3] - box[1])
        if area < _PICTURE_SHARE * page.width * page.height:
            continue
        over = sum(1 for g in page.glyphs if not g.space and _inside(box, g.cx, g.cy))
        if over < _GLYPHS_OVER_PICTURE:
            out.append(box)
    return out


def _read_pictures(data: bytes, file: str, pages: list[PageContent], warnings: list[str]) -> list[PageContent]:
    """Tables pasted into a text page as pictures are read by OCR and take their place among
    the page's text-layer glyphs and rulings."""
    wanted = {p.number: boxes for p in pages if p.glyphs and p.raster_aligned
              and p.blank_confidence is None and (boxes := _pasted_pictures(p))}
    if not wanted:
        return pages
    if not ocr_available():
        warnings.append(f"pages {_ranges(sorted(wanted))} carry large pictures (tables pasted as images?) that "
                        "were not read: install the OCR extra (pip install 'xxgk[ocr]') to read them")
        return pages
    from xxgk.extract.ocr import ocr_pdf_regions

    read = ocr_pdf_regions(data, file, wanted)
    warnings.append(f"pages {_ranges(sorted(wanted))}: pictures were read by OCR")
    out = []
    for p in pages:
        if p.number not in read:
            out.append(p)
            continue
        boxes, ocr = wanted[p.number], read[p.number]

        def inside_any(x: float, y: float, boxes: list = boxes) -> bool:
            return any(_inside(b, x, y) for b in boxes)

        glyphs = [g for g in p.glyphs if not inside_any(g.cx, g.cy)] + [g for g in ocr.glyphs if inside_any(g.cx, g.cy)]
        segments = p.segments + [s for s in ocr.segments if inside_any((s.x0 + s.x1) / 2, (s.y0 + s.y1) / 2)]
        out.append(PageContent(p.number, p.width, p.height, glyphs, segments, p.pictures, p.notes,
                               blank_confidence=ocr.blank_confidence))
    return out


# ---------------------------------------------------------------- opening


# PDF syntax after the last %%EOF: the start of an incremental update that was cut short.
_PDF_SYNTAX = re.compile(rb"\d+\s+\d+\s+obj\b|\bendobj\b|\bstartxref\b|^xref\b", re.MULTILINE)


def _complete_part(data: bytes, file: str) -> tuple[bytes, str | None]:
    """The PDF up to its last %%EOF, and a warning when something else follows it.

    PDFium silently "repairs" a file cut short and shows the pages it still finds; a report
    missing its last pages must not be read as if complete: no %%EOF, or PDF objects after the
    last one (an update cut short), is a truncated file. But some web servers append a page of
    their own (HTML, a script) after a complete PDF: that PDF is whole, and is read with a warning.
    """
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise InputError(file, "truncated PDF (no %%EOF end marker: the file was cut short; download it again)")
    if _PDF_SYNTAX.search(data, end + 5):
        raise InputError(file, "truncated PDF (the update after its last %%EOF marker was cut short; "
                               "download it again)")
    extra = len(data[end + 5 :].strip(b"\r\n\t \x00"))
    if not extra:  # line ends or padding: a whole PDF
        return data, None
    what = "a web page" if re.search(rb"(?i)<(html|body|script|div|!doctype)", data[end:]) else "data"
    return data[: end + 5], (f"{extra} bytes of {what} after the end of the PDF (%%EOF) were ignored "
                             "(appended by the server it was downloaded from?)")


def _open(data: bytes, file: str) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if e.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputError(file, "encrypted PDF: it needs a password to open") from e
        if e.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError(file, "PDF protected by an unsupported security handler") from e
        raise InputError(file, f"malformed PDF: PDFium cannot parse it ({e})") from e
    if len(pdf) == 0:
        pdf.close()
        raise InputError(file, "PDF has no pages")
    return pdf


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


# ---------------------------------------------------------------- one page


@dataclass(frozen=True)
class _Frame:
    """User space (y up, origin at the media box corner) -> reading frame (y down, text upright)."""

    rotation: int  # clockwise degrees that make the text upright: 0, 90, 180, 270
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def size(self) -> tuple[float, float]:
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (h, w) if self.rotation in (90, 270) else (w, h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        r = self.rotation
        if r == 0:
            return x - self.x0, self.y1 - y
        if r == 90:
            return y - self.y0, x - self.x0
        if r == 180:
            return self.x1 - x, y - self.y0
        return self.y1 - y, self.x1 - x

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        ax, ay = self.point(left, bottom)
        bx, by = self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _read_page(pdf: pdfium.PdfDocument, index: int) -> PageContent:
    page = pdf[index]
    try:
        left, bottom, right, top = page.get_mediabox()
        textpage = page.get_textpage()
        try:
            raw_chars, unmapped = _raw_chars(textpage)
        finally:
            textpage.close()
        rotation = _text_rotation(raw_chars, page.get_rotation())
        frame = _Frame(rotation, left, bottom, right, top)
        notes: list[str] = []
        printable = [c for c in raw_chars if not c[0].isspace()]
        if printable and unmapped > _MAX_UNMAPPED * len(printable):
            notes.append(f"page {index + 1}: {unmapped} of {len(printable)} characters have no Unicode "
                         "mapping (fonts without ToUnicode); its text layer was ignored")
            raw_chars = []
        glyphs = [_glyph(c, frame) for c in raw_chars]
        segments, pictures = _rulings(page, frame)
        aligned = rotation == page.get_rotation() % 360
    finally:
        page.close()
    w, h = frame.size
    return PageContent(number=index + 1, width=w, height=h,
                       glyphs=[g for g in glyphs if g is not None and (g.text.strip() or g.space)],
                       segments=segments, pictures=pictures, notes=notes, raster_aligned=aligned)


# (text, left, bottom, right, top, angle in radians): user space, y up
_RawChar = tuple[str, float, float, float, float, float]
Box = tuple[float, float, float, float]  # left, bottom, right, top


def _raw_chars(textpage: pdfium.PdfTextPage) -> tuple[list[_RawChar], int]:
    tp = textpage.raw
    n = pdfium_c.FPDFText_CountChars(tp)
    loose = pdfium_c.FS_RECTF()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    measured: list[tuple[str, Box, Box | None, float]] = []
    unmapped = 0
    for i in range(n):
        code = pdfium_c.FPDFText_GetUnicode(tp, i)
        if pdfium_c.FPDFText_IsGenerated(tp, i) or code in (0, 0xFFFE, 0xFFFF):
            continue  # PDFium's own line breaks/spaces: geometry decides spacing instead
        if pdfium_c.FPDFText_HasUnicodeMapError(tp, i):
            unmapped += 1
        ch = chr(code) if code < 0x110000 else "\ufffd"
        if ch in "\r\n\x00":
            continue
        if not pdfium_c.FPDFText_GetCharBox(tp, i, left, right, bottom, top):
            continue
        tight = (left.value, bottom.value, right.value, top.value)
        ok = pdfium_c.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(loose))
        angle = pdfium_c.FPDFText_GetCharAngle(tp, i)
        loose_box = (loose.left, loose.bottom, loose.right, loose.top) if ok else None
        measured.append((ch, tight, loose_box, angle))
    return _sane_boxes(measured), unmapped


def _sane_boxes(measured: list[tuple[str, Box, Box | None, float]]) -> list[_RawChar]:
    """One box per character. The loose box (font ascent/descent) makes "一", "、" and "." as
    tall as their neighbours, which line grouping needs; but some fonts carry absurd metrics (a
    200-point box round a 9-point glyph). A loose box is trusted when it is not far larger than
    the glyph itself (for letters, digits and ideographs, whose ink fills the em) or than the
    page's usual loose box (for punctuation, whose ink is a dot); otherwise the glyph's own box,
    stretched to the usual em, stands in."""
    def full(ch: str) -> bool:
        return ch.isalnum()  # ideographs count as alphanumeric in Python

    heights = sorted(lo[3] - lo[1] for ch, t, lo, _ in measured if lo is not None and full(ch)
                     and lo[3] - lo[1] <= 3 * max(t[2] - t[0], t[3] - t[1]) + 2)
    usual = heights[len(heights) // 2] if heights else None
    out: list[_RawChar] = []
    for ch, t, lo, angle in measured:
        ink = max(t[2] - t[0], t[3] - t[1])
        limit = 3 * ink + 2 if full(ch) else 3 * (usual or ink) + 2
        if lo is not None and 0 < lo[3] - lo[1] <= limit and 0 < lo[2] - lo[0] <= limit:
            out.append((ch, *lo, angle))
            continue
        em = usual or ink
        cx, cy = (t[0] + t[2]) / 2, (t[1] + t[3]) / 2
        # stretch across the text direction only (x for vertical text, y for horizontal)
        upright = round(math.degrees(angle) / 90) % 2 == 0 if angle >= 0 else True
        box = (t[0], cy - em / 2, t[2], cy + em / 2) if upright else (cx - em / 2, t[1], cx + em / 2, t[3])
        out.append((ch, *box, angle))
    return out


def _text_rotation(chars: list[_RawChar], page_rotation: int) -> int:
    """The rotation that makes most text upright. The text's own angle wins over the page's
    /Rotate: a page whose content is drawn sideways reads the same as one rotated for display."""
    votes: Counter[int] = Counter()
    for c in chars:
        if not c[0].isspace() and c[5] >= 0:
            votes[round(math.degrees(c[5]) / 90) % 4 * 90] += 1
    if not votes:
        return page_rotation % 360
    # PDFium measures the angle clockwise (text drawn turned 90 degrees anticlockwise, running
    # upwards, reports 270); undoing it is a clockwise turn by the rest of the circle
    return (360 - votes.most_common(1)[0][0]) % 360


def _glyph(c: _RawChar, frame: _Frame) -> Glyph | None:
    ch, left, bottom, right, top, _ = c
    x0, y0, x1, y1 = frame.box(left, bottom, right, top)
    if x1 <= x0 and y1 <= y0:
        return None
    # the em for judging gaps: the line height of the glyph's box (PDFium's font size is in
    # text-space units and lies whenever the text matrix scales)
    em = max(y1 - y0, 1.0)
    if ch.isspace():
        return Glyph(" ", x0, y0, x1, y1, em, space=True)
    return Glyph(ch, x0, y0, x1, y1, em)


def _rulings(page: pdfium.PdfPage, frame: _Frame) -> tuple[list[Segment], list[tuple[float, float, float, float]]]:
    """Every horizontal/vertical line drawn on the page, and the box of every picture (both in
    the reading frame)."""
    segments: list[Segment] = []
    pictures: list[tuple[float, float, float, float]] = []
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack = [(pdfium_c.FPDFPage_GetObject(page.raw, i), identity, 0)
             for i in range(pdfium_c.FPDFPage_CountObjects(page.raw))]
    stack.reverse()
    m = pdfium_c.FS_MATRIX()
    while stack:
        obj, parent, depth = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        has_matrix = pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m))
        own = (m.a, m.b, m.c, m.d, m.e, m.f) if has_matrix else identity
        matrix = _compose(own, parent)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            # an image is drawn into the unit square of its matrix
            a, b, c, d, e, f = matrix
            corners = [frame.point(a * x + c * y + e, b * x + d * y + f) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            pictures.append((min(xs), min(ys), max(xs), max(ys)))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
            children = [(pdfium_c.FPDFFormObj_GetObject(obj, j), matrix, depth + 1)
                        for j in range(pdfium_c.FPDFFormObj_CountObjects(obj))]
            stack.extend(reversed(children))
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            segments.extend(_path_rulings(obj, matrix, frame))
    return segments, pictures


def _compose(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """Matrix `a` then `b` (PDF row-vector convention: p' = p·a·b)."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (a0 * b0 + a1 * b2, a0 * b1 + a1 * b3, a2 * b0 + a3 * b2, a2 * b1 + a3 * b3,
            a4 * b0 + a5 * b2 + b4, a4 * b1 + a5 * b3 + b5)


def _visible(obj: object, getter: object) -> bool:
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):  # type: ignore[operator]
        return True
    # white or fully transparent lines are not borders anyone can see
    return a.value > 0 and min(r.value, g.value, b.value) < 245


def _path_rulings(obj: object, matrix: tuple[float, ...], frame: _Frame) -> list[Segment]:
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
        return []
    stroked = bool(stroke.value) and _visible(obj, pdfium_c.FPDFPageObj_GetStrokeColor)
    filled = bool(fill.value) and _visible(obj, pdfium_c.FPDFPageObj_GetFillColor)
    if not stroked and not filled:
        return []
    a, b, c, d, e, f = matrix
    points: list[tuple[float, float]] = []
    lines: list[tuple[tuple[float, float], tuple[float, float]]] = []
    start: tuple[float, float] | None = None
    x, y = ctypes.c_float(), ctypes.c_float()
    curved = False
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        p = frame.point(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not points:
            start = p
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            lines.append((points[-1], p))
        else:
            curved = True
        points.append(p)
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and start != p:
            lines.append((p, start))
    out: list[Segment] = []
    if stroked:
        for (x0, y0), (x1, y1) in lines:
            s = segment(x0, y0, x1, y1, snap=0.5)
            if s is not None:
                out.append(s)
    elif filled and not curved and points:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        out.extend(rect_rulings(min(xs), min(ys), max(xs), max(ys), _HAIRLINE))
    return out
