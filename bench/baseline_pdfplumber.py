"""What a user would otherwise pick: pdfplumber's `extract_tables()` (plus `extract_text()` for the
prose), fed through the same parser, against xxgk's own PDF extractor, and pypdf's plain text
through the text path. Cell accuracy against the hand-checked truth, and speed.

usage: python bench/baseline_pdfplumber.py [--runs N] [PDF ...]
(default: tests/data/pdf/*.pdf, truth from tests/data/expected/NAME.json)
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdf

from xxgk.api import parse_document
from xxgk.document import Document, Location, Paragraph, Table, TableCell
from xxgk.extract.pdf import extract_pdf
from xxgk.extract.text import document_from_text

ROOT = Path(__file__).resolve().parent.parent


def pdfplumber_document(data: bytes, file: str) -> Document:
    """pdfplumber's tables as aligned Tables (grid positions as pdfplumber gives them, None for
    positions covered by a merged cell), the text outside them as lines."""
    blocks: list[Paragraph | Table] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            found = page.find_tables()
            placed: list[tuple[float, Paragraph | Table]] = []
            for t in found:
                cells = [TableCell((text or "").replace("\n", ""), r, c, loc=Location(page.page_number))
                         for r, row in enumerate(t.extract()) for c, text in enumerate(row) if text is not None]
                placed.append((t.bbox[1], Table(cells, Location(page.page_number), aligned=True)))
            outside = page
            for t in found:
                outside = outside.outside_bbox(t.bbox)
            for line in outside.extract_text_lines():
                placed.append((line["top"], Paragraph(line["text"], Location(page.page_number))))
            blocks.extend(b for _, b in sorted(placed, key=lambda p: p[0]))
    return Document(blocks, kind="pdf", file=file)


def pypdf_document(data: bytes, file: str) -> Document:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return document_from_text("\f".join(p.extract_text() for p in reader.pages), file=file, kind="pdf")


def xxgk_document(data: bytes, file: str) -> Document:
    return extract_pdf(data, file)


def sideways(data: bytes) -> bytes:
    """The same report with every page's content drawn turned by 90 degrees (as landscape
    scans-to-PDF and some print drivers store pages)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for page in writer.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        page.add_transformation(pypdf.Transformation().rotate(90).translate(tx=h, ty=0))
        page.mediabox = pypdf.generic.RectangleObject([0, 0, h, w])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def accuracy(doc: Document, truth: dict) -> tuple[int, int]:
    got = parse_document(doc, check=False).to_dict()
    right = total = 0
    for t in ("active", "applications", "appeals"):
        for r, cols in truth[t].items():
            for c, v in cols.items():
                total += 1
                g = got[t].get(r, {}).get(c)
                right += g is not None and abs(float(g) - float(v)) < 1e-9
    return right, total


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("pdfs", nargs="*", type=Path)
    a = ap.parse_args()
    pdfs = a.pdfs or sorted((ROOT / "tests" / "data" / "pdf").glob("*.pdf"))
    methods = {"xxgk (pypdfium2 grid)": xxgk_document, "pdfplumber extract_tables": pdfplumber_document,
               "pypdf text": pypdf_document}
    print(f"{'file':34} {'method':28} {'cells right':>12} {'extract ms':>11} {'+parse ms':>10}")
    totals = {m: [0, 0] for m in methods}
    inputs = []
    for path in pdfs:
        truth = json.loads((ROOT / "tests" / "data" / "expected" / f"{path.stem}.json").read_text("utf-8"))
        inputs.append((path.name, path.read_bytes(), truth))
        inputs.append((f"{path.stem} (sideways)", sideways(path.read_bytes()), truth))
    for label, data, truth in inputs:
        for name, fn in methods.items():
            doc = fn(data, label)
            right, total = accuracy(doc, truth)
            totals[name][0] += right
            totals[name][1] += total
            t_extract = median_ms(lambda fn=fn, data=data, label=label: fn(data, label), a.runs)
            t_both = median_ms(lambda fn=fn, data=data, label=label: parse_document(fn(data, label), check=False),
                               a.runs)
            print(f"{label:34} {name:28} {f'{right}/{total}':>12} {t_extract:11.0f} {t_both:10.0f}")
    for name, (right, total) in totals.items():
        print(f"{'ALL':34} {name:28} {f'{right}/{total}':>12} {right / total:11.1%}")


if __name__ == "__main__":
    main()
