"""The collector's tables: in the store's database, declared on their own SQLAlchemy metadata.

They sit beside the store's tables (same database, same engine) but are created by the
collector itself (`create(engine)`), so the store's schema and migrations do not have to know
about them yet. Every name starts with `collect_`. They link to the store only through the
sources' sha256 (the store's identity of a source), never through its row ids, so they survive
a re-parse and a store rebuilt from the same files.

- `collect_columns`: a column (栏目) list URL, with the body named for it in `--list`.
- `collect_pages`: every list page read (static page, datastore proxy answer), with its
  validators and last content, so a re-run asks conditionally and reuses a 304.
- `collect_articles`: every report article found: its URL, where it ended, the HTTP answer,
  the title and publication time with their provenance, and its state (done / failed + why).
- `collect_sources`: every file an article gave (its HTML body, each attachment), with URL,
  final URL, fetch time, HTTP status, ETag, Last-Modified, Content-Type, file name, sha256 and
  its use: `report` (ingested), `same-report` (another copy of the article's report: kept, not
  ingested), `not-report` (a body without the report, a file that is not one), `failed`. The
  sources of one article, grouped by `article_id`, are ONE report with several sources.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TS = sa.DateTime(timezone=True)

# Bump when these declarations change; recorded in collect_meta (see state.py).
SCHEMA_VERSION = 1

collect_meta = sa.Table(
    "collect_meta",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

columns = sa.Table(
    "collect_columns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("body", sa.Text, nullable=True),  # the body (机关) named for the column in --list
    sa.Column("first_seen", _TS, nullable=False),
)

pages = sa.Table(
    "collect_pages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("column_id", sa.Integer, sa.ForeignKey("collect_columns.id"), nullable=False),
    sa.Column("request", sa.Text, nullable=False, unique=True),  # URL, plus the form of a POST
    sa.Column("final_url", sa.Text, nullable=True),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("content_type", sa.Text, nullable=True),
    sa.Column("fetched", _TS, nullable=True),
    sa.Column("content", sa.LargeBinary, nullable=True),  # the last 200 answer, for a later 304
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("family", sa.String(16), nullable=True),  # static, datastore, links
    sa.Column("reason", sa.Text, nullable=True),  # message id of the last failure, None when read
    sa.Column("params", sa.Text, nullable=True),  # its parameters, JSON
)

articles = sa.Table(
    "collect_articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("column_id", sa.Integer, sa.ForeignKey("collect_columns.id"), nullable=False),
    sa.Column("list_title", sa.Text, nullable=False),
    sa.Column("list_date", sa.String(10), nullable=True),
    sa.Column("year", sa.Integer, nullable=True),  # the report year its title names
    sa.Column("final_url", sa.Text, nullable=True),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("content_type", sa.Text, nullable=True),
    sa.Column("fetched", _TS, nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("published", sa.String(10), nullable=True),  # YYYY-MM-DD
    sa.Column("published_at", sa.String(19), nullable=True),  # with the time when the page gives it
    sa.Column("content_source", sa.Text, nullable=True),  # ContentSource / 来源
    sa.Column("column_name", sa.Text, nullable=True),  # ColumnName
    sa.Column("provenance", sa.Text, nullable=False, default="{}"),  # JSON: meta | page | list per value
    sa.Column("state", sa.String(8), nullable=False),  # done | failed
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("params", sa.Text, nullable=True),
)

sources = sa.Table(
    "collect_sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("collect_articles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("role", sa.String(12), nullable=False),  # body | attachment | document (the link itself)
    sa.Column("link_text", sa.Text, nullable=True),
    sa.Column("final_url", sa.Text, nullable=True),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("content_type", sa.Text, nullable=True),
    sa.Column("fetched", _TS, nullable=True),
    sa.Column("filename", sa.Text, nullable=True),
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("size", sa.BigInteger, nullable=True),
    sa.Column("path", sa.Text, nullable=True),  # the downloaded file, as handed to the ingest
    sa.Column("use", sa.String(12), nullable=False),  # report | same-report | not-report | failed
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("params", sa.Text, nullable=True),
    sa.UniqueConstraint("article_id", "url", name="uq_collect_sources_article_url"),
)
sa.Index("ix_collect_sources_sha256", sources.c.sha256)

TABLES: tuple[sa.Table, ...] = (collect_meta, columns, pages, articles, sources)


def create(engine: sa.Engine) -> None:
    """Create the collector's tables that are missing (idempotent; one transaction)."""
    with engine.connect().execution_options(xxgk_write=True) as conn, conn.begin():
        metadata.create_all(conn, checkfirst=True)
        if conn.execute(sa.select(collect_meta.c.value).where(collect_meta.c.key == "schema")).first() is None:
            conn.execute(collect_meta.insert(), {"key": "schema", "value": str(SCHEMA_VERSION)})
