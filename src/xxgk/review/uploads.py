"""Uploads: files, folders and zip archives handed to the workbench, read by the same
crash-safe ingest as `xxgk ingest`, in the background, with progress and a reason per failure.

An upload is registered first (its files hashed, archives opened member by member with the
ingest's own zip-bomb guards), then queued. A background reader claims the queued uploads in the
database (one statement: however many server processes ask, each upload goes to one), hands their
files to `ingest()` at once (worker processes parse, one writer stores) and settles each file
from what the store then holds. Progress is read from the store while the ingest runs, so it
moves as the ingest commits its batches. A claim is a lease renewed while the reader works: an
upload whose reader died (a crash, a kill) is claimed again once the lease lapses, and the
ingest is idempotent, so it is simply read again. The reader runs at a lower CPU priority in
a process of its own, so the pages stay quick while uploads are read.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import os
import socket
import threading
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xxgk.corpus.ingest import Loaded, discover, ingest, load
from xxgk.i18n import _
from xxgk.review import schema as t
from xxgk.review import trail
from xxgk.review.db import NotFound, now, writing
from xxgk.review.rounds import add_reports, get_round
from xxgk.review.schema import ensure_tables
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


LEASE = 60.0  # seconds an upload's claim holds without being renewed
NICE = 10  # how much lower the background reading runs than the pages (os.nice)


def claimant() -> str:
    """Who claims an upload: this host, process and thread."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident() % 100000}"


def claim(engine: sa.Engine, who: str, lease: float = LEASE) -> list[int]:
    """Claim the uploads waiting to be read, and those whose reader's claim has lapsed (it died
    or was killed), in one statement: each upload goes to one claimant only, whichever process
    of the server asks, and nothing is left behind by a crash."""
    at = now()
    u = t.uploads
    free = (u.c.state == "queued") | ((u.c.state == "running") & (u.c.lease_until.is_(None) | (u.c.lease_until < at)))
    with engine.connect() as conn:  # the idle readers' every-few-seconds look: a read, not a write lock
        if conn.execute(sa.select(u.c.id).where(free).limit(1)).first() is None:
            return []
    stmt = (u.update().where(free).values(state="running", claimed_by=who, lease_until=at + timedelta(seconds=lease))
            .returning(u.c.id))
    with writing(engine) as conn:
        return sorted(conn.execute(stmt).scalars())


def renew(engine: sa.Engine, ids: list[int], who: str, lease: float = LEASE) -> int:
    """Extend the claim on uploads still held by `who`; returns how many are."""
    u = t.uploads
    with writing(engine) as conn:
        return conn.execute(u.update().where(u.c.id.in_(ids), u.c.claimed_by == who, u.c.state == "running")
                            .values(lease_until=now() + timedelta(seconds=lease))).rowcount


class _Heartbeat:
    """Renews a claim every quarter of the lease while a long ingest runs."""

    def __init__(self, engine: sa.Engine, ids: list[int], who: str, lease: float) -> None:
        self.stop = threading.Event()
        self.args = (engine, ids, who, lease)
        self.thread = threading.Thread(target=self._beat, name="xxgk-upload-lease", daemon=True)

    def _beat(self) -> None:
        while not self.stop.wait(self.args[3] / 4):
            try:
                renew(*self.args)
            except sa.exc.SQLAlchemyError:  # a busy database: the next beat tries again
                log.warning("could not renew the claim on uploads %s", self.args[1])

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()


def run_queue(store: Store, workers: int = 0, who: str | None = None, lease: float = LEASE) -> int:
    """Claim and ingest the queued uploads (and those a dead reader left); returns how many were
    settled. Safe to call from several processes at once: each upload is read by one of them."""
    who = who or claimant()
    ids = claim(store.engine, who, lease)
    if not ids:
        return 0
    with store.engine.connect() as conn:
        files = conn.execute(sa.select(t.upload_files).where(t.upload_files.c.upload_id.in_(ids),
                                                              t.upload_files.c.state == "pending")).all()
        heads = conn.execute(sa.select(t.uploads.c.id, t.uploads.c.round_id, t.uploads.c.user_name)
                             .where(t.uploads.c.id.in_(ids))).all()
    rounds = {h.id: h.round_id for h in heads}
    users = {h.id: h.user_name for h in heads}
    paths = sorted({f.path for f in files})
    reasons: dict[str, str] = {}
    with _Heartbeat(store.engine, ids, who, lease):
        if paths:
            summary = ingest(paths, store, workers=workers)
            reasons = dict(summary.failed)
    known = store.lookup([f.sha256 for f in files if f.sha256])
    settled: dict[int, list[str]] = {}
    with writing(store.engine) as conn:
        # Only what is still ours: a claim lost meanwhile (this reader stalled past its lease)
        # belongs to the reader that took it over, which settles it itself.
        mine = set(conn.execute(sa.select(t.uploads.c.id).where(t.uploads.c.id.in_(ids),
                                                                t.uploads.c.claimed_by == who)).scalars())
        for f in files:
            if f.upload_id not in mine:
                continue
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
        for uid in sorted(mine):
            if rounds.get(uid) is not None and settled.get(uid):
                add_reports(store.engine, rounds[uid], settled[uid], users[uid], conn)
        if mine:
            conn.execute(t.uploads.update().where(t.uploads.c.id.in_(sorted(mine)))
                         .values(state="done", finished=now(), claimed_by=None, lease_until=None))
    return len(mine)


def _drain(store: Store, workers: int, stopping: Callable[[], bool]) -> None:
    while not stopping() and run_queue(store, workers):
        pass


def serve_queue(url: str, workers: int, nice: int, wake: Any, stop: Any, parent: int) -> None:
    """The upload reader's own process: reads the queue at a lower CPU priority (os.nice), so the
    pages stay quick while uploads are read; its parsing processes inherit the priority. Woken
    by `wake`, and every few seconds anyway (uploads queued through another server process, or
    left by a reader that died); ends with `stop` or when the server process is gone."""
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    store = Store.open(url)
    ensure_tables(store.engine)

    def stopping() -> bool:
        return stop.is_set() or os.getppid() != parent

    try:
        while not stopping():
            wake.wait(timeout=2)
            wake.clear()
            try:
                _drain(store, workers, stopping)
            except Exception:  # the reader must outlive one bad run; the uploads stay claimable
                log.exception("upload queue run failed")
    finally:
        store.close()


class Runner:
    """Reads the upload queue in the background. With parsing processes (workers >= 1) it is a
    process of its own at a lower CPU priority; with workers=0 (tests, debugging) a thread of
    the server, parsing there (under `lock`)."""

    def __init__(self, store: Store, workers: int = 0, lock: AbstractContextManager[Any] | None = None,
                 url: str | None = None, nice: int = NICE) -> None:
        self.store = store
        self.workers = workers
        # Held around each run: with workers=0 the parsing happens in this process, whose other
        # threads may be using a library that is not thread-safe (PDFium) at the same time.
        self.lock = lock or nullcontext()
        self.stopping = False
        self.url = url or store.engine.url.render_as_string(hide_password=False)
        self.nice = nice
        self.process: Any = None
        # Process mode makes its events when started: a runner never started holds no semaphore.
        self.wake: Any = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="xxgk-uploads", daemon=True)

    def start(self) -> Runner:
        if self.workers > 0:
            ctx = mp.get_context("spawn")
            self.wake, self.stop_event = ctx.Event(), ctx.Event()
            # Not a daemon: the reader starts parsing processes of its own.
            self.process = ctx.Process(target=serve_queue, name="xxgk-uploads", args=(
                self.url, self.workers, self.nice, self.wake, self.stop_event, os.getpid()))
            self.process.start()
        else:
            self.thread.start()
        self.wake.set()  # take up uploads a previous run left queued
        return self

    def stop(self) -> None:
        self.stopping = True
        if self.process is not None:
            self.stop_event.set()
            self.wake.set()
            self.process.join(timeout=30)
            if self.process.is_alive():  # an ingest still running: its claim lapses and is taken up again
                self.process.terminate()
                self.process.join(timeout=10)
            self.wake = self.stop_event = threading.Event()  # the process's semaphores go now
            return
        self.wake.set()
        self.thread.join(timeout=30)

    def _loop(self) -> None:
        while not self.stopping:
            self.wake.wait(timeout=2)
            self.wake.clear()
            if self.stopping:
                break
            try:
                with self.lock:
                    _drain(self.store, self.workers, lambda: self.stopping)
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
