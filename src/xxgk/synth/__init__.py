"""Synthetic annual reports: random, realistic truth, injected defects, and renderings in every
publication channel (text dumps, HTML pages, DOCX, PDF, scans), for tests and benchmarks.

    from xxgk.synth import generate, render_text
    report = generate(7, defects=["T3-balance"])
    rendered = render_text(report, style="tsv", encoding="gb18030")
    rendered.data            # bytes of the file
    report.applications      # the truth, FORMAT.md vocabulary
    report.expected_codes    # rule codes a correct checker must report

Same seed, same bytes.
"""

from xxgk.synth.defects import DEFECTS, applicable, inject
from xxgk.synth.generate import generate, sample
from xxgk.synth.layout import Rendered
from xxgk.synth.patterns import PATTERNS
from xxgk.synth.render_html import HTML_STYLES, render_html
from xxgk.synth.render_text import ENCODINGS, STYLES, render_text, text_of
from xxgk.synth.score import Score, score
from xxgk.synth.truth import CellTruth, Expectation, SyntheticReport

# DOCX, PDF and scan renderers need optional packages (python-docx; LibreOffice; pypdfium2 and
# Pillow): import them from their modules, xxgk.synth.render_docx / render_pdf / render_scan.

__all__ = [
    "DEFECTS",
    "ENCODINGS",
    "HTML_STYLES",
    "PATTERNS",
    "STYLES",
    "CellTruth",
    "Expectation",
    "Rendered",
    "Score",
    "SyntheticReport",
    "applicable",
    "generate",
    "inject",
    "render_html",
    "render_text",
    "sample",
    "score",
    "text_of",
]
