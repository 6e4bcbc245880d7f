"""The collector's state in the store's database: what was read, with which validators, and
what each article gave. Written article by article, each in one transaction, so a run killed
at any point resumes: done articles are not asked again, known files are asked conditionally
(a 304 reuses the file already on disk), and nothing is stored twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from xxgk.collect import schema as t


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Validators:
    """What a conditional GET needs, and where the last good copy is."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class PageRecord:
    request: str
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    fetched: datetime | None = None
    content: bytes | None = None
    sha256: str | None = None
    family: str | None = None
    reason: str | None = None
    params: dict[str, Any] | None = None


@dataclass
class SourceRecord:
    url: str
    role: str  # body | attachment | document
    use: str  # report | same-report | not-report | failed
    link_text: str | None = None
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    fetched: datetime | None = None
    filename: str | None = None
    sha256: str | None = None
    size: int | None = None
    path: str | None = None
    reason: str | None = None
    params: dict[str, Any] | None = None


@dataclass
class ArticleRecord:
    url: str
    list_title: str
    list_date: str | None
    year: int | None
    state: str  # done | failed
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    fetched: datetime | None = None
    title: str | None = None
    published: str | None = None
    published_at: str | None = None
    content_source: str | None = None
    column_name: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    reason: str | None = None
    params: dict[str, Any] | None = None
    sources: list[SourceRecord] = field(default_factory=list)


_SOURCE_FIELDS = ("url", "role", "use", "link_text", "final_url", "status", "etag", "last_modified",
                  "content_type", "fetched", "filename", "sha256", "size", "path", "reason")


class State:
    """Read and write the collector's tables on a store's engine (created when missing, unless
    `create=False`: a reader never takes the write lock)."""

    def __init__(self, engine: sa.Engine, *, create: bool = True) -> None:
        self.engine = engine
        if create:
            t.create(engine)

    @classmethod
    def reader(cls, engine: sa.Engine) -> State | None:
        """A read-only handle, or None when nothing was ever collected into this database."""
        if not sa.inspect(engine).has_table(t.sources.name):
            return None
        return cls(engine, create=False)

    def _write(self) -> sa.Connection:
        # The store's SQLite engine takes the write lock up front for connections marked so.
        return self.engine.connect().execution_options(xxgk_write=True)

    # ------------------------------------------------------------------ columns

    def column(self, url: str, body: str | None) -> int:
        with self._write() as conn, conn.begin():
            row = conn.execute(sa.select(t.columns.c.id, t.columns.c.body).where(t.columns.c.url == url)).first()
            if row is None:
                return conn.execute(
                    t.columns.insert().returning(t.columns.c.id), {"url": url, "body": body, "first_seen": _now()}
                ).scalar_one()
            if body and row.body != body:
                conn.execute(t.columns.update().where(t.columns.c.id == row.id).values(body=body))
            return row.id

    # ------------------------------------------------------------------ list pages

    def page(self, request: str) -> PageRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.pages).where(t.pages.c.request == request)).first()
        if row is None:
            return None
        return PageRecord(row.request, row.final_url, row.status, row.etag, row.last_modified, row.content_type,
                          row.fetched, row.content, row.sha256, row.family, row.reason,
                          json.loads(row.params) if row.params else None)

    def save_page(self, column_id: int, page: PageRecord) -> None:
        values = {
            "column_id": column_id, "final_url": page.final_url, "status": page.status, "etag": page.etag,
            "last_modified": page.last_modified, "content_type": page.content_type, "fetched": page.fetched,
            "content": page.content, "sha256": page.sha256, "family": page.family, "reason": page.reason,
            "params": _json(page.params) if page.params is not None else None,
        }
        with self._write() as conn, conn.begin():
            done = conn.execute(t.pages.update().where(t.pages.c.request == page.request).values(**values))
            if done.rowcount == 0:
                conn.execute(t.pages.insert().values(request=page.request, **values))

    # ------------------------------------------------------------------ articles

    def article_state(self, url: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(t.articles.c.state).where(t.articles.c.url == url)).scalar_one_or_none()

    def article(self, url: str) -> ArticleRecord | None:
        with self.engine.connect() as conn:
            a = conn.execute(sa.select(t.articles).where(t.articles.c.url == url)).first()
            if a is None:
                return None
            rows = conn.execute(sa.select(t.sources).where(t.sources.c.article_id == a.id)
                                .order_by(t.sources.c.id)).all()
        rec = ArticleRecord(a.url, a.list_title, a.list_date, a.year, a.state, a.final_url, a.status, a.etag,
                            a.last_modified, a.content_type, a.fetched, a.title, a.published, a.published_at,
                            a.content_source, a.column_name, json.loads(a.provenance or "{}"), a.reason,
                            json.loads(a.params) if a.params else None)
        rec.sources = [SourceRecord(**{f: getattr(r, f) for f in _SOURCE_FIELDS},
                                    params=json.loads(r.params) if r.params else None) for r in rows]
        return rec

    def known_source(self, url: str) -> SourceRecord | None:
        """The latest good download of a URL (any article), for a conditional GET."""
        with self.engine.connect() as conn:
            r = conn.execute(
                sa.select(t.sources).where(t.sources.c.url == url, t.sources.c.sha256.is_not(None))
                .order_by(t.sources.c.id.desc()).limit(1)
            ).first()
        if r is None:
            return None
        return SourceRecord(**{f: getattr(r, f) for f in _SOURCE_FIELDS},
                            params=json.loads(r.params) if r.params else None)

    def save_article(self, column_id: int, rec: ArticleRecord) -> None:
        """The article and all its sources, replacing what an earlier run recorded, atomically."""
        values = {
            "column_id": column_id, "list_title": rec.list_title, "list_date": rec.list_date, "year": rec.year,
            "final_url": rec.final_url, "status": rec.status, "etag": rec.etag, "last_modified": rec.last_modified,
            "content_type": rec.content_type, "fetched": rec.fetched, "title": rec.title,
            "published": rec.published, "published_at": rec.published_at, "content_source": rec.content_source,
            "column_name": rec.column_name, "provenance": _json(rec.provenance), "state": rec.state,
            "reason": rec.reason, "params": _json(rec.params) if rec.params is not None else None,
        }
        with self._write() as conn, conn.begin():
            aid = conn.execute(sa.select(t.articles.c.id).where(t.articles.c.url == rec.url)).scalar_one_or_none()
            if aid is None:
                aid = conn.execute(t.articles.insert().returning(t.articles.c.id).values(url=rec.url, **values)
                                   ).scalar_one()
            else:
                conn.execute(t.articles.update().where(t.articles.c.id == aid).values(**values))
                conn.execute(sa.delete(t.sources).where(t.sources.c.article_id == aid))
            if rec.sources:
                conn.execute(t.sources.insert(), [
                    {"article_id": aid, **{f: getattr(s, f) for f in _SOURCE_FIELDS},
                     "params": _json(s.params) if s.params is not None else None}
                    for s in rec.sources
                ])

    def report_sources(self) -> list[tuple[str, str, str]]:
        """(sha256, path, url) of every downloaded source chosen as a report, one per sha256, in a
        stable order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.sources.c.sha256, t.sources.c.path, t.sources.c.url)
                .where(t.sources.c.use == "report", t.sources.c.sha256.is_not(None))
                .order_by(t.sources.c.sha256, t.sources.c.path, t.sources.c.url)
            ).all()
        seen: dict[str, tuple[str, str, str]] = {}
        for sha, path, url in rows:
            seen.setdefault(sha, (sha, path, url))
        return list(seen.values())

    def report_shas_of_columns(self, urls: Sequence[str], since: int | None = None) -> list[str]:
        """sha256 of the sources chosen as reports in articles of these columns (of `since` or
        later when given), sorted."""
        if not urls:
            return []
        s, a, c = t.sources, t.articles, t.columns
        q = (sa.select(s.c.sha256).distinct().join(a, a.c.id == s.c.article_id).join(c, c.c.id == a.c.column_id)
             .where(s.c.use == "report", s.c.sha256.is_not(None), c.c.url.in_(list(urls))))
        if since is not None:
            q = q.where(sa.or_(a.c.year.is_(None), a.c.year >= since))
        with self.engine.connect() as conn:
            return sorted(conn.execute(q).scalars())

    def publications(self, sha256s: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Rows of (source × article) for report sources, the earliest publication first per sha256."""
        s, a = t.sources, t.articles
        q = (
            sa.select(s.c.sha256, s.c.url, s.c.final_url, s.c.fetched, s.c.status, s.c.etag, s.c.last_modified,
                      s.c.content_type, s.c.filename, s.c.role, s.c.use, s.c.article_id, a.c.url.label("article_url"),
                      a.c.title, a.c.published, a.c.published_at, a.c.content_source, a.c.column_name,
                      a.c.provenance, t.columns.c.url.label("column_url"), t.columns.c.body)
            .join(a, a.c.id == s.c.article_id)
            .join(t.columns, t.columns.c.id == a.c.column_id)
            .where(s.c.sha256.is_not(None), s.c.use.in_(("report", "same-report")))
        )
        if sha256s is not None:
            q = q.where(s.c.sha256.in_(list(sha256s)))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        rows.sort(key=lambda r: (r["sha256"], r["published"] is None, r["published"] or "", r["article_url"],
                                 r["url"]))
        yield from rows

    def article_sources(self, article_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                sa.select(t.sources.c.url, t.sources.c.final_url, t.sources.c.role, t.sources.c.use,
                          t.sources.c.sha256, t.sources.c.filename, t.sources.c.content_type)
                .where(t.sources.c.article_id == article_id).order_by(t.sources.c.id))]

    # ------------------------------------------------------------------ canonical dump

    def dump(self) -> Iterator[str]:
        """The collected state as deterministic lines, free of ids, fetch times and page bytes:
        two runs that collected the same sites dump identically (the crash test compares them)."""
        with self.engine.connect() as conn:
            col = dict(conn.execute(sa.select(t.columns.c.id, t.columns.c.url)).all())
            for url, body in conn.execute(sa.select(t.columns.c.url, t.columns.c.body).order_by(t.columns.c.url)):
                yield _json(["column", url, body])
            for p in conn.execute(sa.select(t.pages).order_by(t.pages.c.request)):
                yield _json(["page", col[p.column_id], p.request, p.final_url, p.status, p.etag, p.last_modified,
                             p.content_type, p.sha256, p.family, p.reason, p.params])
            arts = {a.id: a.url for a in conn.execute(sa.select(t.articles.c.id, t.articles.c.url))}
            for a in conn.execute(sa.select(t.articles).order_by(t.articles.c.url)):
                yield _json(["article", col[a.column_id], a.url, a.list_title, a.list_date, a.year, a.final_url,
                             a.status, a.etag, a.last_modified, a.content_type, a.title, a.published,
                             a.published_at, a.content_source, a.column_name, a.provenance, a.state, a.reason,
                             a.params])
            rows = conn.execute(sa.select(t.sources)).all()
        for s in sorted(rows, key=lambda s: (arts[s.article_id], s.url)):
            yield _json(["source", arts[s.article_id], s.url, s.role, s.link_text, s.final_url, s.status, s.etag,
                         s.last_modified, s.content_type, s.filename, s.sha256, s.size, s.path, s.use, s.reason,
                         s.params])
