"""Accuracy of xxgk on synthetic reports, per input kind: cells, silent errors, defect recall.

    python bench/accuracy.py                    # the default sizes below
    python bench/accuracy.py --n-text 1000 --n-pdf 50 --n-scan 0 --defect-rate 0.5

For each kind (the three text styles, every HTML style, DOCX, PDF made by LibreOffice, scanned
PDF, long PNG screenshot) it generates reports (half of them, by default, with one injected
defect), renders them, reads them with `xxgk.read_bytes` and compares with the truth (`xxgk.synth.score`):

- cell accuracy: cells whose value equals the truth after inference;
- unflagged: wrong cells that xxgk reported as read with no finding naming them: silent errors,
  which must be 0;
- defect recall: injected defects whose rule was reported (naming a relevant cell);
- false alarms: clean reports with an error or warning finding the truth does not explain;
- meta: year, template and body right.

Then the printing patterns of real offices (xxgk.synth.patterns: sub-heads, 目录, 小计, vertical
table 四, zeros as marks or blanks, signature, title only in the page head, 2019 table 二 in a 2021
report), each in every channel it applies to, and a mix of them, in a table of their own so the
figures above stay comparable with earlier runs (`--n-patterns 0` leaves them out):

    python bench/accuracy.py --n-patterns 20 --n-patterns-pdf 4
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field

import xxgk
from xxgk.errors import InputError
from xxgk.synth import HTML_STYLES, PATTERNS, STYLES, render_html, render_text, sample
from xxgk.synth.layout import Rendered
from xxgk.synth.score import score
from xxgk.synth.truth import SyntheticReport


@dataclass
class Row:
    kind: str
    reports: int = 0
    errors: int = 0  # files xxgk refused (InputError)
    cells: int = 0
    right: int = 0
    unflagged: int = 0
    expected: int = 0
    found: int = 0
    clean: int = 0
    false_alarms: int = 0
    meta_ok: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)


def renderings(kind: str, style: str | None, reports: list[SyntheticReport]) -> list[Rendered]:
    if kind == "text":
        return [render_text(r, style) for r in reports]
    if kind == "html":
        return [render_html(r, style) for r in reports]
    if kind == "docx":
        from xxgk.synth.render_docx import render_docx

        return [render_docx(r) for r in reports]
    if kind == "pdf":
        from xxgk.synth.render_pdf import render_pdf_many

        return render_pdf_many(reports)
    from xxgk.synth.render_scan import render_scan_many

    return render_scan_many(reports, style or "pdf")


def mixed_patterns(seed: int) -> frozenset[str]:
    """Two to four patterns drawn from the seed (never two conventions for the same zeros)."""
    rng = random.Random(f"xxgk.bench:patterns:{seed}")
    names = sorted(p for p in PATTERNS if p not in ("blank-zero", "head-title"))
    return frozenset(rng.sample(names, rng.randint(2, 4))) - ({"dash-rows"} if rng.random() < 0.5 else set())


def evaluate(name: str, kind: str, style: str | None, seeds: range, defect_rate: float,
             patterns: str | None = None) -> Row:
    row = Row(name)
    if patterns == "mixed":
        reports = [sample(s, defect_rate, mixed_patterns(s)) for s in seeds]
    else:
        reports = [sample(s, defect_rate, [patterns] if patterns else ()) for s in seeds]
    for report, rendered in zip(reports, renderings(kind, style, reports), strict=True):
        row.reports += 1
        t0 = time.perf_counter()
        try:
            parsed = xxgk.read_bytes(rendered.data, f"{report.seed:06d}{rendered.suffix}")
        except InputError as e:
            row.errors += 1
            row.examples.append(f"seed {report.seed}: refused: {e}")
            continue
        finally:
            row.seconds += time.perf_counter() - t0
        s = score(report, rendered, parsed)
        row.cells += s.cells
        row.right += s.right
        row.unflagged += len(s.unflagged)
        row.expected += len(s.found) + len(s.missed)
        row.found += len(s.found)
        row.meta_ok += not s.meta
        if not report.defects:
            row.clean += 1
            row.false_alarms += bool(s.unexpected)
        if (s.unflagged or s.missed) and len(row.examples) < 3:
            row.examples.append(f"seed {report.seed} {rendered.style} {report.defects}: {s.summary()[:240]}")
    return row


def table(rows: list[Row]) -> str:
    head = ("input", "reports", "cell accuracy", "unflagged wrong", "defect recall", "false alarms", "meta ok",
            "s/report")
    lines = [head]
    for r in rows:
        lines.append((
            r.kind, str(r.reports) + (f" ({r.errors} refused)" if r.errors else ""),
            f"{r.right / r.cells:.4f} ({r.cells - r.right} wrong)" if r.cells else "-",
            str(r.unflagged),
            f"{r.found / r.expected:.3f} ({r.found}/{r.expected})" if r.expected else "-",
            f"{r.false_alarms}/{r.clean}", f"{r.meta_ok}/{r.reports - r.errors}",
            f"{r.seconds / max(1, r.reports):.3f}",
        ))
    widths = [max(len(x[i]) for x in lines) for i in range(len(head))]
    out = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-text", type=int, default=300, help="reports per text style")
    ap.add_argument("--n-html", type=int, default=100, help="reports per HTML style")
    ap.add_argument("--n-docx", type=int, default=60)
    ap.add_argument("--n-pdf", type=int, default=30)
    ap.add_argument("--n-scan", type=int, default=10, help="scanned PDFs (about 8 s each)")
    ap.add_argument("--n-png", type=int, default=4, help="long screenshots (pages stacked in one PNG)")
    ap.add_argument("--n-patterns", type=int, default=20,
                    help="reports per printing pattern and text style / HTML / DOCX (0: leave patterns out)")
    ap.add_argument("--n-patterns-pdf", type=int, default=4, help="PDFs per printing pattern")
    ap.add_argument("--defect-rate", type=float, default=0.5)
    ap.add_argument("--seed0", type=int, default=0)
    ap.add_argument("-v", "--verbose", action="store_true", help="print example failures")
    a = ap.parse_args(argv)
    plan: list[tuple[str, str, str | None, int]] = [(f"text:{s}", "text", s, a.n_text) for s in STYLES]
    plan += [(f"html:{s}", "html", s, a.n_html) for s in HTML_STYLES]
    plan += [("docx", "docx", None, a.n_docx), ("pdf", "pdf", None, a.n_pdf), ("scan", "scan", "pdf", a.n_scan),
             ("scan:png", "scan", "png", a.n_png)]
    rows = []
    for name, kind, style, n in plan:
        if n <= 0:
            continue
        try:
            row = evaluate(name, kind, style, range(a.seed0, a.seed0 + n), a.defect_rate)
        except (ImportError, RuntimeError) as e:  # an optional renderer or LibreOffice missing
            print(f"{name}: skipped ({e})", file=sys.stderr)
            continue
        rows.append(row)
        print(f"{name}: done", file=sys.stderr)
    print(table(rows))
    pattern_rows = run_patterns(a)
    if pattern_rows:
        print()
        print(table(pattern_rows))
    if a.verbose:
        for r in rows + pattern_rows:
            for ex in r.examples:
                print(f"{r.kind}: {ex}")
    return 1 if any(r.unflagged for r in rows + pattern_rows) else 0


def run_patterns(a: argparse.Namespace) -> list[Row]:
    """One row per (pattern, channel) the pattern applies to, then the mix of patterns."""
    plan: list[tuple[str, str, str | None, int, str]] = []
    for name, pattern in [*sorted(PATTERNS.items()), ("mixed", None)]:
        channels = pattern.channels if pattern else ("text", "html", "docx")
        if "text" in channels:
            plan += [(f"{name} text:{s}", "text", s, a.n_patterns, name) for s in STYLES]
        if "html" in channels:
            plan.append((f"{name} html", "html", None, a.n_patterns, name))
        if "docx" in channels:
            plan.append((f"{name} docx", "docx", None, a.n_patterns, name))
            if name != "head-title":  # a PDF's own properties are not read
                plan.append((f"{name} pdf", "pdf", None, a.n_patterns_pdf, name))
    rows = []
    for label, kind, style, n, name in plan:
        if n <= 0:
            continue
        try:
            row = evaluate(label, kind, style, range(a.seed0, a.seed0 + n), a.defect_rate, name)
        except (ImportError, RuntimeError) as e:
            print(f"{label}: skipped ({e})", file=sys.stderr)
            continue
        rows.append(row)
        print(f"{label}: done", file=sys.stderr)
    return rows


if __name__ == "__main__":
    sys.exit(main())
