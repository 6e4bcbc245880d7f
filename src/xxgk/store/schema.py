"""The store's tables, declared once with SQLAlchemy Core (the same DDL for SQLite and PostgreSQL).

This module is the *current* schema. `migrations.py` brings an older database up to it; a new
database is created from these declarations and stamped with the latest version.

Column names avoid SQL keywords (`table_key`, not `table`) so raw SQL over the store needs no
quoting. Table and cell keys are the FORMAT.md keys: the public contract.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Timestamps are UTC; they are bookkeeping only and never part of a canonical dump.
_TS = sa.DateTime(timezone=True)

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied", _TS, nullable=False),
)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Identity of a source is its content: the same bytes under another name are the same source.
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),  # path as first ingested; "a.zip!member" inside archives
    sa.Column("kind", sa.String(16), nullable=True),  # text, pdf, html, docx, ... (detected from bytes)
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("first_seen", _TS, nullable=False),
)

bodies = sa.Table(
    "bodies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # region_code + normalised name (xxgk.identity.body_key): links one body across years.
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=True),
    sa.Column("region_code", sa.String(12), nullable=True),
    sa.Column("level", sa.String(32), nullable=True),
    # Set when one of the body's reports changed and the corpus (cross-year) rules have not yet
    # been run over it. Written in the same transaction as the report, so a crash between the
    # report and the corpus check leaves the body marked and the next ingest finishes the job.
    sa.Column("needs_check", sa.Boolean, nullable=False, default=False),
    # Bumped with needs_check by every write that changes the body's reports: a corpus check
    # settles the body only if the revision it read is still current (compare-and-set), so a
    # report added by another writer during the check is never lost (schema version 2).
    sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("0")),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # One current parse per source: a re-parse replaces the row (and its children) in one transaction.
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False, unique=True),
    sa.Column("body_id", sa.Integer, sa.ForeignKey("bodies.id"), nullable=True),
    sa.Column("file", sa.Text, nullable=False),  # Report.source.file
    sa.Column("pages", sa.Integer, nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("agency", sa.Text, nullable=True),
    sa.Column("region", sa.Text, nullable=True),
    sa.Column("region_code", sa.String(12), nullable=True),
    sa.Column("level", sa.String(32), nullable=True),
    sa.Column("year", sa.Integer, nullable=True),
    sa.Column("template", sa.String(8), nullable=True),
    sa.Column("period_start", sa.String(10), nullable=True),
    sa.Column("period_end", sa.String(10), nullable=True),
    sa.Column("published", sa.String(10), nullable=True),
    sa.Column("provenance", sa.Text, nullable=False),  # JSON object, keys sorted
    sa.Column("unmatched", sa.Text, nullable=False),  # JSON list
    sa.Column("parser_version", sa.String(64), nullable=False),
    sa.Column("created", _TS, nullable=False),
)
sa.Index("ix_reports_body_year", reports.c.body_id, reports.c.year)
sa.Index("ix_reports_year", reports.c.year)
sa.Index("ix_reports_region_code", reports.c.region_code)

cells = sa.Table(
    "cells",
    metadata,
    # Keyed by position, not by path: an integer key is the cheapest to insert ~200 rows a report
    # into, and a report's paths are unique by construction (they are the keys of Report.cells).
    # No FOREIGN KEY on report_id, deliberately: checking it row by row doubled the cost of
    # writing a report on PostgreSQL (measured: 2.3 -> 1.1 ms a report). The single writer
    # inserts a report's cells in the transaction that inserts the report and deletes them
    # explicitly before the report (Store._delete_reports), so no orphan can arise.
    sa.Column("report_id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),  # order of the cell in the report (template order)
    sa.Column("table_key", sa.String(16), nullable=False),
    sa.Column("row_key", sa.String(40), nullable=False),
    sa.Column("col_key", sa.String(24), nullable=False),
    # Counts are integers and money (万元) decimals; a double holds both exactly for real reports
    # (integers up to 2**53). `is_int` keeps the JSON type: 5 and 5.0 were printed differently.
    sa.Column("value", sa.Float(precision=53), nullable=True),
    sa.Column("is_int", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("location", sa.Text, nullable=True),
    sa.Column("raw", sa.Text, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)

sections = sa.Table(
    "sections",
    metadata,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("no", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=True),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    # "report": from the report rules (part of the parse); "corpus": cross-year rules over a body,
    # attached to the later report of the pair and recomputed whenever the body changes.
    sa.Column("scope", sa.String(8), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    # The message rendered in Chinese, for people querying the tables; xxgk rebuilds the finding
    # from `params` (a JSON object) and `variant` (which of the rule's templates) and renders it
    # in the reader's language (schema version 2; version 1 rows read as params {"text": message}).
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("cells", sa.Text, nullable=False),  # JSON list of cell paths
    sa.Column("location", sa.Text, nullable=True),
    sa.Column("excerpt", sa.Text, nullable=True),
    # Last, where version 2's ALTER TABLE ... ADD COLUMN puts them: a migrated store and a new
    # one have the same columns in the same order.
    sa.Column("params", sa.Text, nullable=False, server_default=sa.text("'{}'")),
    sa.Column("variant", sa.String(32), nullable=False, server_default=sa.text("''")),
    # The year whose peers pass (the cross-body rules over one year's reports, peer_state.py) wrote
    # this finding; NULL for every other finding. Scope stays "corpus" (recomputed when the corpus
    # changes); this column says which pass owns the row, so each pass replaces its own findings
    # only (schema version 4).
    sa.Column("peer_year", sa.Integer, nullable=True),
)
sa.Index("ix_findings_report", findings.c.report_id, findings.c.scope)
sa.Index("ix_findings_code", findings.c.code)

failures = sa.Table(
    "failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("file", sa.Text, nullable=False, unique=True),
    sa.Column("sha256", sa.String(64), nullable=True),  # None when the bytes could not even be read
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("parser_version", sa.String(64), nullable=False),
    sa.Column("seen", _TS, nullable=False),
)
sa.Index("ix_failures_sha256", failures.c.sha256)

# One row per report year that the peers pass (copied-from-other-body, missing-subordinate) has to
# know of: like bodies.needs_check/revision, but for the reports of one year across bodies. A
# write that adds or removes a report of year Y marks and bumps Y and Y + 1 (missing-subordinate
# of Y + 1 reads the reports of Y); a pass settles a year only if its revision did not move
# (schema version 4).
peer_years = sa.Table(
    "peer_years",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("needs_check", sa.Boolean, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
)

# Per report: the MinHash of each of its sections that copied-from-other-body compares
# (xxgk.check.peers.section_signature), computed once where the report is parsed, so a peers pass
# over a year of 100,000 reports hashes none of them again. Empty bytes: nothing to compare. A
# report without a row (stored before version 4) gets one at its year's next pass.
signatures = sa.Table(
    "signatures",
    metadata,
    sa.Column("report_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    # Set once a settled peers pass of the report's year has compared it: the next pass confirms
    # only the copy candidates that involve a report not compared yet (the outcome of the others
    # is in that pass's stored findings).
    sa.Column("compared", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Children before parents: the order to delete in, and the reverse of the order to create in.
DATA_TABLES: tuple[sa.Table, ...] = (findings, cells, sections, signatures, reports, bodies, sources, failures,
                                     peer_years)
