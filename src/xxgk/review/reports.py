"""One report under review: what was read, the reviewers' corrections, the findings of the
corrected report with their decisions, and its review state.

A correction is its own record (who, when, why); the parsed cell stays as it was read in the
store. The corrected report is the stored one with the corrected cells replaced, and the report
rules run again over it, so a correction that mends the arithmetic makes its finding go away.
Decisions are keyed by the finding's stable key (`finding_key`), so a decision on a problem
stays with that problem across re-checks and re-parses.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from xxgk.check import run_rules
from xxgk.check.corpus import body_findings
from xxgk.check.registry import selected
from xxgk.i18n import N_, _, current_lang, gettext
from xxgk.report import Cell, Finding, Number, Report
from xxgk.review import schema as t
from xxgk.review import trail
from xxgk.review.db import Lookup, NotFound, ReviewError, as_utc, dumps, now, upsert, writing
from xxgk.store import Store
from xxgk.store import schema as st
from xxgk.vocabulary import cell_name

STATES = ("pending", "rework", "approved")
STATE_NAMES = {"pending": N_("pending review"), "rework": N_("needs rework"), "approved": N_("approved")}
DECISIONS = ("confirm", "dismiss")
DECISION_NAMES = {"confirm": N_("confirmed"), "dismiss": N_("dismissed"), "": N_("undecided")}
_SHA = re.compile(r"[0-9a-f]{64}")


def state_name(state: str) -> str:
    return gettext(STATE_NAMES.get(state, state))


def decision_name(decision: str | None) -> str:
    return gettext(DECISION_NAMES.get(decision or "", decision or ""))


@dataclass(frozen=True)
class State:
    state: str
    comment: str = ""
    user: str | None = None
    at: datetime | None = None

    @property
    def name(self) -> str:
        return state_name(self.state)

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "comment": self.comment, "user": self.user,
                "at": self.at.isoformat() if self.at else None}


PENDING = State("pending")


@dataclass(frozen=True)
class Decision:
    decision: str
    comment: str
    user: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "comment": self.comment, "user": self.user, "at": self.at.isoformat()}


@dataclass(frozen=True)
class Correction:
    id: int
    path: str
    value: Number | None
    revert: bool
    reason: str
    user: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "cell": self.path, "value": self.value, "revert": self.revert, "reason": self.reason,
                "user": self.user, "at": self.at.isoformat()}


@dataclass
class ReviewFinding:
    key: str
    sha256: str
    scope: str  # "report" or "corpus"
    finding: Finding
    decision: Decision | None = None

    @property
    def id(self) -> str:
        """The finding's id in the API: report sha256 and finding key."""
        return f"{self.sha256}.{self.key}"

    def to_dict(self, template: str | None) -> dict[str, Any]:
        d = self.finding.to_dict()
        d.update(id=self.id, key=self.key, scope=self.scope,
                 cell_labels=[_label(template, p) for p in self.finding.cells],
                 decision=self.decision.to_dict() if self.decision else None)
        return d


@dataclass
class ReviewedReport:
    sha256: str
    report_id: int
    report: Report  # as read: never changed by a review
    corrected: Report  # with the corrections in force
    corrections: dict[str, Correction]  # in force, by cell path
    history: list[Correction]  # every correction record, oldest first
    findings: list[ReviewFinding] = field(default_factory=list)
    state: State = PENDING

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.finding.severity == severity)

    def decided(self, decision: str) -> list[ReviewFinding]:
        return [f for f in self.findings if f.decision and f.decision.decision == decision]

    def finding(self, key: str) -> ReviewFinding:
        for f in self.findings:
            if f.key == key:
                return f
        raise NotFound(_("no finding {key} in this report").format(key=key))

    def to_dict(self) -> dict[str, Any]:
        """The report in the JSON contract (as read), plus its review: state, corrections, findings now."""
        d = self.report.to_dict()
        d["review"] = {
            "state": self.state.to_dict(),
            "corrections": [c.to_dict() for c in self.corrections.values()],
            "corrected": {p: c.value for p, c in self.corrections.items()},
            "findings": [f.to_dict(self.report.meta.template) for f in self.findings],
        }
        return d


def _label(template: str | None, path: str) -> str:
    try:
        return cell_name(template or "2021", path)
    except KeyError:
        return path


def finding_keys(scope: str, findings: Iterable[Finding]) -> list[str]:
    """Stable keys: the same problem (rule, cells, place, excerpt) gets the same key every run;
    a second identical one gets a suffix."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        base = hashlib.sha1(dumps([scope, f.code, sorted(f.cells), f.loc, f.excerpt]).encode()).hexdigest()[:16]
        n = seen.get(base, 0) + 1
        seen[base] = n
        out.append(base if n == 1 else f"{base}-{n}")
    return out


def is_sha(text: str) -> bool:
    """A report's id: 64 lowercase hex digits (nothing else reaches a query or a path)."""
    return bool(_SHA.fullmatch(text or ""))


def check_sha(sha256: str) -> str:
    if not is_sha(sha256):
        raise NotFound(_("no report {id}").format(id=sha256))
    return sha256


# ---------------------------------------------------------------- reading


def corrections_of(engine: sa.Engine, sha256: str) -> list[Correction]:
    q = sa.select(t.corrections).where(t.corrections.c.sha256 == sha256).order_by(t.corrections.c.id)
    with engine.connect() as conn:
        return [correction_row(r) for r in conn.execute(q)]


def correction_row(r: sa.Row) -> Correction:
    value = None if r.value is None else (int(r.value) if r.is_int else float(r.value))
    return Correction(r.id, r.path, value, bool(r.revert), r.reason, r.user_name, as_utc(r.at))  # type: ignore[arg-type]


def in_force(history: Sequence[Correction]) -> dict[str, Correction]:
    current: dict[str, Correction] = {}
    for c in history:
        if c.revert:
            current.pop(c.path, None)
        else:
            current[c.path] = c
    return current


def apply_corrections(report: Report, corrections: dict[str, Correction]) -> Report:
    """A copy of the report with the corrected cells (status read, the reason in the note, the
    printed text kept in raw); the report given is not changed."""
    if not corrections:
        return report
    cells = dict(report.cells)
    for path, c in corrections.items():
        old = cells.get(path)
        cells[path] = Cell(c.value, "read", old.loc if old else None, old.raw if old else None,
                           _("corrected by {user}: {reason}").format(user=c.user, reason=c.reason))
    return replace(report, cells=cells, findings=list(report.findings))


def states_of(engine: sa.Engine, shas: Iterable[str] | None = None) -> dict[str, State]:
    q = sa.select(t.states)
    wanted = None if shas is None else list(shas)
    with engine.connect() as conn:
        rows = conn.execute(q).all() if wanted is None or len(wanted) > 400 else \
            conn.execute(q.where(t.states.c.sha256.in_(wanted))).all()
    return {r.sha256: State(r.state, r.comment, r.user_name, as_utc(r.at)) for r in rows}


def decisions_of(engine: sa.Engine, sha256: str | None = None) -> dict[tuple[str, str], Decision]:
    q = sa.select(t.decisions)
    if sha256 is not None:
        q = q.where(t.decisions.c.sha256 == sha256)
    with engine.connect() as conn:
        return {(r.sha256, r.finding_key): Decision(r.decision, r.comment, r.user_name, as_utc(r.at))  # type: ignore[arg-type]
                for r in conn.execute(q)}


class _Cache:
    """Checked reports by (sha256, report id, last correction, language): re-running the rules
    costs milliseconds, but a review page is read far more often than a report is corrected."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.items: OrderedDict[tuple[Any, ...], tuple[Report, Report, list[tuple[str, str, Finding]]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_cache = _Cache()


def _checked(store: Store, sha256: str, rid: int, history: list[Correction]) -> tuple[Report, Report, list]:
    key = (store.url, sha256, rid, history[-1].id if history else 0, current_lang())
    hit = _cache.get(key)
    if hit is not None:
        return hit
    report = store.report(rid)
    corrected = apply_corrections(report, in_force(history))
    rerun = run_rules(corrected)
    # Findings the rules cannot reproduce from the stored report (they came from the source
    # itself, e.g. the extractor's doubts) are carried over as they were stored.
    again = set(finding_keys("report", rerun if corrected is report else run_rules(report)))
    stored = report.findings
    carried = [f for f, k in zip(stored, finding_keys("report", stored), strict=True) if k not in again]
    found = rerun + carried
    corrected = replace(corrected, findings=found)  # the report as read keeps its stored findings
    items = [("report", k, f) for k, f in zip(finding_keys("report", found), found, strict=True)]
    value = (report, corrected, items)
    _cache.put(key, value)
    return value


def report_id(store: Store, sha256: str) -> int:
    rid = store.report_id(check_sha(sha256))
    if rid is None:
        raise NotFound(_("no report {id}").format(id=sha256))
    return rid


@dataclass(frozen=True)
class Stamp:
    """What a report's review page is made of, as of now, in one query: anything a reviewer or
    the ingest changes moves one of these, so a page rendered for one stamp can be served again
    for as long as the stamp is the same (see `review_stamp`)."""

    report_id: int
    body_id: int | None
    body_revision: int | None  # bumped by every write of one of the body's reports
    body_unsettled: bool | None  # the body's cross-year findings are being recomputed
    audit: int | None  # latest audit record of the report: its decisions, corrections, state
    body_corrections: int | None  # latest correction of any of the body's years
    corpus_last: int | None  # the stored cross-year findings of the report (last id, count)
    corpus_count: int
    rounds: int  # how many rounds hold it


def _stamp_query() -> sa.Select[Any]:
    r, s, b, f = st.reports, st.sources, st.bodies, st.findings
    r2, s2 = r.alias("r2"), s.alias("s2")
    sha = sa.bindparam("sha")
    body_shas = sa.select(s2.c.sha256).join(r2, r2.c.source_id == s2.c.id).where(r2.c.body_id == r.c.body_id)
    c = t.corrections
    corpus = (f.c.report_id == r.c.id) & (f.c.scope != "report")
    return (sa.select(
        r.c.id, r.c.body_id, b.c.revision, b.c.needs_check,
        sa.select(sa.func.max(t.trail.c.id)).where(t.trail.c.subject == sha).scalar_subquery(),
        sa.select(sa.func.max(c.c.id)).where((c.c.sha256 == sha) | c.c.sha256.in_(body_shas)).scalar_subquery(),
        sa.select(sa.func.max(f.c.id)).where(corpus).scalar_subquery(),
        sa.select(sa.func.count()).select_from(f).where(corpus).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.round_reports).where(t.round_reports.c.sha256 == sha)
        .scalar_subquery(),
    ).select_from(r.join(s, s.c.id == r.c.source_id).outerjoin(b, b.c.id == r.c.body_id)).where(s.c.sha256 == sha))


_STAMP = Lookup(_stamp_query())  # built once: building it cost more than running it


def review_stamp(store: Store, sha256: str) -> Stamp | None:
    """The report's `Stamp`; None when there is no such report."""
    with store.engine.connect() as conn:
        return stamp_on(conn, sha256)


def stamp_on(conn: sa.Connection, sha256: str) -> Stamp | None:
    """`review_stamp` read on `conn` (the web app reads it with the reader's session, on one
    connection: the connection's round trip costs more than either query)."""
    row = _STAMP.first(conn, sha=check_sha(sha256))
    if row is None:
        return None
    return Stamp(row[0], row[1], row[2], None if row[3] is None else bool(row[3]), row[4], row[5], row[6],
                 row[7] or 0, row[8] or 0)


def _corpus_codes() -> frozenset[str]:
    return frozenset(r.code for r in selected(scope="corpus"))


def _cross_year(store: Store, sha256: str, stamp: Stamp) -> list[Finding]:
    """The report's cross-year findings, from the corrected values of every year of its body.

    The ingest stores them from the values as read; when a reviewer has corrected a cell of any
    of the body's years, the body's rules run again over the corrected reports (`body_findings`,
    as the ingest does), so a corrected previous year changes this year's comparison too.
    Stored findings of other cross-report rules (not the body's year-to-year ones) are kept."""
    stored = [x.finding for x in store.findings(report_id=stamp.report_id, scope="corpus")]
    if stamp.body_id is None or stamp.body_corrections is None:
        return stored
    key = ("corpus", store.url, sha256, stamp, current_lang())
    hit = _cache.get(key)
    if hit is not None:
        return hit
    shas = [e.sha256 for e in store.entries(body=stamp.body_id)]
    if not any(in_force_of(store.engine, shas).values()):
        found = stored
    else:
        reports, _corrected = with_corrections(store, list(store.reports(body=stamp.body_id)))
        codes = _corpus_codes()
        found = [f for rep, f in body_findings(reports) if rep.source.sha256 == sha256]
        found += [f for f in stored if f.code not in codes]
    _cache.put(key, found)
    return found


def in_force_of(engine: sa.Engine, shas: Sequence[str]) -> dict[str, dict[str, Correction]]:
    """The corrections in force of several reports, by sha256 then cell path (one query)."""
    q = sa.select(t.corrections).where(t.corrections.c.sha256.in_(list(shas))).order_by(t.corrections.c.id)
    history: dict[str, list[Correction]] = {}
    with engine.connect() as conn:
        for row in conn.execute(q):
            history.setdefault(row.sha256, []).append(correction_row(row))
    return {sha: in_force(h) for sha, h in history.items()}


def with_corrections(store: Store, reports: Sequence[Report]) -> tuple[list[Report], dict[str, set[str]]]:
    """The reports with their corrections in force, and which cells of each (by sha256) were corrected."""
    current = in_force_of(store.engine, [r.source.sha256 for r in reports])
    out = [apply_corrections(r, current.get(r.source.sha256, {})) for r in reports]
    return out, {sha: set(c) for sha, c in current.items() if c}


def review_report(store: Store, sha256: str) -> ReviewedReport:
    stamp = review_stamp(store, sha256)
    if stamp is None:
        raise NotFound(_("no report {id}").format(id=sha256))
    rid = stamp.report_id
    history = corrections_of(store.engine, sha256)
    report, corrected, items = _checked(store, sha256, rid, history)
    # Cross-year findings change when another year of the body is ingested or corrected.
    corpus = _cross_year(store, sha256, stamp)
    items = items + [("corpus", k, f) for k, f in zip(finding_keys("corpus", corpus), corpus, strict=True)]
    decided = decisions_of(store.engine, sha256)
    findings = [ReviewFinding(k, sha256, scope, f, decided.get((sha256, k))) for scope, k, f in items]
    state = states_of(store.engine, [sha256]).get(sha256, PENDING)
    return ReviewedReport(sha256, rid, report, corrected, in_force(history), history, findings, state)


# ---------------------------------------------------------------- actions


def set_state(store: Store, sha256: str, state: str, comment: str, user: str) -> State:
    if state not in STATES:
        raise ReviewError(_("unknown review state {state!r} ({choices})").format(
            state=state, choices=", ".join(STATES)))
    report_id(store, sha256)
    before = states_of(store.engine, [sha256]).get(sha256, PENDING)
    after = State(state, comment.strip(), user, now())
    with writing(store.engine) as conn:
        upsert(conn, t.states, {"sha256": sha256, "state": state, "comment": after.comment, "user_name": user,
                                "at": after.at}, ("sha256",))
        trail.record(conn, user, "state", sha256, {"state": before.state, "comment": before.comment},
                     {"state": state, "comment": after.comment})
    return after


def decide(store: Store, sha256: str, key: str, decision: str, comment: str, user: str) -> ReviewFinding:
    if decision not in DECISIONS:
        raise ReviewError(_("a decision is confirm or dismiss, not {value!r}").format(value=decision))
    reviewed = review_report(store, sha256)
    target = reviewed.finding(key)
    before = target.decision.to_dict() if target.decision else None
    made = Decision(decision, comment.strip(), user, now())
    with writing(store.engine) as conn:
        upsert(conn, t.decisions, {"sha256": sha256, "finding_key": key, "code": target.finding.code,
                                   "decision": decision, "comment": made.comment, "user_name": user, "at": made.at},
               ("sha256", "finding_key"))
        trail.record(conn, user, "decision", sha256,
                     {"finding": key, "code": target.finding.code, "decision": before},
                     {"finding": key, "code": target.finding.code, "decision": decision, "comment": made.comment})
    target.decision = made
    return target


def parse_value(text: str, kind: str) -> Number:
    """A reviewer's number: '1,234', '１２', '25.1'. Counts are whole numbers and not negative."""
    cleaned = text.strip().translate(str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")).replace(",", "")
    try:
        number = float(cleaned)
    except ValueError:
        raise ReviewError(_("not a number: {text!r}").format(text=text)) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ReviewError(_("not a number: {text!r}").format(text=text))
    if kind == "money":
        return number
    if not number.is_integer():
        raise ReviewError(_("this cell holds a whole number, not {text}").format(text=text))
    if kind == "count" and number < 0:
        raise ReviewError(_("a count cannot be negative: {text}").format(text=text))
    return int(number)


def correct(store: Store, sha256: str, path: str, value: str | Number | None, reason: str, user: str) -> ReviewedReport:
    """Record a correction of one cell (value None: withdraw the cell's correction) and return
    the report checked again."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("a correction needs a reason"))
    rid = report_id(store, sha256)
    report = _checked(store, sha256, rid, corrections_of(store.engine, sha256))[0]
    if path not in report.cells:
        raise ReviewError(_("this report has no cell {path}").format(path=path))
    current = in_force(corrections_of(store.engine, sha256))
    old = report.cells[path]
    before = {"cell": path, "read": old.value, "status": old.status,
              "corrected": current[path].value if path in current else None}
    if value is None or value == "":
        if path not in current:
            raise ReviewError(_("this cell has no correction to withdraw"))
        number, revert, action = None, True, "correction.revert"
    else:
        kind = report.template.column_of(path).kind if path in report.template.cell_paths() else "count"
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else \
            parse_value(str(value), kind)
        revert, action = False, "correction"
    with writing(store.engine) as conn:
        conn.execute(t.corrections.insert().values(
            sha256=sha256, path=path, value=None if number is None else float(number),
            is_int=isinstance(number, int), revert=revert, reason=reason, user_name=user, at=now()))
        trail.record(conn, user, action, sha256, before, {"cell": path, "corrected": number, "reason": reason})
    return review_report(store, sha256)


def cell_label(report: Report, path: str) -> str:
    return _label(report.meta.template, path)
