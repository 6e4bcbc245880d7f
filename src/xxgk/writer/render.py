"""Render a report as DOCX, HTML or PDF, lint the result, and write it only when it is clean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xxgk.errors import XxgkError
from xxgk.i18n import _
from xxgk.report import Report
from xxgk.writer.docx import render_docx
from xxgk.writer.draft import Draft, build
from xxgk.writer.html import render_html
from xxgk.writer.lint import LintError, LintResult, lint
from xxgk.writer.pdf import render_pdf_many
from xxgk.writer.sections import Narrative, placeholders

FORMATS = ("docx", "html", "pdf")


class UnknownFormatError(XxgkError):
    """The output name does not say which kind of document to write."""


@dataclass(frozen=True)
class Rendered:
    data: bytes
    kind: str
    draft: Draft
    lint: LintResult

    @property
    def placeholders(self) -> list[int]:
        """Sections whose text still holds the skeleton's 【待填写】 marks."""
        return placeholders(Narrative({s.section.no: "\n".join(s.paragraphs) for s in self.draft.sections}))


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    kind = {"htm": "html"}.get(suffix, suffix)
    if kind not in FORMATS:
        raise UnknownFormatError(_("{file}: the output must end in .docx, .html or .pdf").format(file=path))
    return kind


def _data(drafts: Sequence[Draft], kind: str) -> list[bytes]:
    if kind == "docx":
        return [render_docx(d) for d in drafts]
    if kind == "html":
        return [render_html(d) for d in drafts]
    return render_pdf_many(drafts)


def render_many(reports: Sequence[Report], kind: str, texts: Sequence[Narrative | None] | None = None,
                force: bool = False) -> list[Rendered]:
    """Render reports (PDFs in one LibreOffice run); raises LintError for the first that does not
    pass the lint, unless `force`."""
    if kind not in FORMATS:
        raise UnknownFormatError(_("unknown output kind {kind!r}: one of docx, html, pdf").format(kind=kind))
    drafts = [build(r, t) for r, t in zip(reports, texts or [None] * len(reports), strict=True)]
    out = []
    for draft, data in zip(drafts, _data(drafts, kind), strict=True):
        result = lint(data, kind, draft)
        if result.blocking and not force:
            raise LintError(result)
        out.append(Rendered(data, kind, draft, result))
    return out


def render(report: Report, kind: str, text: Narrative | None = None, force: bool = False) -> Rendered:
    """One report as `kind` ("docx", "html", "pdf"), linted. Narrative: `text`, else the report's
    own sections, else the skeleton."""
    return render_many([report], kind, [text], force)[0]


def write(report: Report, target: str | Path, text: Narrative | None = None, force: bool = False) -> Rendered:
    """Render to the kind `target`'s suffix names and write the file, only after the lint passed
    (or with `force`)."""
    rendered = render(report, format_of(target), text, force)
    Path(target).write_bytes(rendered.data)
    return rendered
