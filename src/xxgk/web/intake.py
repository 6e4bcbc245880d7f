"""Saving uploaded files (size-limited, names made safe) and handing them to the upload queue."""

from __future__ import annotations

import re
import shutil
from pathlib import Path, PurePosixPath

from fastapi import HTTPException, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from xxgk.i18n import _
from xxgk.review import uploads

_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def safe_name(filename: str | None, seq: int) -> tuple[str, str]:
    """(the name shown: the path inside a dropped folder, kept; the name on disk: its last part,
    without path separators, control characters or a leading dot)."""
    shown = (filename or "").replace("\\", "/").strip()
    parts = [p for p in PurePosixPath(shown).parts if p not in ("", ".", "..", "/")]
    shown = "/".join(parts) or f"file-{seq}"
    disk = _UNSAFE.sub("_", parts[-1] if parts else "").lstrip(".").strip() or f"file-{seq}"
    return shown, disk[:200]


def _copy(src: UploadFile, target: Path, limit: int) -> int:
    size = 0
    with target.open("wb") as out:
        while chunk := src.file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    return size


async def accept(request: Request, files: list[UploadFile], round_id: int | None, user: str
                 ) -> tuple[int, list[uploads.FileState]]:
    """Save the files of one upload and queue them; 413 when one is over the one-file limit."""
    settings = request.app.state.settings
    store = request.app.state.store
    if not files or all(not f.filename for f in files):
        raise HTTPException(422, _("choose at least one file"))
    uid, folder = await run_in_threadpool(uploads.new_upload, store.engine, request.app.state.files_dir, round_id,
                                          user)
    saved: list[tuple[str, Path]] = []
    for seq, f in enumerate(files):
        shown, disk = safe_name(f.filename, seq)
        target = folder / str(seq) / disk
        target.parent.mkdir(parents=True, exist_ok=True)
        size = await run_in_threadpool(_copy, f, target, settings.max_file_bytes)
        if size > settings.max_file_bytes:
            await run_in_threadpool(shutil.rmtree, folder, True)
            raise HTTPException(413, _("{name} is larger than the limit of {mb} MB for one file").format(
                name=shown, mb=settings.max_file_bytes // (1 << 20)))
        saved.append((shown, target))
    states = await run_in_threadpool(uploads.register, store.engine, uid, saved, user)
    request.app.state.runner.wake.set()
    return uid, states
