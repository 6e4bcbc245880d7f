"""Scanned renderings: the PDF rendering printed, stamped and fed through an office scanner.

Offices publish scans that are grey JPEG pages at 150–200 dpi, slightly blurred, grainy and a
little askew, with tables running over page breaks and red seals stamped over the text. Each
of those is a *distortion* here, so that accuracy can be measured per distortion
(bench/bench_scan.py):

- ``office`` (the base every other distortion adds to): grey, JPEG quality 40–70, a blur of
  0.3–0.9 px, scanner grain and dust, rotation within ±1.5°, 150 dpi;
- ``dpi200``: the same at 200 dpi;
- ``skew``: a sheet fed far askew, 3–10°;
- ``turned``: pages stored sideways or upside down (90/180/270°) with no /Rotate flag;
- ``page-break``: table 三 cut below its header: the header ends one page, the rows start the next;
- ``repeated-header``: table 三 cut between two of its rows, its header printed again on the next page;
- ``seal``: a colour scan with red seals stamped over the table's numbers and over the closing text;
- ``worst``: all of the above at once (200 dpi excepted), at the low end of JPEG quality.

The randomness comes from numpy's generator seeded by the report and the distortion, so a seed
gives the same pixels. Formats:

- ``pdf``: an image-only PDF, one JPEG page per sheet (no text layer: the reader must OCR it);
- ``png``: the pages stacked into one long lossless image, as reports are posted as
  screenshots (grain and dust only: a screenshot is neither askew nor JPEG-compressed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from xxgk.synth.layout import Rendered, knob_stream
from xxgk.synth.render_pdf import render_pdf_many
from xxgk.synth.render_text import _Knobs
from xxgk.synth.truth import SyntheticReport

SCAN_FORMATS = ("pdf", "png")
DISTORTIONS = ("office", "dpi200", "skew", "turned", "page-break", "repeated-header", "seal", "worst")
DPI = 150


def _imaging():
    try:
        import numpy as np
        import pypdfium2 as pdfium
        from PIL import Image, ImageDraw, ImageFilter
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("rendering scans needs pypdfium2, pillow and numpy: pip install 'xxgk[synth]'") from e
    return np, pdfium, Image, ImageDraw, ImageFilter


@dataclass(frozen=True)
class Scanner:
    """How one report is printed and scanned: the parameters a distortion draws."""

    dpi: int = DPI
    colour: bool = False  # a colour scan (kept when the page carries a red seal)
    jpeg: int = 0  # JPEG quality; 0: lossless (a screenshot)
    blur: float = 0.0  # Gaussian radius, pixels
    grain: float = 0.0  # standard deviation of the paper's grain, grey levels
    specks: float = 0.0  # share of pixels hit by dust
    skew: tuple[float, ...] = ()  # degrees per page (cycled), counter-clockwise
    turn: tuple[int, ...] = ()  # 0/90/180/270 per page (cycled), counter-clockwise
    split: str = ""  # "header": table 三 cut below its header; "repeat": cut mid-table, header repeated
    seals: bool = False


def scanner_for(distortion: str, rng) -> tuple[Scanner, list[str]]:
    """The scanner a distortion stands for, and the knobs it drew (for bug reports)."""
    if distortion not in DISTORTIONS:
        raise ValueError(f"unknown scan distortion {distortion!r} (one of {', '.join(DISTORTIONS)})")
    worst = distortion == "worst"
    jpeg = 40 if worst else int(rng.integers(40, 71))
    blur = 1.0 if worst else round(float(rng.uniform(0.3, 0.9)), 2)
    grain = round(float(rng.uniform(4, 10)), 1)
    skews = [round(float(rng.uniform(-1.5, 1.5)), 2) for _ in range(8)]
    if distortion in ("skew", "worst"):
        skews = [round(float(rng.choice([-1, 1]) * rng.uniform(3, 10)), 2) for _ in range(8)]
    turns: list[int] = []
    if distortion in ("turned", "worst"):
        turns = [int(t) for t in rng.choice([0, 90, 180, 270], 8)]
        turns[int(rng.integers(0, 3))] = int(rng.choice([90, 180, 270]))  # at least one page turned
    split = {"page-break": "header", "repeated-header": "repeat", "worst": "repeat"}.get(distortion, "")
    seals = distortion in ("seal", "worst")
    scanner = Scanner(dpi=200 if distortion == "dpi200" else DPI, colour=seals, jpeg=jpeg, blur=blur, grain=grain,
                      specks=0.0004, skew=tuple(skews), turn=tuple(turns), split=split, seals=seals)
    knobs = [f"distortion={distortion}", f"dpi={scanner.dpi}", f"jpeg={jpeg}", f"blur={blur}", f"grain={grain}",
             "skew=" + ",".join(map(str, skews[:4]))]
    if turns:
        knobs.append("turn=" + ",".join(map(str, turns[:4])))
    if split:
        knobs.append(f"split={split}")
    if seals:
        knobs.append("seals")
    return scanner, knobs


def hash_seed(seed: int, salt: str = "") -> int:
    """A stable 63-bit seed for numpy (Python's hash() of str is salted per process)."""
    return int.from_bytes(hashlib.sha256(f"xxgk.synth:{seed}:scan{salt}".encode()).digest()[:8], "big") >> 1


# ---------------------------------------------------------------- the printed pages


def _table_rows(pdf: bytes) -> tuple[int, list[tuple[float, float]], int] | None:
    """Table 三 in the PDF's text layer: the page it starts on (0-based), the (top, bottom) in
    points of each of its rows on that page, and how many of them are header rows (above
    一、本年新收). None when the table is not found."""
    from xxgk.document import Table
    from xxgk.extract.pdf import extract_pdf

    doc = extract_pdf(pdf, "synthetic.pdf")
    for t in doc.tables():
        if not any("本年新收" in c.text.replace(" ", "") for c in t.cells):
            continue
        assert isinstance(t, Table)
        page = t.loc.page
        rows: dict[int, list[float]] = {}
        first_data = None
        for c in t.cells:
            if c.loc is None or c.loc.box is None or c.loc.page != page:
                continue
            span = rows.setdefault(c.row, [math.inf, -math.inf])
            span[0] = min(span[0], c.loc.box[1])
            if c.rowspan == 1:
                span[1] = max(span[1], c.loc.box[3])
            if "本年新收" in c.text.replace(" ", ""):
                first_data = c.row
        if first_data is None or page is None:
            return None
        ordered = sorted((r, (a, b)) for r, (a, b) in rows.items() if b > a)
        header = sum(1 for r, _ in ordered if r < first_data)
        return page - 1, [ab for _, ab in ordered], header
    return None


def _split_table(pages: list, pdf: bytes, how: str, dpi: int, rng) -> list:
    """Cut table 三 over a page break: below its header ("header": the header ends a page, the
    rows start the next) or between two rows further down ("repeat": the header printed again
    at the top of the next page, as Word does with a repeated header row)."""
    _, _, Image, _, _ = _imaging()
    found = _table_rows(pdf)
    if found is None:
        return pages
    index, rows, header = found
    k = dpi / 72
    if header == 0 or header >= len(rows):
        return pages
    if how == "header":
        cut = header
    else:
        later = list(range(header + 2, len(rows)))
        if not later:
            return pages
        cut = int(rng.choice(later))
    page = pages[index]
    y = int(rows[cut][0] * k)  # the ruling above the row the next page starts with
    top_margin = int(rows[0][0] * k) if index else int(72 * k)
    above = page.crop((0, 0, page.width, y + 2))
    first = Image.new(page.mode, page.size, 255 if page.mode == "L" else (255, 255, 255))
    first.paste(above, (0, 0))
    second = Image.new(page.mode, page.size, 255 if page.mode == "L" else (255, 255, 255))
    at = min(top_margin, int(72 * k))
    if how == "repeat":
        head = page.crop((0, int(rows[0][0] * k) - 1, page.width, int(rows[header][0] * k) + 1))
        second.paste(head, (0, at))
        at += head.height - 1
    rest = page.crop((0, y, page.width, page.height))
    room = page.height - at
    second.paste(rest.crop((0, 0, rest.width, min(room, rest.height))), (0, at))
    return [*pages[:index], first, second, *pages[index + 1:]]


def _seal_mask(size: int, rng):
    """A round official seal as an ink mask (0..255): ring, star and a ring of characters
    (drawn as short strokes: the seal's words are not what is being read)."""
    np, _, Image, ImageDraw, _ = _imaging()
    mask = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(mask)
    w = max(3, size // 45)
    d.ellipse((w, w, size - w, size - w), outline=255, width=w)
    c, r = size / 2, size * 0.12
    star = [(c + (r if i % 2 == 0 else r * 0.4) * math.sin(i * math.pi / 5),
             c - (r if i % 2 == 0 else r * 0.4) * math.cos(i * math.pi / 5)) for i in range(10)]
    d.polygon(star, fill=255)
    ch = size * 0.11
    for i in range(14):  # characters around the upper arc
        a = math.radians(-150 + i * 300 / 13)
        cx, cy = c + (c - 2.6 * w - ch / 2) * math.sin(a), c - (c - 2.6 * w - ch / 2) * math.cos(a)
        for _ in range(4):
            x0, y0 = cx + rng.uniform(-ch / 2, ch / 2), cy + rng.uniform(-ch / 2, ch / 2)
            length = rng.uniform(ch / 3, ch / 1.5)
            x1, y1 = (x0 + length, y0) if rng.random() < 0.5 else (x0, y0 + length)
            d.line((x0, y0, x1, y1), fill=255, width=max(2, w // 2))
    for j in range(5):  # the unit's number along the bottom
        x = c - 2 * ch + j * ch * 0.8
        d.line((x, size * 0.72, x, size * 0.72 + ch * 0.6), fill=255, width=max(2, w // 2))
    # ink is uneven: a seal is never stamped with the same pressure everywhere
    a = np.asarray(mask, dtype=np.float32) * rng.uniform(0.55, 1.0, (size, size)).astype(np.float32)
    return Image.fromarray(a.astype(np.uint8), "L")


def _stamp(page, centre: tuple[float, float], rng, dpi: int):
    """A red seal stamped on the page, multiplying the ink (the text under it stays dark)."""
    np, _, Image, _, _ = _imaging()
    size = int(4.2 / 2.54 * dpi)  # 42 mm, the usual seal of a government body
    mask = np.asarray(_seal_mask(size, rng), dtype=np.float32) / 255.0
    rgb = np.asarray(page.convert("RGB"), dtype=np.float32)
    red = np.array([205.0, 30.0, 45.0]) / 255.0
    x0, y0 = int(centre[0] - size / 2), int(centre[1] - size / 2)
    h, w = rgb.shape[:2]
    ax0, ay0, ax1, ay1 = max(x0, 0), max(y0, 0), min(x0 + size, w), min(y0 + size, h)
    if ax1 <= ax0 or ay1 <= ay0:
        return page.convert("RGB")
    m = mask[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0, None]
    region = rgb[ay0:ay1, ax0:ax1]
    rgb[ay0:ay1, ax0:ax1] = region * (1 - m) + region * red * m
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8), "RGB")


def _seal_places(pdf: bytes, dpi: int, rng) -> dict[int, list[tuple[float, float]]]:
    """Where seals go (0-based page -> centres in pixels): one over the numbers of table 三,
    one over the closing lines of the last page (the body's name and the date)."""
    import pypdfium2 as pdfium

    k = dpi / 72
    out: dict[int, list[tuple[float, float]]] = {}
    found = _table_rows(pdf)
    if found is not None:
        index, rows, header = found
        if len(rows) > header:
            top, bottom = rows[int(rng.integers(header, len(rows)))]
            out.setdefault(index, []).append((float(rng.uniform(330, 520)) * k, (top + bottom) / 2 * k))
    doc = pdfium.PdfDocument(pdf)
    try:
        last = len(doc) - 1
        page = doc[last]
        text = page.get_textpage()
        n = text.count_chars()
        bottoms = [text.get_charbox(i)[1] for i in range(max(0, n - 40), n)] if n else []
        height = page.get_height()
        y = height - (min(bottoms) if bottoms else height / 2)  # PDF y grows upwards
        out.setdefault(last, []).append((float(rng.uniform(330, 450)) * k, y * k))
        text.close()
        page.close()
    finally:
        doc.close()
    return out


# ---------------------------------------------------------------- the scanner


def _scan_page(page, s: Scanner, skew: float, turn: int, rng):
    """One printed page through the scanner: blur, skew, orientation, grain and dust."""
    np, _, Image, _, ImageFilter = _imaging()
    if not s.colour:
        page = page.convert("L")
    fill = 255 if page.mode == "L" else (255, 255, 255)
    if s.blur:
        page = page.filter(ImageFilter.GaussianBlur(s.blur))
    if skew:
        page = page.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
    if turn:
        page = page.rotate(turn, expand=True)
    if s.grain or s.specks:
        a = np.asarray(page, dtype=np.int16)
        if s.grain:
            noise = rng.normal(0, s.grain, a.shape[:2]).astype(np.int16)
            a = a + (noise[..., None] if a.ndim == 3 else noise)
        if s.specks:
            n = int(a.shape[0] * a.shape[1] * s.specks)
            ys, xs = rng.integers(0, a.shape[0], n), rng.integers(0, a.shape[1], n)
            dark = rng.integers(0, 90, n)
            a[ys, xs] = dark[:, None] if a.ndim == 3 else dark
        page = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), page.mode)
    return page


def rasterise(pdf: bytes, report: SyntheticReport, distortion: str = "office") -> tuple[list, Scanner, list[str]]:
    """Pages of `pdf` printed and scanned the way `distortion` says, as PIL images."""
    np, pdfium, _, _, _ = _imaging()
    rng = np.random.default_rng(hash_seed(report.seed, ":" + distortion))
    s, knobs = scanner_for(distortion, rng)
    doc = pdfium.PdfDocument(pdf)
    try:
        pages = [doc[i].render(scale=s.dpi / 72, grayscale=not s.colour).to_pil() for i in range(len(doc))]
    finally:
        doc.close()
    if s.seals:
        for index, centres in _seal_places(pdf, s.dpi, rng).items():
            for centre in centres:
                pages[index] = _stamp(pages[index], centre, rng, s.dpi)
    if s.split:
        pages = _split_table(pages, pdf, s.split, s.dpi, rng)
    out = []
    for i, page in enumerate(pages):
        skew = s.skew[i % len(s.skew)] if s.skew else 0.0
        turn = s.turn[i % len(s.turn)] if s.turn else 0
        out.append(_scan_page(page, s, skew, turn, rng))
    return out, s, knobs


def _screenshot(pdf: bytes, report: SyntheticReport, k: _Knobs) -> list:
    """Pages as a screen shows them: grain and dust at most, never askew or compressed."""
    np, pdfium, _, _, _ = _imaging()
    rng = np.random.default_rng(hash_seed(report.seed))
    grain = k.flip("grain", 0.7)
    specks = k.flip("specks", 0.5)
    s = Scanner(grain=9.0 if grain else 0.0, specks=0.0004 if specks else 0.0)
    doc = pdfium.PdfDocument(pdf)
    try:
        pages = [doc[i].render(scale=DPI / 72, grayscale=True).to_pil() for i in range(len(doc))]
    finally:
        doc.close()
    return [_scan_page(p, s, 0.0, 0, rng) for p in pages]


def _encode(pages: list, fmt: str, report: SyntheticReport, s: Scanner) -> bytes:
    _, _, Image, _, _ = _imaging()
    buf = io.BytesIO()
    if fmt == "png":
        width = max(p.width for p in pages)
        sheet = Image.new("L", (width, sum(p.height for p in pages)), 255)
        y = 0
        for p in pages:
            sheet.paste(p, (0, y))
            y += p.height
        sheet.save(buf, "PNG", optimize=False)
    else:
        when = dt.datetime.fromisoformat(report.published).timetuple()  # Pillow wants a struct_time
        # Pillow stores grey and RGB pages as JPEG (DCTDecode) at the quality given
        pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=s.dpi, quality=s.jpeg or 95,
                      title=report.title or "", author=report.body.office, creationDate=when, modDate=when)
    return buf.getvalue()


def render_scan(report: SyntheticReport, fmt: str | None = None, style: str | None = None,
                distortion: str | None = None) -> Rendered:
    """Render `report` as a scan: `fmt` "pdf" (image-only PDF) or "png" (one long image);
    `distortion` one of DISTORTIONS (default: drawn per report)."""
    return render_scan_many([report], fmt, style, distortion)[0]


def render_scan_many(reports: Sequence[SyntheticReport], fmt: str | None = None,
                     style: str | None = None, distortion: str | None = None) -> list[Rendered]:
    pdfs = render_pdf_many(reports, style)
    return [scan_of(report, pdf, fmt, distortion) for report, pdf in zip(reports, pdfs, strict=True)]


def scan_of(report: SyntheticReport, pdf: Rendered, fmt: str | None = None, distortion: str | None = None) -> Rendered:
    """The scan of a report's PDF rendering (render it once, scan it with every distortion)."""
    k = _Knobs(knob_stream(report, "scan", fmt or "any"))
    chosen = fmt or k.pick("format", SCAN_FORMATS)
    if chosen not in SCAN_FORMATS:
        raise ValueError(f"unknown scan format {chosen!r} (one of {', '.join(SCAN_FORMATS)})")
    if chosen == "png":
        pages, scanner, knobs = _screenshot(pdf.data, report, k), Scanner(), []
    else:
        pages, scanner, knobs = rasterise(pdf.data, report, distortion or k.pick("distortion", DISTORTIONS))
    data = _encode(pages, chosen, report, scanner)
    kind = "scan" if chosen == "pdf" else "image"
    return Rendered(data, kind, f"{pdf.style}+{chosen}", f".{chosen}", aligned=True,
                    knobs=(*pdf.knobs, *k.on, *knobs))
