"""Review rounds: a round (某市2025年度年报审核) holds the reports of the bodies under one office,
the list of bodies expected to report, and gives the overview of the round's review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from xxgk.corpus.compile import normalize_name
from xxgk.i18n import _
from xxgk.review import schema as t
from xxgk.review import trail
from xxgk.review.db import NotFound, ReviewError, as_utc, insert_new, now, writing
from xxgk.review.reports import PENDING, State, correction_row, decisions_of, in_force, review_report, states_of
from xxgk.store import ReportEntry, Store
from xxgk.store.database import row_or_raise


@dataclass(frozen=True)
class Round:
    id: int
    name: str
    year: int | None
    created: datetime
    created_by: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "year": self.year, "created": self.created.isoformat(),
                "created_by": self.created_by}


@dataclass
class Row:
    """One report of a round, as the overview lists it."""

    entry: ReportEntry
    state: State
    errors: int
    warnings: int
    infos: int
    confirmed: int
    dismissed: int
    corrections: int

    @property
    def sha256(self) -> str:
        return self.entry.sha256

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {"id": e.sha256, "file": e.file, "agency": e.agency, "region": e.region, "region_code": e.region_code,
                "level": e.level, "year": e.year, "template": e.template, "state": self.state.state,
                "errors": self.errors, "warnings": self.warnings, "infos": self.infos,
                "confirmed": self.confirmed, "dismissed": self.dismissed, "corrections": self.corrections}


@dataclass
class Overview:
    round: Round
    rows: list[Row]
    expected: list[str]
    missing: list[str]  # expected bodies without a report in the round
    failures: list[tuple[str, str]] = field(default_factory=list)  # uploads that could not be read
    by_code: dict[str, int] = field(default_factory=dict)  # findings per rule, most frequent first

    def counts(self) -> dict[str, int]:
        c = Counter(r.state.state for r in self.rows)
        return {"reports": len(self.rows), "pending": c["pending"], "rework": c["rework"], "approved": c["approved"],
                "errors": sum(r.errors for r in self.rows), "warnings": sum(r.warnings for r in self.rows),
                "expected": len(self.expected), "missing": len(self.missing)}


def _round(r: sa.Row) -> Round:
    return Round(r.id, r.name, r.year, as_utc(r.created), r.created_by)  # type: ignore[arg-type]


def create_round(engine: sa.Engine, name: str, year: int | None, user: str) -> Round:
    name = " ".join((name or "").split())
    if not name:
        raise ReviewError(_("a round needs a name"))
    with writing(engine) as conn:
        if conn.execute(sa.select(t.rounds.c.id).where(t.rounds.c.name == name)).first():
            raise ReviewError(_("a round named {name} exists already").format(name=name))
        rid = conn.execute(t.rounds.insert().values(name=name, year=year, created=now(), created_by=user)
                           .returning(t.rounds.c.id)).scalar_one()
        trail.record(conn, user, "round.create", f"round:{rid}", None, {"name": name, "year": year})
    return get_round(engine, rid)


def get_round(engine: sa.Engine, round_id: int) -> Round:
    return _round(row_or_raise(engine, sa.select(t.rounds).where(t.rounds.c.id == round_id),
                               NotFound(_("no round {id}").format(id=round_id))))


def list_rounds(engine: sa.Engine) -> list[Round]:
    with engine.connect() as conn:
        return [_round(r) for r in conn.execute(sa.select(t.rounds).order_by(t.rounds.c.id.desc()))]


def round_shas(engine: sa.Engine, round_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(t.round_reports.c.sha256).where(t.round_reports.c.round_id == round_id)
                                 .order_by(t.round_reports.c.sha256)).scalars())


def rounds_of(engine: sa.Engine, sha256: str) -> list[Round]:
    q = (sa.select(t.rounds).join(t.round_reports, t.round_reports.c.round_id == t.rounds.c.id)
         .where(t.round_reports.c.sha256 == sha256).order_by(t.rounds.c.id))
    with engine.connect() as conn:
        return [_round(r) for r in conn.execute(q)]


def add_reports(engine: sa.Engine, round_id: int, shas: list[str], user: str, conn: sa.Connection | None = None) -> int:
    """Put reports (by sha256) in a round; those already in it are left alone. Returns how many were added."""
    get_round(engine, round_id)
    if conn is None:
        with writing(engine) as c:
            return add_reports(engine, round_id, shas, user, c)
    have = set(conn.execute(sa.select(t.round_reports.c.sha256).where(t.round_reports.c.round_id == round_id))
               .scalars())
    new = sorted(set(shas) - have)
    if new:
        at = now()
        insert_new(conn, t.round_reports, [{"round_id": round_id, "sha256": s, "added": at} for s in new])
        trail.record(conn, user, "round.add", f"round:{round_id}", None, {"reports": new})
    return len(new)


def add_stored(store: Store, round_id: int, user: str, **filters: Any) -> int:
    """Put every stored report matching the store's filters (year, agency, region, level,
    template) in the round: for reports ingested from the command line."""
    shas = [e.sha256 for e in store.entries(**{k: v for k, v in filters.items() if v not in (None, "")})]
    return add_reports(store.engine, round_id, shas, user)


def set_expected(engine: sa.Engine, round_id: int, names: list[str], user: str) -> list[str]:
    """The bodies expected to report in the round (one name a line; # comments)."""
    clean: list[str] = []
    for n in names:
        n = n.strip()
        if n and not n.startswith("#") and n not in clean:
            clean.append(n)
    before = expected_of(engine, round_id)
    with writing(engine) as conn:
        conn.execute(t.expected.delete().where(t.expected.c.round_id == round_id))
        if clean:
            conn.execute(t.expected.insert(),
                         [{"round_id": round_id, "seq": i, "name": n} for i, n in enumerate(clean)])
        trail.record(conn, user, "round.expected", f"round:{round_id}", {"expected": before}, {"expected": clean})
    return clean


def expected_of(engine: sa.Engine, round_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(t.expected.c.name).where(t.expected.c.round_id == round_id)
                                 .order_by(t.expected.c.seq)).scalars())


def entries_of(store: Store, shas: list[str]) -> list[ReportEntry]:
    """The store's catalogue rows of these reports (those the store has), in the store's order."""
    wanted = set(shas)
    return [e for e in store.entries() if e.sha256 in wanted]


def missing_bodies(expected: list[str], agencies: list[str | None]) -> list[str]:
    present = {normalize_name(a) for a in agencies if a}
    return [n for n in expected if normalize_name(n) not in present]


def overview(store: Store, round_id: int) -> Overview:
    rnd = get_round(store.engine, round_id)
    shas = round_shas(store.engine, round_id)
    entries = entries_of(store, shas)
    states = states_of(store.engine, shas)
    decided = decisions_of(store.engine)
    ids = {e.id for e in entries}
    years = sorted({e.year for e in entries if e.year is not None})
    found: dict[int, list[tuple[str, str]]] = {e.id: [] for e in entries}  # (severity, code)
    for stored in ([store.findings(year=y) for y in years] + ([store.findings(year=None)] if not years else [])):
        for f in stored:
            if f.report_id in ids:
                found[f.report_id].append((f.severity, f.code))
    for e in entries:  # reports of unknown year are not reached by the year filter
        if e.year is None and years:
            found[e.id] = [(f.severity, f.code) for f in store.findings(report_id=e.id)]
    corrected = _corrected_counts(store.engine, shas)
    rows = []
    by_code: Counter[str] = Counter()
    for e in entries:
        mine = [d.decision for (sha, _k), d in decided.items() if sha == e.sha256]
        if corrected.get(e.sha256):  # the findings of the corrected report, not those stored at ingest
            found[e.id] = [(f.finding.severity, f.finding.code) for f in review_report(store, e.sha256).findings]
        counts = Counter(severity for severity, _code in found[e.id])
        by_code.update(code for _severity, code in found[e.id])
        rows.append(Row(e, states.get(e.sha256, PENDING), counts["error"], counts["warning"], counts["info"],
                        mine.count("confirm"), mine.count("dismiss"), corrected.get(e.sha256, 0)))
    expected = expected_of(store.engine, round_id)
    return Overview(rnd, rows, expected, missing_bodies(expected, [e.agency for e in entries]),
                    round_failures(store.engine, round_id), dict(by_code.most_common()))


def _corrected_counts(engine: sa.Engine, shas: list[str]) -> dict[str, int]:
    per: dict[str, list] = {}
    with engine.connect() as conn:
        for r in conn.execute(sa.select(t.corrections).order_by(t.corrections.c.id)):
            if r.sha256 in shas:
                per.setdefault(r.sha256, []).append(correction_row(r))
    return {sha: len(in_force(h)) for sha, h in per.items()}


def round_failures(engine: sa.Engine, round_id: int) -> list[tuple[str, str]]:
    """Files uploaded to the round that could not be read, with the reason."""
    q = (sa.select(t.upload_files.c.name, t.upload_files.c.reason)
         .join(t.uploads, t.uploads.c.id == t.upload_files.c.upload_id)
         .where(t.uploads.c.round_id == round_id, t.upload_files.c.state == "failed")
         .order_by(t.upload_files.c.upload_id, t.upload_files.c.seq))
    with engine.connect() as conn:
        return [(n, r or "") for n, r in conn.execute(q)]
