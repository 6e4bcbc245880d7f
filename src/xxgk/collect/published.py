"""Where and when a stored report was published on the web, for the rules (`late-publication`),
the audit and the workbench.

`publication(store, sha256)` answers for one source; `publications(store)` for all. A report's
own text may state its publication date (`meta.published`, provenance "text"); when it does
not, `apply(report, pub)` sets it from the article (provenance "web"), and `stamp(store)` does
the same on the reports already stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from xxgk.collect.state import State
from xxgk.report import Report
from xxgk.store import Store
from xxgk.store import schema as st

PROVENANCE = "web"


@dataclass(frozen=True)
class SourceInfo:
    """One file of the article, as fetched."""

    url: str
    final_url: str | None
    role: str  # body | attachment | document
    use: str  # report | same-report | not-report | failed
    sha256: str | None
    filename: str | None
    content_type: str | None


@dataclass(frozen=True)
class Publication:
    """The web publication of one source (a stored report's sha256)."""

    sha256: str
    url: str  # the address the file was asked at
    final_url: str | None  # where it was served from, after redirects
    fetched: datetime | None
    status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    filename: str | None
    article_url: str
    title: str | None  # the article's title
    published: str | None  # YYYY-MM-DD
    published_at: str | None  # with the time, when the page gives it
    published_from: str | None  # meta (the guideline's PubDate tag), page (the visible line), list
    content_source: str | None  # 来源
    column_name: str | None
    column_url: str
    body: str | None  # the body named for the column in --list
    sources: tuple[SourceInfo, ...]  # every file of the article: one report, possibly several sources

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("sources", "fetched")}
        d["fetched"] = self.fetched.isoformat() if self.fetched else None
        d["sources"] = [s.__dict__ for s in self.sources]
        return d


def _publication(state: State, row: dict[str, Any]) -> Publication:
    prov = json.loads(row["provenance"] or "{}")
    return Publication(
        row["sha256"], row["url"], row["final_url"], row["fetched"], row["status"], row["etag"],
        row["last_modified"], row["content_type"], row["filename"], row["article_url"], row["title"],
        row["published"], row["published_at"], prov.get("published"), row["content_source"], row["column_name"],
        row["column_url"], row["body"],
        tuple(SourceInfo(**s) for s in state.article_sources(row["article_id"])),
    )


def publication(store: Store, sha256: str) -> Publication | None:
    """The web publication of the source with this sha256 (the earliest when several articles
    carried the same file), or None when it was not collected."""
    state = State.reader(store.engine)
    if state is None:
        return None
    for row in state.publications([sha256]):
        return _publication(state, row)
    return None


def publications(store: Store) -> dict[str, Publication]:
    """Every collected report source's publication, by sha256."""
    state = State.reader(store.engine)
    out: dict[str, Publication] = {}
    if state is None:
        return out
    for row in state.publications():
        if row["sha256"] not in out:
            out[row["sha256"]] = _publication(state, row)
    return out


def published_dates(store: Store, sha256s: list[str] | None = None) -> dict[str, str]:
    """{sha256: publication date} of collected report sources: what the ingest should hand its
    workers, so that `apply_date` runs before the rules (the hook the store's ingest lacks)."""
    state = State.reader(store.engine)
    if state is None:
        return {}
    out: dict[str, str] = {}
    for row in state.publications(sha256s):
        if row["published"] and row["sha256"] not in out:
            out[row["sha256"]] = row["published"]
    return out


# Dates a web article's own date replaces: the PDF's creation date says less about publication.
WEAKER = ("pdf-created",)


def apply_date(report: Report, published: str | None) -> bool:
    """`apply` for a bare date (in a worker process, which has no store)."""
    if not published or (report.meta.published and report.meta.provenance.get("published") not in WEAKER):
        return False
    report.meta.published = published
    report.meta.provenance["published"] = PROVENANCE
    return True


def apply(report: Report, pub: Publication | None) -> bool:
    """Set the report's publication date from the web when its own text states none.
    Returns whether it changed. The hook the ingest should call before the rules run."""
    return apply_date(report, pub.published if pub is not None else None)


def stamp(store: Store) -> int:
    """Give stored reports that state no publication date the date of their web article
    (provenance "web"). Returns how many were set. Idempotent.

    Transitional: the stored findings were computed without the date; a rule that needs it
    (late-publication) sees it once the ingest applies `apply()` before the rules (see docs).
    """
    pubs = {sha: p for sha, p in publications(store).items() if p.published}
    if not pubs:
        return 0
    r, s = st.reports, st.sources
    changed = 0
    with store.engine.connect().execution_options(xxgk_write=True) as conn, conn.begin():
        shas = sorted(pubs)
        for i in range(0, len(shas), 500):
            rows = conn.execute(
                sa.select(r.c.id, s.c.sha256, r.c.provenance)
                .join(s, s.c.id == r.c.source_id)
                .where(s.c.sha256.in_(shas[i:i + 500]))
            ).all()
            for rid, sha, prov in rows:
                provenance = json.loads(prov or "{}")
                if "published" in provenance and provenance["published"] not in WEAKER:
                    continue  # the report states its own date
                provenance["published"] = PROVENANCE
                conn.execute(r.update().where(r.c.id == rid).values(
                    published=pubs[sha].published,
                    provenance=json.dumps(dict(sorted(provenance.items())), ensure_ascii=False,
                                          separators=(",", ":")),
                ))
                changed += 1
    return changed
