"""Write N synthetic reports of one input kind to a folder, for ingest and audit benchmarks.

    python bench/make_corpus.py text 10000 /tmp/corpus-text
    python bench/make_corpus.py pdf 1000 /tmp/corpus-pdf --batch 50
    python bench/make_corpus.py html 500 /tmp/corpus-html --defect-rate 0.3 --truth

Kinds: text (every quirk style and encoding, drawn per seed), html, docx, pdf (LibreOffice
headless), scan (image-only PDF), png (one long image). Files are named by seed
(000017.txt); with --truth each gets its truth beside it (000017.truth.json: the FORMAT.md
vocabulary plus defects and expected codes). The same arguments write byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from xxgk.synth import render_html, render_text, sample
from xxgk.synth.layout import Rendered
from xxgk.synth.truth import SyntheticReport

KINDS = ("text", "html", "docx", "pdf", "scan", "png")


def render_batch(kind: str, reports: list[SyntheticReport], style: str | None) -> list[Rendered]:
    if kind == "text":
        return [render_text(r, style) for r in reports]
    if kind == "html":
        return [render_html(r, style) for r in reports]
    if kind == "docx":
        from xxgk.synth.render_docx import render_docx

        return [render_docx(r, style) for r in reports]
    if kind == "pdf":
        from xxgk.synth.render_pdf import render_pdf_many

        return render_pdf_many(reports, style)
    from xxgk.synth.render_scan import render_scan_many

    return render_scan_many(reports, "pdf" if kind == "scan" else "png", style)


def batches(seeds: range, size: int) -> Iterator[range]:
    for start in range(seeds.start, seeds.stop, size):
        yield range(start, min(start + size, seeds.stop))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=KINDS)
    ap.add_argument("n", type=int, help="how many reports")
    ap.add_argument("out", type=Path, help="folder to write into (created)")
    ap.add_argument("--seed0", type=int, default=0, help="first seed (default 0)")
    ap.add_argument("--style", default=None, help="one renderer style (default: drawn per seed)")
    ap.add_argument("--defect-rate", type=float, default=0.0, help="share of reports with one injected defect")
    ap.add_argument("--truth", action="store_true", help="also write SEED.truth.json beside each file")
    ap.add_argument("--batch", type=int, default=50, help="reports per LibreOffice run (pdf, scan, png)")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    written = size = 0
    seeds = range(a.seed0, a.seed0 + a.n)
    step = a.batch if a.kind in ("pdf", "scan", "png") else 500
    for chunk in batches(seeds, step):
        reports = [sample(s, a.defect_rate) for s in chunk]
        for report, rendered in zip(reports, render_batch(a.kind, reports, a.style), strict=True):
            path = a.out / f"{report.seed:06d}{rendered.suffix}"
            path.write_bytes(rendered.data)
            size += len(rendered.data)
            if a.truth:
                truth = report.to_dict()
                truth["rendering"] = {"kind": rendered.kind, "style": rendered.style,
                                      "encoding": rendered.encoding, "knobs": list(rendered.knobs)}
                (a.out / f"{report.seed:06d}.truth.json").write_text(
                    json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
            written += 1
        elapsed = time.perf_counter() - t0
        print(f"\r{written}/{a.n} {a.kind} reports, {size / 1e6:.1f} MB, {elapsed:.0f}s", end="", file=sys.stderr)
    print(file=sys.stderr)
    print(f"wrote {written} {a.kind} reports ({size / 1e6:.1f} MB) to {a.out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
