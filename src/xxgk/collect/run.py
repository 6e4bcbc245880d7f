"""A collection run: columns → list pages → report articles → files → the ingest → the store.

1. **List pages.** From each column's first page, every further page of its family (static
   pagination, datastore proxy, next links), up to `max_pages`, each asked conditionally when
   read before (a 304 reuses the stored copy).
2. **Articles.** Each link whose title names an annual report (of `since` or later) is opened,
   unless an earlier run finished it. Its HTML is kept as a file; its metadata read; each
   attachment downloaded (conditionally when known: a 304 reuses the file on disk).
3. **One report, several sources.** The body is a candidate when it holds the report's
   sections; every downloaded document is one. One candidate is the report. Several are read
   in this process: those that are the same report (same body and year) keep one — the most
   completely read (most cells read, fewest missing; a tie goes to the attachment, the
   document as signed) — and the others are recorded as `same-report` sources of it; different
   reports in one article are each a report.
4. **Ingest** the chosen files (`xxgk.corpus.inputs.ingest_paths`: the same pipeline and store
   as `xxgk ingest`), then give stored reports that state no publication date their article's
   (`published.stamp`).

Every article is saved in one transaction after its files are on disk, so a run killed at any
point resumes where it stopped. One bad site, page or file never stops the run: each failure is
listed with its reason and the run goes on.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from xxgk.api import read_bytes
from xxgk.collect.article import filename, read_article, safe_name
from xxgk.collect.fetch import Fetched, Fetcher, FetchError, origin
from xxgk.collect.listing import Entry, ListPage, Request, read_list_page
from xxgk.collect.pages import decode
from xxgk.collect.published import stamp
from xxgk.collect.state import ArticleRecord, PageRecord, SourceRecord, State
from xxgk.corpus.inputs import ingest_paths
from xxgk.errors import XxgkError, os_reason
from xxgk.i18n import N_, render
from xxgk.store import Store

# Reasons recorded for what is not a fetch error (fetch errors carry their own).
NO_REPORT = N_("the article has no report: neither its text nor an attachment")
NOT_A_DOCUMENT = N_("the attachment is a web page, not a document (an error page?)")
ATTACHMENTS_FAILED = N_("{n} attachment(s) could not be downloaded")
NOT_READABLE = N_("not readable as a report: {why}")
EMPTY_FILE = N_("empty file (0 bytes)")
NO_REPORT_LINKS = N_("no annual report found on this page")
MAX_PAGES_REACHED = N_("stopped after {n} list pages (--max-pages)")
CANNOT_SAVE = N_("cannot save the file: {why}")
FILE_GONE = N_("the downloaded file {path} is gone (collect again with --refresh)")
INTERNAL_ERROR = N_("internal error while collecting this column ({error}); please report it")

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Column:
    """A column (栏目) to collect: its first list page, and the body it belongs to when known."""

    url: str
    body: str | None = None


@dataclass
class Options:
    rate: float = 2.0  # seconds between two requests to one host
    timeout: float = 30.0
    retries: int = 3
    backoff: float | None = None  # first retry wait (default: rate)
    since: int | None = None  # only reports of this year or later
    max_pages: int = 100  # list pages read per column
    out: str | os.PathLike[str] = "collected"  # where downloaded files are kept
    refresh: bool = False  # ask again (conditionally) for articles an earlier run finished
    workers: int | None = None  # ingest's parsing processes (None: 0 for a few files, else one per core)
    # Set it (from another thread: the workbench's stop button) to end the run after the article
    # in hand; what was collected so far is ingested, the rest waits for the next run.
    stop: threading.Event | None = None
    verify: bool = True  # check HTTPS certificates (False: accept expired and self-signed ones)
    parallel: int = 4  # sites read at once (one thread per site; each site still gets one request per `rate`)


@dataclass
class Failure:
    url: str
    message: str  # an English message id
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return render(self.message, self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "reason": self.reason}


@dataclass
class Summary:
    columns: int = 0
    pages: int = 0  # list pages read (or found unchanged)
    found: int = 0  # report articles found in the columns
    new: int = 0  # articles collected in this run
    unchanged: int = 0  # articles finished by an earlier run, or unchanged since (304)
    files: int = 0  # files downloaded in this run
    bytes: int = 0
    requests: int = 0
    reports_added: int = 0  # reports the ingest added to the store
    published_set: int = 0  # stored reports given their web publication date
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns, "pages": self.pages, "found": self.found, "new": self.new,
            "unchanged": self.unchanged, "files": self.files, "bytes": self.bytes, "requests": self.requests,
            "reports_added": self.reports_added, "published_set": self.published_set,
            "failed": [f.to_dict() for f in self.failed], "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Event:
    """What a run is doing, for a progress display (the CLI prints `text`; the workbench can
    show `summary`'s counts as they grow)."""

    kind: str  # column | article | failed | ingest
    url: str
    text: str  # one line, in the current language
    summary: Summary  # the run's counts so far (live: read, do not keep)


Progress = Callable[[Event], None]


def _quiet(_: Event) -> None:
    pass


class Collector:
    def __init__(self, store: Store, options: Options, progress: Progress = _quiet) -> None:
        self.store = store
        self.options = options
        self.progress = progress
        self.state = State(store.engine)
        self.out = Path(options.out)
        self.fetcher = Fetcher(rate=options.rate, timeout=options.timeout, retries=options.retries,
                               backoff=options.backoff, verify=options.verify)
        self.summary = Summary()
        self._fetched_now: dict[str, SourceRecord] = {}  # URL -> download of this run
        self._articles_seen: set[str] = set()  # article URLs taken in this run
        self._lock = threading.Lock()  # the summary and the set above, shared by the sites' threads

    def close(self) -> None:
        self.fetcher.close()

    def _tell(self, kind: str, url: str, text: str) -> None:
        self.progress(Event(kind, url, text, self.summary))

    def _bump(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self.summary, name, getattr(self.summary, name) + n)

    def fail(self, url: str, message: str, **params: Any) -> None:
        with self._lock:
            self.summary.failed.append(Failure(url, message, params))
        reason = render(message, params)
        self._tell("failed", url, render(N_("failed: {url}: {reason}"), {"url": url, "reason": reason}))

    # ------------------------------------------------------------------ columns and list pages

    def column(self, column: Column) -> None:
        self._bump("columns", 1)
        column_id = self.state.column(column.url, column.body)
        self._tell("column", column.url, render(N_("column {url}"), {"url": column.url}))
        entries: dict[str, Entry] = {}
        queue: list[Request] = [Request(column.url)]
        seen: set[str] = set()
        read = 0
        first_read = False
        listed = 0  # report links seen, before --since
        while queue and not self.stopped:
            req = queue.pop(0)
            if req.key in seen:
                continue
            if read >= self.options.max_pages:
                self.fail(column.url, MAX_PAGES_REACHED, n=self.options.max_pages)
                break
            seen.add(req.key)
            read += 1
            page = self._list_page(column_id, req, first=(read == 1))
            if page is None:
                continue
            first_read = first_read or read == 1
            queue.extend(page.more)
            listed += len(page.entries)
            for e in page.entries:
                if e.url not in entries and (self.options.since is None or e.year >= self.options.since):
                    entries[e.url] = e
        if first_read and not listed:
            self.fail(column.url, NO_REPORT_LINKS)
        self._bump("found", len(entries))
        for entry in entries.values():
            if self.stopped:
                return
            self.article(column_id, entry)

    @property
    def stopped(self) -> bool:
        return self.options.stop is not None and self.options.stop.is_set()

    def site(self, columns: list[Column]) -> None:
        for col in columns:
            if self.stopped:
                return
            try:
                self.column(col)
            except FetchError as e:  # robots.txt closing a site, met outside a single page
                self.fail(e.url, e.message, **e.params)
            except Exception as e:  # a bug in xxgk on one site's pages: say so, go on with the others
                self.fail(col.url, INTERNAL_ERROR, error=f"{type(e).__name__}: {e}")

    def _list_page(self, column_id: int, req: Request, *, first: bool) -> ListPage | None:
        old = self.state.page(req.key)
        conditional = req.method == "GET" and old is not None and old.content is not None
        try:
            got = self.fetcher.get(req.url, method=req.method, data=dict(req.data) or None,
                                   etag=old.etag if conditional and old else None,
                                   last_modified=old.last_modified if conditional and old else None)
        except FetchError as e:
            self.fail(e.url, e.message, **e.params)
            self.state.save_page(column_id, PageRecord(req.key, reason=e.message, params=e.params))
            return None
        self._bump("pages", 1)
        if got.not_modified and old is not None and old.content is not None:
            content, final, ctype = old.content, old.final_url or got.final_url, old.content_type
            etag, lm = got.etag or old.etag, got.last_modified or old.last_modified
        else:
            content, final, ctype, etag, lm = got.content, got.final_url, got.content_type, got.etag, got.last_modified
        text = decode(content, _charset(ctype), req.url)
        page = read_list_page(text, final, first=first, max_requests=self.options.max_pages)
        self.state.save_page(column_id, PageRecord(
            req.key, final, 200 if got.not_modified else got.status, etag, lm, ctype, got.fetched, content,
            hashlib.sha256(content).hexdigest(), page.family))
        return page

    # ------------------------------------------------------------------ articles

    def article(self, column_id: int, entry: Entry) -> None:
        # Two sites' columns may list the same article: one thread reads it, once per run.
        with self._lock:
            if entry.url in self._articles_seen:
                self.summary.unchanged += 1
                return
            self._articles_seen.add(entry.url)
        old = self.state.article(entry.url)
        if old is not None and old.state == "done" and not self.options.refresh:
            self._bump("unchanged", 1)
            return
        self._tell("article", entry.url, render(N_("article {title}"), {"title": entry.title}))
        rec = ArticleRecord(entry.url, entry.title, entry.list_date, entry.year, "done")
        try:
            got, content = self._fetch_kept(entry.url, old_article=old)
        except FetchError as e:
            rec.state, rec.reason, rec.params = "failed", e.message, e.params
            self.fail(e.url, e.message, **e.params)
            self.state.save_article(column_id, rec)
            return
        # A 304 stands for the answer it confirms: the status recorded is that of the copy we hold.
        status = (old.status if old is not None and old.status else 200) if got.not_modified else got.status
        rec.final_url, rec.status, rec.etag, rec.last_modified = got.final_url, status, got.etag, got.last_modified
        rec.content_type, rec.fetched = got.content_type, got.fetched
        candidates: list[tuple[SourceRecord, bytes]] = []
        if got.mime in HTML_TYPES or (not got.mime and content.lstrip()[:1] == b"<"):
            text = decode(content, got.charset, entry.url)
            art = read_article(text, got.final_url)
            m = art.meta
            rec.title, rec.published, rec.published_at = m.title, m.published, m.published_at
            rec.content_source, rec.column_name, rec.provenance = m.source, m.column, dict(m.provenance)
            body = self._keep(entry.url, got, content, "body", entry.title, default_name="index.html")
            rec.sources.append(body)
            if art.body_is_report and body.sha256:
                candidates.append((body, content))
            failed = 0
            for att in art.attachments:
                src, data = self._attachment(att.url, att.text)
                rec.sources.append(src)
                if src.use == "failed":
                    failed += 1
                elif data is not None:
                    candidates.append((src, data))
            if failed:
                rec.state, rec.reason, rec.params = "failed", ATTACHMENTS_FAILED, {"n": failed}
        else:  # the list links straight to a document
            src = self._keep(entry.url, got, content, "document", entry.title)
            rec.sources.append(src)
            if src.sha256:
                candidates.append((src, content))
        if rec.title is None:
            rec.title, rec.provenance["title"] = entry.title, "list"
        if rec.published is None and entry.list_date:
            rec.published = rec.published_at = entry.list_date
            rec.provenance["published"] = "list"
        if not candidates:
            rec.state, rec.reason, rec.params = "failed", NO_REPORT, {}
            self.fail(entry.url, NO_REPORT)
        else:
            choose(candidates)
        self.state.save_article(column_id, rec)
        if rec.state == "done" or candidates:
            # Unchanged: the same files as the earlier run found (every one confirmed by a 304
            # or downloaded again to the same bytes).
            if old is not None and {s.sha256 for s in rec.sources} == {s.sha256 for s in old.sources}:
                self._bump("unchanged", 1)
            else:
                self._bump("new", 1)

    def _fetch_kept(self, url: str, old_article: ArticleRecord | None) -> tuple[Fetched, bytes]:
        """Fetch an article page, conditionally when its earlier copy is on disk."""
        kept = None
        if old_article is not None:
            kept = next((s for s in old_article.sources if s.role in ("body", "document") and s.path
                         and Path(s.path).is_file()), None)
        got = self.fetcher.get(url, etag=old_article.etag if kept and old_article else None,
                               last_modified=old_article.last_modified if kept and old_article else None)
        if got.not_modified and kept is not None and kept.path and old_article is not None:
            got.final_url = old_article.final_url or got.final_url
            got.content_type = got.content_type or old_article.content_type
            got.etag = got.etag or old_article.etag
            got.last_modified = got.last_modified or old_article.last_modified
            return got, Path(kept.path).read_bytes()
        return got, got.content

    def _attachment(self, url: str, text: str) -> tuple[SourceRecord, bytes | None]:
        if url in self._fetched_now:  # the same file linked twice in this run: asked once
            done = self._fetched_now[url]
            data = Path(done.path).read_bytes() if done.path and done.sha256 else None
            return SourceRecord(**{**done.__dict__, "role": "attachment", "link_text": text}), data
        known = self.state.known_source(url)
        on_disk = known is not None and known.path is not None and Path(known.path).is_file()
        try:
            got = self.fetcher.get(url, etag=known.etag if on_disk and known else None,
                                   last_modified=known.last_modified if on_disk and known else None)
        except FetchError as e:
            self.fail(e.url, e.message, **e.params)
            return SourceRecord(url, "attachment", "failed", text, reason=e.message, params=e.params), None
        if got.not_modified and on_disk and known is not None and known.path:
            data = Path(known.path).read_bytes()
            src = SourceRecord(url, "attachment", "report", text, known.final_url, known.status,
                               got.etag or known.etag, got.last_modified or known.last_modified, known.content_type,
                               known.fetched, known.filename, known.sha256, known.size, known.path)
            self._fetched_now[url] = src
            return src, data
        if got.mime in HTML_TYPES and got.content.lstrip()[:1] == b"<":
            src = SourceRecord(url, "attachment", "failed", text, got.final_url, got.status, got.etag,
                               got.last_modified, got.content_type, got.fetched, reason=NOT_A_DOCUMENT, params={})
            self.fail(url, NOT_A_DOCUMENT)
            return src, None
        src = self._keep(url, got, got.content, "attachment", text)
        if src.use == "failed":
            return src, None
        self._fetched_now[url] = src
        return src, got.content

    def _keep(self, url: str, got: Fetched, content: bytes, role: str, text: str,
              default_name: str = "download") -> SourceRecord:
        """Write a fetched file under out/<host>/<sha256[:12]>/<name> (atomically) and describe it."""
        src = SourceRecord(url, role, "not-report", text, got.final_url, 200 if got.not_modified else got.status,
                           got.etag, got.last_modified, got.content_type, got.fetched)
        if not content:
            src.use, src.reason, src.params = "failed", EMPTY_FILE, {}
            self.fail(url, EMPTY_FILE)
            return src
        sha = hashlib.sha256(content).hexdigest()
        name = filename(got.content_disposition, got.final_url, text if role != "body" else "")
        if role == "body":
            name = _page_name(got.final_url, default_name)
        host = safe_name(urlsplit(got.final_url).netloc.replace(":", "_")) or "site"
        path = self.out / host / sha[:12] / name
        try:
            if not path.is_file() or path.stat().st_size != len(content):
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + ".part")
                tmp.write_bytes(content)
                os.replace(tmp, path)
        except OSError as e:
            src.use, src.reason, src.params = "failed", CANNOT_SAVE, {"why": os_reason(e)}
            self.fail(url, CANNOT_SAVE, why=os_reason(e))
            return src
        if not got.not_modified:
            self._bump("files", 1)
            self._bump("bytes", len(content))
        src.filename, src.sha256, src.size, src.path = name, sha, len(content), str(path)
        return src

    # ------------------------------------------------------------------ the ingest

    def ingest(self) -> None:
        chosen = self.state.report_sources()
        known = self.store.lookup([sha for sha, _, _ in chosen])
        url_of = {path: url for sha, path, url in chosen}
        todo = [path for sha, path, _ in chosen if known.get(sha) is None or known[sha].state != "current"]
        for p in todo:
            if not Path(p).is_file():
                self.fail(url_of[p], FILE_GONE, path=p)
        todo = [p for p in todo if Path(p).is_file()]
        if todo:
            self._tell("ingest", "", render(N_("reading {n} file(s) into the store"), {"n": len(todo)}))
            workers = self.options.workers
            if workers is None:
                workers = 0 if len(todo) < 8 else None
            result = ingest_paths(todo, self.store, workers=workers)
            self.summary.reports_added += result.added + result.reparsed
            for file, reason in result.failed:  # named by the address it came from
                self.summary.failed.append(Failure(url_of.get(file, file), NOT_READABLE, {"why": reason}))
        self.summary.published_set = stamp(self.store)


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _page_name(url: str, default: str) -> str:
    name = safe_name(unquote(Path(urlsplit(url).path).name)) or default
    if not name.lower().endswith((".html", ".htm", ".shtml", ".xhtml")):
        name += ".html"
    return name


# ---------------------------------------------------------------- one report, several sources


def _score(data: bytes, name: str) -> tuple[tuple[int | None, str], int] | None:
    """(identity, completeness) of a candidate read as a report; None when it is not one."""
    try:
        report = read_bytes(data, name, check=False)
    except XxgkError:
        return None
    except Exception:  # a parser bug on one candidate must not stop the run; the ingest reports it
        return None
    cells = report.cells.values()
    read = sum(c.status in ("read", "inferred") for c in cells)
    missing = sum(c.status == "missing" for c in cells)
    if read == 0:
        return None
    agency = "".join((report.meta.agency or "").split())
    return (report.meta.year, agency), read - missing


def choose(candidates: list[tuple[SourceRecord, bytes]]) -> None:
    """Mark which candidate files of one article are reports and which are copies of one."""
    if len(candidates) == 1:
        candidates[0][0].use = "report"
        return
    groups: dict[tuple[int | None, str], list[tuple[int, int, SourceRecord]]] = {}
    for src, data in candidates:
        scored = _score(data, src.filename or "")
        if scored is None:
            src.use = "not-report"
            continue
        identity, completeness = scored
        # Attachments before the body on a tie: the attached document is the one signed.
        groups.setdefault(identity, []).append((completeness, 1 if src.role != "body" else 0, src))
    if not groups:  # nothing reads as a report here: let the ingest say why, on each file
        for src, _ in candidates:
            src.use = "report"
        return
    for members in groups.values():
        members.sort(key=lambda m: (-m[0], -m[1], m[2].sha256 or ""))
        members[0][2].use = "report"
        for _, _, src in members[1:]:
            src.use = "same-report"


# ---------------------------------------------------------------- entry point


def collect(
    columns: Iterable[str | Column],
    store: Store,
    options: Options | None = None,
    progress: Progress = _quiet,
) -> Summary:
    """Collect the annual reports of these columns into the store (see the module doc)."""
    start = time.perf_counter()
    collector = Collector(store, options or Options(), progress)
    try:
        # Columns grouped by site: each site's columns one after the other in one thread, so the
        # per-site rate holds; different sites are read at the same time.
        sites: dict[str, list[Column]] = {}
        seen: set[str] = set()
        for c in columns:
            col = c if isinstance(c, Column) else Column(str(c))
            if col.url not in seen:
                seen.add(col.url)
                sites.setdefault(origin(col.url), []).append(col)
        with ThreadPoolExecutor(max_workers=max(1, collector.options.parallel)) as pool:
            for done in [pool.submit(collector.site, group) for group in sites.values()]:
                done.result()
        collector.ingest()
    finally:
        collector.summary.requests = collector.fetcher.requests
        collector.summary.failed.sort(key=lambda f: (f.url, f.message))  # threads finish in any order
        collector.close()
    collector.summary.seconds = time.perf_counter() - start
    return collector.summary
