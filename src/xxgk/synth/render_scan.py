"""Scanned renderings: the PDF rendering rasterised, as a scanner or a screenshot leaves it.

Pages are rendered with pypdfium2 at 150 dpi (grey), then, per knob, slightly rotated (a
sheet fed askew, under a degree) and sprinkled with noise (scanner grain and specks). The
noise comes from numpy's generator seeded by the report, so a seed gives the same pixels.
Formats:

- ``pdf``: an image-only PDF, one page per sheet (no text layer: the reader must OCR it);
- ``png``: the pages stacked into one long image, as reports are posted as screenshots.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from xxgk.synth.layout import Rendered, knob_stream
from xxgk.synth.render_pdf import render_pdf_many
from xxgk.synth.render_text import _Knobs
from xxgk.synth.truth import SyntheticReport

SCAN_FORMATS = ("pdf", "png")
DPI = 150


def _imaging():
    try:
        import numpy as np
        import pypdfium2 as pdfium
        from PIL import Image
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("rendering scans needs pypdfium2, pillow and numpy: pip install 'xxgk[synth]'") from e
    return np, pdfium, Image


def rasterise(pdf: bytes, report: SyntheticReport, k: _Knobs, dpi: int = DPI) -> list:
    """Pages of `pdf` as grey PIL images, degraded the way the knobs say."""
    np, pdfium, Image = _imaging()
    doc = pdfium.PdfDocument(pdf)
    rng = np.random.default_rng(abs(hash_seed(report.seed)))
    skew = k.flip("skew", 0.6)
    grain = k.flip("grain", 0.7)
    specks = k.flip("specks", 0.5)
    pages = []
    try:
        for i in range(len(doc)):
            img = doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if skew:
                angle = float(rng.uniform(-0.8, 0.8))
                img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
            if grain or specks:
                a = np.asarray(img, dtype=np.int16)
                if grain:
                    a = a + rng.normal(0, 9, a.shape).astype(np.int16)
                if specks:
                    n = int(a.size * 0.0004)
                    ys = rng.integers(0, a.shape[0], n)
                    xs = rng.integers(0, a.shape[1], n)
                    a[ys, xs] = rng.integers(0, 90, n)
                img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
            pages.append(img)
    finally:
        doc.close()
    return pages


def hash_seed(seed: int) -> int:
    """A stable 63-bit seed for numpy (Python's hash() of str is salted per process)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(f"xxgk.synth:{seed}:scan".encode()).digest()[:8], "big") >> 1


def _encode(pages: list, fmt: str, report: SyntheticReport) -> bytes:
    _, _, Image = _imaging()
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
        pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=DPI,
                      title=report.title or "", author=report.body.office, creationDate=when, modDate=when)
    return buf.getvalue()


def render_scan(report: SyntheticReport, fmt: str | None = None, style: str | None = None) -> Rendered:
    """Render `report` as a scan: `fmt` "pdf" (image-only PDF) or "png" (one long image)."""
    return render_scan_many([report], fmt, style)[0]


def render_scan_many(reports: Sequence[SyntheticReport], fmt: str | None = None,
                     style: str | None = None) -> list[Rendered]:
    pdfs = render_pdf_many(reports, style)
    out = []
    for report, pdf in zip(reports, pdfs, strict=True):
        k = _Knobs(knob_stream(report, "scan", fmt or "any"))
        chosen = fmt or k.pick("format", SCAN_FORMATS)
        if chosen not in SCAN_FORMATS:
            raise ValueError(f"unknown scan format {chosen!r} (one of {', '.join(SCAN_FORMATS)})")
        pages = rasterise(pdf.data, report, k)
        data = _encode(pages, chosen, report)
        kind = "scan" if chosen == "pdf" else "image"
        out.append(Rendered(data, kind, f"{pdf.style}+{chosen}", f".{chosen}", aligned=True,
                            knobs=(*pdf.knobs, *k.on)))
    return out
