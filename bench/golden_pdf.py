"""Golden outputs of the PDF reader: the extracted Document (every block, text, span and box)
and the report's JSON and findings of every PDF at hand, to prove a speed change changed
nothing. Run before and after, compare:

    python bench/golden_pdf.py write /tmp/pdf-before   # before the change
    python bench/golden_pdf.py check /tmp/pdf-before   # after: exit 1 and the names of what differs

Inputs: the PDFs in tests/data/pdf, each also rotated for display (90/180/270), drawn sideways,
and with its rulings removed (pypdf rewrites, as tests/test_extract_pdf.py makes them); and
generated reports (xxgk.synth, through LibreOffice) in every printing pattern, a mix of them,
and both DOCX styles, over several seeds. The generated PDFs are inputs, not outputs: they are
made once and kept in `--cache` (default /tmp/xxgk-golden-pdfs) so later runs only read them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from golden import write_or_check

import xxgk
from xxgk.errors import InputError
from xxgk.extract.pdf import extract_pdf
from xxgk.i18n import use_lang
from xxgk.synth.pdf_variants import rotated, sideways, without_rulings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "pdf"


def corpus_inputs() -> Iterator[tuple[str, bytes]]:
    for f in sorted(DATA.glob("*.pdf")):
        data = f.read_bytes()
        yield f.name, data
        for angle in (90, 180, 270):
            yield f"{f.stem}-rot{angle}.pdf", rotated(data, angle)
        yield f"{f.stem}-sideways.pdf", sideways(data)
        yield f"{f.stem}-unruled.pdf", without_rulings(data)


def generated_inputs(cache: Path, seeds: int) -> Iterator[tuple[str, bytes]]:
    from xxgk.synth import PATTERNS, sample
    from xxgk.synth.render_pdf import render_pdf_many

    plan: list[tuple[str, int, list[str], str | None]] = []
    for seed in range(seeds):
        for style in ("official", "breaks"):
            plan.append((f"plain-{style}-{seed}", 1000 + seed, [], style))
        for name in sorted(PATTERNS):
            if name != "head-title":
                plan.append((f"{name}-{seed}", 2000 + 37 * seed + len(name), [name], None))
    missing = [p for p in plan if not (cache / f"{p[0]}.pdf").exists()]
    for style in ("official", "breaks", None):
        todo = [p for p in missing if p[3] == style]
        if not todo:
            continue
        rendered = render_pdf_many([sample(seed, 0.5, pats) for _, seed, pats, _ in todo], style)
        cache.mkdir(parents=True, exist_ok=True)
        for (name, *_), r in zip(todo, rendered, strict=True):
            (cache / f"{name}.pdf").write_bytes(r.data)
    for name, *_ in plan:
        yield f"synth-{name}.pdf", (cache / f"{name}.pdf").read_bytes()


def output(name: str, data: bytes) -> str:
    try:
        doc = extract_pdf(data, name)
    except InputError as e:
        return f"InputError: {e}"
    out = [repr(doc)]
    try:
        report = xxgk.read_bytes(data, name)
    except InputError as e:
        return "\n".join([*out, f"InputError: {e}"])
    out.append(report.to_json())
    with use_lang("zh_CN"):
        out += [f.message for f in report.findings]
    with use_lang("en"):
        out += [f.message for f in report.findings]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("write", "check"))
    ap.add_argument("folder", type=Path)
    ap.add_argument("--seeds", type=int, default=3, help="generated reports per pattern and style")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/xxgk-golden-pdfs"))
    a = ap.parse_args(argv)
    return write_or_check(a.mode, a.folder, [*corpus_inputs(), *generated_inputs(a.cache, a.seeds)], output, "PDFs")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
