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

import contextlib
import ctypes
import gc
import importlib.util
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.document import Document, report_copies, too_many_reports
from xxgk.errors import InputError
from xxgk.extract import pdfium_calls as calls
from xxgk.extract.layout import Glyph, GlyphRun, PageContent, Segment, Units, build_document, rect_rulings, segment
from xxgk.i18n import N_, _

UNITS = Units(snap=2.0, min_cell=4.0)  # PDF points
_HAIRLINE = 2.5  # a filled rectangle thinner than this (points) is a drawn ruling
# A page whose glyphs are mostly unmapped (fonts without a ToUnicode table) has no usable text.
_MAX_UNMAPPED = 0.3

SCANNED_NO_OCR = N_("scanned PDF (no text layer): install the OCR extra: pip install 'xxgk[ocr]'")


def extract_pdf(data: bytes, file: str = "") -> Document:
    with _no_cycle_collection():
        return _extract_pdf(data, file)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Reading a PDF makes tens of thousands of small objects that form no reference cycles
    (glyphs, the lists holding them, cells, lines): the cyclic garbage collector would walk
    them over and over while they are made, to free nothing (3 % of the reading, by callgrind's
    count). It is paused for the read, if it was running, and runs as usual afterwards. Objects
    are still freed by reference counting meanwhile, so another thread loses nothing either."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _extract_pdf(data: bytes, file: str) -> Document:
    data, trailing = _complete_part(data, file)
    pdf = _open(data, file)
    try:
        created = _creation_date(pdf)
        n_pages = len(pdf)
        try:
            pages = _read_pages(pdf, data, file)
        except pdfium.PdfiumError as e:
            raise InputError(file, _("malformed PDF: a page cannot be read ({error})").format(error=e)) from e
    finally:
        pdf.close()

    warnings: list[str] = [trailing] if trailing else []
    textless = [p.number for p in pages if not p.glyphs]
    if textless:
        if not ocr_available():
            if len(textless) == n_pages:
                raise InputError(file, _(SCANNED_NO_OCR))
            warnings.append(_("pages {pages} have no text layer and were skipped: "
                              "install the OCR extra (pip install 'xxgk[ocr]') to read them").format(
                pages=_ranges(textless)))
        else:
            from xxgk.extract.ocr import ocr_pdf_pages

            ocr_pages = ocr_pdf_pages(data, file, textless)
            by_number = {p.number: p for p in ocr_pages}
            pages = [by_number.get(p.number, p) for p in pages]
            warnings.append(_("pages {pages} have no text layer and were read by OCR").format(pages=_ranges(textless)))
    pages = _read_pictures(data, file, pages, warnings)
    for p in pages:
        warnings.extend(p.notes)
    doc = build_document(pages, kind="pdf" if not textless or len(textless) < n_pages else "scan",
                         file=file, units=UNITS)
    doc.warnings[:0] = warnings
    if created:
        doc.properties["pdf:created"] = created
    return doc


_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})(\d{2})")


def _creation_date(pdf: pdfium.PdfDocument) -> str | None:
    """The file's CreationDate as YYYY-MM-DD (the weakest hint of when a report was published)."""
    try:
        raw = pdf.get_metadata_value("CreationDate") or ""
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):  # a damaged info dictionary: no date
        return None
    m = _PDF_DATE.match(raw.strip())
    if not m or not ("1990" <= m.group(1) <= "2100"):
        return None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"


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
        warnings.append(_("pages {pages} carry large pictures (tables pasted as images?) that were not read: "
                          "install the OCR extra (pip install 'xxgk[ocr]') to read them").format(
            pages=_ranges(sorted(wanted))))
        return pages
    from xxgk.extract.ocr import ocr_pdf_regions

    read = ocr_pdf_regions(data, file, wanted)
    warnings.append(_("pages {pages}: pictures were read by OCR").format(pages=_ranges(sorted(wanted))))
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
        raise InputError(file, _("truncated PDF (no %%EOF end marker: the file was cut short; download it again)"))
    if _PDF_SYNTAX.search(data, end + 5):
        raise InputError(file, _("truncated PDF (the update after its last %%EOF marker was cut short; "
                                 "download it again)"))
    extra = len(data[end + 5 :].strip(b"\r\n\t \x00"))
    if not extra:  # line ends or padding: a whole PDF
        return data, None
    page = re.search(rb"(?i)<(html|body|script|div|!doctype)", data[end:])
    message = _("{n} bytes of a web page after the end of the PDF (%%EOF) were ignored "
                "(appended by the server it was downloaded from?)") if page else _(
        "{n} bytes of data after the end of the PDF (%%EOF) were ignored "
        "(appended by the server it was downloaded from?)")
    return data[: end + 5], message.format(n=extra)


def _open(data: bytes, file: str) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if e.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputError(file, _("encrypted PDF: it needs a password to open")) from e
        if e.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError(file, _("PDF protected by an unsupported security handler")) from e
        raise InputError(file, _("malformed PDF: PDFium cannot parse it ({error})").format(error=e)) from e
    if len(pdf) == 0:
        pdf.close()
        raise InputError(file, _("PDF has no pages"))
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

    def boxes(self, user: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`box` for an (n, 4) array of left, bottom, right, top at once: x0, top, x1, bottom."""
        ax, ay = self.point(user[:, 0], user[:, 1])  # type: ignore[arg-type]
        bx, by = self.point(user[:, 2], user[:, 3])  # type: ignore[arg-type]
        return np.minimum(ax, bx), np.minimum(ay, by), np.maximum(ax, bx), np.maximum(ay, by)


# PDFium keeps what it parsed for the life of the document (1 GB over 2,000 pages): the count
# over a long file's text opens the file afresh every so many pages.
_REOPEN_PAGES = 64


def _read_pages(pdf: pdfium.PdfDocument, data: bytes, file: str) -> list[PageContent]:
    """Every page, in order. A file holding a report many times over (a whole year's reports
    merged into one PDF, or the same one repeated) is refused as soon as its section headings
    start over, after a count over the remaining pages' plain text only: reading thousands of
    pages into glyphs and grids would cost time and memory for nothing."""
    pages: list[PageContent] = []
    lines: list[str] = []
    check_at = 8
    for i in range(len(pdf)):
        page, text = _read_page(pdf, i)
        pages.append(page)
        lines.extend(text.splitlines())
        if i + 1 == check_at:
            check_at *= 2  # doubling: the checks cost as much as one pass over the text
            if report_copies(lines) >= 2:
                for start in range(i + 1, len(pdf), _REOPEN_PAGES):
                    fresh = pdfium.PdfDocument(data)
                    try:
                        for j in range(start, min(start + _REOPEN_PAGES, len(fresh))):
                            lines.extend(_page_text(fresh, j).splitlines())
                    finally:
                        fresh.close()
                raise InputError(file, too_many_reports(report_copies(lines)) or "")
    return pages


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()


def _read_page(pdf: pdfium.PdfDocument, index: int) -> tuple[PageContent, str]:
    """The page's glyphs and rulings, and its plain text (PDFium's, for counting headings)."""
    page = pdf[index]
    try:
        left, bottom, right, top = page.get_mediabox()
        textpage = page.get_textpage()
        try:
            tp = textpage.raw
            codes, text = _codes(tp, pdfium_c.FPDFText_CountChars(tp))
            chars = _read_chars(tp, codes)
            if text is None:
                text = textpage.get_text_range()
        finally:
            textpage.close()
        rotation = _text_rotation(chars.votes, page.get_rotation())
        frame = _Frame(rotation, left, bottom, right, top)
        notes: list[str] = []
        if chars.printable and chars.unmapped > _MAX_UNMAPPED * chars.printable:
            notes.append(_("p{page}: {unmapped} of {printable} characters have no Unicode mapping (fonts "
                           "without ToUnicode); its text layer was ignored").format(
                page=index + 1, unmapped=chars.unmapped, printable=chars.printable))
            glyphs: list[Glyph] = []
        else:
            glyphs = _glyphs(chars, frame)
        segments, pictures = _rulings(page, frame)
        aligned = rotation == page.get_rotation() % 360
    finally:
        page.close()
    w, h = frame.size
    return PageContent(number=index + 1, width=w, height=h, glyphs=glyphs, segments=segments, pictures=pictures,
                       notes=notes, raster_aligned=aligned), text


@dataclass
class _Chars:
    """A page's characters as PDFium reports them, in user space (y up), in bulk arrays."""

    codes: np.ndarray  # (n,) the Unicode code point of each character
    space: np.ndarray  # (n,) bool: the character is whitespace
    box: np.ndarray  # (n, 4) left, bottom, right, top: one sane box per character
    votes: Counter[int]  # text angles (degrees, clockwise, by quarter turns) of a sample of characters
    unmapped: int  # characters without a Unicode mapping
    printable: int


# Every SAMPLE-th printable character is asked its angle and whether its font maps it to Unicode:
# a page's orientation and its unmapped share are properties of its fonts, not of each glyph.
_SAMPLE = 8


def _codes(tp: object, n: int) -> tuple[np.ndarray, str | None]:
    """The Unicode of each character index and the page's text, in one call (FPDFText_GetText)
    when PDFium's text is index for index its character list (nearly always), else character
    by character (and no text: the caller asks PDFium for it)."""
    buffer = (ctypes.c_ushort * (n + 1))()
    written = pdfium_c.FPDFText_GetText(tp, 0, n, buffer) if n else 0
    codes = np.frombuffer(buffer, dtype=np.uint16, count=n)
    if written == n + 1 and not ((codes - 0xD800) < 0x800).any():  # no surrogates (wrapping uint16)
        return codes.astype(np.int64), codes.tobytes().decode("utf-16-le")
    return np.array([pdfium_c.FPDFText_GetUnicode(tp, i) for i in range(n)], dtype=np.int64), None


# Character classes of the Basic Multilingual Plane as lookup tables: one array index instead
# of a str method call per character (code points beyond it are rare and asked one by one).
_IS_SPACE = np.fromiter(map(str.isspace, map(chr, range(0x10000))), dtype=bool, count=0x10000)
_IS_ALNUM = np.fromiter(map(str.isalnum, map(chr, range(0x10000))), dtype=bool, count=0x10000)
_IS_SKIPPED = np.zeros(0x10000, dtype=bool)  # PDFium's line breaks and non-characters
_IS_SKIPPED[[0, 10, 13, 0xFFFE, 0xFFFF]] = True


def _never(ch: str) -> bool:
    return False


def _classes(codes: np.ndarray, table: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
    out = table[codes & 0xFFFF]
    for k in np.flatnonzero(codes > 0xFFFF).tolist():
        out[k] = test(chr(int(codes[k])))
    return out


def _read_chars(tp: object, codes: np.ndarray) -> _Chars:
    """Each character with a sane box: its loose box (font ascent/descent) when that is sane,
    else one made from its tight (ink) box.

    One PDFium call per character (the loose box), written straight into an array; the text in
    one call; the ink box, the angle and the Unicode mapping asked only of a sample and of the
    characters whose loose box looks wrong: the per-character Python work is what made reading
    a page cost several times PDFium's own text extraction."""
    wanted = ~_classes(codes, _IS_SKIPPED, _never)  # PDFium's own line breaks: geometry decides spacing instead
    space = _classes(codes, _IS_SPACE, str.isspace)
    spaces = np.flatnonzero(space & wanted)
    generated = calls.char_ints(calls.IS_GENERATED, tp, spaces)
    wanted[spaces[generated != 0]] = False  # PDFium's own spaces
    kept = np.flatnonzero(wanted)
    has_loose, loose = calls.loose_boxes(tp, kept)
    lo = loose[:, [0, 3, 2, 1]].astype(np.float64)
    kept_codes = codes[kept]
    space = space[kept]
    printable = np.flatnonzero(~space)  # places in `kept`
    sample = printable[::_SAMPLE]
    votes = _quarter_turns(calls.char_angles(tp, kept[sample]))
    unmapped = _count_unmapped(tp, kept[sample]) * _SAMPLE
    if unmapped > _MAX_UNMAPPED * len(printable) / 2:  # near the threshold: count them all
        unmapped = _count_unmapped(tp, kept[printable])
    box, ok = _sane_boxes(kept_codes, lo, has_loose, tp, kept, sample)
    if not ok.all():  # characters PDFium could give no box for
        box, space, kept_codes = box[ok], space[ok], kept_codes[ok]
    return _Chars(kept_codes, space, box, votes, unmapped, len(printable))


def _quarter_turns(angles: np.ndarray) -> Counter[int]:
    """How many of the angles (radians, clockwise; negative: none) point each way, by quarter
    turns in degrees (0, 90, 180, 270): `round(math.degrees(a) / 90) % 4 * 90` of each, in one
    pass (math.degrees multiplies by 180 / pi; round and rint both round half to even), counted
    in the order the ways first occur (the order `Counter.most_common` breaks ties by)."""
    known = angles[angles >= 0].astype(np.float64)
    return Counter((np.rint(known * (180.0 / math.pi) / 90).astype(np.int64) % 4 * 90).tolist())


def _count_unmapped(tp: object, indices: np.ndarray) -> int:
    """How many of the characters have no Unicode mapping (PDFium's -1, an error, counts too)."""
    return int(np.count_nonzero(calls.char_ints(calls.HAS_UNICODE_MAP_ERROR, tp, indices)))


def _median(values: list[float]) -> float:
    """The median as numpy computes it (the mean of the middle two of an even count)."""
    ordered = sorted(values)
    k = len(ordered) // 2
    return ordered[k] if len(ordered) % 2 else (ordered[k - 1] + ordered[k]) / 2


def _ink_boxes(tp: object, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tight (ink) box, left, bottom, right, top, of each character, and whether PDFium
    has one; in bulk, like the loose boxes."""
    found, box = calls.ink_boxes(tp, indices)
    return found, box[:, [0, 2, 1, 3]]  # PDFium writes left, right, bottom, top


def _sane_boxes(codes: np.ndarray, loose: np.ndarray, has_loose: np.ndarray, tp: object, kept: np.ndarray,
                sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One box per character (and whether there is one). The loose box (font ascent/descent)
    makes "一", "、" and "." as tall as their neighbours, which line grouping needs; but some
    fonts carry absurd metrics (a 200-point box round a 9-point glyph). The page's usual em is
    the median loose height of its letters, digits and ideographs (alphanumeric `codes`), checked
    against their ink on a sample; a loose box is trusted when it is no more than three ems (and two points)
    tall and wide; otherwise the glyph's own ink box, stretched to the usual em, stands in."""
    m = len(kept)
    ok = np.ones(m, dtype=bool)
    if not m:
        return np.zeros((0, 4)), ok
    lo_w, lo_h = loose[:, 2] - loose[:, 0], loose[:, 3] - loose[:, 1]
    # The usual em: letters' loose heights that their own ink vouches for (on a sample).
    boxed = sample[has_loose[sample]]
    letters = boxed[_classes(codes[boxed], _IS_ALNUM, str.isalnum)]
    found, ink = _ink_boxes(tp, kept[letters])
    size = np.where(found, np.maximum(ink[:, 2] - ink[:, 0], ink[:, 3] - ink[:, 1]), 0.0)
    vouched = lo_h[letters][lo_h[letters] <= 3 * size + 2].tolist()
    usual = _median(vouched) if vouched else None
    trusted = has_loose & (lo_h > 0) & (lo_w > 0)
    if usual is not None:
        trusted &= (lo_h <= 3 * usual + 2) & (lo_w <= 3 * usual + 2)
    else:
        trusted[:] = False
    box = loose.copy()
    doubtful = np.flatnonzero(~trusted).tolist()
    if not doubtful:
        return box, ok
    found, ink = _ink_boxes(tp, kept[doubtful])
    angles = calls.char_angles(tp, kept[doubtful]).tolist()
    for j, has_ink, t, angle in zip(doubtful, found.tolist(), ink.tolist(), angles, strict=True):
        if not has_ink:
            ok[j] = False
            continue
        limit = 3 * max(t[2] - t[0], t[3] - t[1]) + 2
        if has_loose[j] and chr(codes[j]).isalnum() and 0 < lo_h[j] <= limit and 0 < lo_w[j] <= limit:
            continue  # a letter whose loose box its own ink vouches for
        em = usual if usual is not None else max(t[2] - t[0], t[3] - t[1])
        cx, cy = (t[0] + t[2]) / 2, (t[1] + t[3]) / 2
        # stretch across the text direction only (x for vertical text, y for horizontal)
        upright = round(math.degrees(angle) / 90) % 2 == 0 if angle >= 0 else True
        box[j] = (t[0], cy - em / 2, t[2], cy + em / 2) if upright else (cx - em / 2, t[1], cx + em / 2, t[3])
    return box, ok


def _text_rotation(votes: Counter[int], page_rotation: int) -> int:
    """The rotation that makes most text upright. The text's own angle wins over the page's
    /Rotate: a page whose content is drawn sideways reads the same as one rotated for display."""
    if not votes:
        return page_rotation % 360
    # PDFium measures the angle clockwise (text drawn turned 90 degrees anticlockwise, running
    # upwards, reports 270); undoing it is a clockwise turn by the rest of the circle
    return (360 - votes.most_common(1)[0][0]) % 360


def _glyphs(chars: _Chars, frame: _Frame) -> list[Glyph]:
    """The characters in the reading frame (all at once), as layout's glyphs (a `GlyphRun`,
    which keeps them in arrays too, so the layout reads the page in array passes)."""
    if not len(chars.codes):
        return []
    x0, y0, x1, y1 = frame.boxes(chars.box)
    # the em for judging gaps: the line height of the glyph's box (PDFium's font size is in
    # text-space units and lies whenever the text matrix scales)
    em = np.maximum(y1 - y0, 1.0)
    keep = ~((x1 <= x0) & (y1 <= y0))
    space, codes = chars.space, np.where(chars.space, 32, chars.codes)  # every kind of space prints as " "
    if not keep.all():
        x0, y0, x1, y1, em, space, codes = x0[keep], y0[keep], x1[keep], y1[keep], em[keep], space[keep], codes[keep]
    return GlyphRun.of(codes, x0, y0, x1, y1, em, space)


def _rulings(page: pdfium.PdfPage, frame: _Frame) -> tuple[list[Segment], list[tuple[float, float, float, float]]]:
    """Every horizontal/vertical line drawn on the page, and the box of every picture (both in
    the reading frame).

    A page's objects are mostly text (often one text object per character): their kinds are
    asked in bulk and only the others looked at. A path whose bounds are a hairline is a ruling
    read from its bounds alone, and only other paths (rectangles, polylines) and the contents
    of form XObjects are walked segment by segment."""
    segments: list[Segment] = []
    pictures: list[tuple[float, float, float, float]] = []
    objects, kinds = calls.page_objects(page.raw)
    drawn = np.flatnonzero(kinds != pdfium_c.FPDF_PAGEOBJ_TEXT)
    if not len(drawn):  # a page of text only (most pages of prose)
        return segments, pictures
    paths = objects.take(drawn[kinds[drawn] == pdfium_c.FPDF_PAGEOBJ_PATH])
    has_bounds, bounds = paths.bounds()
    has_mode, modes = paths.draw_modes()
    thinnest = np.minimum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    hairlines = has_bounds & (thinnest <= _HAIRLINE)
    filled_at, stroked_at = has_mode & (modes[:, 0] != 0), has_mode & (modes[:, 1] != 0)
    # a hairline is a ruling if drawn visibly: stroked in a colour anyone sees, else filled so
    ruled = np.zeros(len(paths), dtype=bool)
    ask = np.flatnonzero(hairlines & stroked_at)
    ruled[ask] = paths.take(ask).visible(stroke=True)
    ask = np.flatnonzero(hairlines & filled_at & ~ruled)
    ruled[ask] = paths.take(ask).visible(stroke=False)
    hairline, stroked, ruling = hairlines.tolist(), stroked_at.tolist(), ruled.tolist()
    bounds_of = bounds.tolist()
    k = -1  # the path's place among the page's paths
    for address, kind in zip(objects.addresses[drawn].tolist(), kinds[drawn].tolist(), strict=True):
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            k += 1
            if hairline[k]:
                if ruling[k]:  # a ruling along the middle of its bounds
                    x0, y0, x1, y1 = frame.box(*bounds_of[k])
                    segments.extend(rect_rulings(x0, y0, x1, y1, max(_HAIRLINE, min(x1 - x0, y1 - y0))))
            elif stroked[k]:  # a filled shape thicker than a hairline (a cell's shading) draws no ruling
                obj = ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT)
                segments.extend(_path_rulings(obj, _matrix(obj, _IDENTITY), frame))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if (b := calls.bounds(address)) is not None:
                pictures.append(frame.box(*b))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            obj = ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT)
            _form_rulings(obj, _matrix(obj, _IDENTITY), 1, frame, segments, pictures)
    return segments, pictures


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _matrix(obj: object, parent: tuple[float, ...]) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    own = (m.a, m.b, m.c, m.d, m.e, m.f) if pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)) else _IDENTITY
    return _compose(own, parent)


def _form_rulings(form: object, matrix: tuple[float, ...], depth: int, frame: _Frame, segments: list[Segment],
                  pictures: list[tuple[float, float, float, float]]) -> None:
    """Rulings and pictures inside a form XObject (its objects' coordinates are the form's)."""
    if depth >= 8:
        return
    for j in range(pdfium_c.FPDFFormObj_CountObjects(form)):
        obj = pdfium_c.FPDFFormObj_GetObject(form, j)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        inner = _matrix(obj, matrix)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            # an image is drawn into the unit square of its matrix
            a, b, c, d, e, f = inner
            corners = [frame.point(a * x + c * y + e, b * x + d * y + f) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            pictures.append((min(xs), min(ys), max(xs), max(ys)))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            _form_rulings(obj, inner, depth + 1, frame, segments, pictures)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            segments.extend(_path_rulings(obj, inner, frame))


def _compose(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """Matrix `a` then `b` (PDF row-vector convention: p' = p·a·b)."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (a0 * b0 + a1 * b2, a0 * b1 + a1 * b3, a2 * b0 + a3 * b2, a2 * b1 + a3 * b3,
            a4 * b0 + a5 * b2 + b4, a4 * b1 + a5 * b3 + b5)


def _path_rulings(obj: object, matrix: tuple[float, ...], frame: _Frame) -> list[Segment]:
    stroked, filled = calls.painted(ctypes.cast(obj, ctypes.c_void_p).value)
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
