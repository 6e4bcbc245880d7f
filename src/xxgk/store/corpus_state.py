"""Corpus state: which bodies need their cross-year rules run again, running them, and settling
the result — safely while other writers add reports to the same bodies.

Every write that changes a body's reports sets its `needs_check` mark and bumps its `revision`
(writing.py). A check reads a body's revision, THEN its reports, runs the rules (read-only work,
in worker processes when the ingest has them), and the writer settles the body — replaces its
corpus findings and clears its mark — only if the revision is still the one it read
(compare-and-set, inside a write transaction, so no write can slip in between). A body whose
revision moved keeps its mark and is checked again, by this run's next round or by whichever
writer finishes last. So two ingests running at once end with the findings a sequential run gives.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from xxgk.check.corpus import body_findings
from xxgk.report import Finding
from xxgk.store import schema as t
from xxgk.store.database import Base, make_engine
from xxgk.store.reading import Reading, entry_of_row
from xxgk.store.records import FINDING_COLUMNS, BodyCheck, ReportEntry, ReportFilter, chunks, finding_rows
from xxgk.store.writing import Writing

# Rounds of checks one recheck runs before leaving what is still marked to the next run (a body
# another writer keeps changing is checked by that writer once it is done).
MAX_ROUNDS = 20

_READERS: dict[str, Any] = {}


def check_bodies_at(store_class: type[CorpusState], url: str, body_ids: Sequence[int]) -> BodyCheck:
    """`check_bodies` in a worker process: one read-only handle per database and process."""
    store = _READERS.get(url)
    if store is None:
        store = _READERS[url] = store_class(make_engine(url), upgrade=False)  # type: ignore[call-arg]
    return store.check_bodies(body_ids)


@dataclass
class BodyChecks:
    """Body checks under way in workers (`futures`), or to run here (`run`)."""

    futures: list[cf.Future[BodyCheck]] | None
    run: Callable[[], Iterator[BodyCheck]] | None

    def results(self) -> Iterator[BodyCheck]:
        """The checks as they finish."""
        if self.futures is not None:
            yield from (f.result() for f in cf.as_completed(self.futures))
        elif self.run is not None:
            yield from self.run()


class CorpusState(Reading, Writing, Base):
    def bodies_to_check(self) -> list[int]:
        """Bodies whose reports changed since their cross-year rules last ran."""
        b = t.bodies
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(b.c.id).where(b.c.needs_check).order_by(b.c.id)).scalars())

    def recheck_bodies(
        self,
        body_ids: Iterable[int] | None = None,
        group: int = 50,
        executor: cf.Executor | None = None,
        on_progress: Callable[[int], None] | None = None,
        started: BodyChecks | None = None,
    ) -> int:
        """Run the corpus rules over each body's reports and replace its corpus findings; then
        again over the bodies still marked (changed meanwhile by another writer), until none is.

        Bodies are done `group` at a time: `check_bodies` (read-only) here or, given an
        `executor` (the ingest's worker pool), in worker processes that open the same database;
        `settle_bodies` (one transaction) here. `started` (from `start_bodies`): the first
        round's checks, already running. Returns the number of corpus findings written.
        """
        only = None if body_ids is None else set(body_ids)
        todo = self.bodies_to_check() if only is None else sorted(only)
        written = 0
        for _ in range(MAX_ROUNDS):
            if started is None and not todo:
                break
            checks, started = started or self.start_bodies(todo, group, executor), None
            for result in checks.results():
                written += self.settle_bodies(result)
                if on_progress:
                    on_progress(len(result.body_ids))
            marked = self.bodies_to_check()
            todo = marked if only is None else [b for b in marked if b in only]
        return written

    def start_bodies(self, body_ids: Sequence[int], group: int = 50, executor: cf.Executor | None = None
                     ) -> BodyChecks:
        """The checks of these bodies, `group` at a time, started in the executor's workers (or,
        without one, run here as their results are taken)."""
        groups = [list(g) for g in chunks(list(body_ids), group)]
        if executor is None:
            return BodyChecks(None, lambda: (self.check_bodies(g) for g in groups))
        url = self.engine.url.render_as_string(hide_password=False)
        return BodyChecks([executor.submit(check_bodies_at, type(self), url, g) for g in groups], None)

    def check_bodies(self, body_ids: Sequence[int]) -> BodyCheck:
        """Corpus findings for these bodies, and what each body's row should say (read-only)."""
        ids = list(body_ids)
        with self.engine.connect() as conn:
            # The revisions first: a write that lands after this read makes the settle refuse.
            b = t.bodies
            revisions = dict(conn.execute(sa.select(b.c.id, b.c.revision).where(b.c.id.in_(ids))).all())
            entries: dict[int, list[ReportEntry]] = {b: [] for b in revisions}
            q = self._report_query(ReportFilter()).where(t.reports.c.body_id.in_(ids))
            for row in conn.execute(q).mappings():
                if row["body_id"] in entries:
                    entries[row["body_id"]].append(entry_of_row(row))
        # A body with one report has no pair to compare: nothing to load for it.
        load = [e.id for es in entries.values() if len(es) > 1 for e in es]
        built = dict(zip(load, self._build(load, for_rules=True), strict=True))
        check = BodyCheck(revisions)
        for b, es in entries.items():
            check.report_ids[b] = [e.id for e in es]
            if not es:
                check.empty.append(b)
                continue
            # The body's name, region and level are those of its latest report, so they do not
            # depend on the order files were ingested in.
            latest = max(es, key=lambda e: (e.year or 0, e.sha256))
            check.settled[b] = {
                "b_id": b,
                "name": latest.agency or latest.title or latest.file,
                "region": latest.region,
                "region_code": latest.region_code,
                "level": latest.level,
                "needs_check": False,
            }
            if len(es) < 2:
                continue
            reports = [built[e.id] for e in es]
            rid_of = {id(rep): e.id for rep, e in zip(reports, es, strict=True)}
            per: dict[int, list[Finding]] = {}
            for rep, finding in body_findings(reports):
                per.setdefault(rid_of[id(rep)], []).append(finding)
            # As rows (messages rendered) here: in a worker, when the ingest has them.
            check.findings[b] = [(rid, finding_rows(per[rid])) for rid in sorted(per)]
        return check

    def settle_bodies(self, check: BodyCheck) -> int:
        """Write a `check_bodies` result in one transaction, for the bodies whose revision is still
        the one the check read: their corpus findings replaced, their rows settled, their mark
        cleared, bodies left without a report deleted. Bodies changed meanwhile stay marked.
        Returns the number of findings written."""
        b = t.bodies
        with self._write() as conn, conn.begin():
            self._lock_writers(conn)
            now = dict(conn.execute(sa.select(b.c.id, b.c.revision).where(b.c.id.in_(check.body_ids))).all())
            fresh = [x for x in check.body_ids if now.get(x) == check.revisions[x]]
            reports = [rid for x in fresh for rid in check.report_ids.get(x, [])]
            for chunk in chunks(reports):
                f = t.findings
                # The peers pass's findings (peer_year set) are that pass's to replace, not this one's.
                conn.execute(sa.delete(f).where(f.c.report_id.in_(chunk), f.c.scope == "corpus",
                                                f.c.peer_year.is_(None)))
            rows = [
                (rid, "corpus", *row)
                for x in fresh
                for rid, found in check.findings.get(x, [])
                for row in found
            ]
            self._insert_rows(conn, t.findings, FINDING_COLUMNS, rows)
            empty = [x for x in check.empty if x in fresh]
            if empty:
                conn.execute(sa.delete(b).where(b.c.id.in_(empty)))
            settled = [check.settled[x] for x in fresh if x in check.settled]
            if settled:
                conn.execute(b.update().where(b.c.id == sa.bindparam("b_id")), settled)
        return len(rows)
