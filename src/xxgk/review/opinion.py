"""The 审核意见 sent back to a body: its confirmed problems (each with the rule, the cells by their
template labels, the place in the source and the reviewer's comment) and the corrections made,
as DOCX (python-docx) and PDF (the DOCX converted by LibreOffice)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from xxgk.check.registry import load_rules
from xxgk.i18n import _
from xxgk.review.db import ReviewError
from xxgk.review.reports import ReviewedReport, cell_label, decision_name
from xxgk.vocabulary import location_text
from xxgk.zipbytes import normalize_zip

FONT = "Noto Serif CJK SC"  # what Debian's fonts-noto-cjk installs; Word substitutes SimSun/宋体
_FIXED = datetime(2000, 1, 1)


def _fmt(v: object) -> str:
    if v is None:
        return _("(unknown)")
    if isinstance(v, float):
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    return f"{v:,}" if isinstance(v, int) else str(v)


def _last_action(r: ReviewedReport) -> datetime | None:
    times = [f.decision.at for f in r.findings if f.decision] + [c.at for c in r.history]
    if r.state.at:
        times.append(r.state.at)
    return max(times) if times else None


def opinion_docx(r: ReviewedReport) -> bytes:
    """The 审核意见 of one report as a .docx file."""
    doc = Document()
    for name in ("Normal", "Title", "Heading 1"):
        style = doc.styles[name]
        style.font.name = FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    doc.styles["Normal"].font.size = Pt(11)
    props = doc.core_properties
    props.author = "xxgk"
    props.created = props.modified = _FIXED
    props.title = _("Review opinion")

    m = r.report.meta
    head = doc.add_heading(_("Review opinion"), level=0)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_("On: {title}").format(title=m.title or r.report.source.file))
    facts = [
        (_("Body"), m.agency or _("(not identified)")),
        (_("Year"), str(m.year) if m.year else _("(unknown)")),
        (_("File"), r.report.source.file),
        (_("Review state"), r.state.name),
    ]
    if r.state.comment:
        facts.append((_("Reviewer's opinion"), r.state.comment))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for k, v in facts:
        row = table.add_row().cells
        row[0].text, row[1].text = k, v

    rules = load_rules()
    confirmed = r.decided("confirm")
    doc.add_heading(_("1. Problems to correct"), level=1)
    if not confirmed:
        doc.add_paragraph(_("No problem was confirmed."))
    for n, f in enumerate(confirmed, 1):
        rule = rules.get(f.finding.code)
        p = doc.add_paragraph()
        p.add_run(f"{n}. ").bold = True
        p.add_run(f.finding.message).bold = True
        lines = [_("Rule: {code} ({summary})").format(code=f.finding.code, summary=rule.summary if rule else "")]
        if f.finding.cells:
            lines.append(_("Cells: {cells}").format(
                cells="；".join(cell_label(r.report, c) for c in f.finding.cells)))
        if f.finding.loc:
            lines.append(_("In the source: {where}").format(where=location_text(f.finding.loc)))
        if f.finding.excerpt:
            lines.append(_("Text: {excerpt}").format(excerpt=f.finding.excerpt))
        assert f.decision is not None
        if f.decision.comment:
            lines.append(_("Reviewer's comment: {comment}").format(comment=f.decision.comment))
        for line in lines:
            doc.add_paragraph(line, style="List Bullet")

    doc.add_heading(_("2. Figures corrected by the reviewers"), level=1)
    if not r.corrections:
        doc.add_paragraph(_("None."))
    else:
        grid = doc.add_table(rows=1, cols=4)
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, (_("Cell"), _("As printed"), _("Corrected"), _("Reason")),
                              strict=True):
            cell.text = text
        for path, c in r.corrections.items():
            old = r.report.cells.get(path)
            row = grid.add_row().cells
            row[0].text = cell_label(r.report, path)
            row[1].text = _fmt(old.value if old else None) if not (old and old.value is None and old.raw) \
                else old.raw or ""
            row[2].text = _fmt(c.value)
            row[3].text = c.reason

    dismissed = r.decided("dismiss")
    if dismissed:
        doc.add_heading(_("3. Findings dismissed by the reviewers"), level=1)
        for f in dismissed:
            assert f.decision is not None
            text = f"{f.finding.code}: {f.finding.message}"
            if f.decision.comment:
                text += f"（{decision_name('dismiss')}：{f.decision.comment}）"
            doc.add_paragraph(text, style="List Bullet")

    reviewers = sorted({f.decision.user for f in r.findings if f.decision} | {c.user for c in r.history}
                       | ({r.state.user} if r.state.user else set()))
    last = _last_action(r)
    tail = doc.add_paragraph(_("Reviewers: {names}").format(names="、".join(reviewers) or "—"))
    tail.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if last:
        doc.add_paragraph(last.strftime("%Y-%m-%d")).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())  # python-docx stamps zip members with the clock


def soffice() -> str | None:
    return os.environ.get("XXGK_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, timeout: float = 120) -> bytes:
    """Convert with LibreOffice in a private profile (concurrent conversions do not collide)."""
    exe = soffice()
    if exe is None:
        raise ReviewError(_("the PDF needs LibreOffice: apt-get install libreoffice-writer"))
    with tempfile.TemporaryDirectory(prefix="xxgk-opinion-") as tmp:
        src = Path(tmp) / "opinion.docx"
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ReviewError(_("LibreOffice did not convert the opinion within {s} s").format(
                s=int(timeout))) from None
        out = Path(tmp) / "opinion.pdf"
        if not out.exists():
            raise ReviewError(_("LibreOffice could not convert the opinion to PDF"))
        return out.read_bytes()


def opinion_pdf(r: ReviewedReport) -> bytes:
    return docx_to_pdf(opinion_docx(r))
