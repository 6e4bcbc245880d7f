"""PDF renderings: the DOCX rendering converted by LibreOffice headless, as most reports are made.

LibreOffice runs with a private user profile (so it never touches, or waits on, a desktop
profile) and a timeout. Its output differs between runs only in the creation date and the
document ID; both are rewritten in place (same length, so the cross-reference table stays
valid) from the report, which makes the bytes reproducible.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from xxgk.synth.layout import Rendered
from xxgk.synth.render_docx import render_docx
from xxgk.synth.truth import SyntheticReport

_profile: Path | None = None


def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile_dir() -> Path:
    """One private LibreOffice profile per process, removed at exit."""
    global _profile
    if _profile is None:
        _profile = Path(tempfile.mkdtemp(prefix="xxgk-synth-lo-"))
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def docx_to_pdf_many(documents: Sequence[bytes], timeout: float = 300) -> list[bytes]:
    """Convert DOCX documents to PDF with one LibreOffice run (starting it costs seconds)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory(prefix="xxgk-synth-pdf-") as tmp:
        names = []
        for i, data in enumerate(documents):
            src = Path(tmp, f"r{i:05d}.docx")
            src.write_bytes(data)
            names.append(src)
        out = Path(tmp, "out")
        cmd = [exe, f"-env:UserInstallation={_profile_dir().as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out), *map(str, names)]
        env = {**os.environ, "HOME": tmp}  # LibreOffice writes a few dotfiles under HOME
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
        pdfs = []
        for src in names:
            pdf = out / (src.stem + ".pdf")
            if not pdf.exists():
                raise RuntimeError(f"LibreOffice did not convert {src.name} (exit {proc.returncode}): "
                                   f"{proc.stderr.decode(errors='replace')[-400:]}")
            pdfs.append(pdf.read_bytes())
        return pdfs


_DATE = re.compile(rb"/(CreationDate|ModDate)\(D:(\d{14})")
_ID = re.compile(rb"/ID \[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum /([0-9A-Fa-f]+)")
_XMP_DATE = re.compile(rb"<xmp:(CreateDate|ModifyDate)>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")


def reproducible(pdf: bytes, report: SyntheticReport) -> bytes:
    """Rewrite the volatile creation date and document ID with values from the report."""
    stamp = report.published.replace("-", "").encode() + b"093000"
    pdf = _DATE.sub(lambda m: b"/" + m.group(1) + b"(D:" + stamp, pdf)
    iso = f"{report.published}T09:30:00".encode()
    pdf = _XMP_DATE.sub(lambda m: b"<xmp:" + m.group(1) + b">" + iso, pdf)
    digest = hashlib.sha256(f"xxgk.synth:{report.seed}".encode()).hexdigest().upper().encode()

    def _id(m: re.Match[bytes]) -> bytes:
        a, b = m.group(1), m.group(2)
        return m.group(0).replace(a, digest[: len(a)]).replace(b, digest[: len(b)])

    pdf = _ID.sub(_id, pdf)
    return _CHECKSUM.sub(lambda m: b"/DocChecksum /" + digest[-len(m.group(1)):], pdf)


def render_pdf(report: SyntheticReport, style: str | None = None) -> Rendered:
    """Render `report` as a PDF (bytes): its DOCX rendering in `style`, converted by LibreOffice."""
    return render_pdf_many([report], style)[0]


def render_pdf_many(reports: Sequence[SyntheticReport], style: str | None = None) -> list[Rendered]:
    docs = [render_docx(r, style) for r in reports]
    pdfs = docx_to_pdf_many([d.data for d in docs])
    return [Rendered(reproducible(pdf, r), "pdf", d.style, ".pdf", aligned=True, blank=d.blank, marked=d.marked,
                     knobs=d.knobs)
            for r, d, pdf in zip(reports, docs, pdfs, strict=True)]
