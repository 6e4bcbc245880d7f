"""Tables of the workbench's writing and collecting pages: report drafts (填报), the columns (栏目)
of a review round, and the collection runs started from the browser.

Declared on the store's SQLAlchemy `metadata` beside the review tables (schema version 4 creates
them). Cell values of a draft are kept as JSON, one object per cell with its value, its status
and what was typed: a cell left empty is `missing`, a dash is `blank`, neither is ever 0.
"""

from __future__ import annotations

import sqlalchemy as sa

from xxgk.store.schema import metadata

_TS = sa.DateTime(timezone=True)

drafts = sa.Table(
    "writer_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),  # the body (机关) whose report this is
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("template", sa.String(8), nullable=False),  # 2019 | 2021, fixed by the year
    sa.Column("cells", sa.Text, nullable=False),  # JSON {path: {"value", "status", "raw"}}
    sa.Column("texts", sa.Text, nullable=False),  # JSON {"1": text, …, "6": text}
    sa.Column("revision", sa.Integer, nullable=False),  # saves so far
    sa.Column("created", _TS, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("updated", _TS, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("body", "year", name="uq_writer_drafts_body_year"),
)

round_columns = sa.Table(
    "collect_round_columns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("review_rounds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.Text, nullable=False),  # the column's first list page
    sa.Column("body", sa.Text, nullable=True),  # the body it belongs to, when given
    sa.Column("added", _TS, nullable=False),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("round_id", "url", name="uq_collect_round_columns_url"),
)

round_runs = sa.Table(
    "collect_round_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("review_rounds.id", ondelete="CASCADE"), nullable=False),
    sa.Column("state", sa.String(12), nullable=False),  # queued | running | done | stopped | failed
    sa.Column("options", sa.Text, nullable=False),  # JSON: since, rate, max_pages
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("created", _TS, nullable=False),
    sa.Column("updated", _TS, nullable=False),  # the last sign of life of the run
    sa.Column("finished", _TS, nullable=True),
    sa.Column("progress", sa.Text, nullable=True),  # JSON: the run's summary so far, then its end
    sa.Column("last", sa.Text, nullable=True),  # the last progress line, in the starter's language
    sa.Column("added", sa.Integer, nullable=True),  # reports put in the round when it ended
    sa.Column("error", sa.Text, nullable=True),  # why a run failed as a whole
)
sa.Index("ix_collect_round_runs_round", round_runs.c.round_id)

TABLES: tuple[sa.Table, ...] = (drafts, round_columns, round_runs)
