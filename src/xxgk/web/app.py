"""The workbench's FastAPI application: `create_app(settings)`.

Pages are rendered on the server (Jinja2, autoescaped; htmx for the parts that change), the JSON
API lives under /api with its OpenAPI description at /api/docs. Everything but the login page
and the static files needs a session or a bearer token (see `security.py`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xxgk.i18n import UnknownLanguage, _, normalize_lang, use_lang
from xxgk.review import NotFound, ReviewError, open_store
from xxgk.review.uploads import Runner
from xxgk.store import database_url
from xxgk.web import api, collecting, fill, pages
from xxgk.web.render import templates
from xxgk.web.security import BodyLimit, LoginLimiter, LoginRequired, SecurityHeaders
from xxgk.web.settings import Settings
from xxgk.web.source import PDFIUM

log = logging.getLogger("xxgk.web")
STATIC = Path(str(files("xxgk.web") / "static"))
ECHARTS = Path(str(files("xxgk.audit") / "static" / "echarts.min.js"))
LANG_COOKIE = "xxgk_lang"


class Language:
    """ASGI middleware: the reader's language for this request (?lang=, then the cookie, then XXGK_LANG/zh)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Parsed only when there is something to read: most requests carry neither, and
        # building a Request to look costs more than the rest of this middleware.
        asked = _lang_of(Request(scope).query_params.get("lang")) if b"lang=" in scope["query_string"] else None
        lang = asked
        if lang is None and any(k == b"cookie" and _LANG_BYTES in v for k, v in scope["headers"]):
            lang = _lang_of(Request(scope).cookies.get(LANG_COOKIE))

        async def sending(message: Message) -> None:
            # ?lang= switches the language and remembers it in a cookie.
            if message["type"] == "http.response.start":
                cookie = f"{LANG_COOKIE}={asked}; Path=/; Max-Age=31536000; SameSite=Lax".encode()
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        with use_lang(lang):
            await self.app(scope, receive, sending if asked else send)


_LANG_BYTES = LANG_COOKIE.encode() + b"="


def _lang_of(value: str | None) -> str | None:
    try:
        return normalize_lang(value) if value else None
    except UnknownLanguage:
        return None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    store = open_store(settings.db)
    files_dir = settings.files()
    files_dir.mkdir(parents=True, exist_ok=True)
    # Parsing in this process (workers=0) shares PDFium with the page images: one at a time.
    runner = Runner(store, settings.workers, lock=PDFIUM if settings.workers == 0 else None,
                    url=database_url(settings.db))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Requests run in a thread pool, all under one GIL: a few threads serve them in turn,
        # where the default 40 would interleave every request with every other and stretch
        # them all (measured with bench/bench_web.py).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if settings.run_uploads:
            runner.start()
        try:
            yield
        finally:
            if settings.run_uploads:
                runner.stop()
            store.close()

    app = FastAPI(title="xxgk workbench", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan,
                  description="The reviewers' workbench of 政府信息公开工作年度报告: reports, findings, "
                              "decisions, corrections, rounds. Authenticate with `Authorization: Bearer TOKEN` "
                              "(`xxgk token create NAME`).")
    app.state.settings = settings
    app.state.store = store
    app.state.files_dir = files_dir
    app.state.runner = runner
    app.state.limiter = LoginLimiter(store.engine, settings.login_attempts, settings.login_window)

    app.add_middleware(Language)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/echarts.min.js", include_in_schema=False)
    def echarts() -> FileResponse:
        # The audit's vendored copy: one ECharts in the package.
        return FileResponse(ECHARTS, media_type="text/javascript", headers={"cache-control": "max-age=86400"})

    @app.get("/api/docs", include_in_schema=False, dependencies=[pages.viewer])
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="xxgk API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    app.include_router(pages.first)  # the review page: matched first (see pages.first)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(fill.router)  # 填报 and 采集 (the writer's and the collector's pages)
    app.include_router(collecting.router)
    _handlers(app)
    _protect_openapi(app)
    return app


def app_from_env() -> FastAPI:
    """The app factory of `xxgk serve --workers N`: uvicorn builds one app in each worker process,
    configured by the environment the command set (`Settings.from_env`). Nothing is shared in
    process memory: sessions, CSRF tokens, the login limit and the upload queue are in the
    database, and each page is rendered from what the database holds."""
    return create_app(Settings.from_env())


def _protect_openapi(app: FastAPI) -> None:
    """The OpenAPI description needs a session or token like every other route: served by a route
    of ours with the same guard (FastAPI's own is switched off). A route, not an HTTP middleware:
    Starlette's BaseHTTPMiddleware wraps every response of every request in streams of its own."""

    @app.get("/api/openapi.json", include_in_schema=False, dependencies=[pages.viewer])
    def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": _("sign in or send a bearer token")}, status_code=401,
                                headers={"www-authenticate": "Bearer"})
        target = "/login?next=" + pages.safe_next(str(request.url.path))
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"hx-redirect": target})
        if request.method in ("GET", "HEAD"):
            return RedirectResponse(target, status_code=303)
        return JSONResponse({"detail": _("sign in first")}, status_code=401)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(ReviewError)
    async def review_error(request: Request, exc: ReviewError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return _error(request, 422, _("the form is incomplete or a value is not valid"))


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request) or request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return templates.TemplateResponse(request, "error.html.j2", {"status": status, "message": message},
                                      status_code=status, headers=headers)
