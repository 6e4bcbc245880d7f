"""Who is asking, and may they: sessions (cookie) or bearer tokens, roles, CSRF tokens, the login
rate limit, request size limits and the response headers every page gets."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xxgk.i18n import _
from xxgk.review import users
from xxgk.review.users import User

SESSION_COOKIE = "xxgk_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user: User
    via: str  # "session" or "token"
    csrf: str | None = None  # the session's CSRF token (None for bearer tokens)


class LoginRequired(Exception):
    """No valid session or token: 401 for the API, a redirect to the login page for pages."""


def principal(request: Request) -> Principal | None:
    """Who sent the request (a session cookie or a bearer token), from the database; kept for the
    rest of the request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    with request.app.state.store.engine.connect() as conn:
        return principal_on(conn, request)


def principal_on(conn: sa.Connection, request: Request) -> Principal | None:
    """`principal`, read on `conn`: a route that needs the database anyway reads the reader with
    its own query on one connection. Read again on every request, never kept between requests:
    a sign-out, a revoked token, a removed user or a new password holds at once in every process."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    found: Principal | None = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = users.token_user_on(conn, auth[7:].strip())
        found = Principal(user, "token") if user else None
    else:
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            got = users.session_user_on(conn, sid)
            if got is not None:
                found = Principal(got[0], "session", got[1])
    request.state.principal = found
    return found


async def check_csrf(request: Request, who: Principal) -> None:
    """A state-changing request made with the session cookie must carry the session's CSRF token
    (a form field `csrf` or the X-CSRF-Token header). Bearer tokens are not sent by browsers on
    their own, so they need none."""
    if who.via != "session" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent and request.headers.get("content-type", "").startswith(
            ("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not sent or not who.csrf or not hmac.compare_digest(sent, who.csrf):
        raise HTTPException(403, _("the form's security token is missing or out of date: reload the page"))


def need(role: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: a session or token of a user with at least `role` (and a CSRF token on writes)."""

    async def dependency(request: Request) -> Principal:
        # The lookup is a database query: in the thread pool, so the event loop keeps every
        # other connection moving while it runs (measured with bench/bench_web.py).
        return await admit(request, await run_in_threadpool(principal, request), role)

    return dependency


async def admit(request: Request, who: Principal | None, role: str) -> Principal:
    """`who` when they may do this request as `role`: LoginRequired without a session or token,
    403 without the CSRF token on a write or beyond their role. Every route goes through here,
    by `need` or (the review page, which reads the reader with its own query) directly."""
    if who is None:
        raise LoginRequired()
    await check_csrf(request, who)
    if not who.user.can(role):
        raise HTTPException(403, _("your role ({role}) may not do this").format(role=who.user.role_name))
    return who


class LoginLimiter:
    """At most `attempts` failed logins per client address and per user name within `window`
    seconds; while over it, even a right password is refused (429). The failures are counted in
    the database (xxgk.review.users.login_wait), so the limit holds across worker processes."""

    def __init__(self, engine: Any, attempts: int, window: float) -> None:
        self.engine, self.attempts, self.window = engine, attempts, window

    def blocked(self, *keys: str) -> float:
        """Seconds to wait, 0 when allowed."""
        return users.login_wait(self.engine, keys, self.attempts, self.window)

    def failed(self, *keys: str) -> None:
        users.login_failed(self.engine, keys, self.window)


class BodyLimit:
    """ASGI middleware: a request body over the limit is answered 413 — at once when its
    Content-Length says so, otherwise as soon as the bytes received pass the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge()
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, sending)
        except TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = ('{"detail":"' + _("the upload is larger than the limit of {mb} MB").format(
            mb=self.limit // (1 << 20)) + '"}').encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class TooLarge(HTTPException):
    """Raised inside the app when the body passes the limit while it is read: FastAPI answers an
    HTTPException raised by a form parser as itself (413), not as a generic 400."""

    def __init__(self) -> None:
        super().__init__(413, _("the upload is larger than the limit"))


# Scripts only from the app itself (no inline script can run, whatever a report's text holds);
# inline styles are allowed because ECharts sets them on its own elements.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Swagger UI starts itself with an inline script (FastAPI's page).
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith("/api/docs")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                names = {k.lower() for k, _v in headers}
                extra = [(b"content-security-policy", (CSP_DOCS if docs else CSP).encode()),
                         (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                         (b"referrer-policy", b"same-origin")]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers + [h for h in extra if h[0] not in names]
            await send(message)

        await self.app(scope, receive, sending)
