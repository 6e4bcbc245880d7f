"""Uploads: files, folders and zip archives handed to the workbench, read by the same
crash-safe ingest as `xxgk ingest`, in the background, with progress and a reason per failure.

An upload is registered first (its files hashed, archives opened member by member with the
ingest's own zip-bomb guards), then queued. One background thread runs the queue: it hands every
queued file to `ingest()` at once (worker processes parse, one writer stores) and settles each
file from what the store then holds. Progress is read from the store while the ingest runs, so
it moves as the ingest commits its batches. Queued and running uploads survive a restart: the
ingest is idempotent, so the runner simply takes them up again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import zipfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xxgk.corpus.ingest import Loaded, discover, ingest, load
from xxgk.i18n import _
from xxgk.review import schema as t
from xxgk.review import trail
from xxgk.review.db import NotFound, now, writing
from xxgk.review.rounds import add_reports, get_round
from xxgk.store import Failed, Store

log = logging.getLogger("xxgk.review")


@dataclass
class FileState:
    name: str
    state: str  # pending | done | failed
    reason: str | None
    sha256: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "state": self.state, "reason": self.reason, "id": self.sha256}


@dataclass
class Progress:
    id: int
    state: str  # queued | running | done
    round_id: int | None
    files: list[FileState]

    @property
    def total(self) -> int:
        return len(self.files)

    def count(self, state: str) -> int:
        return sum(1 for f in self.files if f.state == state)

    @property
    def finished(self) -> bool:
        return self.state == "done"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "round": self.round_id, "total": self.total,
                "done": self.count("done"), "failed": self.count("failed"), "pending": self.count("pending"),
                "files": [f.to_dict() for f in self.files]}


def new_upload(engine: sa.Engine, files_dir: Path, round_id: int | None, user: str) -> tuple[int, Path]:
    """Open an upload; returns its id and the folder its files are to be saved in."""
    if round_id is not None:
        get_round(engine, round_id)
    with writing(engine) as conn:
        uid = conn.execute(t.uploads.insert().values(round_id=round_id, user_name=user, state="new", created=now())
                           .returning(t.uploads.c.id)).scalar_one()
    folder = files_dir / "uploads" / str(uid)
    folder.mkdir(parents=True, exist_ok=True)
    return uid, folder


def register(engine: sa.Engine, upload_id: int, files: list[tuple[str, Path]], user: str) -> list[FileState]:
    """Record the saved files of an upload ((name as the user gave it, path on disk)) and queue it.

    Each file is hashed here; an archive is opened into its members (with the ingest's guards),
    and whatever cannot even be read is recorded as failed now, with its reason."""
    rows: list[dict[str, Any]] = []
    for name, path in files:
        for item in load(discover([str(path)])):
            if item is None:
                continue
            if isinstance(item, Loaded):
                member = item.source.member
                shown = f"{name}!{member}" if member else name
                rows.append({"name": shown, "path": str(path), "member": member, "sha256": item.sha256,
                             "state": "pending", "reason": None})
            else:
                assert isinstance(item, Failed)
                member = item.name.split("!", 1)[1] if "!" in item.name else None
                shown = f"{name}!{member}" if member else name
                rows.append({"name": shown, "path": str(path), "member": member, "sha256": item.sha256,
                             "state": "failed", "reason": item.reason})
    with writing(engine) as conn:
        if rows:
            conn.execute(t.upload_files.insert(), [{"upload_id": upload_id, "seq": i, **r} for i, r in enumerate(rows)])
        conn.execute(t.uploads.update().where(t.uploads.c.id == upload_id).values(state="queued"))
        trail.record(conn, user, "upload", f"upload:{upload_id}", None,
                     {"files": [r["name"] for r in rows], "failed": sum(r["state"] == "failed" for r in rows)})
    return [FileState(r["name"], r["state"], r["reason"], r["sha256"]) for r in rows]


def progress(store: Store, upload_id: int) -> Progress:
    with store.engine.connect() as conn:
        head = conn.execute(sa.select(t.uploads).where(t.uploads.c.id == upload_id)).first()
        if head is None:
            raise NotFound(_("no upload {id}").format(id=upload_id))
        rows = conn.execute(sa.select(t.upload_files).where(t.upload_files.c.upload_id == upload_id)
                            .order_by(t.upload_files.c.seq)).all()
    files = [FileState(r.name, r.state, r.reason, r.sha256) for r in rows]
    if head.state != "done":
        # While the ingest runs, what it has committed already counts as done.
        known = store.lookup([f.sha256 for f in files if f.state == "pending" and f.sha256])
        for f in files:
            k = known.get(f.sha256 or "")
            if f.state == "pending" and k is not None:
                f.state = "done" if k.state == "current" else "failed" if k.state == "failed" else "pending"
                f.reason = k.reason if k.state == "failed" else None
    return Progress(head.id, head.state, head.round_id, files)


def uploads_of(engine: sa.Engine, limit: int = 20) -> list[tuple[int, str, str, int | None]]:
    """The latest uploads: (id, user, state, round id)."""
    q = sa.select(t.uploads.c.id, t.uploads.c.user_name, t.uploads.c.state, t.uploads.c.round_id) \
        .where(t.uploads.c.state != "new").order_by(t.uploads.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(q)]  # type: ignore[misc]


def pending_for(engine: sa.Engine, sha256: str) -> FileState | None:
    """The latest uploaded file with these bytes, for the API's 202/failed answers."""
    q = (sa.select(t.upload_files).where(t.upload_files.c.sha256 == sha256)
         .order_by(t.upload_files.c.upload_id.desc(), t.upload_files.c.seq.desc()).limit(1))
    with engine.connect() as conn:
        r = conn.execute(q).first()
    return FileState(r.name, r.state, r.reason, r.sha256) if r is not None else None


def run_queue(store: Store, workers: int = 0) -> int:
    """Ingest every queued (or interrupted) upload; returns how many uploads were settled."""
    with store.engine.connect() as conn:
        ids = list(conn.execute(sa.select(t.uploads.c.id).where(t.uploads.c.state.in_(["queued", "running"]))
                                .order_by(t.uploads.c.id)).scalars())
        if not ids:
            return 0
        files = conn.execute(sa.select(t.upload_files).where(t.upload_files.c.upload_id.in_(ids),
                                                              t.upload_files.c.state == "pending")).all()
        rounds = dict(conn.execute(sa.select(t.uploads.c.id, t.uploads.c.round_id)
                                   .where(t.uploads.c.id.in_(ids))).all())
        users = dict(conn.execute(sa.select(t.uploads.c.id, t.uploads.c.user_name)
                                  .where(t.uploads.c.id.in_(ids))).all())
    with writing(store.engine) as conn:
        conn.execute(t.uploads.update().where(t.uploads.c.id.in_(ids)).values(state="running"))
    paths = sorted({f.path for f in files})
    reasons: dict[str, str] = {}
    if paths:
        summary = ingest(paths, store, workers=workers)
        reasons = dict(summary.failed)
    known = store.lookup([f.sha256 for f in files if f.sha256])
    settled: dict[int, list[str]] = {}
    with writing(store.engine) as conn:
        for f in files:
            k = known.get(f.sha256 or "")
            stored_as = f"{f.path}!{f.member}" if f.member else f.path
            if k is not None and k.state == "current":
                state, reason = "done", None
                settled.setdefault(f.upload_id, []).append(f.sha256)
            else:
                state = "failed"
                reason = reasons.get(stored_as) or (k.reason if k else None) or _("the ingest did not store it")
            key = (t.upload_files.c.upload_id == f.upload_id) & (t.upload_files.c.seq == f.seq)
            conn.execute(t.upload_files.update().where(key).values(state=state, reason=reason))
        for uid in ids:
            if rounds.get(uid) is not None and settled.get(uid):
                add_reports(store.engine, rounds[uid], settled[uid], users[uid], conn)
        conn.execute(t.uploads.update().where(t.uploads.c.id.in_(ids)).values(state="done", finished=now()))
    return len(ids)


class Runner:
    """The background thread that runs the upload queue (one at a time: the ingest has one writer)."""

    def __init__(self, store: Store, workers: int = 0, lock: AbstractContextManager[Any] | None = None) -> None:
        self.store = store
        self.workers = workers
        # Held around each run: with workers=0 the parsing happens in this process, whose other
        # threads may be using a library that is not thread-safe (PDFium) at the same time.
        self.lock = lock or nullcontext()
        self.wake = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name="xxgk-uploads", daemon=True)

    def start(self) -> Runner:
        self.thread.start()
        self.wake.set()  # take up uploads a previous run left queued
        return self

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=30)

    def _loop(self) -> None:
        while not self.stopping:
            self.wake.wait(timeout=5)
            self.wake.clear()
            if self.stopping:
                break
            try:
                while not self.stopping:
                    with self.lock:
                        if not run_queue(self.store, self.workers):
                            break
            except Exception:  # the runner must outlive one bad run; the uploads stay queued
                log.exception("upload queue run failed")


def source_bytes(store: Store, sha256: str) -> tuple[str, bytes] | None:
    """The submitted bytes of a report (for showing its pages), from the upload that brought it or
    from where the command-line ingest read it; None when they are no longer to be found."""
    places: list[tuple[str, str | None, str]] = []
    with store.engine.connect() as conn:
        for r in conn.execute(sa.select(t.upload_files.c.path, t.upload_files.c.member, t.upload_files.c.name)
                              .where(t.upload_files.c.sha256 == sha256)):
            places.append((r.path, r.member, r.name))
    for path, member, name in places:
        data = _read(path, member)
        if data is not None and hashlib.sha256(data).hexdigest() == sha256:
            return name, data
    for e in store.entries():  # ingested from the command line: where it was read from
        if e.sha256 == sha256:
            path, _sep, member = e.source.partition("!")
            data = _read(path, member or None)
            if data is not None and hashlib.sha256(data).hexdigest() == sha256:
                return e.file, data
    return None


def _read(path: str, member: str | None) -> bytes | None:
    try:
        if member is None:
            if os.path.getsize(path) > 512 << 20:
                return None
            return Path(path).read_bytes()
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(member)
            if info.file_size > 512 << 20:
                return None
            return z.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return None
