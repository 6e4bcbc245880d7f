"""A polite HTTP client for government sites: robots.txt, one request per `rate` seconds per
host, retries with backoff on 5xx/429 and timeouts, conditional GET, redirects followed by hand.

Why redirects are followed here and not by httpx: every hop is a request to a host, so every
hop must pass that host's robots.txt and wait its turn under the rate limit, and the chain is
kept (the source's final URL is recorded with the source).

robots.txt is read as RFC 9309 says: a 4xx means no rules (everything allowed); a 5xx or an
unreachable robots.txt means the site is closed to robots for this run. Its `Crawl-delay`,
when longer than `rate`, is honoured.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from xxgk import __version__
from xxgk.extract import MAX_BYTES
from xxgk.i18n import N_, render

USER_AGENT = f"xxgk-collect/{__version__} (+https://github.com/xxgk/xxgk; government information disclosure reports)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 10
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is capped, not obeyed to the letter

# Reasons a fetch fails (English message ids; rendered in the reader's language).
HTTP_STATUS = N_("HTTP {status}")
TIMED_OUT = N_("no answer within {seconds:g} s ({tries} attempts)")
CONNECTION = N_("connection failed ({tries} attempts): {error}")
RETRIES_EXHAUSTED = N_("HTTP {status} after {tries} attempts")
ROBOTS_DISALLOW = N_("robots.txt forbids robots to read this address")
ROBOTS_UNREACHABLE = N_("robots.txt could not be read ({why}), so the site is treated as closed to robots")
TOO_MANY_REDIRECTS = N_("more than {n} redirects")
TOO_LARGE = N_("larger than the {mb} MB limit for one report")
NOT_HTTP = N_("not a web address (http or https)")


class FetchError(Exception):
    """A request that did not give a usable answer: the address and the reason (a message id
    with its parameters, rendered in the current language by `reason`)."""

    def __init__(self, url: str, message: str, **params: Any) -> None:
        super().__init__(url, message, params)
        self.url = url
        self.message = message
        self.params = params

    @property
    def reason(self) -> str:
        return render(self.message, self.params)

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


@dataclass
class Fetched:
    """One answer: the address asked for, where it ended after redirects, and what matters of it."""

    url: str
    final_url: str
    status: int
    content: bytes  # empty for a 304 (not modified)
    fetched: datetime
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    content_disposition: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header names, if any."""
        for part in (self.content_type or "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def mime(self) -> str:
        return (self.content_type or "").split(";")[0].strip().lower()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Fetcher:
    """One client for a whole run, shared by the threads that read different sites: requests to
    one host are spaced by `rate` whatever thread makes them (a per-host lock is held while
    waiting), and each robots.txt is read once.

    `rate`: seconds between two requests to the same host (0: no wait). `backoff`: the first
    wait before a retry (doubled each time; default `rate`, at least 0.5 s when `rate` > 0).
    `on_request(method, url)` is told of every request made (progress display). `verify=False`
    accepts any HTTPS certificate (many government sites serve expired or self-signed ones; the
    files are public and kept by their hash, so what is lost is only the proof of origin).
    """

    def __init__(
        self,
        *,
        rate: float = 2.0,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float | None = None,
        user_agent: str = USER_AGENT,
        max_bytes: int = MAX_BYTES,
        on_request: Callable[[str, str], None] | None = None,
        verify: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = max(0.0, rate)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = self.rate if backoff is None else max(0.0, backoff)
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.on_request = on_request
        self._clock, self._sleep = clock, sleep
        self._last: dict[str, float] = {}  # origin -> time of its last request
        self._locks: dict[str, threading.Lock] = {}  # origin -> its turn (and its robots.txt)
        self._locks_lock = threading.Lock()
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchError] = {}
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,  # a run must not depend on proxies set for something else
            verify=verify,
        )
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ politeness

    def _lock(self, host: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(host, threading.Lock())

    def _wait_turn(self, url: str) -> None:
        host = origin(url)
        with self._lock("turn " + host):
            gap = max(self.rate, self._crawl_delay(host))
            last = self._last.get(host)
            if last is not None and gap > 0:
                left = last + gap - self._clock()
                if left > 0:
                    self._sleep(left)
            self._last[host] = self._clock()

    @contextmanager
    def _finished(self, url: str) -> Iterator[None]:
        """The host's clock restarts when an answer has been read, not when it was asked for: a
        slow site gets `rate` seconds of rest after each answer, not less."""
        try:
            yield
        finally:
            with self._lock("turn " + origin(url)):
                self._last[origin(url)] = self._clock()

    def _crawl_delay(self, host: str) -> float:
        rules = self._robots.get(host)
        if isinstance(rules, urllib.robotparser.RobotFileParser):
            delay = rules.crawl_delay(self.user_agent)
            return float(delay) if delay else 0.0
        return 0.0

    def robots(self, url: str) -> urllib.robotparser.RobotFileParser:
        """The robots.txt rules of the URL's site (read once per run). Raises FetchError when
        the site is closed to robots because its robots.txt could not be read."""
        host = origin(url)
        with self._lock("robots " + host):
            if host not in self._robots:
                self._robots[host] = self._read_robots(host)
        rules = self._robots[host]
        if isinstance(rules, FetchError):
            raise FetchError(url, rules.message, **rules.params)
        return rules

    def _read_robots(self, host: str) -> urllib.robotparser.RobotFileParser | FetchError:
        rules = urllib.robotparser.RobotFileParser(host + "/robots.txt")
        try:
            got = self._request("GET", host + "/robots.txt", check_robots=False)
        except FetchError as e:
            if e.message == HTTP_STATUS and 400 <= e.params.get("status", 0) < 500:
                rules.parse([])  # no robots.txt: no rules
                return rules
            return FetchError(host + "/robots.txt", ROBOTS_UNREACHABLE, why=e.reason)
        text = got.content.decode("utf-8", errors="replace")
        rules.parse(text.splitlines())
        return rules

    def allowed(self, url: str) -> bool:
        return self.robots(url).can_fetch(self.user_agent, url)

    # ------------------------------------------------------------------ requests

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        method: str = "GET",
        data: Mapping[str, str] | None = None,
    ) -> Fetched:
        """Fetch a URL (following redirects). With `etag`/`last_modified` from an earlier fetch
        the request is conditional and an unchanged resource answers 304 with no content."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(method, url, headers=headers, data=data)

    def _request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        check_robots: bool = True,
    ) -> Fetched:
        asked = url
        hops: list[str] = []
        while True:
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchError(url, NOT_HTTP)
            if check_robots and not self.allowed(url):
                raise FetchError(url, ROBOTS_DISALLOW)
            response, content = self._with_retries(method, url, headers, data)
            if response.is_redirect and "location" in response.headers:
                if len(hops) >= MAX_REDIRECTS:
                    raise FetchError(asked, TOO_MANY_REDIRECTS, n=MAX_REDIRECTS)
                hops.append(url)
                url = urljoin(url, response.headers["location"])
                if response.status_code in (301, 302, 303) and method == "POST":
                    method, data = "GET", None  # what browsers do, and what the CMS proxies expect
                continue
            if response.status_code == 304:
                content = b""
            elif response.status_code >= 400:
                raise FetchError(url, HTTP_STATUS, status=response.status_code)
            h = response.headers
            return Fetched(
                url=asked,
                final_url=url,
                status=response.status_code,
                content=content,
                fetched=datetime.now(UTC),
                etag=h.get("etag"),
                last_modified=h.get("last-modified"),
                content_type=h.get("content-type"),
                content_disposition=h.get("content-disposition"),
                redirects=hops,
            )

    def _with_retries(
        self, method: str, url: str, headers: Mapping[str, str] | None, data: Mapping[str, str] | None
    ) -> tuple[httpx.Response, bytes]:
        tries = self.retries + 1
        for attempt in range(tries):
            last = attempt == tries - 1
            self._wait_turn(url)
            with self._locks_lock:
                self.requests += 1
            if self.on_request:
                self.on_request(method, url)
            try:
                with self._client.stream(method, url, headers=headers, data=data) as response, self._finished(url):
                    if response.status_code in RETRY_STATUS and not last:
                        self._sleep(self._retry_wait(attempt, response))
                        continue
                    if response.status_code in RETRY_STATUS:
                        raise FetchError(url, RETRIES_EXHAUSTED, status=response.status_code, tries=tries)
                    return response, self._read_body(url, response)
            except httpx.TimeoutException as e:
                if last:
                    raise FetchError(url, TIMED_OUT, seconds=self.timeout, tries=tries) from e
            except httpx.TransportError as e:  # refused, reset, broken chunking, bad TLS
                if last:
                    raise FetchError(url, CONNECTION, tries=tries, error=str(e) or type(e).__name__) from e
            self._sleep(self._retry_wait(attempt, None))
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _retry_wait(self, attempt: int, response: httpx.Response | None) -> float:
        wait = self.backoff * (2**attempt)
        if response is not None and "retry-after" in response.headers:
            wait = max(wait, _retry_after(response.headers["retry-after"]))
        return min(wait, MAX_RETRY_AFTER)

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        if response.status_code >= 300:
            return b""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, TOO_LARGE, mb=round(self.max_bytes / 1e6))
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, TOO_LARGE, mb=round(self.max_bytes / 1e6))
            chunks.append(chunk)
        return b"".join(chunks)


def _retry_after(value: str) -> float:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
