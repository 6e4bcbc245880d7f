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

Confidence: every recognised character has a probability; a table cell's confidence is the
lowest of its characters (one doubtful digit makes the number doubtful) and is kept on the
`TableCell`. A cell with no ink at all is blank with confidence 1.0. Text lines outside tables
whose weakest character is below `layout.LOW_CONFIDENCE` are listed in `Document.warnings`.
"""

from __future__ import annotations

import io
import itertools
import os
import threading
from dataclasses import dataclass

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
    is_cjk,
)

try:  # the OCR extra
    import cv2
    from rapidocr_onnxruntime import RapidOCR
except ImportError:  # pragma: no cover - exercised only without the extra
    cv2 = None
    RapidOCR = None

DPI = 150  # rasterisation of scanned PDF pages; the target the speed budget is set for
UNITS = Units(snap=2.0, min_cell=4.0)  # PDF points (pixels are converted before layout)
# Images larger than this (pixels, longest side) are scaled down first: a 600-dpi A4 scan
# costs four times the work of 300 dpi for no better recognition of 10-point text.
MAX_SIDE = 2600
_MAX_PIXELS = 80_000_000  # refuse decompression bombs before decoding them

_engine_lock = threading.Lock()
_engine: RapidOCR | None = None


def _ocr_engine() -> RapidOCR:
    global _engine
    with _engine_lock:
        if _engine is None:
            # text_score=0: keep every recognition, however doubtful: we carry its confidence
            # instead of silently dropping what the engine was unsure of.
            threads = _threads()
            kwargs = {"intra_op_num_threads": threads, "inter_op_num_threads": 1} if threads else {}
            _engine = RapidOCR(text_score=0.0, **kwargs)
            # Detection runs on thin bands of the page; its default ("min" side up to 736 px)
            # would blow a 60 x 1240 band up twelvefold. Keep the raster's own scale instead.
            _engine.text_det.limit_type = "max"
        return _engine


def _threads() -> int | None:
    """XXGK_OCR_THREADS caps the engine's threads (default: all cores). On a machine shared by
    several jobs, or when a batch runs one report per process, 1 is faster than contending."""
    value = os.environ.get("XXGK_OCR_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _require(file: str) -> None:
    if RapidOCR is None or cv2 is None:
        raise MissingExtraError(file, "reading scanned pages (OCR)", "ocr")


# ---------------------------------------------------------------- entry points


def extract_image(data: bytes, file: str = "") -> Document:
    """A scanned page (or a multi-page TIFF) given as an image file."""
    _require(file)
    pages = []
    for number, (rgb, px_per_pt) in enumerate(_decode_image(data, file), start=1):
        pages.append(ocr_page(rgb, number, px_per_pt))
    return build_document(pages, kind="image", file=file, units=UNITS)


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
                rgb = page.render(scale=dpi / 72).to_numpy()
            finally:
                page.close()
            out.append(ocr_page(np.ascontiguousarray(rgb[:, :, :3]), n, dpi / 72))
        return out
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
                rgb = np.ascontiguousarray(page.render(scale=k).to_numpy()[:, :, :3])
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
            dpi = frame.info.get("dpi", (0, 0))[0] or DPI
            frame = frame.convert("RGB")
            scale = min(1.0, MAX_SIDE / max(frame.size))
            if scale < 1.0:
                frame = frame.resize((round(frame.width * scale), round(frame.height * scale)))
                dpi *= scale
            frames.append((np.asarray(frame), float(dpi) / 72))
        return frames
    except Image.DecompressionBombError as e:
        raise InputError(file, f"image too large to OCR ({e})") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise InputError(file, f"not a readable image: {e}") from e


# ---------------------------------------------------------------- one page


@dataclass
class _Crop:
    """A text line cut out of a table cell, waiting for recognition."""

    image: np.ndarray
    box: tuple[float, float, float, float]  # pixels: x0, top, x1, bottom


def ocr_page(rgb: np.ndarray, number: int, px_per_pt: float) -> PageContent:
    """Recognise one page raster into glyphs and rulings (in points, like a PDF text layer)."""
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
    rgb = _clean_background(rgb, ink)
    h_mask, v_mask, segments = _rulings(ink)
    px_units = Units(snap=UNITS.snap * px_per_pt, min_cell=UNITS.min_cell * px_per_pt)
    grids = find_grids(segments, px_units)
    text_ink = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(h_mask | v_mask, np.ones((3, 3), np.uint8))))

    glyphs: list[Glyph] = []
    crops = [c for grid in grids for c in _cell_crops(rgb, text_ink, grid)]
    glyphs.extend(_recognise_crops(crops))
    glyphs.extend(_recognise_free_text(rgb, grids))

    scale = 1.0 / px_per_pt
    h, w = ink.shape
    return PageContent(
        number=number,
        width=w * scale,
        height=h * scale,
        glyphs=[_scaled(g, scale) for g in glyphs],
        segments=[Segment(s.x0 * scale, s.y0 * scale, s.x1 * scale, s.y1 * scale) for s in segments],
        blank_confidence=1.0,
    )


def _binarised(rgb: np.ndarray) -> np.ndarray:
    """Ink 255, paper 0 (Otsu's threshold)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]


_SKEW_LIMIT = 3.0  # degrees: a sheet fed further askew than this is not corrected
_SKEW_STEP = 0.05


def skew_angle(ink: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive) that levels a page fed askew; 0.0
    when it is level to within a twentieth of a degree.

    Projection-profile method: rows of text and table rulings make the horizontal ink profile
    spiky when the page is level and smooth when it is turned, so the angle that maximises the
    profile's energy (sum of squared row sums) is the skew. Searched coarse then fine on a
    half-size copy. A tilt of even half a degree moves a ruling 10 px across a table, which
    splits its rows, so the correction matters more for tables than for the recogniser."""
    small = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if not small.any():
        return 0.0

    def energy(angle: float) -> float:
        rows = _rotated(small, angle, 0).sum(axis=1, dtype=np.float64)
        return float(np.dot(rows, rows))

    coarse = max(np.arange(-_SKEW_LIMIT, _SKEW_LIMIT + 1e-9, 0.5), key=energy)
    fine = max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, _SKEW_STEP), key=energy)
    angle = round(float(fine), 2)
    return 0.0 if abs(angle) < _SKEW_STEP or abs(angle) > _SKEW_LIMIT else angle


def _rotated(img: np.ndarray, angle: float, fill: int) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = (fill,) * (img.shape[2] if img.ndim == 3 else 1)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _isolated_specks(ink: np.ndarray, px_per_pt: float) -> np.ndarray:
    """Scanner dust: ink blobs far smaller than a full stop with no other ink near them.

    Left in, a speck stretches a cell's crop to reach it and is read as "." or "'" next to the
    number ("0." or ".50."), and it splits the free-text bands. A decimal point or a "。" is as
    small, but it always sits against the characters it belongs to, so only specks with no
    ink within 2 pt (a fifth of a character) are removed."""
    max_area = max(2, int(0.6 * px_per_pt * px_per_pt))  # 2 px at 150 dpi, 10 px at 300 dpi
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= max_area
    small[0] = False  # the background
    if not small.any():
        return np.zeros(ink.shape, bool)
    tiny = small[labels]
    reach = max(3, round(2 * px_per_pt)) | 1  # 2 pt, odd kernel
    near_text = cv2.dilate(np.where(tiny, 0, ink).astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
    return tiny & ~near_text


def _clean_background(rgb: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The page with everything but the ink and its one-pixel rim set to white: scanner grain
    on the paper costs the recogniser confidence (a clean "0" drops from 0.99 to 0.85) without
    carrying any information; the rim keeps the anti-aliased edges the models were trained on."""
    keep = cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
    out = np.full_like(rgb, 255)
    out[keep] = rgb[keep]
    return out


def _scaled(g: Glyph, k: float) -> Glyph:
    return Glyph(g.text, g.x0 * k, g.top * k, g.x1 * k, g.bottom * k, g.size * k, g.confidence)


def _rulings(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Segment]]:
    """Table rulings in the raster: runs of ink far longer than any character is wide."""
    h, w = ink.shape
    long_h = max(20, w // 30)
    long_v = max(20, h // 50)
    h_mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_h, 1)))
    v_mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_v)))
    # bridge the one- or two-pixel breaks a scan leaves in a ruling
    h_mask = cv2.dilate(h_mask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1)))
    v_mask = cv2.dilate(v_mask, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    segments: list[Segment] = []
    for mask, horizontal in ((h_mask, True), (v_mask, False)):
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, _ = (int(v) for v in stats[i])
            if horizontal and bw >= long_h:
                segments.append(Segment(float(x), y + bh / 2, float(x + bw), y + bh / 2))
            elif not horizontal and bh >= long_v:
                segments.append(Segment(x + bw / 2, float(y), x + bw / 2, float(y + bh)))
    return h_mask, v_mask, segments


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


def _cell_crops(rgb: np.ndarray, text_ink: np.ndarray, grid: Grid) -> list[_Crop]:
    """Every text line inside every cell of a grid, cut out with a small margin."""
    out: list[_Crop] = []
    h, w = text_ink.shape
    inset = 3  # keep clear of the ruling itself
    regions = []
    for cell in grid.cells:
        x0, top, x1, bottom = (round(v) for v in cell.box)
        x0, top = max(x0 + inset, 0), max(top + inset, 0)
        x1, bottom = min(x1 - inset, w), min(bottom - inset, h)
        if x1 - x0 < 4 or bottom - top < 4:
            continue
        region = text_ink[top:bottom, x0:x1]
        # no minimum height yet: a stroke of "三" is one pixel tall and must survive to be merged
        regions.append((x0, top, region, _bands((region > 0).sum(axis=1) >= 1, min_size=1, max_gap=1)))
    heights = sorted(b - a for *_, rows in regions for a, b in rows)
    # the usual line height in this table: most bands are whole lines of digits or characters
    line_height = float(heights[len(heights) * 3 // 4]) if heights else 0.0
    for x0, top, region, rows in regions:
        for a, b in _stacked_split(region, rows, _merge_strokes(rows, line_height), line_height):
            if b - a < 3:
                continue
            cols = np.flatnonzero((region[a:b] > 0).sum(axis=0))
            if cols.size == 0 or (b - a) * (cols[-1] - cols[0] + 1) < 12:
                continue  # specks, not text
            pad = max(2, (b - a) // 4)
            cx0 = max(x0 + int(cols[0]) - pad, 0)
            cx1 = min(x0 + int(cols[-1]) + 1 + pad, w)
            ct = max(top + a - pad, 0)
            cb = min(top + b + pad, h)
            box = (float(cx0 + pad), float(ct + pad), float(cx1 - pad), float(cb - pad))
            out.append(_Crop(rgb[ct:cb, cx0:cx1], box))
    return out


_REC_H = 48  # the recogniser's input height
_STRIP_W = 320  # the recogniser pads every line to at least this width: fill it with cells
_NARROW = 2.5 * _REC_H  # a crop narrower than this (after scaling to 48 px) shares a strip
_GAP = _REC_H // 2  # white space between two cells in a strip
_RECHECK = 0.9  # a cell read in a strip below this confidence is read again on its own


def _to_rec_height(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    return cv2.resize(img, (max(1, round(w * _REC_H / h)), _REC_H), interpolation=cv2.INTER_CUBIC)


def _strips(images: list[np.ndarray]) -> list[tuple[np.ndarray, list[tuple[int, int, int]]]]:
    """Narrow crops (a table cell's "0", "61", "3119") packed side by side on white, so one
    recognition pass reads several cells: the recogniser costs as much for one "0" as for a
    320-pixel line. Returns strips and, per strip, (crop index, x start, x end)."""
    out: list[tuple[np.ndarray, list[tuple[int, int, int]]]] = []
    pieces: list[tuple[int, int, int]] = []
    parts: list[np.ndarray] = []
    x = 0

    def flush() -> None:
        nonlocal x
        if parts:
            out.append((np.concatenate(parts, axis=1), list(pieces)))
        parts.clear()
        pieces.clear()
        x = 0

    for i, img in enumerate(images):
        w = img.shape[1]
        if parts and x + _GAP + w > _STRIP_W:
            flush()
        if parts:
            parts.append(np.full((_REC_H, _GAP, 3), 255, np.uint8))
            x += _GAP
        parts.append(img)
        pieces.append((i, x, x + w))
        x += w
    flush()
    return out


_steps_per_px: float | None = None


def _ctc_stride(engine: RapidOCR) -> float:
    """Input pixels per output time step of the recogniser (8 for PP-OCR), measured once."""
    global _steps_per_px
    if _steps_per_px is None:
        probe = np.zeros((1, 3, _REC_H, _STRIP_W), np.float32)
        steps = engine.text_rec.session(probe)[0].shape[1]
        _steps_per_px = _STRIP_W / steps
    return _steps_per_px


def _split_strip(result: tuple, pieces: list[tuple[int, int, int]],
                 stride: float) -> dict[int, tuple[str, float]]:
    """Characters of a strip's reading back to the cells they sit on, by their CTC position."""
    text, _score, info = result
    got: dict[int, list[tuple[str, float]]] = {i: [] for i, _, _ in pieces}
    if text and len(info) > 4:
        chars = [c for word in info[1] for c in word]
        cols = [c for word in info[2] for c in word]
        confs = info[4]
        for ch, col, conf in zip(chars, cols, confs, strict=False):
            x = (col + 0.5) * stride
            for i, a, b in pieces:
                if a - _GAP / 2 <= x < b + _GAP / 2:
                    got[i].append((ch, float(conf)))
                    break
    return {i: ("".join(c for c, _ in v).strip(), min((p for _, p in v), default=0.0)) for i, v in got.items()}


def _tidy(text: str) -> str:
    """The recogniser's spaces between two CJK characters are letter-spacing, not words (the
    same rule layout.line_text applies to PDF glyphs). "丶" is the recogniser's usual misreading
    of "、": the radical never stands alone in a report, the enumeration comma is everywhere."""
    text = text.strip().replace("丶", "、")
    return "".join(ch for i, ch in enumerate(text)
                   if not (ch == " " and 0 < i < len(text) - 1 and is_cjk(text[i - 1]) and is_cjk(text[i + 1])))


def _recognise_crops(crops: list[_Crop]) -> list[Glyph]:
    if not crops:
        return []
    engine = _ocr_engine()
    images = [_to_rec_height(c.image) for c in crops]
    narrow = [i for i, im in enumerate(images) if im.shape[1] <= _NARROW]
    wide = [i for i, im in enumerate(images) if im.shape[1] > _NARROW]
    strips = _strips([images[i] for i in narrow])
    results, _ = engine.text_rec([s for s, _ in strips] + [images[i] for i in wide], True)
    read: dict[int, tuple[str, float]] = {}
    stride = _ctc_stride(engine)
    for (_, pieces), res in zip(strips, results[: len(strips)], strict=True):
        for k, (text, conf) in _split_strip(res, pieces, stride).items():
            read[narrow[k]] = (text, conf)
    for i, (text, score, info) in zip(wide, results[len(strips):], strict=True):
        read[i] = (text.strip(), float(min(info[4])) if text and len(info) > 4 else float(score))
    # a cell the strip reading left empty or doubtful is read again alone, as the engine
    # was trained to read it: packing must never cost accuracy
    again = [i for i in narrow if not read[i][0] or read[i][1] < _RECHECK]
    if again:
        alone, _ = engine.text_rec([images[i] for i in again], True)
        for i, (text, score, info) in zip(again, alone, strict=True):
            conf = float(min(info[4])) if text and len(info) > 4 else float(score)
            if text.strip() and (not read[i][0] or conf >= read[i][1]):
                read[i] = (text.strip(), conf)
    glyphs = []
    for i, crop in enumerate(crops):
        text, conf = read[i]
        x0, top, x1, bottom = crop.box
        glyphs.append(Glyph(_tidy(text), x0, top, x1, bottom, bottom - top, confidence=round(conf, 4)))
    return glyphs


def _recognise_free_text(rgb: np.ndarray, grids: list[Grid]) -> list[Glyph]:
    """Detection + recognition over the page outside the tables. Detection costs in proportion
    to the area it looks at, so it runs on the horizontal bands that hold ink once the tables
    are blanked out, not on the whole page."""
    img = rgb.copy()
    for g in grids:
        x0, top, x1, bottom = (round(v) for v in g.box)
        img[max(top - 3, 0):bottom + 4, max(x0 - 3, 0):x1 + 4] = 255
    dark = (img.min(axis=2) < 128).sum(axis=1) >= 2
    h = img.shape[0]
    gap = max(8, h // 60)  # blank rows that separate two bands (a few text lines apart)
    glyphs: list[Glyph] = []
    for a, b in _bands(dark, min_size=4, max_gap=gap):
        top, bottom = max(a - 8, 0), min(b + 8, h)
        glyphs.extend(_detect_and_read(img[top:bottom], top))
    return glyphs


def _detect_and_read(img: np.ndarray, y_offset: int) -> list[Glyph]:
    result, _ = _ocr_engine()(img, use_cls=True, return_word_box=True)
    glyphs: list[Glyph] = []
    for item in result or []:
        quad, text, score = item[0], item[1], float(item[2])
        ys = [p[1] + y_offset for p in quad]
        xs = [p[0] for p in quad]
        top, bottom = min(ys), max(ys)
        boxes = item[3] if len(item) > 3 else None
        words = item[4] if len(item) > 4 else None
        confs = item[5] if len(item) > 5 else None
        if words and boxes and len(words) == len(boxes):
            # one glyph per recognised word/character: gaps between numbers stay visible
            for k, (word, wbox) in enumerate(zip(words, boxes, strict=True)):
                wx = [p[0] for p in wbox]
                conf = round(float(confs[k]) if confs and k < len(confs) else score, 4)
                glyphs.append(Glyph(_tidy(word), min(wx), top, max(wx), bottom, bottom - top, confidence=conf))
        elif text:
            glyphs.append(Glyph(_tidy(text), min(xs), top, max(xs), bottom, bottom - top, confidence=round(score, 4)))
    return glyphs
