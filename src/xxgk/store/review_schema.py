"""The workbench's tables: users, tokens, sessions, rounds, review states, finding decisions,
cell corrections, the audit trail and uploads.

Declared on the store's SQLAlchemy `metadata`, so one database holds the reports and their
review. Reports are referred to by their source's sha256, never by the store's report id: a
re-parse by a newer parser replaces the report row (and its id), while the sha256 of what was
submitted never changes, so a decision or a correction outlives re-parses.

Part of the store's schema (schema version 3 creates them); `xxgk.review.schema` re-exports them
for the workbench. `ensure_tables(engine)` creates the missing ones (idempotent).
"""

from __future__ import annotations

import sqlalchemy as sa

from xxgk.store.schema import metadata

_TS = sa.DateTime(timezone=True)
_SHA = sa.String(64)

users = sa.Table(
    "review_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),  # viewer | reviewer | admin
    sa.Column("password_hash", sa.Text, nullable=False),  # Argon2id, PHC string
    sa.Column("created", _TS, nullable=False),
)

tokens = sa.Table(
    "review_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False),
    # sha256 of the token: tokens are 256 random bits, so a fast hash cannot be brute-forced and
    # every API request can verify one without Argon2's deliberate cost.
    sa.Column("token_hash", _SHA, nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False),  # first characters, to tell tokens apart
    sa.Column("created", _TS, nullable=False),
    sa.Column("revoked", _TS, nullable=True),
)

sessions = sa.Table(
    "review_sessions",
    metadata,
    sa.Column("token_hash", _SHA, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created", _TS, nullable=False),
    sa.Column("expires", _TS, nullable=False),
)

rounds = sa.Table(
    "review_rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("year", sa.Integer, nullable=True),
    sa.Column("created", _TS, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
)

round_reports = sa.Table(
    "review_round_reports",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("review_rounds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sha256", _SHA, primary_key=True),
    sa.Column("added", _TS, nullable=False),
)
sa.Index("ix_review_round_reports_sha", round_reports.c.sha256)

expected = sa.Table(
    "review_expected",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("review_rounds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)

states = sa.Table(
    "review_states",
    metadata,
    sa.Column("sha256", _SHA, primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),  # pending | rework | approved
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("at", _TS, nullable=False),
)

decisions = sa.Table(
    "review_decisions",
    metadata,
    sa.Column("sha256", _SHA, primary_key=True),
    # A finding's stable key (code, scope, cells, location, excerpt): survives re-parses and
    # re-checks of the corrected report as long as the problem is the same problem.
    sa.Column("finding_key", sa.String(24), primary_key=True),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("decision", sa.String(8), nullable=False),  # confirm | dismiss
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("at", _TS, nullable=False),
)

corrections = sa.Table(
    "review_corrections",
    metadata,
    # Append-only: the latest record of a cell is in force; a record with revert=True gives
    # the cell back its parsed value. What was read is never overwritten (it stays in `cells`).
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", _SHA, nullable=False),
    sa.Column("path", sa.String(96), nullable=False),
    sa.Column("value", sa.Float(precision=53), nullable=True),
    sa.Column("is_int", sa.Boolean, nullable=False),
    sa.Column("revert", sa.Boolean, nullable=False, default=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("at", _TS, nullable=False),
)
sa.Index("ix_review_corrections_sha", corrections.c.sha256, corrections.c.path)

trail = sa.Table(
    "review_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", _TS, nullable=False),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),  # a report's sha256, "round:3", "user:alice"...
    sa.Column("before", sa.Text, nullable=True),  # JSON
    sa.Column("after", sa.Text, nullable=True),  # JSON
)
sa.Index("ix_review_audit_subject", trail.c.subject)

uploads = sa.Table(
    "review_uploads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("review_rounds.id", ondelete="SET NULL"), nullable=True),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("state", sa.String(8), nullable=False),  # queued | running | done
    sa.Column("created", _TS, nullable=False),
    sa.Column("finished", _TS, nullable=True),
    # Which server process is reading it, and until when its claim holds unless renewed
    # (schema version 4): several processes share one queue, and an upload whose reader died
    # is taken up again by another once the claim has lapsed.
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("lease_until", _TS, nullable=True),
)

upload_files = sa.Table(
    "review_upload_files",
    metadata,
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("review_uploads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),  # as the user named it ("a.zip!member" inside archives)
    sa.Column("path", sa.Text, nullable=False),  # where the bytes are kept on the server
    sa.Column("member", sa.Text, nullable=True),  # the member inside the archive at `path`
    sa.Column("sha256", _SHA, nullable=True),  # None: the bytes could not even be read
    sa.Column("state", sa.String(8), nullable=False),  # pending | done | failed
    sa.Column("reason", sa.Text, nullable=True),
)
sa.Index("ix_review_upload_files_sha", upload_files.c.sha256)

login_failures = sa.Table(
    "review_login_failures",
    metadata,
    # One row per failed sign-in, per key ("ip:…", "user:…"): the login rate limit counts them
    # in the database so it holds across the server's worker processes (schema version 4).
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("at", _TS, nullable=False),
)
sa.Index("ix_review_login_failures_key", login_failures.c.key, login_failures.c.at)

TABLES: tuple[sa.Table, ...] = (
    users,
    tokens,
    sessions,
    rounds,
    round_reports,
    expected,
    states,
    decisions,
    corrections,
    trail,
    uploads,
    upload_files,
    login_failures,
)


def ensure_tables(engine: sa.Engine) -> None:
    """Create the review tables a database lacks (checkfirst: safe to run on every start)."""
    with engine.connect().execution_options(xxgk_write=True) as conn, conn.begin():
        metadata.create_all(conn, tables=list(TABLES), checkfirst=True)
