"""The library interface: `xxgk.read(path) -> Report`, `xxgk.check(report) -> list[Finding]`.

A report is checked once: `read(path)` runs the rules (all, or `select` minus `ignore`) and
attaches the findings; `read(path, check=False)` leaves them to one later `check(report)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xxgk import identity
from xxgk.check import run_rules
from xxgk.document import Document
from xxgk.extract import extract, extract_bytes
from xxgk.extract.text import document_from_text
from xxgk.parse import parse_document as _parse
from xxgk.report import Finding, Report

Codes = Iterable[str] | None


def parse_document(doc: Document, check: bool = True, select: Codes = None, ignore: Codes = None) -> Report:
    """Parse an extracted Document; with check=True the findings of the selected rules are attached."""
    report = _parse(doc)
    identity.apply(report)  # region (with its official code) and level of the body
    if check:
        report.findings = run_rules(report, select, ignore)
    return report


def read(path: str | Path, check: bool = True, kind: str | None = None, *,
         select: Codes = None, ignore: Codes = None) -> Report:
    """Read one report file of any supported kind. Raises `xxgk.InputError` for unreadable input."""
    return parse_document(extract(path, kind), check, select, ignore)


def read_bytes(data: bytes, file: str = "", check: bool = True, kind: str | None = None, *,
               select: Codes = None, ignore: Codes = None) -> Report:
    return parse_document(extract_bytes(data, file, kind), check, select, ignore)


def parse_text(text: str, file: str = "report.txt", check: bool = True) -> Report:
    """Parse report text already in memory (tab-separated or PDF-to-text style)."""
    return parse_document(document_from_text(text, file), check)


def check(report: Report, select: Codes = None, ignore: Codes = None) -> list[Finding]:
    """Run the report rules (all, or those selected, minus those ignored) and return the findings."""
    return run_rules(report, select, ignore)
