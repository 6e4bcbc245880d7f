"""Writer timings per report: the form, reading it back, and rendering + lint for each format.
Run: python bench/bench_writer.py [N]   (N generated reports, default 10; PDF on 4 of them)

Every render includes the lint (the document read back and checked), as `xxgk render` does.
PDF is timed one LibreOffice run per report, and for a batch converted in one run.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from xxgk.report import Cell, Meta, Report, SectionText, Source
from xxgk.synth import generate
from xxgk.writer import fill_in_form, read_form, render, render_many
from xxgk.writer.draft import title_of
from xxgk.writer.pdf import soffice


def report_of(seed: int) -> Report:
    s = generate(seed)
    meta = Meta(title=s.title, agency=s.body.name, year=s.year, template=s.template)
    meta.title = title_of(Report(Source("", "", ""), meta, [], {}))
    return Report(Source(f"seed-{seed}", "", "synthetic"), meta,
                  [SectionText(x.no, x.title, "\n".join(x.paragraphs)) for x in s.sections],
                  {p: Cell(v, "read") for p, v in s.values.items()})


def timed(label: str, items: list, fn: Callable) -> None:
    times = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t0)
    print(f"{label:28} median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms"
          f"   ({len(items)} reports)")


def main(n: int = 10) -> None:
    reports = [report_of(seed) for seed in range(n)]
    render(reports[0], "html")  # warm-up: imports, rule loading
    forms = [fill_in_form(r.meta.year or 2025, r.meta.agency, r) for r in reports]
    timed("form (xlsx)", reports, lambda r: fill_in_form(r.meta.year or 2025, r.meta.agency, r))
    timed("read_form", forms, read_form)
    timed("render+lint html", reports, lambda r: render(r, "html"))
    timed("render+lint docx", reports, lambda r: render(r, "docx"))
    if soffice() is None:
        print("pdf: skipped (LibreOffice not installed)")
    else:
        few = reports[:4]
        timed("render+lint pdf (one run)", few, lambda r: render(r, "pdf"))
        t0 = time.perf_counter()
        render_many(few, "pdf")
        print(f"{'render+lint pdf (batch)':28} {(time.perf_counter() - t0) / len(few) * 1000:8.1f} ms/report "
              f"({len(few)} in one LibreOffice run)")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
