"""Reproducible zip containers (DOCX, XLSX): same content, same bytes."""

from __future__ import annotations

import io
import zipfile

# Zip timestamps start in 1980; every member gets this one, so the bytes never carry the clock.
EPOCH = (1980, 1, 1, 0, 0, 0)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and permissions, members in their order: reproducible bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()
