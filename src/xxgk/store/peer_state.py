"""Peer state: the cross-body rules (copied-from-other-body, missing-subordinate) over each year's
reports, kept in the store and settled safely while other writers add reports.

The same compare-and-set as the cross-year check (corpus_state.py), per year instead of per
body: every write that adds or removes a report of year Y marks Y and Y + 1 and bumps their
revision (writing.py). A pass reads a year's revision, THEN the reports of the year and of the
year before, runs the rules (read-only, in a worker process when the ingest has them), and the
writer replaces that year's peer findings only if the revision is still the one it read. A year
whose revision moved stays marked and is run again (by this run's next round, or by whichever
writer finishes last), so two ingests at once end with the findings of a sequential run.

What a pass costs: one read of the year's report rows (no cells) and of their stored section
signatures; numpy finds, from the signatures alone, the sections that share an LSH band with
another body's (`xxgk.check.peers.copy_candidates`); only those reports' sections are read, the
pairs are confirmed by the exact similarity, and the rule reads the confirmed reports' sections
only. A small ingest into a year of 100,000 reports hashes no old section again.

A pass's findings are stored with scope "corpus" (recomputed when the corpus changes, read
with the cross-year findings) and `peer_year` = its year; a body that did not report
(missing-subordinate) has its finding on that body's report of the year before.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from xxgk.check import finding_order
from xxgk.check.peers import (
    Candidates,
    compared_sections,
    copy_candidates,
    prepared_sections,
    section_signature,
    signed_text,
    unpack_signature,
    year_findings,
)
from xxgk.check.rules.peers import COPY_SECTIONS, agency_key
from xxgk.report import Finding, Meta, Report, SectionText, Source
from xxgk.store import schema as t
from xxgk.store.database import Base, among, make_engine
from xxgk.store.reading import _fetch
from xxgk.store.records import FINDING_COLUMNS, YearCheck, chunks, finding_rows
from xxgk.store.writing import Writing

# Rounds of passes one recheck runs before leaving what is still marked to the next run.
MAX_ROUNDS = 20
PEER_COLUMNS = (*FINDING_COLUMNS, "peer_year")
COPY_RULE = "copied-from-other-body"

_READERS: dict[str, Any] = {}


def check_year_at(store_class: type[PeerState], url: str, year: int) -> YearCheck:
    """`check_year` in a worker process: one read-only handle per database and process."""
    store = _READERS.get(url)
    if store is None:
        store = _READERS[url] = store_class(make_engine(url), upgrade=False)  # type: ignore[call-arg]
    return store.check_year(year)


class PeerState(Writing, Base):
    def years_to_check(self) -> list[int]:
        """Years whose reports (or the year before's) changed since their peers pass last ran."""
        y = t.peer_years
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(y.c.year).where(y.c.needs_check).order_by(y.c.year)).scalars())

    def recheck_years(
        self,
        years: Iterable[int] | None = None,
        executor: cf.Executor | None = None,
        on_progress: Callable[[int], None] | None = None,
        started: YearChecks | None = None,
    ) -> int:
        """Run the peer rules over each marked year (or these years) and replace its peer
        findings; again over the years still marked (changed meanwhile), until none is. Given an
        `executor`, the read-only part runs in its workers; `started` (from `start_years`) are
        the first round's checks, already running. Returns the number of findings written."""
        only = None if years is None else set(years)
        todo = self.years_to_check() if only is None else sorted(only)
        written = 0
        for _ in range(MAX_ROUNDS):
            if started is None and not todo:
                break
            checks, started = started or self.start_years(todo, executor), None
            for result in checks.results():
                written += self.settle_year(result)
                if on_progress:
                    on_progress(1)
            marked = self.years_to_check()
            todo = marked if only is None else [y for y in marked if y in only]
        return written

    def start_years(self, years: Sequence[int], executor: cf.Executor | None = None) -> YearChecks:
        """The checks of these years, started in the executor's workers (the ingest starts them
        before settling its cross-year checks, so the workers go on while this process writes);
        without an executor they run here, one by one, as their results are taken (so a serial
        run checks a year after the bodies are settled, as it always did)."""
        if executor is None:
            years = list(years)
            return YearChecks(None, lambda: (self.check_year(y) for y in years))
        url = self.engine.url.render_as_string(hide_password=False)
        return YearChecks([executor.submit(check_year_at, type(self), url, y) for y in years], None)

    def check_year(self, year: int) -> YearCheck:
        """The peer findings of one year (read-only): the rules over the year's reports, with the
        year before's for missing-subordinate and only the confirmed copies' sections loaded."""
        y, r, s = t.peer_years, t.reports, t.sources
        with self.engine.connect() as conn:
            # The revision first: a write that lands after this read makes the settle refuse.
            revision = conn.execute(sa.select(y.c.revision).where(y.c.year == year)).scalar_one_or_none()
            heads = conn.execute(
                sa.select(r.c.id, r.c.file, r.c.pages, r.c.title, r.c.agency, r.c.region, r.c.level, r.c.year,
                          r.c.template, s.c.sha256, s.c.kind)
                .join(s, s.c.id == r.c.source_id)
                .where(r.c.year.in_([year, year - 1]))
                .order_by(r.c.id)
            ).all()
            reports = {h.id: _light(h) for h in heads}
            this = [h.id for h in heads if h.year == year]
            signatures, seen = self._signatures(conn, this)
            # Reports stored without a signature, or with one of another revision: made here.
            computed = self._sign(conn, [rid for rid in this if unpack_signature(signatures.get(rid, b"")) is None])
            signatures.update(computed or {})
            candidates = Candidates() if computed is None else copy_candidates(
                (rid, agency_key(reports[rid]), signatures[rid]) for rid in this)
            # Pairs of reports the last pass compared were confirmed or not then, and nothing of
            # them changed since (a changed report is a new one): the reports it found copies
            # in are kept again, only the pairs with a new report are confirmed now.
            new = {rid for rid in this if rid not in seen or rid in (computed or {})}
            found_before = self._copies_found(conn, year, this) if len(new) < len(this) else set()
            candidates = candidates.involving(new)
            suspects = sorted(candidates.refs | found_before)
            self._load_sections(conn, reports, suspects)
        compared = {rid: compared_sections(reports[rid].sections, signatures[rid]) for rid in suspects}
        keep = found_before | candidates.confirmed(lambda key: signed_text(compared[key[0]], key[1]))
        # The rule reads the sections of the reports in a confirmed pair only (cleaned already,
        # MinHash known); the others' texts are dropped, so it spends nothing on them.
        for rid in suspects:
            reports[rid].sections = prepared_sections(reports[rid].sections, compared[rid]) if rid in keep else []
        current = [reports[i] for i in this]
        previous = [reports[h.id] for h in heads if h.year == year - 1]
        rid_of = {id(rep): rid for rid, rep in reports.items()}
        per: dict[int, list[Finding]] = {}
        # Without the extra `similarity` no signature can be made: the copy rule is left out.
        ignore = [COPY_RULE] if computed is None else []
        for owner, finding in year_findings(current, previous, ignore=ignore):
            per.setdefault(rid_of[id(owner)], []).append(finding)
        found = [(rid, finding_rows(sorted(per[rid], key=finding_order))) for rid in sorted(per)]
        return YearCheck(year, revision, sorted(reports), found, computed or {},
                         [] if computed is None else sorted(new))

    @staticmethod
    def _copies_found(conn: sa.Connection, year: int, report_ids: Sequence[int]) -> set[int]:
        """The reports of the year the last settled pass found a copy in (its stored findings)."""
        f = t.findings
        ids = set(report_ids)
        rows = conn.execute(sa.select(f.c.report_id).distinct().where(f.c.peer_year == year, f.c.code == COPY_RULE))
        return {rid for (rid,) in rows if rid in ids}

    @staticmethod
    def _signatures(conn: sa.Connection, report_ids: Sequence[int]) -> tuple[dict[int, bytes], set[int]]:
        """The stored signatures of these reports, and which of them a settled pass compared."""
        g = t.signatures
        out: dict[int, bytes] = {}
        seen: set[int] = set()
        for chunk in chunks(list(report_ids)):
            for rid, data, compared in conn.execute(
                    sa.select(g.c.report_id, g.c.data, g.c.compared).where(among(conn, g.c.report_id, chunk))):
                out[rid] = bytes(data)
                if compared:
                    seen.add(rid)
        return out, seen

    def _sign(self, conn: sa.Connection, report_ids: Sequence[int]) -> dict[int, bytes] | None:
        """Signatures of reports stored without one (before schema version 4, or parsed where
        the extra `similarity` was missing), from their stored sections; None if it is missing here."""
        out: dict[int, bytes] = {}
        for chunk in chunks(list(report_ids)):
            texts: dict[int, list[SectionText]] = {rid: [] for rid in chunk}
            for rid, no, text, title, loc in self._section_rows(conn, chunk):
                texts[rid].append(SectionText(no, title, text, loc))
            for rid, sections in texts.items():
                stub = Report(Source("", "", "", None), Meta(), sections, {})
                try:
                    out[rid] = section_signature(stub)
                except ImportError:
                    return None
        return out

    def _section_rows(self, conn: sa.Connection, report_ids: Sequence[int]) -> list[tuple[Any, ...]]:
        marks = ", ".join(["?" if self.dialect == "sqlite" else "%s"] * len(report_ids))
        nos = ", ".join(str(no) for no in COPY_SECTIONS)
        return _fetch(conn, f"SELECT report_id, no, text, title, location FROM sections WHERE report_id IN ({marks}) "
                            f"AND no IN ({nos}) ORDER BY report_id, seq", tuple(report_ids))

    def _load_sections(self, conn: sa.Connection, reports: dict[int, Report], report_ids: Sequence[int]) -> None:
        for chunk in chunks(list(report_ids)):
            for rid, no, text, title, loc in self._section_rows(conn, chunk):
                reports[rid].sections.append(SectionText(no, title, text, loc))

    def settle_year(self, check: YearCheck) -> int:
        """Write a `check_year` result in one transaction if the year's revision is still the one
        the check read: its peer findings replaced, its mark cleared, the signatures it computed
        stored. A year changed meanwhile stays marked. Returns the number of findings written."""
        y, f, g = t.peer_years, t.findings, t.signatures
        with self._write() as conn, conn.begin():
            self._lock_writers(conn)
            now = conn.execute(sa.select(y.c.revision).where(y.c.year == check.year)).scalar_one_or_none()
            if now != check.revision:
                return 0
            for chunk in chunks(check.report_ids):
                conn.execute(sa.delete(f).where(f.c.report_id.in_(chunk), f.c.scope == "corpus",
                                                f.c.peer_year == check.year))
            rows = [(rid, "corpus", *row, check.year) for rid, found in check.findings for row in found]
            self._insert_rows(conn, f, PEER_COLUMNS, rows)
            made = sorted(check.signatures)
            for chunk in chunks(made):  # those of another revision go
                conn.execute(sa.delete(g).where(g.c.report_id.in_(chunk)))
            self._insert_rows(conn, g, ("report_id", "data"), [(rid, check.signatures[rid]) for rid in made])
            for chunk in chunks(check.compared):
                conn.execute(g.update().where(among(conn, g.c.report_id, chunk)).values(compared=True))
            if check.revision is not None:
                conn.execute(y.update().where(y.c.year == check.year).values(needs_check=False))
        return len(rows)


@dataclass
class YearChecks:
    """Year checks under way in workers (`futures`), or to run here (`run`)."""

    futures: list[cf.Future[YearCheck]] | None
    run: Callable[[], Iterator[YearCheck]] | None

    def results(self) -> Iterator[YearCheck]:
        """The checks as they finish."""
        if self.futures is not None:
            yield from (f.result() for f in cf.as_completed(self.futures))
        elif self.run is not None:
            yield from self.run()


def _light(h: Any) -> Report:
    """A report as the peer rules read it: who, where, which year, which file; sections added
    for the copy candidates only."""
    meta = Meta(h.title, h.agency, h.region, h.level, h.year, h.template)
    return Report(Source(h.file, h.sha256, h.kind or "", h.pages), meta, [], {})


__all__ = ["PeerState", "YearChecks", "check_year_at"]
