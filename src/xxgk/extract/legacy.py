"""Legacy Word formats (.doc Word 97-2003, Kingsoft .wps, RTF) -> `Document`, via LibreOffice.

No Python library reads the binary .doc format's tables with their merges reliably; LibreOffice
does, and converts them to .docx, which `extract_docx` then reads like any other Word file. The
conversion runs `soffice --headless --convert-to docx` in a private temporary profile
(`-env:UserInstallation=...`, so concurrent conversions and a user's own LibreOffice never
collide), with a time limit, and the whole process group is killed if it hangs.

LibreOffice is a system package, not a Python one: without it the error says how to install it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from xxgk.document import Document
from xxgk.errors import InputError
from xxgk.extract.docx import extract_docx
from xxgk.i18n import N_, _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"
# OLE directory entries name their streams in UTF-16LE. A Word 97-2003 (and Kingsoft WPS)
# document has a "WordDocument" stream; Microsoft Works .wps keeps its text in "CONTENTS" or
# "MN0"; an encrypted Office 2007+ file is an OLE container holding "EncryptedPackage".
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_WORKS_STREAMS = ("CONTENTS".encode("utf-16-le"), "MN0".encode("utf-16-le"))
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# Word 2003 "XML Document" (flat WordprocessingML), which WPS and Word also save as .doc.
_WORD_XML = (b"<?mso-application progid=\"Word.Document\"", b"<w:wordDocument")
DEFAULT_TIMEOUT = 180.0  # seconds; a 50-page .doc converts in a few
INSTALL_HINT = N_("legacy Word (.doc/.wps) needs LibreOffice: apt-get install libreoffice-writer")


def find_soffice() -> str | None:
    """The LibreOffice binary: $XXGK_SOFFICE, else soffice or libreoffice on PATH."""
    explicit = os.environ.get("XXGK_SOFFICE")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    return shutil.which("soffice") or shutil.which("libreoffice")


def conversion_timeout() -> float:
    """$XXGK_SOFFICE_TIMEOUT seconds, read at each call so a batch can change it."""
    try:
        return max(0.001, float(os.environ.get("XXGK_SOFFICE_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def convert_to_docx(data: bytes, file: str, suffix: str, import_filter: str | None = None) -> bytes:
    """Convert legacy Word bytes to .docx bytes with LibreOffice; InputError on any failure."""
    soffice = find_soffice()
    timeout = conversion_timeout()
    if soffice is None:
        raise InputError(file, _(INSTALL_HINT))
    with tempfile.TemporaryDirectory(prefix="xxgk-lo-") as tmp:
        work = Path(tmp)
        src = work / f"input{suffix}"
        src.write_bytes(data)
        out_dir = work / "out"
        out_dir.mkdir()
        cmd = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
               "--norestore", "--nolockcheck", "--nodefault", "--nologo",
               *([f"--infilter={import_filter}"] if import_filter else []),
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(src)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True, cwd=tmp)
        except OSError as e:
            raise InputError(file, _("cannot run LibreOffice ({program}): {error}").format(
                program=soffice, error=e)) from e
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            # soffice forks soffice.bin; the session we started holds both
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise InputError(file, _("LibreOffice did not finish converting it within {seconds:g} s "
                                     "(set XXGK_SOFFICE_TIMEOUT to allow longer)").format(seconds=timeout)) from e
        result = out_dir / "input.docx"
        if not result.is_file():
            said = (err or out).decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1]}" if said else ""
            raise InputError(file, _("LibreOffice could not read it as a Word document{detail}").format(detail=detail))
        return result.read_bytes()


def legacy_format(data: bytes, file: str) -> tuple[str, str, str | None]:
    """(description, file suffix, LibreOffice import filter or None to let it detect)."""
    if data.startswith(RTF_MAGIC):
        return "RTF", ".rtf", "Rich Text Format"
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise InputError(file, "Word document is encrypted (password-protected); "
                                   "save an unprotected copy")
        if _WORD_STREAM in data:
            # Forcing the filter matters: left to detect, LibreOffice imports a damaged file as
            # plain text and "converts" its garbage without complaint.
            return "legacy Word (.doc/.wps)", ".doc", "MS Word 97"
        if any(s in data for s in _WORKS_STREAMS):
            return "Microsoft Works (.wps)", ".wps", None
        raise InputError(file, "an Office 97-2003 file that is not a Word document "
                               "(no WordDocument stream: a spreadsheet or slides?)")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") and any(m in data[:4096] for m in _WORD_XML):
        return "Word 2003 XML", ".xml", None
    raise InputError(file, "not a legacy Word document (no Word 97-2003/WPS, RTF or Word XML signature)")


def extract_legacy(data: bytes, file: str = "") -> Document:
    what, suffix, import_filter = legacy_format(data, file)
    doc = extract_docx(convert_to_docx(data, file, suffix, import_filter), file)
    doc.warnings.insert(0, f"converted from {what} by LibreOffice")
    return doc
