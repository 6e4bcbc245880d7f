"""Lint before publishing: the rendered document is read back with xxgk's own reader, checked
with every rule, and compared cell by cell with what was meant to be printed. An error-level
finding, or a number that does not read back as written, stops the write unless forced."""

from __future__ import annotations

from dataclasses import dataclass, field

import xxgk
from xxgk.errors import XxgkError
from xxgk.i18n import _
from xxgk.report import Finding, Report
from xxgk.vocabulary import cell_name, severity_name
from xxgk.writer.draft import Draft
from xxgk.writer.layout import fmt_number


@dataclass
class LintResult:
    back: Report  # the document as xxgk reads it
    findings: list[Finding]
    # Cells printed with a number that came back different or not as `read`: "path", wanted, got.
    mismatches: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def blocking(self) -> bool:
        return bool(self.errors or self.mismatches)

    def describe(self, finding: Finding) -> str:
        """One line in the reader's language: severity, message, and the cells by their labels."""
        text = f"{severity_name(finding.severity)} {finding.code}: {finding.message}"
        names = []
        for path in finding.cells[:6]:
            try:
                names.append(cell_name(self.back.template, path))
            except (KeyError, StopIteration, ValueError):
                names.append(path)
        if names:
            more = "…" if len(finding.cells) > 6 else ""
            text += " " + _("(cells: {cells})").format(cells="；".join(names) + more)
        return text

    def lines(self, severities: tuple[str, ...] = ("error",)) -> list[str]:
        out = [self.describe(f) for f in self.findings if f.severity in severities]
        for path, want, got in self.mismatches:
            out.append(_("the document does not read back as written: {cell} printed {want}, read {got}").format(
                cell=cell_name(self.back.template, path), want=want, got=got))
        return out


class LintError(XxgkError):
    """The document would be published with errors: it was not written."""

    def __init__(self, result: LintResult) -> None:
        self.result = result
        super().__init__("\n".join(result.lines()))


def printed_cells(draft: Draft) -> dict[str, str]:
    """Every value cell the document prints a number in, with the printed text."""
    out = {}
    for s in draft.sections:
        if s.grid is None:
            continue
        for g in s.grid.cells:
            if g.kind == "value" and g.path:
                cell = draft.report.cells.get(g.path)
                if cell is not None and cell.value is not None:
                    out[g.path] = fmt_number(cell.value)
    return out


def lint(data: bytes, kind: str, draft: Draft) -> LintResult:
    """Read `data` (a rendered `kind` document) back, run every rule, compare the printed cells."""
    back = xxgk.read_bytes(data, f"{draft.title}.{kind}")
    mismatches = []
    for path, want in printed_cells(draft).items():
        got = back.cells.get(path)
        if got is None or got.status != "read" or fmt_number(got.value) != want:
            shown = "—" if got is None else f"{fmt_number(got.value) or '—'} ({got.status})"
            mismatches.append((path, want, shown))
    return LintResult(back, list(back.findings), mismatches)
