"""The report as PDF: its DOCX (set in the installed fonts) converted by LibreOffice headless.

LibreOffice runs with a private, throw-away user profile and a timeout. Its output differs
between runs only in the creation date and the document ID; both are rewritten in place (same
length, so the cross-reference table stays valid), which makes the bytes reproducible.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from xxgk.errors import XxgkError
from xxgk.i18n import _
from xxgk.writer.docx import render_docx
from xxgk.writer.draft import Draft
from xxgk.writer.fonts import installed


class ToolMissingError(XxgkError):
    """A program the output needs is not installed; the message names the package."""


class ConversionError(XxgkError):
    """LibreOffice ran but did not produce the file."""


def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    exe = soffice()
    if exe is None:
        raise ToolMissingError(_("PDF output needs LibreOffice, which is not installed: install the package "
                                 "libreoffice-writer (Debian/Ubuntu: apt-get install libreoffice-writer "
                                 "fonts-noto-cjk), or write .docx and convert it yourself"))
    return exe


# LibreOffice settings for spreadsheets: recalculate every formula on load (0 = always), whatever
# results the file carries, so a converted workbook holds LibreOffice's own results.
_ITEM = ('<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
         '<prop oor:name="{name}" oor:op="fuse"><value>0</value></prop></item>')
_RECALC = "\n".join([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">',
    _ITEM.format(name="OOXMLRecalcMode"), _ITEM.format(name="ODFRecalcMode"), "</oor:items>", ""])


def convert(files: Sequence[Path], target: str, outdir: Path, timeout: float = 300,
            recalculate: bool = False) -> list[Path]:
    """Convert files with one LibreOffice run (`--convert-to target`); returns the output paths in
    order. Starting LibreOffice costs seconds, so callers batch. `recalculate`: spreadsheets'
    formulas are recalculated on load."""
    exe = require_soffice()
    with tempfile.TemporaryDirectory(prefix="xxgk-lo-") as home:
        profile = Path(home, "profile").as_uri()
        if recalculate:
            user = Path(home, "profile", "user")
            user.mkdir(parents=True)
            (user / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
        env = {**os.environ, "HOME": home}  # LibreOffice writes a few dotfiles under HOME
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired as e:
            message = _("LibreOffice did not finish within {seconds} s").format(seconds=int(timeout))
            raise ConversionError(message) from e
    suffix = "." + target.split(":")[0]
    out = []
    for f in files:
        result = outdir / (f.stem + suffix)
        if not result.exists():
            raise ConversionError(_("LibreOffice did not convert {file} (exit code {code}): {detail}").format(
                file=f.name, code=proc.returncode, detail=proc.stderr.decode(errors="replace")[-300:]))
        out.append(result)
    return out


_DATE = re.compile(rb"/(CreationDate|ModDate)\(D:(\d{14})[^)]*\)")
_ID = re.compile(rb"/ID \[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum /([0-9A-Fa-f]+)")
_XMP_DATE = re.compile(rb"<xmp:(CreateDate|ModifyDate)>([0-9T:+\-Z.]+)<")


def reproducible(pdf: bytes, seed: bytes) -> bytes:
    """Rewrite the volatile dates and document ID (same lengths) with values derived from `seed`."""
    def date(m: re.Match[bytes]) -> bytes:
        return m.group(0).replace(m.group(2), b"20000101000000")

    pdf = _DATE.sub(date, pdf)
    pdf = _XMP_DATE.sub(lambda m: m.group(0).replace(m.group(2), b"2000-01-01T00:00:00"[: len(m.group(2))]
                                                     .ljust(len(m.group(2)), b"0")), pdf)
    digest = hashlib.sha256(seed).hexdigest().upper().encode()

    def ident(m: re.Match[bytes]) -> bytes:
        a, b = m.group(1), m.group(2)
        return m.group(0).replace(a, digest[: len(a)]).replace(b, digest[: len(b)])

    pdf = _ID.sub(ident, pdf)
    return _CHECKSUM.sub(lambda m: b"/DocChecksum /" + digest[-len(m.group(1)):], pdf)


def docx_to_pdf_many(documents: Sequence[bytes]) -> list[bytes]:
    with tempfile.TemporaryDirectory(prefix="xxgk-pdf-") as tmp:
        names = []
        for i, data in enumerate(documents):
            src = Path(tmp, f"r{i:05d}.docx")
            src.write_bytes(data)
            names.append(src)
        out = convert(names, "pdf", Path(tmp, "out"))
        return [reproducible(p.read_bytes(), d) for p, d in zip(out, documents, strict=True)]


def render_pdf_many(drafts: Sequence[Draft]) -> list[bytes]:
    """Several drafts as PDF bytes, converted in one LibreOffice run."""
    fonts = installed()
    return docx_to_pdf_many([render_docx(d, fonts) for d in drafts])


def render_pdf(draft: Draft) -> bytes:
    return render_pdf_many([draft])[0]
