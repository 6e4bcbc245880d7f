"""Scanned reports: images (PNG/JPEG/TIFF/BMP) and PDF pages without a text layer, read by OCR.

Engine: RapidOCR (`rapidocr_onnxruntime`), PaddleOCR's PP-OCRv4 Chinese models run by ONNX
Runtime. The detection, recognition and orientation models ship inside the wheel, so nothing is
downloaded at run time and results do not change under the user's feet.

Tables are read cell by cell rather than by running text detection over the whole page: the
page's rulings are found in the raster (morphological opening with long thin kernels), the
same grid builder as the PDF path (layout.py) turns them into cells, and each text line inside
each cell is cropped and recognised. Whole-page detection misses isolated one-character cells
("0" alone in a wide cell) and glues neighbouring cells together; cropping by the grid does not.
Text outside the tables goes through detection + recognition as usual.

Before anything is read, each page is cleaned the way scanners leave pages: dust specks are
removed, the paper's grain is whitened and a page fed askew is levelled (`ocr_page`). A long
screenshot (pages stacked in one image) is read in page-sized slices (`page_slices`).

Confidence: every recognised character has a probability; a table cell's confidence is the
lowest of its characters (one doubtful digit makes the number doubtful) and is kept on the
`TableCell`. A cell with no ink at all is blank with confidence 1.0. Text lines outside tables
whose weakest character is below `layout.LOW_CONFIDENCE` are listed in `Document.warnings`.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from xxgk.document import Document
from xxgk.errors import InputError, MissingExtraError
from xxgk.extract.layout import (
    Glyph,
    Grid,
    PageContent,
    Segment,
    Units,
    build_document,
    find_grids,
    group_lines,
    is_cjk,
    join_wrapped,
    line_text,
)
from xxgk.i18n import _
from xxgk.parse.lines import LOW_CONFIDENCE as META_DOUBTFUL

try:  # the OCR extra
    import cv2
    from rapidocr_onnxruntime import RapidOCR
except ImportError:  # pragma: no cover - exercised only without the extra
    cv2 = None
    RapidOCR = None

DPI = 150  # rasterisation of scanned PDF pages; the target the speed budget is set for
UNITS = Units(snap=2.0, min_cell=4.0)  # PDF points (pixels are converted before layout)
# Images whose shorter side is larger than this (pixels) are scaled down first: a 600-dpi A4
# scan costs four times the work of 300 dpi for no better recognition of 10-point text. The
# shorter side, because a report posted as one long screenshot is narrow and very tall, and
# scaling it by its height would shrink its text below what can be read.
MAX_SIDE = 2600
# An image taller than this many times its width is several pages stacked (a long screenshot):
# it is read in page-sized slices cut at blank bands, each levelled on its own.
_TALL = 1.7
_A4 = 1.414  # height / width of a portrait page
_MAX_PIXELS = 80_000_000  # refuse decompression bombs before decoding them

_engine_lock = threading.Lock()
_engine: RapidOCR | None = None


def _ocr_engine() -> RapidOCR:
    global _engine
    with _engine_lock:
        if _engine is None:
            # text_score=0: keep every recognition, however doubtful: we carry its confidence
            # instead of silently dropping what the engine was unsure of.
            _engine = RapidOCR(text_score=0.0, intra_op_num_threads=_threads(), inter_op_num_threads=1)
            # Detection runs on thin bands of the page; its default ("min" side up to 736 px)
            # would blow a 60 x 1240 band up twelvefold. Keep the raster's own scale instead.
            _engine.text_det.limit_type = "max"
            # OpenCV's own pool (resizing, morphology, rotation) keeps to the same budget: one
            # thread by default, so that a page costs one core whatever OpenCV would spread it on
            cv2.setNumThreads(_threads())
        return _engine


def _threads() -> int:
    """The engine's threads: XXGK_OCR_THREADS, default 1. The models run on small inputs (a
    cell, a line), which ONNX Runtime does not split well: on two cores a scanned page took
    2.5 s of wall time with two threads (4.8 s of CPU, mostly spinning) and 2.2 s with one,
    leaving the other core to a second report."""
    value = os.environ.get("XXGK_OCR_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _require(file: str) -> None:
    if RapidOCR is None or cv2 is None:
        raise MissingExtraError(file, _("reading scanned pages (OCR)"), "ocr")


# ---------------------------------------------------------------- entry points


def extract_image(data: bytes, file: str = "") -> Document:
    """A scanned page (or a multi-page TIFF) given as an image file."""
    _require(file)
    pages = []
    for rgb, px_per_pt in _decode_image(data, file):
        for top, bottom in page_slices(rgb):
            pages.append(ocr_page(np.ascontiguousarray(rgb[top:bottom]), len(pages) + 1, px_per_pt))
    pages = continued_tables(pages)
    doc = build_document(pages, kind="image", file=file, units=UNITS)
    doc.warnings[:0] = [note for p in pages for note in p.notes]
    return doc


def page_slices(rgb: np.ndarray) -> list[tuple[int, int]]:
    """Rows [top, bottom) of the page-sized slices of an image: the whole image when it is
    page-shaped, otherwise cuts at the widest blank band near every page height (the margins
    between two stacked pages are much wider than the space between paragraphs). Where there
    is no blank band, a table runs across the cut: it is made on a horizontal ruling, which
    both slices keep, so no row of the table is cut in two. A last slice shorter than a
    quarter page is not made (the margin at the bottom of the image is not a page)."""
    h, w = rgb.shape[:2]
    page = round(w * _A4)
    if h <= _TALL * w:
        return [(0, h)]
    ink = _binarised(rgb)
    inked = (ink > 0).sum(axis=1) >= max(3, w // 200)  # a few specks are not ink
    blank_runs = [(a, b) for a, b in _bands(~inked, min_size=1, max_gap=0) if a > 0 and b < h]
    ruled = _bands((ink > 0).sum(axis=1) >= w // 2, min_size=1, max_gap=0)
    slices: list[tuple[int, int]] = []
    top = 0
    while h - top > _TALL * w:
        target, lo, hi = top + page, top + page // 2, top + page * 3 // 2
        runs = [(a, b) for a, b in blank_runs if lo <= (a + b) // 2 < hi]
        rules = [(a, b) for a, b in ruled if lo <= a < hi]
        if runs:
            a, b = max(runs, key=lambda r: (r[1] - r[0], -abs((r[0] + r[1]) / 2 - target)))
            slices.append((top, (a + b) // 2))
            top = (a + b) // 2
        elif rules:
            a, b = min(rules, key=lambda r: abs(r[0] - target))
            slices.append((top, b))
            top = a
        else:
            slices.append((top, target))
            top = target
    if slices and h - top < page // 4:
        return [*slices[:-1], (slices[-1][0], h)]
    return [*slices, (top, h)]


def ocr_pdf_pages(data: bytes, file: str, numbers: list[int], dpi: int = DPI) -> list[PageContent]:
    """OCR of the given 1-based pages of a PDF (the ones without a text layer)."""
    _require(file)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        out = []
        for n in numbers:
            page = pdf[n - 1]
            try:
                # render() applies the page's /Rotate, so the raster is the page as displayed
                rgb = page.render(scale=dpi / 72, rev_byteorder=True).to_numpy()
            finally:
                page.close()
            out.append(ocr_page(np.ascontiguousarray(rgb[:, :, :3]), n, dpi / 72))
            del rgb  # a page at a time: the next raster is not made while this one is held
        return continued_tables(out)
    finally:
        pdf.close()


def ocr_pdf_regions(data: bytes, file: str, regions: dict[int, list[tuple[float, float, float, float]]],
                    dpi: int = DPI) -> dict[int, PageContent]:
    """OCR of parts of PDF pages (boxes in points, in the displayed page's frame): everything
    outside the boxes is blanked before recognition, so only those parts are read."""
    _require(file)
    import pypdfium2 as pdfium

    k = dpi / 72
    pdf = pdfium.PdfDocument(data)
    try:
        out = {}
        for n, boxes in sorted(regions.items()):
            page = pdf[n - 1]
            try:
                rgb = np.ascontiguousarray(page.render(scale=k, rev_byteorder=True).to_numpy()[:, :, :3])
            finally:
                page.close()
            keep = np.zeros(rgb.shape[:2], bool)
            for x0, top, x1, bottom in boxes:
                keep[max(int(top * k), 0):int(bottom * k) + 1, max(int(x0 * k), 0):int(x1 * k) + 1] = True
            rgb[~keep] = 255
            out[n] = ocr_page(rgb, n, k)
        return out
    finally:
        pdf.close()


def _decode_image(data: bytes, file: str) -> list[tuple[np.ndarray, float]]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = _MAX_PIXELS
    try:
        im = Image.open(io.BytesIO(data))
        frames = []
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            frame = ImageOps.exif_transpose(im.copy()) or im.copy()  # phone photos carry their rotation
            frame = frame.convert("RGB")
            dpi = _plausible_dpi(frame.info.get("dpi", (0, 0))[0], frame.width)
            scale = min(1.0, MAX_SIDE / min(frame.size))
            if scale < 1.0:
                frame = frame.resize((round(frame.width * scale), round(frame.height * scale)))
                dpi *= scale
            frames.append((np.asarray(frame), float(dpi) / 72))
        return frames
    except Image.DecompressionBombError as e:
        raise InputError(file, _("image too large to OCR ({error})").format(error=e)) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise InputError(file, _("not a readable image: {error}").format(error=e)) from e


def _plausible_dpi(tagged: float, width: int) -> float:
    """The resolution an image's tag claims, when the page it implies is page-sized; otherwise
    150. A scan shrunk for the web often keeps its 600-dpi tag: believing it would make the
    text look four times smaller than it is (and a "1" as small as dust)."""
    if tagged and _PAGE_WIDTH_PT[0] <= width * 72 / float(tagged) <= _PAGE_WIDTH_PT[1]:
        return float(tagged)
    return float(DPI)


_PAGE_WIDTH_PT = (280, 1300)  # A5 portrait (420 pt) with room for a crop, up to A3 landscape


# ---------------------------------------------------------------- tables over page breaks

_NUMBER = re.compile(r"^[\d.,，．]+$")
_MARGIN = 0.1  # of the page height: page numbers and running heads live above and below this


def continued_tables(pages: list[PageContent]) -> list[PageContent]:
    """Tables that run over a page break, made ready to be joined (build_document joins a
    table at the foot of a page with the one at the head of the next when their columns line
    up). Two things a scan does that a text layer does not:

    - each page is levelled on its own, so the continuation sits a few points left or right
      of where the table was: the next page is moved to line its table up with this one's;
    - a table's header alone at the foot of a page, its rows on the next (Word does this),
      is moved to the head of the next page, above its rows: left where it is, its header
      cells (自然人, 总计, spanning the header's rows) would be taken for labels cut by the
      break and glued to the first row's numbers."""
    out = list(pages)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if b.number != a.number + 1:
            continue
        last, first = _foot_grid(a), _head_grid(b)
        if last is None or first is None:
            continue
        width_a, width_b = last.xs[-1] - last.xs[0], first.xs[-1] - first.xs[0]
        if abs(width_a - width_b) > max(6.0, 0.02 * width_a):
            continue  # another table
        dx = last.xs[0] - first.xs[0]
        shifted = [x + dx for x in first.xs]
        shared = sum(1 for x in shifted if any(abs(x - y) <= 3 * UNITS.snap for y in last.xs))
        if shared < 0.6 * len(first.xs):
            continue
        b = _moved(b, dx, 0.0)
        # a header alone heads the next page's rows only if they draw every column it draws
        # (layout._join_tables asks the same before joining them)
        heads = all(any(abs(x - y) <= 3 * UNITS.snap for y in shifted) for x in last.xs)
        if _header_only(a, last) and heads:
            a, b = _header_to_next_page(a, b, last, first.ys[0])
        out[i], out[i + 1] = a, b
    return out


def _inside(x: float, y: float, box: tuple[float, float, float, float], pad: float = 1.0) -> bool:
    return box[0] - pad <= x <= box[2] + pad and box[1] - pad <= y <= box[3] + pad


def _foot_grid(page: PageContent) -> Grid | None:
    """The page's last table when nothing but margin furniture follows it."""
    grids = find_grids(page.segments, UNITS)
    if not grids:
        return None
    grid = max(grids, key=lambda g: g.ys[-1])
    below = [g for g in page.glyphs if g.top > grid.ys[-1] and g.bottom < (1 - _MARGIN) * page.height]
    return None if below else grid


def _head_grid(page: PageContent) -> Grid | None:
    """The page's first table when nothing but margin furniture precedes it."""
    grids = find_grids(page.segments, UNITS)
    if not grids:
        return None
    grid = min(grids, key=lambda g: g.ys[0])
    above = [g for g in page.glyphs if g.bottom < grid.ys[0] and g.top > _MARGIN * page.height]
    return None if above else grid


def _header_only(page: PageContent, grid: Grid) -> bool:
    """A table without a single number in it: a header whose rows are on the next page."""
    texts = [g.text for g in page.glyphs if _inside(g.cx, g.cy, grid.box)]
    return bool(texts) and not any(_NUMBER.match(t.strip()) for t in texts if t.strip())


def _moved(page: PageContent, dx: float, dy: float) -> PageContent:
    if not dx and not dy:
        return page
    return replace(page, glyphs=[_shifted(g, dx, dy) for g in page.glyphs],
                   segments=[Segment(s.x0 + dx, s.y0 + dy, s.x1 + dx, s.y1 + dy) for s in page.segments])


def _shifted(g: Glyph, dx: float, dy: float) -> Glyph:
    return Glyph(g.text, g.x0 + dx, g.top + dy, g.x1 + dx, g.bottom + dy, g.size, g.confidence, g.space)


def _header_to_next_page(a: PageContent, b: PageContent, header: Grid,
                         rows_top: float) -> tuple[PageContent, PageContent]:
    """Move the header table `header` from the foot of page `a` to just above the rows that
    start at `rows_top` on page `b` (its bottom ruling becomes their top ruling)."""
    box = header.box
    glyphs = [g for g in a.glyphs if _inside(g.cx, g.cy, box)]
    segments = [s for s in a.segments if _inside(s.x0, s.y0, box, 2.0) and _inside(s.x1, s.y1, box, 2.0)]
    dy = rows_top - header.ys[-1]
    room = rows_top - (header.ys[-1] - header.ys[0])
    push = max(0.0, 2.0 - room)  # no room above the rows: the page grows downwards
    b = _moved(b, 0.0, push)
    moved_glyphs = [_shifted(g, 0.0, dy + push) for g in glyphs]
    moved_segments = [Segment(s.x0, s.y0 + dy + push, s.x1, s.y1 + dy + push) for s in segments]
    a = replace(a, glyphs=[g for g in a.glyphs if not _inside(g.cx, g.cy, box)],
                segments=[s for s in a.segments if s not in segments])
    b = replace(b, height=b.height + push, glyphs=moved_glyphs + b.glyphs, segments=moved_segments + b.segments,
                notes=[*b.notes, f"p{b.number}: the table's header printed at the foot of p{a.number} "
                                 "was read with its rows"])
    return a, b


# ---------------------------------------------------------------- one page


@dataclass
class _Crop:
    """A text line cut out of a table cell, waiting for recognition."""

    image: np.ndarray
    box: tuple[float, float, float, float]  # pixels: x0, top, x1, bottom
    cell: int = -1  # which cell of the page it was cut from (crops of one cell share it)


def ocr_page(rgb: np.ndarray, number: int, px_per_pt: float) -> PageContent:
    """Recognise one page raster into glyphs and rulings (in points, like a PDF text layer)."""
    rgb, sealed = lift_seals(rgb)
    ink = _binarised(rgb)
    specks = _isolated_specks(ink, px_per_pt)
    if specks.any():
        rgb = rgb.copy()
        rgb[specks] = 255
        ink[specks] = 0
    angle = skew_angle(ink)
    if angle:
        rgb = _rotated(rgb, angle, 255)
        ink = _binarised(rgb)
        sealed = _rotated(sealed, angle, 0) if sealed is not None else None
    turn = 90 if is_sideways(ink) else 0
    if turn:
        rgb, ink = np.ascontiguousarray(np.rot90(rgb)), np.ascontiguousarray(np.rot90(ink))
        sealed = np.ascontiguousarray(np.rot90(sealed)) if sealed is not None else None
    if is_upside_down(rgb, ink):
        rgb, ink = np.ascontiguousarray(rgb[::-1, ::-1]), np.ascontiguousarray(ink[::-1, ::-1])
        sealed = np.ascontiguousarray(sealed[::-1, ::-1]) if sealed is not None else None
        turn = (turn + 180) % 360
    rgb = _clean_background(rgb, ink)
    # Rulings are searched in a more lenient ink: a hairline blurred by the scanner (or
    # lightened where a seal was lifted off it) is grey, lighter than Otsu's threshold in
    # places, and a ruling broken there merges two columns. Only long straight runs survive
    # the search, so the grain a lenient threshold lets in does no harm.
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    ruling_ink = np.where(gray < _RULING_GREY, 255, ink).astype(np.uint8)
    h_mask, v_mask, segments = _rulings(ruling_ink)
    if sealed is not None:
        segments = bridged_under_seal(segments, sealed, h_mask, v_mask, ruling_ink)
    px_units = Units(snap=UNITS.snap * px_per_pt, min_cell=UNITS.min_cell * px_per_pt)
    grids = find_grids(segments, px_units)
    ruled = cv2.dilate(h_mask | v_mask, np.ones((3, 3), np.uint8))
    text_ink = cv2.bitwise_and(ink, cv2.bitwise_not(ruled))

    glyphs: list[Glyph] = []
    crops = [c for grid in grids for c in _cell_crops(rgb, text_ink, grid)]
    # a merged region that is not a rectangle is read as its bounding rectangle (layout), which
    # may cover another cell's text: a line is read once, whatever cells reach over it
    seen: set[tuple[float, float, float, float]] = set()
    crops = [c for c in crops if not (c.box in seen or seen.add(c.box))]
    glyphs.extend(_recognise_crops(crops))
    free = _recognise_free_text(rgb, ink, grids)
    glyphs.extend(free)

    scale = 1.0 / px_per_pt
    h, w = ink.shape
    notes = []
    if turn:
        notes.append(_("p{page}: the page was scanned turned {turn}° and was read upright").format(
            page=number, turn=turn))
    if abs(angle) > 1.5:
        notes.append(_("p{page}: the page was scanned {angle:.1f}° askew and was levelled").format(
            page=number, angle=abs(angle)))
    if number == 1:
        notes.extend(title_note(free))
    return PageContent(
        number=number,
        width=w * scale,
        height=h * scale,
        glyphs=[_scaled(g, scale) for g in glyphs],
        segments=[Segment(s.x0 * scale, s.y0 * scale, s.x1 * scale, s.y1 * scale) for s in segments],
        notes=notes,
        blank_confidence=1.0,
    )


_SECTION_START = re.compile(r"^\s*[一二三四五六][、.．]")
_TITLE_LINES = 3


def title_note(glyphs: list[Glyph]) -> list[str]:
    """The report's title as OCR read it, with its confidence: the body, the year and the
    title itself (meta) come from these lines, and a person should know how sure the reading
    is. The lines above the first section heading of the first page, at most three. A title
    whose weakest character is below parse.lines.LOW_CONFIDENCE is marked doubtful, as the
    parser marks the meta values it reads from it."""
    lines = []
    for line in group_lines(glyphs):
        text = line_text(line)
        if not text:
            continue
        if _SECTION_START.match(text) or len(lines) == _TITLE_LINES:
            break
        lines.append((text, min((g.confidence for g in line if g.confidence is not None), default=1.0)))
    if not lines:
        return []
    confidence = min(c for _, c in lines)
    # the threshold the parser marks meta values read from these lines by (meta.provenance)
    doubtful = confidence < META_DOUBTFUL
    title = join_wrapped([t for t, _c in lines])
    message = _("p1: title read by OCR (doubtful, confidence {confidence:.2f}): {title}") if doubtful else _(
        "p1: title read by OCR (confidence {confidence:.2f}): {title}")
    return [message.format(confidence=confidence, title=title)]


def seal_footprint(rgb: np.ndarray) -> np.ndarray | None:
    """Where a red seal was stamped (255), with a margin; None on a page without one."""
    return lift_seals(rgb)[1]


def lift_seals(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The page with its red seals lifted off (`without_seals`) and where they were
    (`seal_footprint`: 255 over each seal's disc, with a margin; None without a seal)."""
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        return rgb, None
    redness = _redness(rgb)
    red = redness > _RED
    count = int(np.count_nonzero(red))
    if not count:
        return rgb, None
    # the seal's disc, not just its strokes: the rulings are broken between the strokes too
    near = cv2.dilate(red.view(np.uint8), np.ones((25, 25), np.uint8))
    # and the whole disc, its strokes' hull: lifted off, a seal's ring and star leave the
    # rulings inside the ring broken between the strokes as well
    contours, _ = cv2.findContours(near, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        cv2.fillConvexPoly(near, cv2.convexHull(contour), 1)
    return _lifted(rgb, redness, red, near > 0), (near * 255 if count >= 50 else None)


def _redness(rgb: np.ndarray) -> np.ndarray:
    """How much redder than green or blue each pixel is (int16; grey pixels 0)."""
    return rgb[:, :, 0].astype(np.int16) - np.maximum(rgb[:, :, 1], rgb[:, :, 2]).astype(np.int16)


def bridged_under_seal(segments: list[Segment], sealed: np.ndarray, h_mask: np.ndarray,
                       v_mask: np.ndarray, ink: np.ndarray | None = None) -> list[Segment]:
    """Rulings broken where a seal was stamped over them, joined again. Lifting the seal off
    leaves the rulings under it thinned and broken, and a column rule missing over a few rows
    merges those rows' cells. Two collinear pieces are joined only when the gap between them
    lies under the seal: elsewhere a missing ruling is a merged cell the form prints."""
    out: list[Segment] = []
    for horizontal in (True, False):
        lines = sorted((s for s in segments if s.horizontal == horizontal),
                       key=lambda s: ((s.y0, s.x0) if horizontal else (s.x0, s.y0)))
        merged: list[Segment] = []
        for seg in lines:
            if merged:
                last = merged[-1]
                same = abs((seg.y0 - last.y0) if horizontal else (seg.x0 - last.x0)) <= 3
                a, b = (last.x1, seg.x0) if horizontal else (last.y1, seg.y0)
                if same and b > a and _under(sealed, last, seg, horizontal):
                    joined = (Segment(last.x0, (last.y0 + seg.y0) / 2, seg.x1, (last.y0 + seg.y0) / 2) if horizontal
                              else Segment((last.x0 + seg.x0) / 2, last.y0, (last.x0 + seg.x0) / 2, seg.y1))
                    mask = h_mask if horizontal else v_mask
                    cv2.line(mask, (round(joined.x0), round(joined.y0)), (round(joined.x1), round(joined.y1)), 255, 2)
                    merged[-1] = joined
                    continue
            merged.append(seg)
        out.extend(merged)
    for _pass in range(12):  # a ruling is carried one cell at a time, and one reaching further
        longer = _dangling_extended(out, sealed, h_mask, v_mask, ink)  # lets those it meets go on
        if longer == out:
            break
        out = longer
    return out


_MEETS = 6  # pixels: a ruling's end this close to a crossing ruling meets it


def _crossing(segments: list[Segment], horizontal: bool, at: float) -> list[float]:
    """Where the rulings that cross the line `at` (a row rule's y, a column rule's x) do."""
    out = []
    for t in segments:
        if t.horizontal == horizontal:
            continue
        a, b = (t.y0, t.y1) if horizontal else (t.x0, t.x1)
        if a - _MEETS <= at <= b + _MEETS:
            out.append(t.x0 if horizontal else t.y0)
    return sorted(out)


def _dangling_extended(segments: list[Segment], sealed: np.ndarray, h_mask: np.ndarray,
                       v_mask: np.ndarray, ink: np.ndarray | None = None) -> list[Segment]:
    """Rulings whose end was lifted off with the seal, carried on to the next crossing ruling.

    Every ruling of a printed form ends on another one. A seal over the last column of a table
    takes the row rules' ends with it, and that column's cells merge into one running from the
    header to the last row. A ruling is extended when its end lies under the seal and the gap
    to the next crossing ruling lies (mostly) under the seal too, and either
    - its end meets no crossing ruling (it ends in the open: part of it is missing), or
    - it meets one, but the gap beyond it still bears a faint trace of the ruling in `ink`
      (the lenient ink rulings are searched in; a form's merged cell has blank paper there)."""
    h, w = sealed.shape
    out = list(segments)
    for k, seg in enumerate(out):
        at = seg.y0 if seg.horizontal else seg.x0  # the ruling's own line
        lo, hi = (seg.x0, seg.x1) if seg.horizontal else (seg.y0, seg.y1)
        crossing = _crossing(out, seg.horizontal, at)
        new_lo, new_hi = lo, hi
        for end, step in ((lo, -1), (hi, 1)):
            y, x = (round(at), round(end)) if seg.horizontal else (round(end), round(at))
            if not (0 <= y < h and 0 <= x < w and sealed[y, x]):
                continue
            meets = any(abs(p - end) <= _MEETS for p in crossing)
            beyond = [p for p in crossing if (p - end) * step > _MEETS]
            if not beyond or (meets and ink is None):
                continue
            target = min(beyond, key=lambda p: abs(p - end))
            # the gap lies under the seal, or shows the ruling (near the seal's edge the
            # ruling is left in pieces too short to be found as one)
            covered = _gap_share(sealed if ink is None else sealed | ink, seg.horizontal, at, end, target, 0)
            if covered < 0.8:
                continue
            if meets and _gap_share(ink, seg.horizontal, at, end, target, 1) \
                    < 0.2 + max(_gap_share(ink, seg.horizontal, at + d, end, target, 1) for d in (-6, 6)):
                continue
            new_lo, new_hi = (target, new_hi) if step < 0 else (new_lo, target)
        if (new_lo, new_hi) != (lo, hi):
            grown = (Segment(new_lo, at, new_hi, at) if seg.horizontal else Segment(at, new_lo, at, new_hi))
            mask = h_mask if seg.horizontal else v_mask
            cv2.line(mask, (round(grown.x0), round(grown.y0)), (round(grown.x1), round(grown.y1)), 255, 2)
            out[k] = grown
    return out


def _gap_share(mask: np.ndarray, horizontal: bool, at: float, a: float, b: float, half: int) -> float:
    """The share of the positions from `a` to `b` along the line `at` (within `half` pixels of
    it, across) where `mask` is set."""
    h, w = mask.shape
    lo, hi = sorted((round(a), round(b)))
    c0, c1 = max(round(at) - half, 0), round(at) + half + 1
    strip = mask[c0:min(c1, h), max(lo, 0):min(hi + 1, w)] if horizontal \
        else mask[max(lo, 0):min(hi + 1, h), c0:min(c1, w)].T
    return float((strip > 0).any(axis=0).mean()) if strip.size else 0.0


def _under(sealed: np.ndarray, a: Segment, b: Segment, horizontal: bool) -> bool:
    """Whether the gap between two collinear rulings lies (mostly) under the seal."""
    h, w = sealed.shape
    if horizontal:
        y = min(max(round((a.y0 + b.y0) / 2), 0), h - 1)
        gap = sealed[y, max(round(a.x1), 0):min(round(b.x0) + 1, w)]
    else:
        x = min(max(round((a.x0 + b.x0) / 2), 0), w - 1)
        gap = sealed[max(round(a.y1), 0):min(round(b.y0) + 1, h), x]
    return gap.size > 0 and float((gap > 0).mean()) >= 0.8


_RULING_GREY = 210  # grey levels: darker than this may be part of a ruling


# A pixel this much redder than it is green or blue is seal ink (an official seal is stamped in
# red; printed text is black or grey, whose three channels are equal).
_RED = 40


def without_seals(rgb: np.ndarray) -> np.ndarray:
    """The page with its red seals lifted off. A seal is stamped in red over the text, which
    multiplies the ink: under the seal black text stays black, the paper turns red. The red
    channel barely sees red ink, so wherever a pixel is red it is replaced by its red channel
    (grey): the seal's ring and star become light paper, the text under them stays dark.
    A grey scan has no red and is returned as it is."""
    return lift_seals(rgb)[0]


# Inside a seal's disc a pixel this much redder (averaged over 3 x 3 pixels) is seal ink too.
# JPEG keeps colour at half resolution and quantises it hardest where it changes fast: a thin
# stroke of the seal (its characters) keeps its dark brightness but loses most of its red
# (measured: 160,117,131 - redness 29 - on a stroke whose neighbours are all below _RED).
# Paper and print are grey: their redness is 0 on the generator's scans and a few levels of
# colour noise on a real colour scanner.
_TINT = 12


def _lifted(rgb: np.ndarray, redness: np.ndarray, red: np.ndarray, disc: np.ndarray) -> np.ndarray:
    # JPEG keeps colour at half resolution or less: a thin stroke of the seal is darker than
    # the paper but barely red. Taking the red channel of a grey pixel changes nothing, so the
    # whole neighbourhood of the red ink is taken, generously.
    # Red ink still darkens the red channel a little (and blur and JPEG mix it with the
    # paper): the red channel under the seal is stretched so that the seal's own level (the
    # red channel of pure seal ink on paper) becomes paper, while everything much darker than
    # that (text and rulings under the seal) keeps its grey: a faint ruling lightened with the
    # seal would break, and its table's columns merge.
    r = rgb[:, :, 0]
    pure = redness > 2 * _RED
    seal_level = float(np.percentile(r[pure if pure.any() else red], 10))
    dark = 0.6 * seal_level
    near = cv2.dilate(red.view(np.uint8), np.ones((9, 9), np.uint8)) > 0
    ys, xs = np.nonzero(disc)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    tint = cv2.blur(redness[y0:y1, x0:x1].astype(np.float32), (3, 3)) > _TINT
    tinted = cv2.dilate((tint & disc[y0:y1, x0:x1]).view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    near[y0:y1, x0:x1] |= tinted
    v = r[near].astype(np.float32)
    stretched = dark + (v - dark) * (250.0 - dark) / max(seal_level - dark, 1.0)
    lifted = np.clip(np.where(v <= dark, v, stretched), 0, 255).astype(np.uint8)
    out = rgb.copy()
    out[near] = lifted[:, None]
    return out


def _binarised(rgb: np.ndarray) -> np.ndarray:
    """Ink 255, paper 0 (Otsu's threshold)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]


_SKEW_LIMIT = 10.0  # degrees: a sheet fed further askew than this is not corrected
_SKEW_STEP = 0.05


def skew_angle(ink: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive) that levels a page fed askew; 0.0
    when it is level to within a twentieth of a degree.

    Projection-profile method: rows of text and table rulings make the horizontal ink profile
    spiky when the page is level and smooth when it is turned, so the angle that maximises the
    profile's energy (sum of squared row sums, plus the same of the columns, so that a page
    scanned sideways is levelled before its orientation is decided) is the skew. Searched coarse on a quarter-size
    copy over ±10°, then fine on a half-size copy. A tilt of even half a degree moves a ruling
    10 px across a table, which splits its rows, so the correction matters more for tables
    than for the recogniser."""
    if min(ink.shape[:2]) < 16:
        return 0.0
    half = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if not half.any():
        return 0.0
    quarter = cv2.resize(half, (half.shape[1] // 2, half.shape[0] // 2), interpolation=cv2.INTER_AREA)

    def energy(img: np.ndarray, angle: float) -> float:
        # rows and columns both: a page scanned sideways has its lines running down
        turned = _rotated(img, angle, 0)
        rows, cols = turned.sum(axis=1, dtype=np.float64), turned.sum(axis=0, dtype=np.float64)
        return float(np.dot(rows, rows) + np.dot(cols, cols))

    coarse = max(np.arange(-_SKEW_LIMIT, _SKEW_LIMIT + 1e-9, 0.5), key=lambda a: energy(quarter, a))
    mid = max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.25), key=lambda a: energy(half, a))
    fine = max(np.arange(mid - 0.25, mid + 0.25 + 1e-9, _SKEW_STEP), key=lambda a: energy(half, a))
    angle = round(float(fine), 2)
    return 0.0 if abs(angle) < _SKEW_STEP or abs(angle) > _SKEW_LIMIT + 0.5 else angle


def _text_ink(ink: np.ndarray) -> np.ndarray:
    """A half-size copy of the page's ink without the tables' rulings (they run both ways)."""
    small = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA)
    small = np.where(small > 96, 255, 0).astype(np.uint8)
    long_h = _runs(small, (max(20, small.shape[1] // 12), 1), (1, 1))
    long_v = _runs(small, (1, max(20, small.shape[0] // 12)), (1, 1))
    return cv2.bitwise_and(small, cv2.bitwise_not(cv2.dilate(long_h | long_v, np.ones((3, 3), np.uint8))))


def is_sideways(ink: np.ndarray) -> bool:
    """Whether the (level) page's text runs down rather than across: a sheet scanned turned
    90° or 270°, stored as it came with no /Rotate flag. Two witnesses, multiplied:

    - text lines are runs of characters set close together with wider gaps between the lines:
      smearing the ink along the lines (a closing as long as a character) turns each into one
      long thin blob, smearing across them does not;
    - a table's rows are a line of text high and its columns far wider, so its rulings run
      mostly across the page (the text test alone is fooled by a table's columns of digits).
    """
    text = _text_ink(ink)
    em = _character_size(text)
    across = sum(b[2] for b in _line_blobs(text, em, horizontal=True)) if em else 0
    down = sum(b[2] for b in _line_blobs(text, em, horizontal=False)) if em else 0
    small = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA)
    small = np.where(small > 96, 255, 0).astype(np.uint8)
    rule = 60  # half-size pixels: 3 cm at 150 dpi, longer than any character
    h_rules = int((_runs(small, (rule, 1), (1, 1)) > 0).sum())
    v_rules = int((_runs(small, (1, rule), (1, 1)) > 0).sum())
    prior = 50  # pixels of evidence each way before any is seen: a blank page is upright
    return (down + prior) * (v_rules + prior) > 2 * (across + prior) * (h_rules + prior)


_SURE_VOTES = 6  # the orientation classifier's batch
_SURE_VOTE = 0.9


def is_upside_down(rgb: np.ndarray, ink: np.ndarray) -> bool:
    """Whether a level page with horizontal text reads upside down: RapidOCR's line
    orientation classifier votes on pieces of the longest lines (about 4:1, as it was trained),
    each vote weighed by its score."""
    text = _text_ink(ink)
    em = _character_size(text)
    if em == 0:
        return False
    lines = sorted(_line_blobs(text, em, horizontal=True), key=lambda b: -b[2])[:24]
    pieces = []
    for x, y, length, thick in lines:
        x0, y0, x1, y1 = x * 2, y * 2, (x + min(length, 4 * thick)) * 2, (y + thick) * 2
        pieces.append(np.ascontiguousarray(rgb[max(y0 - 2, 0):y1 + 2, max(x0 - 2, 0):x1 + 2]))
    if not pieces:
        return False
    # the longest lines first: when the first six agree surely, the rest are not asked
    _, results, _ = _ocr_engine().text_cls(pieces[:_SURE_VOTES])
    sides = {"180" in str(label) for label, _score in results}
    if len(pieces) > _SURE_VOTES and (len(sides) > 1 or min(score for _l, score in results) < _SURE_VOTE):
        _, more, _ = _ocr_engine().text_cls(pieces[_SURE_VOTES:])
        results = [*results, *more]
    flipped = sum(score for label, score in results if "180" in str(label))
    upright = sum(score for label, score in results if "180" not in str(label))
    return flipped > upright


def _components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """cv2.connectedComponentsWithStats (8-connected) with 16-bit labels where they suffice: a
    page's labels image is written and read at half the memory traffic, which is most of the
    function's cost (measured: 6 ms instead of 15 for a 150-dpi page). A page with more than
    65,534 blobs (noise) is labelled in 32 bits, with the same result."""
    try:
        return cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:
        return cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)


def _character_size(text: np.ndarray) -> int:
    """The usual size of a character (pixels): the median extent of ink blobs of plausible size."""
    _, _, stats, _ = _components(text)
    extent = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    extent = extent[(extent >= 4) & (extent <= 60)]
    return int(np.median(extent)) if extent.size >= 20 else 0


def _line_blobs(text: np.ndarray, em: int, horizontal: bool) -> list[tuple[int, int, int, int]]:
    """Ink smeared along one direction: blobs at least four characters long and about one
    character thick, as (x, y, length, thickness)."""
    kernel = (em, 1) if horizontal else (1, em)
    smeared = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    n, _, stats, _ = _components(smeared)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[i])
        length, thick = (w, h) if horizontal else (h, w)
        if length >= 4 * em and 0.5 * em <= thick <= 2.0 * em:
            out.append((x, y, length, thick))
    return out


def _rotated(img: np.ndarray, angle: float, fill: int) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = (fill,) * (img.shape[2] if img.ndim == 3 else 1)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _isolated_specks(ink: np.ndarray, px_per_pt: float) -> np.ndarray:
    """Scanner dust: ink blobs far smaller than a full stop that do not sit between characters.

    Left in, a speck stretches a cell's crop to reach it and is read as "." or "'" next to the
    number ("0." or ".50."), and it splits the free-text bands. A decimal point or the dot of
    "1.属于…" can be as small, but it always has its digit just left of it (within 3 pt) and
    more text to its right (within 6 pt, half a character); a speck beside a number has ink
    on one side at most, so that is what is removed."""
    max_area = max(2, int(0.6 * px_per_pt * px_per_pt))  # 2 px at 150 dpi, 10 px at 300 dpi
    _, labels, stats, _ = _components(ink)
    area, height, width = stats[:, cv2.CC_STAT_AREA], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    # The page's own text size bounds a speck too, whatever the resolution claims: a "1" is
    # thin but as tall as a character, dust is small both ways.
    text_sized = (area > 2) & (height < ink.shape[0] / 10)
    text_sized[0] = False
    glyph_h = float(np.median(height[text_sized])) if text_sized.any() else 10 * px_per_pt
    max_side = max(2, round(0.3 * glyph_h))
    small = (area <= max_area) & (height <= max_side) & (width <= max_side)
    small[0] = False  # the background
    if not small.any():
        return np.zeros(ink.shape, bool)
    tiny = small[labels]
    # characters, not table rulings: a ruling beside a speck must not vouch for it
    extent = np.maximum(width, height)
    glyph_like = ~small & (extent < 40 * px_per_pt)
    glyph_like[0] = False
    text = np.where(glyph_like[labels], 255, 0).astype(np.uint8)
    left, right = max(3, round(3 * px_per_pt)), max(5, round(6 * px_per_pt))
    tall = max(3, round(4 * px_per_pt)) | 1  # a dot sits on the baseline: look 2 pt above and below
    # the anchor at the kernel's right edge looks left of each pixel, at its left edge right
    ink_left = cv2.dilate(text, np.ones((tall, left), np.uint8), anchor=(left - 1, tall // 2)) > 0
    ink_right = cv2.dilate(text, np.ones((tall, right), np.uint8), anchor=(0, tall // 2)) > 0
    return tiny & ~(ink_left & ink_right)


def _clean_background(rgb: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The page with the paper set to white: scanner grain costs the recogniser confidence (a
    clean "0" drops from 0.99 to 0.85) without carrying any information.

    Kept: the ink with a one-pixel rim (the anti-aliased edges the models were trained on) and
    every pixel clearly darker than the paper's grain, so that a faint thin stroke that Otsu's
    threshold left out (the upper bar of a small "二") is not erased with the grain."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # the paper's grey levels as a histogram: their median and median deviation exactly as
    # np.median would give them, without sorting (or copying to float) two million pixels
    counts = cv2.calcHist([gray], [0], cv2.bitwise_not(ink), [256], [0, 256]).ravel()
    if counts.sum():
        levels = np.arange(256, dtype=np.float64)
        paper = _weighted_median(levels, counts)
        grain = 1.4826 * _weighted_median(np.abs(levels - paper), counts)
    else:
        paper, grain = 255.0, 0.0
    faint = gray < paper - max(24.0, 4.0 * grain)
    keep = (cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0) | faint
    out = np.full_like(rgb, 255)
    out[keep] = rgb[keep]
    return out



def _weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    """The median of a sample given as distinct values and how often each occurs (as
    np.median: the mean of the two middle ones when the sample's size is even)."""
    order = np.argsort(values, kind="stable")
    v, c = values[order], np.cumsum(counts[order])
    n = int(c[-1])
    lo = float(v[np.searchsorted(c, (n - 1) // 2, side="right")])
    hi = float(v[np.searchsorted(c, n // 2, side="right")])
    return (lo + hi) / 2

def _scaled(g: Glyph, k: float) -> Glyph:
    return Glyph(g.text, g.x0 * k, g.top * k, g.x1 * k, g.bottom * k, g.size * k, g.confidence)


def _rulings(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Segment]]:
    """Table rulings in the raster: runs of ink far longer than any character is wide, and the
    short vertical rulings of a one-line row that run from one horizontal ruling to the next
    (between two full-width rows such a row's column rules are no taller than a character, but
    a character's stroke never touches a ruling at both ends)."""
    h, w = ink.shape
    long_h = max(20, w // 30)
    long_v = max(20, h // 50)
    short_v = max(8, h // 140)
    h_mask = _runs(ink, (long_h, 1), (5, 1))
    v_mask = _runs(ink, (1, long_v), (1, 5))
    short = _runs(ink, (1, short_v), (1, 1)) & ~v_mask
    # A ruling is drawn through the rulings it joins: its ink runs on into theirs at both ends.
    # A stroke of a character, however tall, has paper between it and the cell's border.
    n, labels, stats, _ = _components(short)
    keep = np.zeros(n, bool)
    for i in np.flatnonzero(stats[:, cv2.CC_STAT_WIDTH] <= 6):
        if i == 0:
            continue
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        ends_top = h_mask[y:y + 2, x:x + bw].any()
        ends_bottom = h_mask[max(y + bh - 2, 0):y + bh, x:x + bw].any()
        keep[i] = ends_top and ends_bottom
    if keep.any():
        v_mask[keep[labels]] = 255
    segments: list[Segment] = []
    for mask, horizontal in ((h_mask, True), (v_mask, False)):
        n, labels, stats, _ = _components(mask)
        strokes = np.zeros(n, bool)
        for i in range(1, n):
            x, y, bw, bh, _ = (int(v) for v in stats[i])
            if horizontal and bw >= long_h:
                segments.append(Segment(float(x), y + bh / 2, float(x + bw), y + bh / 2))
            elif not horizontal and bh >= short_v:
                if bh < 4 * long_v and _flanked(ink, x, y, bw, bh):
                    strokes[i] = True  # strokes of characters one above the other, not a rule
                    continue
                segments.append(Segment(x + bw / 2, float(y), x + bw / 2, float(y + bh)))
        if strokes.any():
            mask[strokes[labels]] = 0
    return h_mask, v_mask, segments



def _flanked(ink: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
    """Whether a short upright run of ink has ink beside it along most of its length: the
    stroke of a character has strokes branching off it (内, 性), a column rule has the cell's
    margin of paper either side. In a blurred scan, bold characters in a tight row reach both
    of its rulings (a "rule" through 信息内|容 split the label's cell in two)."""
    side = 3
    rows = slice(y + 3, y + h - 3)  # not where the rule meets the row rules
    left = ink[rows, max(x - 1 - side, 0):max(x - 1, 0)]
    right = ink[rows, x + w + 1:x + w + 1 + side]
    if left.size == 0 and right.size == 0:
        return False
    beside = (left > 0).any(axis=1) if left.size else np.zeros(0, bool)
    if right.size:
        beside = beside | (right > 0).any(axis=1) if beside.size else (right > 0).any(axis=1)
    return beside.size > 0 and float(beside.mean()) >= 0.5

def _runs(ink: np.ndarray, length: tuple[int, int], bridge: tuple[int, int]) -> np.ndarray:
    """Ink runs at least `length` (w, h) long, with the one- or two-pixel breaks a scan leaves
    in a ruling bridged."""
    mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, length))
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))


def _bands(profile: np.ndarray, min_size: int, max_gap: int) -> list[tuple[int, int]]:
    """Runs of non-zero entries, merged across gaps up to `max_gap`, at least `min_size` long."""
    idx = np.flatnonzero(profile)
    if idx.size == 0:
        return []
    runs: list[list[int]] = [[int(idx[0]), int(idx[0])]]
    for i in idx[1:]:
        if i - runs[-1][1] <= max_gap + 1:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    return [(a, b + 1) for a, b in runs if b + 1 - a >= min_size]


def _merge_strokes(rows: list[tuple[int, int]], line_height: float) -> list[tuple[int, int]]:
    """Ink bands closer than a character is tall belong together: the strokes of "三" or "二"
    are separate bands of ink, a label wrapped over two lines is not."""
    out: list[tuple[int, int]] = []
    for a, b in rows:
        if out and b - out[-1][0] <= 1.3 * line_height:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _stacked_split(region: np.ndarray, rows: list[tuple[int, int]], merged: list[tuple[int, int]],
                   line_height: float) -> list[tuple[int, int]]:
    """A group label printed one character per line ("三、本年度办理结果" down a narrow cell)
    is a column of square characters set closer than the table's lines: a band much taller
    than its ink is wide is split again into character-sized pieces."""
    out: list[tuple[int, int]] = []
    for a, b in merged:
        cols = np.flatnonzero((region[a:b] > 0).sum(axis=0))
        width = int(cols[-1] - cols[0] + 1) if cols.size else 0
        # a column as wide as a CJK character (digits are half as wide) and much taller
        if width and b - a > 1.6 * width and 0.75 * line_height <= width <= 1.6 * line_height:
            profile = (region > 0).sum(axis=1)
            for pa, pb in _merge_strokes([(x, y) for x, y in rows if a <= x and y <= b], 1.1 * width / 1.3):
                out.extend(_cut_square(profile, pa, pb, width))
        else:
            out.append((a, b))
    return out


def _cut_square(profile: np.ndarray, a: int, b: int, width: int) -> list[tuple[int, int]]:
    """Characters touching one another down a column: cut the run into square pieces at the
    lightest row near each multiple of the character size."""
    n = round((b - a) / width)
    if n <= 1:
        return [(a, b)]
    pitch = (b - a) / n
    cuts = [a]
    for i in range(1, n):
        lo, hi = int(a + pitch * i - pitch / 3), int(a + pitch * i + pitch / 3)
        cuts.append(lo + int(np.argmin(profile[lo:hi + 1])))
    cuts.append(b)
    return [(x, y) for x, y in itertools.pairwise(cuts) if y > x]


def _without(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The page with the masked pixels (the rulings) turned to paper: a crop's margin reaches
    into the cell's border, and a stroke of ruling above a "0" costs the recogniser a fifth of
    its confidence."""
    if not mask.any():
        return rgb
    out = rgb.copy()
    out[mask > 0] = 255
    return out


_cell_counter = itertools.count()  # crop ids: only equality within one page matters


def _inked_columns(band: np.ndarray, line_height: float) -> np.ndarray:
    """Columns of a text line's band that hold its ink, without a speck of dust far to either
    side: a crop stretched from a "0" to a speck across the cell is mostly blank, and the
    recogniser is then unsure of the "0" (0.15 instead of 0.92)."""
    mass = (band > 0).sum(axis=0)
    cols = np.flatnonzero(mass)
    if cols.size == 0:
        return cols
    gap = max(3, int(line_height * 0.8))
    runs = _bands(mass > 0, min_size=1, max_gap=gap)
    tiny = max(4, int(0.04 * line_height * line_height))
    while len(runs) > 1 and int(mass[runs[0][0]:runs[0][1]].sum()) <= tiny:
        runs = runs[1:]
    while len(runs) > 1 and int(mass[runs[-1][0]:runs[-1][1]].sum()) <= tiny:
        runs = runs[:-1]
    return cols[(cols >= runs[0][0]) & (cols < runs[-1][1])]


def _cell_crops(rgb: np.ndarray, text_ink: np.ndarray, grid: Grid) -> list[_Crop]:
    """Every text line inside every cell of a grid, cut out with a small margin."""
    out: list[_Crop] = []
    h, w = text_ink.shape
    inset = 3  # keep clear of the ruling itself
    regions = []
    _cell_ids: list[int] = []
    for cell in grid.cells:
        x0, top, x1, bottom = (round(v) for v in cell.box)
        x0, top = max(x0 + inset, 0), max(top + inset, 0)
        x1, bottom = min(x1 - inset, w), min(bottom - inset, h)
        if x1 - x0 < 4 or bottom - top < 4:
            continue
        region = text_ink[top:bottom, x0:x1]
        # no minimum height yet: a stroke of "三" is one pixel tall and must survive to be merged
        regions.append((x0, top, region, _bands((region > 0).sum(axis=1) >= 1, min_size=1, max_gap=1)))
        _cell_ids.append(next(_cell_counter))
    heights = sorted(b - a for *_, rows in regions for a, b in rows)
    # the usual line height in this table: most bands are whole lines of digits or characters
    line_height = float(heights[len(heights) * 3 // 4]) if heights else 0.0
    for (x0, top, region, rows), cell_id in zip(regions, _cell_ids, strict=True):
        for a, b in _stacked_split(region, rows, _merge_strokes(rows, line_height), line_height):
            if b - a < 3:
                continue
            cols = _inked_columns(region[a:b], line_height)
            if cols.size == 0 or (b - a) * (cols[-1] - cols[0] + 1) < 12:
                continue  # specks, not text
            pad = max(2, (b - a) // 4)
            cx0 = max(x0 + int(cols[0]) - pad, 0)
            cx1 = min(x0 + int(cols[-1]) + 1 + pad, w)
            ct = max(top + a - pad, 0)
            cb = min(top + b + pad, h)
            box = (float(cx0 + pad), float(ct + pad), float(cx1 - pad), float(cb - pad))
            image = rgb[ct:cb, cx0:cx1]
            out.append(_Crop(image, box, cell_id))
    return out


_REC_H = 48  # the recogniser's input height (PP-OCRv4 was trained at 48)
# A quicker first reading: the same model fed 32-pixel-high lines costs 0.4 of the 48-pixel one
# (fewer rows and proportionally fewer columns). Measured on 521 crops of office-like scans
# (lines and cells, against the 48-pixel reading): prose reads as well (the differences are
# punctuation, as often right at 32 as at 48), short cells less surely. So prose is read at 32
# only, and a table cell's reading at 32 is kept only when it is sure, is not a number and is
# as wide as the crop's ink (`_plausible`); every other cell is read again at 48.
_QUICK_H = 32
_QUICK_SURE = 0.85
# The narrowest input given to the recogniser. PaddleOCR pads every line to 320 px; a table cell
# ("0", "61") is a fifth of that, and recognition costs in proportion to the width it is given.
# Below ~128 px a lone digit is read less surely (measured), so cells are padded to this.
_REC_MIN_W = 128
# Inputs are batched up to this many columns: small images gain from batching, long lines lose
# (ONNX Runtime on this CPU: 69 us per column one at a time vs 109 in batches of six).
_BATCH_COLS = 1024

Reading = tuple  # (text, mean confidence, [steps, words, word columns, states, char confidences])


def _rec_width(img: np.ndarray, height: int = _REC_H) -> int:
    h, w = img.shape[:2]
    return max(_REC_MIN_W * height // _REC_H, math.ceil(height * w / max(h, 1)))


def _resize_norm(img: np.ndarray, height: int, max_wh_ratio: float) -> np.ndarray:
    """RapidOCR's TextRecognizer.resize_norm_img at any height: the line scaled to `height`
    rows, normalised to [-1, 1], padded with zeros to `height * max_wh_ratio` columns."""
    width = int(height * max_wh_ratio)
    h, w = img.shape[:2]
    resized_w = min(width, math.ceil(height * w / float(h)))
    resized = cv2.resize(img, (resized_w, height)).astype(np.float32).transpose((2, 0, 1)) / 255
    out = np.zeros((img.shape[2], height, width), dtype=np.float32)
    out[:, :, :resized_w] = (resized - 0.5) / 0.5
    return out


def _recognise(images: list[np.ndarray], digits: list[bool] | None = None, height: int = _REC_H) -> list[Reading]:
    """Recognise text line images with the engine's recogniser, batched by width.

    The same steps as RapidOCR's TextRecognizer (resize to 48 px, pad, CTC decode with
    character columns) with four differences that matter for speed: the minimum width is
    _REC_MIN_W rather than 320, a batch never mixes a long line with short ones, short lines
    (a number, a character) are read several to one input (`_read_packed`), and the lines may
    be scaled to another `height` (_QUICK_H).
    `digits[i]`: image i is a table cell's only line, where a reading that looks like a
    number is decoded again over digits alone (`_as_digits`)."""
    rec = _ocr_engine().text_rec
    out: list[Reading] = [("", 0.0, [0, [], [], [], [0.0]])] * len(images)
    short = [i for i in range(len(images)) if _natural_width(images[i], height) < _REC_MIN_W * height // _REC_H]
    done = _read_packed(images, short, height) if len(short) > 1 else {}
    for i, (reading, pred) in done.items():
        out[i] = _as_read(reading, pred, rec.postprocess_op.character, bool(digits and digits[i]))
    order = sorted((i for i in range(len(images)) if i not in done), key=lambda i: _rec_width(images[i], height))
    limit = _BATCH_COLS * height // _REC_H
    batches: list[list[int]] = []
    for i in order:
        if batches and (len(batches[-1]) + 1) * _rec_width(images[i], height) <= limit:
            batches[-1].append(i)
        else:
            batches.append([i])
    for batch in batches:
        ratios = [images[i].shape[1] / images[i].shape[0] for i in batch]
        widest = max(_REC_MIN_W / _REC_H, *ratios)
        x = np.stack([_resize_norm(images[i], height, widest) for i in batch]).astype(np.float32)
        preds = rec.session(x)[0]
        for k, (i, reading) in enumerate(zip(batch, rec.postprocess_op(preds, True, wh_ratio_list=ratios,
                                                                         max_wh_ratio=widest), strict=True)):
            # the steps that see the line, not the padding after it (as the decoder cuts them)
            pred = preds[k][:math.ceil(preds.shape[1] * ratios[k] / widest)]
            out[i] = _as_read(reading, pred, rec.postprocess_op.character, bool(digits and digits[i]))
    return out


def _as_read(reading: Reading, pred: np.ndarray, charset: list[str], digits: bool) -> Reading:
    """A line's reading, a lone number in a cell decoded again over digits (`_as_digits`) and
    its decimal point made as sure as the point-like marks together (`_point_sure`)."""
    if digits and _LOOKS_NUMERIC.match(reading[0].strip()) and not reading[0].strip().replace(".", "").isdigit():
        return _as_digits(pred, charset, reading)
    if digits and "." in reading[0] and reading[0].strip().replace(".", "").isdigit():
        return _point_sure(pred, charset, reading)
    return reading


def _natural_width(img: np.ndarray, height: int) -> int:
    h, w = img.shape[:2]
    return math.ceil(height * w / max(h, 1))


# Short lines are read several to one input, side by side, `_PACK_GAP` columns (at 48 px) of
# padding between them: a lone "0" would otherwise be padded to _REC_MIN_W, four times its
# width. The gap is the padding the model was trained with (0 once normalised: mid-grey), not
# white paper: fed white margins the recogniser drops lone digits altogether (measured on 250
# short crops of office-like scans: with white, 98 readings lost or changed; with 16 columns
# of grey, none of the digits changed and the mean confidence rose by 0.015, at 0.45 of the time).
_PACK_GAP = 16


def _read_packed(images: list[np.ndarray], which: list[int], height: int) -> dict[int, tuple[Reading, np.ndarray]]:
    """Short line images read side by side in inputs of at most _BATCH_COLS columns; each
    image's reading is decoded from the steps over it (and half the gaps on either side).
    An image whose neighbourhood the model put a character into the gap of (its steps cannot
    be told from its neighbour's) is left out, to be read on its own."""
    rec = _ocr_engine().text_rec
    gap = max(2, _PACK_GAP * height // _REC_H)
    limit = _BATCH_COLS * height // _REC_H
    lines: list[list[int]] = []
    width = 0
    for i in which:
        w = _natural_width(images[i], height) + gap
        if lines and width + w <= limit:
            lines[-1].append(i)
            width += w
        else:
            lines.append([i])
            width = gap + w
    out: dict[int, tuple[Reading, np.ndarray]] = {}
    for line in lines:
        if len(line) == 1:
            continue
        widths = [_natural_width(images[i], height) for i in line]
        total = gap + sum(w + gap for w in widths)
        x = np.zeros((1, 3, height, total), np.float32)
        spans = []
        at = gap
        for i, w in zip(line, widths, strict=True):
            x[0, :, :, at:at + w] = _resize_norm(images[i], height, w / height)
            spans.append((at, at + w))
            at += w + gap
        pred = rec.session(x)[0][0]
        steps = pred.shape[0]
        best = pred.argmax(axis=1)
        centre = (np.arange(steps) + 0.5) * total / steps
        # the steps over each gap must read nothing: a character put there (the model's
        # alignment running late, or a mark it imagined between two lines) belongs to neither
        # side for sure, and both neighbours are read again on their own
        gaps = [(b, a) for b, a in zip([0, *(b for _a, b in spans)], [*(a for a, _b in spans), total], strict=True)]
        spoilt = [bool(best[(centre >= g0) & (centre < g1)].any()) for g0, g1 in gaps]
        cuts = [int(np.searchsorted(centre, (b + a) / 2)) for b, a in gaps]
        cuts[0], cuts[-1] = 0, steps
        for k, i in enumerate(line):
            lo, hi = cuts[k], cuts[k + 1]
            if spoilt[k] or spoilt[k + 1] or hi <= lo:
                continue
            part = pred[lo:hi]
            ratio = widths[k] / height
            reading = rec.postprocess_op(part[None], True, wh_ratio_list=[ratio], max_wh_ratio=ratio)[0]
            out[i] = (reading, part)
    return out


_POINTS = ".·．,，。"  # what a decimal point looks like to the recogniser in a blurred scan


def _point_sure(pred: np.ndarray, charset: list[str], reading: Reading) -> Reading:
    """A number's decimal point is as sure as the recogniser is that a point stands there,
    whichever of the point-like marks it thought likeliest: between two digits of a cell of
    numbers it can only be the decimal point, yet a blurred "." splits its probability
    between ".", "·" and "," and "1.37" came out with its point at 0.02."""
    confs = list(reading[2][4]) if len(reading[2]) > 4 else []
    best = pred.argmax(axis=1)
    points = [k for k, ch in enumerate(charset) if ch in _POINTS]
    emitted = [t for t, b in enumerate(best) if b != 0 and (t == 0 or b != best[t - 1])]
    text = reading[0]
    if len(emitted) != len(text) or len(confs) != len(text):
        return reading
    for n, (t, ch) in enumerate(zip(emitted, text, strict=True)):
        if ch == "." and 0 < n < len(text) - 1:
            confs[n] = float(pred[t, points].sum())
    return (text, float(np.mean(confs)), [*reading[2][:4], confs])


# What a number looks like to a recogniser that is not sure it is one: "O" or "o" for 0, "l",
# "I" or "|" for 1, "S" for 5, "B" for 8, "Z" for 2, with dust around. A dash, a slash or
# "无" are blanks as printed and are left alone.
_LOOKS_NUMERIC = re.compile(r"^[0-9OoDQ〇lIi|SsBZz.,·:;'`]{1,8}$")
_DIGITS = "0123456789."


def _as_digits(pred: np.ndarray, charset: list[str], reading: Reading) -> Reading:
    """The reading of a table cell's line when only digits may be printed there (the cell
    holds a single short line that looks like a number): at each place the recogniser put a
    character, the likeliest digit (or decimal point) instead. Each character's confidence is
    the probability the model gave that digit (not renormalised), so an "O" the model was
    unsure of becomes a doubtful 0, which the arithmetic may confirm, rather than a label
    that breaks the row."""
    digits = [charset.index(ch) for ch in _DIGITS if ch in charset]
    points = [k for k, ch in enumerate(charset) if ch in _POINTS]
    best = pred.argmax(axis=1)
    chars, confs = [], []
    for t, b in enumerate(best):
        # where the recogniser put a character, the digit it thought likeliest there
        if b != 0 and (t == 0 or b != best[t - 1]):
            k = int(np.argmax(pred[t, digits]))
            chars.append(charset[digits[k]])
            # a point is as sure as all the point-like marks together (`_point_sure`)
            confs.append(float(pred[t, points].sum()) if chars[-1] == "." else float(pred[t, digits[k]]))
    text = "".join(chars).strip(".")
    if not text:
        return reading
    if text != "".join(chars):  # a dot at either end was dust
        return (text, float(np.mean(confs)), [len(best), [], [], [], [min(confs)] * len(text)])
    return (text, float(np.mean(confs)), [len(best), [], [], [], confs])


def _weakest(reading: Reading) -> float:
    """A reading's confidence is its least sure character: one doubtful digit makes the number
    doubtful, however sure the others are."""
    text, score, info = reading
    return float(min(info[4])) if text and len(info) > 4 and info[4] else float(score)


def _tidy(text: str) -> str:
    """The recogniser's spaces between two CJK characters are letter-spacing, not words (the
    same rule layout.line_text applies to PDF glyphs). "丶" is the recogniser's usual misreading
    of "、": the radical never stands alone in a report, the enumeration comma is everywhere."""
    text = text.strip().replace("丶", "、")
    return "".join(ch for i, ch in enumerate(text)
                   if not (ch == " " and 0 < i < len(text) - 1 and is_cjk(text[i - 1]) and is_cjk(text[i + 1])))


# A number with a speck of dust read beside it: "0.", ".0", "3:", "'12", ".-1" (a change of the
# year with dust before its minus sign). Inside a number the point is a decimal point (96171.6)
# and stays.
_SPECKED = re.compile(r"^[.·,:;'`‘’]*(-?\d+(?:\.\d+)?)[.·,:;'`‘’]*$")


def _bare_number(text: str, reading: Reading, confidence: float) -> tuple[str, float]:
    """A cell holding a single number with stray punctuation at its ends: the number, with the
    confidence of its own characters. A count is never printed "0." in a statistics table,
    and the parser (rightly) takes "1." for a list number, losing the value."""
    m = _SPECKED.match(text)
    if not m or m.group(1) == text:
        return text, confidence
    number = m.group(1)
    confs = reading[2][4] if len(reading[2]) > 4 else []
    chars = [ch for ch in reading[0].strip()]
    if len(confs) == len(chars):
        start = "".join(chars).find(number)
        if start >= 0:
            confidence = float(min(confs[start:start + len(number)]))
    return number, confidence


# Two crops are the same print when their grey images, cut to their ink, correlate at least
# this well (normalised cross-correlation, best of a few pixels' shift). Measured at 150 dpi
# with blur: the same "0" across a scanned table 0.95-0.99; "0" against "6", "8" or "9"
# 0.61-0.71; "10" against "16" 0.85.
_ALIKE = 0.93
_ALIKE_TRUST = 0.9  # a print read less surely than this is read again in every cell
LOW_DIGIT = META_DOUBTFUL  # below this the parser does not trust an OCR digit


def _ink_shape(image: np.ndarray) -> np.ndarray | None:
    """The grey ink of a short crop (one or two digits), cut to its ink with a pixel of margin;
    None for a longer crop, whose prints differ in too small a share to be told apart so, and
    for a number with a minus sign: a blurred minus is a faint, small stroke that the cut
    below may take for dust, and "-1" would pass for the same print as "1"."""
    if _dash_before(image):
        return None
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    ink = (gray < 150).astype(np.uint8)
    # the print itself: not what the crop's margin caught of the cell's ruling (it runs to
    # the crop's edge) nor a speck of dust or of a lifted seal (far smaller than a digit)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n > 2:
        hh, ww = ink.shape
        x, y, bw, bh, area = (stats[:, k] for k in range(5))
        edge = (x == 0) | (y == 0) | (x + bw >= ww) | (y + bh >= hh)
        big = area >= 0.1 * area[1:].max()
        keep = ~edge & big
        keep[0] = False
        if keep.any():
            ink = keep[labels].astype(np.uint8)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size < 4 or cols.size == 0:
        return None
    h, w = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    if w > 1.3 * h:
        return None
    return np.ascontiguousarray(gray[max(rows[0] - 1, 0):rows[-1] + 2, max(cols[0] - 1, 0):cols[-1] + 2],
                                dtype=np.float32)


def _same_print(a: np.ndarray, b: np.ndarray) -> bool:
    if abs(a.shape[0] - b.shape[0]) > 2 or abs(a.shape[1] - b.shape[1]) > 2:
        return False
    framed = cv2.copyMakeBorder(b, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=255)
    return float(cv2.matchTemplate(framed, a, cv2.TM_CCOEFF_NORMED).max()) >= _ALIKE


_FULL_WIDTH = set("（）【】《》“”‘’、，。：；！？—…")  # punctuation set as wide as a CJK character
_QUICK_ASPECT = 2.0  # crops narrower than this (a number, a character or two) go straight to 48


def _plausible(text: str, aspect: float) -> bool:
    """Whether a reading fills its crop: the ink of a line of n CJK characters is about n times
    as wide as it is tall, digits and Latin letters about half that. A reading that dropped or
    invented characters does not fit (read at 32 pixels, "第（八）项" came out "第项", sure)."""
    units = sum(1.0 if is_cjk(ch) or ch in _FULL_WIDTH else 0.55 for ch in text if not ch.isspace())
    return aspect > 0 and 0.75 <= units / aspect <= 1.3


def _read_cells(images: list[np.ndarray], digits: list[bool], aspects: list[float]) -> list[Reading]:
    """Cell lines read quickly at _QUICK_H where that is safe, at full height elsewhere: a
    label read surely at 32 pixels, as wide as its ink, is kept; numbers, doubtful readings
    and short crops are read at 48 (so every digit of a table comes from the full reading)."""
    quick = [i for i, a in enumerate(aspects) if a >= _QUICK_ASPECT]
    readings: dict[int, Reading] = {}
    for i, reading in zip(quick, _recognise([images[i] for i in quick], [digits[i] for i in quick], _QUICK_H),
                          strict=True):
        text = _tidy(reading[0])
        if (_weakest(reading) >= _QUICK_SURE and any(is_cjk(ch) for ch in text)
                and _plausible(text, aspects[i])):
            readings[i] = reading
    rest = [i for i in range(len(images)) if i not in readings]
    readings.update(zip(rest, _recognise([images[i] for i in rest], [digits[i] for i in rest]), strict=True))
    return [readings[i] for i in range(len(images))]


def _recognise_alike(images: list[np.ndarray], alone: list[bool],
                     aspects: list[float] | None = None) -> list[Reading]:
    """Recognise cell lines, reading each distinct print once. A statistics table is mostly
    the same few numbers ("0" a hundred times): crops whose grey ink correlates as only the
    same print does (_ALIKE) are read once; a print read less surely than
    _ALIKE_TRUST is read again in every cell it stands for, so a doubtful reading is never
    copied. Only a cell's lone line of one or two characters takes part. `aspects`: each
    crop's ink width over its height (`_read_cells`; none: every crop read at full height)."""
    aspects = aspects if aspects is not None else [0.0] * len(images)
    groups: list[tuple[np.ndarray, list[int]]] = []
    solo: list[int] = []
    for i, image in enumerate(images):
        shape = _ink_shape(image) if alone[i] else None
        if shape is None:
            solo.append(i)
            continue
        for rep, members in groups:
            if _same_print(rep, shape):
                members.append(i)
                break
        else:
            groups.append((shape, [i]))
    readings: dict[int, Reading] = {}

    def read(indexes: list[int]) -> None:
        readings.update(zip(indexes, _read_cells([images[i] for i in indexes], [alone[i] for i in indexes],
                                                 [aspects[i] for i in indexes]), strict=True))

    read([members[0] for _, members in groups] + solo)
    # A print read doubtfully: a few more of its cells are read; a sure one among them stands
    # for the cells printed as it is (`_doubtful_matched`), the others are read one by one.
    weak = [members for _, members in groups if _weakest(readings[members[0]]) < _ALIKE_TRUST]
    read([i for members in weak for i in members[1:1 + _SAMPLE]])
    shapes = {i: _ink_shape(images[i]) for members in weak for i in members}
    rest = []
    for members in weak:
        sure = [j for j in members[:1 + _SAMPLE] if _weakest(readings[j]) >= _ALIKE_TRUST]
        for i in members[1 + _SAMPLE:]:
            like = [j for j in sure if _same_print(shapes[j], shapes[i])]  # type: ignore[arg-type]
            if like:
                readings[i] = readings[like[0]]
            else:
                rest.append(i)
    read(rest)
    for _shape, members in groups:
        for i in members[1:]:
            readings.setdefault(i, readings[members[0]])
    return _doubtful_matched(images, alone, readings)


_SAMPLE = 3  # cells of a doubtfully read print read next, looking for a sure reading of it


_SURE_PRINTS = 3  # sure readings of one text a doubtful print is compared with


def _doubtful_matched(images: list[np.ndarray], alone: list[bool], readings: dict[int, Reading]) -> list[Reading]:
    """A print read doubtfully that is the same print (`_same_print`) as one read surely
    elsewhere on the page takes that reading: a "0" under a seal's speck or beside a stroke
    of ruling is read at 0.6 where the same "0" in the next cell is read at 0.95. The prints
    must correlate as only the same print does, so a doubtful "6" never becomes a sure "0"."""
    shapes = {i: _ink_shape(images[i]) for i in range(len(images)) if alone[i]}
    sure: dict[str, list[int]] = {}
    for i, shape in shapes.items():
        text = readings[i][0].strip()
        if (shape is not None and text.isdigit() and _weakest(readings[i]) >= _ALIKE_TRUST
                and len(sure.setdefault(text, [])) < _SURE_PRINTS):
            sure[text].append(i)
    out = dict(readings)
    for i, shape in shapes.items():
        if shape is None or _weakest(readings[i]) >= LOW_DIGIT:
            continue
        matches = {text for text, prints in sure.items()
                   if any(_same_print(shapes[j], shape) for j in prints)}  # type: ignore[arg-type]
        if len(matches) == 1:
            text = matches.pop()
            out[i] = max((readings[j] for j in sure[text]), key=_weakest)
    return [out[i] for i in range(len(images))]


_TWO_NUMBERS = re.compile(r"^\d+(?:\.\d+)?\s+\d+(?:\.\d+)?$")
_ONE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_NOT_ONE_NUMBER = 0.5


def _dash_before(image: np.ndarray) -> bool:
    """Whether the crop's leftmost ink is a dash (a minus sign) standing before the rest: far
    flatter than the line is tall, about halfway up it, wholly left of the other ink."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    ink = (gray < 150).astype(np.uint8)
    n, _labels, stats, _centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n < 3:
        return False
    parts = sorted((tuple(int(v) for v in stats[k]) for k in range(1, n)), key=lambda st: st[0])
    parts = [p for p in parts if p[4] >= 3]  # not dust
    if len(parts) < 2:
        return False
    x, y, w, h, _area = parts[0]
    rest_top = min(p[1] for p in parts[1:])
    rest_bottom = max(p[1] + p[3] for p in parts[1:])
    tall = rest_bottom - rest_top
    middle = y + h / 2
    return (tall > 0 and w >= 2 * h and h <= 0.3 * tall and x + w <= min(p[0] for p in parts[1:])
            and rest_top + 0.25 * tall <= middle <= rest_top + 0.75 * tall)


def _recognise_crops(crops: list[_Crop]) -> list[Glyph]:
    """Each table cell's text line read on its own: packing several cells into one line saves
    nothing once inputs are not padded to 320 px, and it lets one cell's ink colour another's.
    Cells printed alike are read once (`_alike`)."""
    lines_per_cell = Counter(c.cell for c in crops)
    alone = [lines_per_cell[c.cell] == 1 for c in crops]
    aspects = [(c.box[2] - c.box[0]) / max(c.box[3] - c.box[1], 1.0) for c in crops]
    readings = _recognise_alike([c.image for c in crops], alone, aspects)
    glyphs = []
    for crop, reading, single in zip(crops, readings, alone, strict=True):
        x0, top, x1, bottom = crop.box
        text, confidence = _tidy(reading[0]), _weakest(reading)
        if single:
            text, confidence = _bare_number(text, reading, confidence)
            if _ONE_NUMBER.match(text) and _dash_before(crop.image):
                # a minus sign the recogniser dropped ("-2" read "2"): the change of the
                # year (本年增/减) may be negative, and its sign is no detail
                confidence = min(confidence, _NOT_ONE_NUMBER)
            if _TWO_NUMBERS.match(text):
                # a cell of a statistics table holds one number: a second one on its line is a
                # stroke of a seal or of dust read as a digit ("0 1"), and which is which is
                # not known, so the cell is doubtful (the arithmetic may still fix it)
                confidence = min(confidence, _NOT_ONE_NUMBER)
        glyphs.append(Glyph(text, x0, top, x1, bottom, bottom - top, confidence=round(confidence, 4)))
    # the same on several lines: a cell whose every line is a bare number ("0" over "1")
    numbers = Counter(c.cell for c, g in zip(crops, glyphs, strict=True) if _ONE_NUMBER.match(g.text))
    return [replace(g, confidence=min(g.confidence or 0.0, _NOT_ONE_NUMBER))
            if lines_per_cell[c.cell] > 1 and numbers[c.cell] == lines_per_cell[c.cell] else g
            for c, g in zip(crops, glyphs, strict=True)]


_DET_PAD = 16  # white added above and below a band: the detector needs a margin around text


def _recognise_free_text(rgb: np.ndarray, ink: np.ndarray, grids: list[Grid]) -> list[Glyph]:
    """The text lines of the page outside the tables, found by the ink's profile (`_text_lines`)
    where the page is plain prose, by the detector where it is not, and recognised. The page
    is read in horizontal bands of ink, the tables blanked out."""
    img, ink = rgb.copy(), ink.copy()
    for g in grids:
        x0, top, x1, bottom = (round(v) for v in g.box)
        img[max(top - 3, 0):bottom + 4, max(x0 - 3, 0):x1 + 4] = 255
        ink[max(top - 3, 0):bottom + 4, max(x0 - 3, 0):x1 + 4] = 0
    dark = (ink > 0).sum(axis=1) >= 2
    h = img.shape[0]
    gap = max(8, h // 60)  # blank rows that separate two bands (a few text lines apart)
    crops: list[np.ndarray] = []
    boxes: list[np.ndarray] = []
    for band in _bands(dark, min_size=4, max_gap=gap):
        for a, b in _cut_tall(band, dark, _MAX_BAND):
            top, bottom = max(a - 8, 0), min(b + 8, h)
            lines = _text_lines(ink[top:bottom])
            if lines is None:
                found = _detected_lines(img[top:bottom], top)
            else:
                found = [(img[top + t:top + b_, x0:x1], _quad(x0, top + t, x1, top + b_)) for x0, t, x1, b_ in lines]
            crops.extend(c for c, _q in found)
            boxes.extend(q for _c, q in found)
    return _read_lines(crops, boxes)


# Rows of page a detection band may hold (about eight lines of text at 150 dpi): the detector's
# working memory grows with the area it is given, and a page of close-set prose is one band.
_MAX_BAND = 320


def _cut_tall(band: tuple[int, int], dark: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """A band taller than `limit` cut at blank rows (between two lines of text, never through
    one) into pieces no taller than that where the text allows."""
    a, b = band
    pieces = []
    while b - a > limit:
        blank = np.flatnonzero(~dark[a + limit // 2:a + limit]) + a + limit // 2
        if blank.size == 0:
            break
        cut = int(blank[-1])
        pieces.append((a, cut))
        a = cut
    pieces.append((a, b))
    return pieces


def _quad(x0: float, top: float, x1: float, bottom: float) -> np.ndarray:
    return np.array([[x0, top], [x1, top], [x1, bottom], [x0, bottom]], dtype=np.float32)


# A gap in a line wider than this (times the line's height) parts two pieces of text (a date
# set to the right of a signature); letter-spaced CJK text and the space between numbers are
# far narrower.
_WORD_GAP = 2.0
# A line found by the ink's profile is trusted when it is no taller than this (times the band's
# usual character): taller, it may be two lines that touch (`_one_line` tells), and the band
# goes to the detector.
_TALL_LINE = 1.8
_TWO_LINES = 2.0  # taller than this, a run is never taken for one line (a title has its own band)
_MIN_LINE = 6  # pixels: no text line is lower (7-point print at 150 dpi is 15 pixels tall)


def _text_lines(ink: np.ndarray) -> list[tuple[int, int, int, int]] | None:
    """The text lines of a band of the page (ink 255) as (x0, top, x1, bottom) boxes, with a
    margin, split where a line has a wide blank gap; None when the band is not plain lines of
    text (two lines touching, a picture), for the detector to read.

    Printed prose is set in lines with blank rows between them: its horizontal profile finds
    every line, where the detector (DBNet) was measured to drop one line of a paragraph now and
    then (the statistics period, 本报告中所列数据的统计期限…, of one generated report), at a
    fifth of the cost. The strokes of 二 or 三 leave blank rows inside a line: runs of ink
    closer than a character's size are one line (`_merge_strokes`). The character's size is
    the usual extent of the band's blobs of ink, so that a band of two lines that touch is not
    taken for one line of large characters."""
    h, w = ink.shape
    _n, _, stats, _ = _components(ink)
    extent = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    extent = extent[extent >= _MIN_LINE]
    if not extent.size:
        return []  # dust only
    em = float(np.median(extent))
    rows = _bands((ink > 0).sum(axis=1) >= 1, min_size=1, max_gap=1)
    out = []
    for a, b in _merge_strokes(rows, em):
        if b - a < 0.35 * em:
            if (ink[a:b] > 0).sum() <= 4 * em:
                continue  # a stray mark, not text
            return None
        if b - a > _TALL_LINE * em and (b - a > _TWO_LINES * em or not _one_line(ink[a:b])):
            return None
        tall = b - a
        pad = max(2, round(0.2 * tall))
        cols = _bands((ink[a:b] > 0).any(axis=0), min_size=1, max_gap=round(_WORD_GAP * tall))
        for x0, x1 in cols:
            if x1 - x0 < 0.35 * tall and (ink[a:b, x0:x1] > 0).sum() <= 0.05 * tall * tall:
                continue  # a speck beside the line
            out.append((max(x0 - pad, 0), max(a - pad, 0), min(x1 + pad, w), min(b + pad, h)))
    return out


def _one_line(ink: np.ndarray) -> bool:
    """Whether a tall run of ink is one line of large characters (a title) rather than lines
    that touch: most of a line's ink is in blobs that span most of its height, while two lines
    that touch here and there have only those few blobs that tall, and a waist between them."""
    n, _, stats, _ = _components(ink)
    if n < 2:
        return False
    tall = stats[1:, cv2.CC_STAT_HEIGHT] >= 0.6 * ink.shape[0]
    area = stats[1:, cv2.CC_STAT_AREA]
    if float(area[tall].sum()) < 0.5 * float(area.sum()):
        return False
    # and no waist: where two lines touch, the rows between them hold little ink
    profile = (ink > 0).sum(axis=1)
    h = len(profile)
    middle = profile[int(0.3 * h):int(0.7 * h) + 1]
    return middle.size > 0 and float(middle.min()) >= 0.2 * float(np.median(profile))


def _detected_lines(band: np.ndarray, y_offset: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Text lines of one band found by RapidOCR's detector and orientation classifier, as
    (crop, quad on the page). The band goes to the detector as it is, with a white margin:
    RapidOCR's own entry point would letterbox a wide band to a quarter of its width in
    height, tripling the detector's work for nothing."""
    engine = _ocr_engine()
    padded = cv2.copyMakeBorder(band, _DET_PAD, _DET_PAD, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    boxes, _ = engine.text_det(padded)
    if boxes is None or len(boxes) == 0:
        return []
    boxes = engine.sorted_boxes(boxes)
    crops, _, _ = engine.text_cls(engine.get_crop_img_list(padded, boxes))
    shift = np.array([0.0, y_offset - _DET_PAD], dtype=np.float32)
    return [(crop, np.asarray(quad, dtype=np.float32) + shift) for crop, quad in zip(crops, boxes, strict=True)]


def _read_lines(crops: list[np.ndarray], quads: list[np.ndarray]) -> list[Glyph]:
    """Text lines recognised into glyphs, one per word or CJK character (RapidOCR's word
    boxes), so that the gaps between numbers stay visible."""
    if not crops:
        return []
    lines = _ocr_engine().cal_rec_boxes(crops, quads, _recognise(crops, height=_QUICK_H))
    glyphs: list[Glyph] = []
    for quad, (text, score, word_boxes, words, confs) in zip(quads, lines, strict=True):
        ys = [float(p[1]) for p in quad]
        xs = [float(p[0]) for p in quad]
        top, bottom = min(ys), max(ys)
        if words and word_boxes and len(words) == len(word_boxes):
            unread = _unread_next_to(min(xs), max(xs), [(min(p[0] for p in b), max(p[0] for p in b))
                                                        for b in word_boxes], bottom - top)
            for k, (word, wbox) in enumerate(zip(words, word_boxes, strict=True)):
                wx = [p[0] for p in wbox]
                conf = round(float(confs[k]) if confs and k < len(confs) else score, 4)
                if k in unread:
                    conf = min(conf, _UNREAD)
                glyphs.append(Glyph(_tidy(word), min(wx), top, max(wx), bottom, bottom - top, confidence=conf))
        elif text:
            glyphs.append(Glyph(_tidy(text), min(xs), top, max(xs), bottom, bottom - top,
                                confidence=round(float(score), 4)))
    return glyphs


# A stretch of a detected line this long (times the line's height) that no recognised character
# covers held something the recogniser dropped: measured on office-like scans, the detector's
# margin leaves at most 0.45 at either end, a dropped CJK character about 1.1.
_UNREAD_SPAN = 0.7
_UNREAD = 0.5  # the confidence a character next to a dropped one keeps at most


def _unread_next_to(x0: float, x1: float, words: list[tuple[float, float]], height: float) -> set[int]:
    """The recognised words next to a stretch of the line no word covers: a character the
    recogniser dropped ("浈江" read "江") has no confidence of its own, so the reading of its
    neighbours is what is doubtful (and the meta read from the line is marked so)."""
    if not words or height <= 0:
        return set()
    span = _UNREAD_SPAN * height
    out = set()
    if words[0][0] - x0 >= span:
        out.add(0)
    if x1 - words[-1][1] >= span:
        out.add(len(words) - 1)
    for k in range(1, len(words)):
        if words[k][0] - words[k - 1][1] >= span:
            out.update((k - 1, k))
    return out
