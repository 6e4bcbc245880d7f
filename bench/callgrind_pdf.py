"""Instruction counts (valgrind's callgrind) of reading + checking a text-layer PDF against
PDFium's own text extraction of the same file: repeatable to a fraction of a percent on a
machine shared with other work, where CPU times drift by tens of percent.

    python bench/callgrind_pdf.py [PDF ...]          # default: tests/data/pdf/*.pdf

Each figure is the difference between a run doing the work 1 + K times and one doing it once,
divided by K (so imports, warm-up and valgrind's own start cost cancel out). Stages: extract
(xxgk.extract.extract_bytes), read+check (parse_document(extract_bytes(...), check=True), what
bench_pdf.py's "total" times) and pdfium (bench_pdf.pdfium_text, the baseline); with --stages,
also the two halves of extract: pages (PDFium's loading, glyphs and rulings of every page) and
layout (lines and grids of those pages into a Document).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
K = 4
GOAL = 2.0  # issue 11: read + check <= 2x PDFium's own text extraction (bench_pdf.py's goal, in instructions)


def child(stage: str, path: str, times: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_pdf import pdfium_text

    from xxgk.api import parse_document
    from xxgk.extract import extract_bytes
    from xxgk.extract.layout import build_document
    from xxgk.extract.pdf import UNITS

    data = Path(path).read_bytes()
    name = Path(path).name
    pages = _pages(data) if stage == "layout" else []
    work = {"pdfium": lambda: pdfium_text(data), "extract": lambda: extract_bytes(data, name),
            "total": lambda: parse_document(extract_bytes(data, name), check=True),
            "pages": lambda: _pages(data),
            "layout": lambda: build_document(pages, kind="pdf", file=name, units=UNITS)}[stage]
    for _ in range(times):
        work()


def _pages(data: bytes) -> list:
    """The text-layer reading alone: every page's glyphs and rulings (PDFium's loading included)."""
    import pypdfium2 as pdfium

    from xxgk.extract.pdf import _read_pages

    pdf = pdfium.PdfDocument(data)
    try:
        return _read_pages(pdf, data, "")
    finally:
        pdf.close()


# numpy's OpenBLAS starts a helper thread that spins for a while after start-up; callgrind counts
# its spinning, a different amount each run: with one BLAS thread there is none (nothing here
# calls BLAS).
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def instructions(stage: str, path: str, times: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "cg.out")
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
                              "--child", stage, path, str(times)], capture_output=True, text=True,
                             env=dict(os.environ, PYTHONHASHSEED="0", **_ONE_THREAD), check=True)
        m = re.search(r"Collected : (\d+)", run.stderr)
        assert m, run.stderr[-2000:]
        return int(m.group(1))


def per_run(stage: str, path: str) -> float:
    return (instructions(stage, path, 1 + K) - instructions(stage, path, 1)) / K


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=3)
    ap.add_argument("--stages", action="store_true", help="also count the pages and layout halves of extract")
    ap.add_argument("pdfs", nargs="*")
    a = ap.parse_args()
    if a.child:
        child(a.child[0], a.child[1], int(a.child[2]))
        return
    pdfs = a.pdfs or [str(p) for p in sorted((ROOT / "tests" / "data" / "pdf").glob("*.pdf"))]
    print(f"{'file':28} {'pdfium Mi':>10} {'extract Mi':>11} {'total Mi':>9} {'extract/pdfium':>15} "
          f"{'total/pdfium':>13} {'goal':>6} {'':>5}" + (f" {'pages Mi':>9} {'layout Mi':>10}" if a.stages else ""))
    for p in pdfs:
        base, ext, tot = (per_run(s, p) / 1e6 for s in ("pdfium", "extract", "total"))
        halves = f" {per_run('pages', p) / 1e6:9.1f} {per_run('layout', p) / 1e6:10.1f}" if a.stages else ""
        verdict = "PASS" if tot / base <= GOAL else "FAIL"
        print(f"{Path(p).name:28} {base:10.1f} {ext:11.1f} {tot:9.1f} {ext / base:15.2f} {tot / base:13.2f} "
              f"{'<=' + format(GOAL, 'g') + 'x':>6} {verdict:>5}{halves}")


if __name__ == "__main__":
    main()
