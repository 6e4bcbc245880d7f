"""Speed and memory of the PDF path: text-layer PDFs (extract, parse, check) and OCR pages.

usage: python bench/bench_pdf.py [--runs N] [--ocr-runs N] [--no-ocr] [--against REV] [PDF ...]

Three tables: text-layer PDFs; one page of each PDF as a PNG through OCR (a page of prose and
a page of table); each whole PDF turned into a scan (image-only, 150 dpi) read end to end.
(default: tests/data/pdf/*.pdf)

Each scenario runs in a fresh child process so its peak resident memory (ru_maxrss) is its own;
the Python-heap peak comes from tracemalloc (PDFium and ONNX Runtime allocate outside it).
Times are medians of wall-clock time, with the process CPU time beside them (ONNX Runtime
uses both cores, so CPU can exceed wall; on a busy machine wall grows, CPU much less).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DPI = 150
GOAL = 2.0  # issue 11: a text-layer PDF read + checked in at most twice PDFium's own text extraction


def _timed(fn, runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def _timed_together(fns: list, runs: int) -> list[tuple[float, float, float]]:
    """Each function's median wall and CPU time and its best CPU time (ms), the functions run in
    turn within every round: on a shared machine the load drifts, and a ratio of two figures
    taken minutes apart would measure the drift."""
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for k, fn in enumerate(fns):
            w, c = time.perf_counter(), time.process_time()
            fn()
            walls[k].append(time.perf_counter() - w)
            cpus[k].append(time.process_time() - c)
    return [(statistics.median(w) * 1000, statistics.median(c) * 1000, min(c) * 1000)
            for w, c in zip(walls, cpus, strict=True)]


def pdfium_text(data: bytes) -> None:
    """The same-run baseline: PDFium's own text extraction of the whole file (open, every page
    loaded, its text page built and its text read)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    pdf.close()


def child_text(path: str, runs: int) -> dict:
    from xxgk.api import parse_document
    from xxgk.check import run_rules
    from xxgk.extract import extract_bytes

    data = Path(path).read_bytes()
    doc = extract_bytes(data, Path(path).name)  # warm imports
    report = parse_document(doc, check=False)
    run_rules(report)
    pdfium_text(data)
    extract = _timed(lambda: extract_bytes(data, Path(path).name), runs)
    parse = _timed(lambda: parse_document(doc, check=False), runs)
    check = _timed(lambda: run_rules(report), runs)
    total, base = _timed_together([lambda: parse_document(extract_bytes(data, Path(path).name), check=True),
                                   lambda: pdfium_text(data)], runs)
    tracemalloc.start()
    parse_document(extract_bytes(data, Path(path).name), check=True)
    heap = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    try:
        from xxgk.extract import speedups

        native = speedups.native() is not None
    except ImportError:  # the sources of a revision before the C loops (--against)
        native = False
    return {"native": native, "pages": doc.pages, "extract": extract, "parse": parse,
            "check": check, "total": total, "pdfium": base,
            "heap_mb": heap / 1e6, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3}


def _page_png(path: str, page: int) -> bytes:
    import pypdfium2 as pdfium

    image = pdfium.PdfDocument(Path(path).read_bytes())[page - 1].render(scale=DPI / 72).to_pil()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


def child_ocr(path: str, page: int, runs: int) -> dict:
    from xxgk.extract.ocr import _ocr_engine, extract_image

    data = _page_png(path, page)
    t = time.perf_counter()
    _ocr_engine()
    load = (time.perf_counter() - t) * 1000
    extract_image(data, "warm.png")
    wall, cpu = _timed(lambda: extract_image(data, "page.png"), runs)
    doc = extract_image(data, "page.png")
    cells = sum(len(t.cells) for t in doc.tables())
    return {"page": page, "wall": wall, "cpu": cpu, "engine_load": load, "cells": cells,
            "lines": sum(1 for _ in doc.paragraphs()),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3}


def _scanned_pdf(path: str) -> tuple[bytes, int]:
    """The whole report as a scanner would store it: one 150-dpi picture per page, no text."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(Path(path).read_bytes())
    images = [pdf[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return out.getvalue(), len(images)


def child_scan(path: str, runs: int) -> dict:
    import xxgk
    from xxgk.extract.ocr import _ocr_engine

    data, pages = _scanned_pdf(path)
    _ocr_engine()
    xxgk.read_bytes(data, "warm.pdf")
    wall, cpu = _timed(lambda: xxgk.read_bytes(data, "scan.pdf"), runs)
    return {"pages": pages, "wall": wall, "cpu": cpu,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3}


def _run_child(*args: str, src: Path | None = None, pure_python: bool = False) -> dict:
    """One scenario in a fresh process; `src`: read with that copy of xxgk's sources instead;
    `pure_python`: without the C loops (xxgk.extract.speedups), as an install without a compiler."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = str(src)
    if pure_python:
        env["XXGK_PURE_PYTHON"] = "1"
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True,
                         env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _sources_at(rev: str, into: Path) -> Path:
    """xxgk's sources as they were at git revision `rev` (for a before/after in one run)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def _text_row(name: str, r: dict) -> None:
    ratio = r["total"][1] / r["pdfium"][1]
    best = r["total"][2] / r["pdfium"][2]
    print(f"{name:28} {r['pages']:5} {r['extract'][0]:6.1f}/{r['extract'][1]:<6.1f} "
          f"{r['parse'][0]:5.1f}/{r['parse'][1]:<5.1f} {r['check'][0]:5.1f}/{r['check'][1]:<5.1f} "
          f"{r['total'][0]:6.1f}/{r['total'][1]:<6.1f} {r['pdfium'][0]:6.1f}/{r['pdfium'][1]:<6.1f} "
          f"{ratio:6.2f} {'<=' + format(GOAL, 'g') + 'x':>6} {'PASS' if ratio <= GOAL else 'FAIL':>5} "
          f"{best:6.2f} {r['heap_mb']:8.1f} {r['rss_mb']:7.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--ocr-runs", type=int, default=3)
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--against", metavar="REV", help="also time the text-layer PDFs with the sources of this git "
                    "revision, in the same run, each file's before and after back to back")
    ap.add_argument("--pure-python", action="store_true", help="also time the text-layer PDFs without the C loops "
                    "(as installed without a C compiler), in the same run")
    ap.add_argument("--child", nargs="+")
    ap.add_argument("pdfs", nargs="*")
    a = ap.parse_args()
    if a.child:
        kind, path, *rest = a.child
        if kind == "text":
            result = child_text(path, int(rest[0]))
        elif kind == "scan":
            result = child_scan(path, int(rest[0]))
        else:
            result = child_ocr(path, int(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return
    pdfs = a.pdfs or [str(p) for p in sorted((ROOT / "tests" / "data" / "pdf").glob("*.pdf"))]
    load = os.getloadavg()
    print(f"text-layer PDFs (median ms, wall / cpu); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"(1/5/15 min) on {os.cpu_count()} cores")
    print(f"goal: read + check (total = extract + parse + check) <= {GOAL:g}x PDFium's own text extraction of "
          "the same file (pdfium: open, every page, its text page, its text), cpu time, same process;\n"
          "ratio: of the median CPU times, the two run in turn; best: of the fastest runs (less sensitive to load);\n"
          "(python): read without the C loops of xxgk.extract.speedups (an install without a C compiler)")
    print(f"{'file':28} {'pages':>5} {'extract':>13} {'parse':>11} {'check':>11} {'total':>13} "
          f"{'pdfium':>13} {'ratio':>6} {'goal':>6} {'':>5} {'best':>6} {'heap MB':>8} {'rss MB':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        before = _sources_at(a.against, Path(tmp)) if a.against else None
        for p in pdfs:
            if before:
                _text_row(f"{Path(p).name[:20]} @{a.against[:7]}", _run_child("text", p, str(a.runs), src=before))
            if a.pure_python:
                _text_row(f"{Path(p).name[:20]} (python)", _run_child("text", p, str(a.runs), pure_python=True))
            r = _run_child("text", p, str(a.runs))
            _text_row(Path(p).name + ("" if r["native"] else " (python)"), r)
    load = os.getloadavg()
    print(f"load average afterwards {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if a.no_ocr:
        return
    print(f"\nOCR of one page rasterised at {DPI} dpi (median ms, wall / cpu)")
    print(f"{'file':28} {'page':>4} {'content':>22} {'wall':>7} {'cpu':>7} {'engine load':>12} {'rss MB':>7}")
    for p in pdfs:
        for page in (2, 4):  # a page of prose, a page of table
            r = _run_child("ocr", p, str(page), str(a.ocr_runs))
            content = f"{r['cells']} cells, {r['lines']} lines"
            print(f"{Path(p).name:28} {page:4} {content:>22} {r['wall']:7.0f} {r['cpu']:7.0f} "
                  f"{r['engine_load']:12.0f} {r['rss_mb']:7.0f}")

    print(f"\nScanned PDF (every page a {DPI}-dpi picture), read + parse + check (median ms, wall / cpu)")
    print(f"{'file':28} {'pages':>5} {'wall':>8} {'cpu':>8} {'wall/page':>10} {'cpu/page':>9} {'rss MB':>7}")
    for p in pdfs:
        r = _run_child("scan", p, str(a.ocr_runs))
        print(f"{Path(p).name:28} {r['pages']:5} {r['wall']:8.0f} {r['cpu']:8.0f} {r['wall'] / r['pages']:10.0f} "
              f"{r['cpu'] / r['pages']:9.0f} {r['rss_mb']:7.0f}")


if __name__ == "__main__":
    main()
