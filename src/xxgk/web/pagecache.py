"""Rendered review pages, kept and served again while nothing they show has changed.

A report's review page is read far more often than it changes, and rendering it (three tables of
~200 cells, the findings, the source's paragraphs: ~100 KB of HTML) is most of its cost. A page
is kept under its report's `Stamp` (one query: the latest audit record, correction of any of the
body's years, cross-year findings, rounds — anything a review action or the ingest changes moves
it), the language and the reader's role. Every worker process keeps its own copy and reads the
stamp from the database on each request, so a change made through one worker is seen by all.

What differs between two readers with the same role — their name and their session's CSRF
token — is rendered as a random placeholder and put in when the page is served (escaped as
the template would have escaped it).
"""

from __future__ import annotations

import gzip
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from markupsafe import escape
from starlette.responses import Response

from xxgk.web.security import Principal

# Random per process: no report, file name or comment can contain them.
NAME_HOLE = "xxgkname" + secrets.token_hex(12)
CSRF_HOLE = "xxgkcsrf" + secrets.token_hex(12)


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def put(self, key: Hashable, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class PageCache:
    """Pages rendered for a stand-in reader of each role, and, for the readers who take gzip,
    each reader's page compressed (a review page is ~100 KB of HTML, ~15 KB compressed: sending
    it cost more than finding it)."""

    def __init__(self, size: int = 256, compressed: int = 1024) -> None:
        self.rendered = _LRU(size)
        self.compressed = _LRU(compressed)
        self.rendering = threading.Lock()

    @staticmethod
    def _key(key: Hashable, who: Principal) -> Hashable:
        return (key, who.user.role, who.via, who.csrf is not None)

    @staticmethod
    def _fill(html: str, who: Principal) -> str:
        return html.replace(NAME_HOLE, str(escape(who.user.name))).replace(CSRF_HOLE, str(escape(who.csrf or "")))

    def kept(self, key: Hashable, who: Principal, gzipped: bool) -> bytes | None:
        """The page for `who` when it is ready to send: compressed for this reader, or (a client
        without gzip) filled in from the kept rendering. None when it is to be rendered or
        compressed first (milliseconds: `page`, in a thread)."""
        full = self._key(key, who)
        if gzipped:
            return self.compressed.get((full, who.user.name, who.csrf))
        html = self.rendered.get(full)
        return None if html is None else self._fill(html, who).encode()

    def page(self, key: Hashable, who: Principal, gzipped: bool, render: Callable[[Principal], str]) -> bytes:
        """The page for `who`: rendered once per key for a stand-in reader of the same role
        (placeholders for the name and CSRF token), then filled in."""
        full = self._key(key, who)
        html = self.rendered.get(full)
        if html is None:
            # One rendering at a time: the readers who ask for a page whose report just changed
            # wait for its one rendering instead of each rendering it (tens of ms each, all under
            # one GIL, and the event loop waiting for the GIL behind them).
            with self.rendering:
                html = self.rendered.get(full)
                if html is None:
                    stand_in = Principal(replace(who.user, name=NAME_HOLE), who.via, CSRF_HOLE if who.csrf else None)
                    html = render(stand_in)
                    self.rendered.put(full, html)
        return self._body(full, who, html, gzipped)

    def _body(self, full: Hashable, who: Principal, html: str, gzipped: bool) -> bytes:
        body = self._fill(html, who).encode()
        if not gzipped:
            return body
        # mtime=0: the same page gives the same bytes. A review page reflects nothing of the
        # request (no query text, no form input), so compressing it beside the CSRF token
        # gives another site no length oracle to guess the token with (BREACH).
        # Level 1: 0.26 ms for a 100 KB page against 0.96 ms at 6, for 15 KB instead of 13.6 KB;
        # every reader's copy is compressed again each time the report changes.
        packed = gzip.compress(body, compresslevel=1, mtime=0)
        self.compressed.put((full, who.user.name, who.csrf), packed)
        return packed


def response(body: bytes, gzipped: bool) -> Response:
    headers = {"vary": "Accept-Encoding"}
    if gzipped:
        headers["content-encoding"] = "gzip"
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether the client takes gzip (and has not refused it with q=0)."""
    for part in accept_encoding.lower().split(","):
        name, _sep, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return float(q) > 0 if q else True
            except ValueError:
                return False
    return False


pages = PageCache()
