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

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace

from markupsafe import escape

from xxgk.web.security import Principal

# Random per process: no report, file name or comment can contain them.
NAME_HOLE = "xxgkname" + secrets.token_hex(12)
CSRF_HOLE = "xxgkcsrf" + secrets.token_hex(12)


class PageCache:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def put(self, key: Hashable, html: str) -> None:
        with self.lock:
            self.items[key] = html
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def page(self, key: Hashable, who: Principal, render: Callable[[Principal], str]) -> str:
        """The page for `who`: rendered once per key for a stand-in reader of the same role
        (placeholders for the name and CSRF token), then filled in."""
        full = (key, who.user.role, who.via, who.csrf is not None)
        html = self.get(full)
        if html is None:
            stand_in = Principal(replace(who.user, name=NAME_HOLE), who.via, CSRF_HOLE if who.csrf else None)
            html = render(stand_in)
            self.put(full, html)
        return html.replace(NAME_HOLE, str(escape(who.user.name))).replace(CSRF_HOLE, str(escape(who.csrf or "")))


pages = PageCache()
