"""Writing the report: the fill-in form (XLSX), template-exact DOCX / HTML / PDF, and the lint
that reads every document back before it is written.

    from xxgk.writer import fill_in_form, load_report, render, write
    data = fill_in_form(2025, body="某某区人民政府", last=xxgk.read("2024.pdf"))   # XLSX bytes
    report = load_report("填报表.xlsx")             # a filled form, a JSON contract or any report file
    rendered = write(report, "report.docx")          # raises LintError when an error is found

Needs the `writer` extra (openpyxl, python-docx; PDF also LibreOffice).
"""

from xxgk.writer.draft import Draft, build
from xxgk.writer.form import fill_in_form, write_form
from xxgk.writer.inputs import load_report, report_from_json
from xxgk.writer.lint import LintError, LintResult, lint
from xxgk.writer.pdf import ToolMissingError
from xxgk.writer.read_form import read_form
from xxgk.writer.render import FORMATS, Rendered, UnknownFormatError, format_of, render, render_many, write
from xxgk.writer.sections import Narrative, parse_markdown, read_markdown, skeleton

__all__ = [
    "FORMATS",
    "Draft",
    "LintError",
    "LintResult",
    "Narrative",
    "Rendered",
    "ToolMissingError",
    "UnknownFormatError",
    "build",
    "fill_in_form",
    "format_of",
    "lint",
    "load_report",
    "parse_markdown",
    "read_form",
    "read_markdown",
    "render",
    "render_many",
    "report_from_json",
    "skeleton",
    "write",
    "write_form",
]
