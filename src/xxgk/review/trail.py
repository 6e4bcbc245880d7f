"""The audit trail: every review action, with who, when, what, and the state before and after.

Written in the same transaction as the action it records, so the trail never misses an action
that took effect nor shows one that did not. Exportable as CSV or JSON.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from xxgk.i18n import N_, gettext
from xxgk.review import schema as t
from xxgk.review.db import as_utc, dumps, now

ACTION_NAMES = {
    "user.add": N_("user added"),
    "user.passwd": N_("password changed"),
    "user.remove": N_("user removed"),
    "token.create": N_("token created"),
    "token.revoke": N_("token revoked"),
    "round.create": N_("round created"),
    "round.add": N_("reports added to the round"),
    "round.expected": N_("expected bodies set"),
    "upload": N_("files uploaded"),
    "state": N_("review state set"),
    "decision": N_("finding decided"),
    "correction": N_("cell corrected"),
    "correction.revert": N_("correction withdrawn"),
}


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    user: str
    action: str
    subject: str
    before: Any
    after: Any

    @property
    def action_name(self) -> str:
        return gettext(ACTION_NAMES.get(self.action, self.action))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "user": self.user, "action": self.action,
                "subject": self.subject, "before": self.before, "after": self.after}


def record(conn: sa.Connection, user: str, action: str, subject: str, before: Any = None, after: Any = None) -> None:
    conn.execute(t.trail.insert().values(
        at=now(), user_name=user, action=action, subject=subject,
        before=None if before is None else dumps(before), after=None if after is None else dumps(after)))


def entries(engine: sa.Engine, subject: str | None = None, subjects: list[str] | None = None,
            limit: int | None = None) -> list[Entry]:
    """Newest first; for one subject (a report's sha256, "round:3"…), several, or all."""
    q = sa.select(t.trail).order_by(t.trail.c.id.desc())
    if subject is not None:
        q = q.where(t.trail.c.subject == subject)
    if subjects is not None:
        q = q.where(t.trail.c.subject.in_(subjects))
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [Entry(r.id, as_utc(r.at), r.user_name, r.action, r.subject,  # type: ignore[arg-type]
                      None if r.before is None else json.loads(r.before),
                      None if r.after is None else json.loads(r.after)) for r in conn.execute(q)]


def export_csv(items: list[Entry]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "at", "user", "action", "subject", "before", "after"])
    for e in sorted(items, key=lambda e: e.id):
        w.writerow([e.id, e.at.isoformat(), e.user, e.action, e.subject,
                    "" if e.before is None else dumps(e.before), "" if e.after is None else dumps(e.after)])
    return buf.getvalue()


def export_json(items: list[Entry]) -> str:
    return json.dumps([e.to_dict() for e in sorted(items, key=lambda e: e.id)], ensure_ascii=False, indent=1) + "\n"
