"""Collecting a review round from the workbench (采集): the round's columns (栏目), and collection
runs started from the browser, with their progress kept in the database.

A run is the same `collect()` as `xxgk collect`, into the round's store (so it is crash-safe and
resumable in the same way); when it ends, the reports its columns gave are put in the round. Its
progress (the summary's counts, the failures with their reasons, the last line) is written to
`collect_round_runs` as it goes, so any server process can show it, and a heartbeat tells a
running run from one whose server stopped (shown as interrupted; starting again resumes it).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xxgk.collect.fetch import ROBOTS_DISALLOW, ROBOTS_UNREACHABLE
from xxgk.collect.run import Column, Event, Options, Summary, collect
from xxgk.collect.state import State
from xxgk.errors import XxgkError
from xxgk.i18n import _, render
from xxgk.review.rounds import add_reports, get_round
from xxgk.store import Store
from xxgk.store import workbench_schema as t
from xxgk.store.database import row_or_raise

ACTIVE = ("queued", "running")
# A running run writes a sign of life at least this often; one silent for STALE has lost its
# server (stopped, killed) and is shown as interrupted.
HEARTBEAT = 15.0
STALE = timedelta(seconds=120)
ROBOTS = frozenset({ROBOTS_DISALLOW, ROBOTS_UNREACHABLE})


class CollectError(XxgkError):
    """A collection cannot be started or changed as asked."""


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _writing(engine: sa.Engine) -> Any:
    return engine.connect().execution_options(xxgk_write=True)


# ---------------------------------------------------------------- the round's columns


@dataclass(frozen=True)
class RoundColumn:
    url: str
    body: str | None
    added: datetime
    added_by: str


def round_columns(engine: sa.Engine, round_id: int) -> list[RoundColumn]:
    q = sa.select(t.round_columns).where(t.round_columns.c.round_id == round_id).order_by(t.round_columns.c.id)
    with engine.connect() as conn:
        return [RoundColumn(r.url, r.body, _utc(r.added), r.added_by) for r in conn.execute(q)]  # type: ignore[arg-type]


def add_columns(engine: sa.Engine, round_id: int, columns: list[Column], user: str) -> int:
    """Add columns to a round (a URL already there keeps its body unless a body is given now).
    Returns how many were new."""
    get_round(engine, round_id)
    for c in columns:
        if not c.url.lower().startswith(("http://", "https://")):
            raise CollectError(_("not a web address (http or https): {url}").format(url=c.url))
    new = 0
    with _writing(engine) as conn, conn.begin():
        have = {r.url: r for r in conn.execute(sa.select(t.round_columns).where(
            t.round_columns.c.round_id == round_id))}
        for c in columns:
            if c.url in have:
                if c.body and c.body != have[c.url].body:
                    conn.execute(t.round_columns.update().where(t.round_columns.c.id == have[c.url].id)
                                 .values(body=c.body))
                continue
            conn.execute(t.round_columns.insert().values(round_id=round_id, url=c.url, body=c.body, added=_now(),
                                                         added_by=user))
            have[c.url] = c  # type: ignore[assignment]
            new += 1
    return new


def remove_column(engine: sa.Engine, round_id: int, url: str) -> bool:
    with _writing(engine) as conn, conn.begin():
        done = conn.execute(t.round_columns.delete().where(t.round_columns.c.round_id == round_id,
                                                           t.round_columns.c.url == url))
    return bool(done.rowcount)


# ---------------------------------------------------------------- runs


@dataclass
class Run:
    id: int
    round_id: int
    state: str  # queued | running | done | stopped | failed | interrupted (shown, not stored)
    options: dict[str, Any]
    user: str
    created: datetime
    updated: datetime
    finished: datetime | None
    progress: dict[str, Any] = field(default_factory=dict)
    last: str = ""
    added: int | None = None
    error: str | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def count(self, key: str) -> int:
        return int(self.progress.get(key, 0) or 0)

    def failures(self) -> list[tuple[str, str]]:
        """(address, reason in the reader's language) of every failure but robots.txt refusals."""
        return [(f["url"], render(f["message"], f.get("params", {})))
                for f in self.progress.get("failed", []) if f["message"] not in ROBOTS]

    def robots(self) -> list[tuple[str, str]]:
        """(address, reason) of what robots.txt kept the collector from reading."""
        return [(f["url"], render(f["message"], f.get("params", {})))
                for f in self.progress.get("failed", []) if f["message"] in ROBOTS]


def _run(r: sa.Row, at: datetime | None = None) -> Run:
    run = Run(r.id, r.round_id, r.state, json.loads(r.options), r.user_name, _utc(r.created),  # type: ignore[arg-type]
              _utc(r.updated), _utc(r.finished), json.loads(r.progress) if r.progress else {},  # type: ignore[arg-type]
              r.last or "", r.added, r.error)
    if run.state in ACTIVE and (at or _now()) - run.updated > STALE:
        run.state = "interrupted"
    return run


def get_run(engine: sa.Engine, run_id: int) -> Run:
    return _run(row_or_raise(engine, sa.select(t.round_runs).where(t.round_runs.c.id == run_id),
                             CollectError(_("no collection {id}").format(id=run_id))))


def runs_of(engine: sa.Engine, round_id: int) -> list[Run]:
    """The round's runs, the latest first."""
    q = sa.select(t.round_runs).where(t.round_runs.c.round_id == round_id).order_by(t.round_runs.c.id.desc())
    with engine.connect() as conn:
        return [_run(r) for r in conn.execute(q)]


def start(engine: sa.Engine, round_id: int, user: str, *, since: int | None = None, rate: float = 2.0,
          max_pages: int = 100) -> int:
    """Register a run of the round's columns (to be executed by `execute`); refused while another
    run of the round is active, or when the round has no column."""
    get_round(engine, round_id)
    if not round_columns(engine, round_id):
        raise CollectError(_("the round has no column yet: add the addresses of its list pages first"))
    if not 0 <= rate <= 3600 or max_pages < 1:  # (NaN is not)
        raise CollectError(_("the interval must be 0 to 3600 seconds and at least one list page be read"))
    with _writing(engine) as conn, conn.begin():
        for r in conn.execute(sa.select(t.round_runs).where(t.round_runs.c.round_id == round_id,
                                                            t.round_runs.c.state.in_(ACTIVE))):
            if _run(r).state != "interrupted":
                raise CollectError(_("a collection of this round is already running"))
            conn.execute(t.round_runs.update().where(t.round_runs.c.id == r.id).values(state="stopped",
                                                                                       finished=_now()))
        at = _now()
        return conn.execute(t.round_runs.insert().values(
            round_id=round_id, state="queued", user_name=user, created=at, updated=at,
            options=json.dumps({"since": since, "rate": rate, "max_pages": max_pages}),
        ).returning(t.round_runs.c.id)).scalar_one()


def _progress(summary: Summary) -> dict[str, Any]:
    d = summary.to_dict()
    d["failed"] = [{"url": f.url, "message": f.message, "params": f.params} for f in list(summary.failed)]
    return d


class _Reporter:
    """Writes a run's progress to its row: at most once a second from the sites' threads, and a
    heartbeat while the run is quiet (a long ingest)."""

    def __init__(self, engine: sa.Engine, run_id: int) -> None:
        self.engine, self.run_id = engine, run_id
        self.lock = threading.RLock()  # the sites' threads, the heartbeat and the end
        self.written = 0.0
        self.done = threading.Event()
        self.beat = threading.Thread(target=self._heartbeat, name=f"collect-run-{run_id}-heartbeat", daemon=True)

    def write(self, **values: Any) -> None:
        with self.lock, _writing(self.engine) as conn, conn.begin():
            conn.execute(t.round_runs.update().where(t.round_runs.c.id == self.run_id).values(updated=_now(),
                                                                                           **values))

    def __call__(self, event: Event) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.written < 1.0 and event.kind not in ("ingest", "column"):
                return
            self.written = now
            self.write(progress=json.dumps(_progress(event.summary), ensure_ascii=False), last=event.text)

    def _heartbeat(self) -> None:
        while not self.done.wait(HEARTBEAT):
            self.write()


def execute(store: Store, run_id: int, out: str | Path, *, stop: threading.Event | None = None,
            workers: int | None = None, timeout: float = 30.0, retries: int = 3) -> Run:
    """Run a registered collection to its end: collect the round's columns into `store` (files
    under `out`), then put the reports they gave in the round. Never raises for what a site does;
    a run that fails as a whole is recorded as failed with the reason."""
    engine = store.engine
    run = get_run(engine, run_id)
    columns = [Column(c.url, c.body) for c in round_columns(engine, run.round_id)]
    opts = run.options
    reporter = _Reporter(engine, run_id)
    reporter.write(state="running")
    reporter.beat.start()
    summary = Summary()
    try:
        summary = collect(columns, store, Options(rate=float(opts.get("rate", 2.0)), since=opts.get("since"),
                                                  max_pages=int(opts.get("max_pages", 100)), out=out, stop=stop,
                                                  workers=workers, timeout=timeout, retries=retries),
                          progress=reporter)
        shas = State(engine).report_shas_of_columns([c.url for c in columns], opts.get("since"))
        stored = [s for s, k in store.lookup(shas).items() if k.state == "current"]
        added = add_reports(engine, run.round_id, stored, run.user)
        state = "stopped" if stop is not None and stop.is_set() else "done"
        reporter.write(state=state, finished=_now(), added=added,
                       progress=json.dumps(_progress(summary), ensure_ascii=False))
    except Exception as e:  # the database went away, a disk full: the run as a whole failed
        reporter.write(state="failed", finished=_now(), error=f"{type(e).__name__}: {e}",
                       progress=json.dumps(_progress(summary), ensure_ascii=False))
    finally:
        reporter.done.set()
    return get_run(engine, run_id)
