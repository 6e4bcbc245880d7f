"""The pages people use: login, rounds, uploads with progress, the review page, the compile, the
audit trail and the users. Rendered on the server; forms post with a CSRF token and work without
JavaScript, htmx swaps the changed parts when it is there."""

from __future__ import annotations

import csv
import hmac
import io
import json
import secrets
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from xxgk.corpus.compare import compare_reports
from xxgk.corpus.compile import CompileError
from xxgk.corpus.indicators import INDICATORS, format_indicator, indicator_table
from xxgk.export.layout import report_grid
from xxgk.i18n import _, current_lang
from xxgk.review import NotFound, ReviewError, correct, decide, review_report, set_state, trail, uploads, users
from xxgk.review import rounds as rounds_lib
from xxgk.review.opinion import opinion_docx, opinion_pdf
from xxgk.review.reports import DECISIONS, STATES, check_sha, is_sha, stamp_on, state_name, with_corrections
from xxgk.review.summary import compilation_csv, compilation_xlsx, compile_round, round_reports, summary_xlsx
from xxgk.vocabulary import LEVEL_NAMES, cell_name
from xxgk.web import pagecache
from xxgk.web import source as source_mod
from xxgk.web.intake import accept
from xxgk.web.render import templates
from xxgk.web.security import SESSION_COOKIE, Principal, admit, need, principal_on
from xxgk.web.views import review_views

router = APIRouter(include_in_schema=False)
# The review page alone, included before every other router: FastAPI tries the routes in order,
# and the most read page would otherwise be matched after ~60 others, on every request.
first = APIRouter(include_in_schema=False)
viewer = Depends(need("viewer"))
Viewer = Annotated[Principal, Depends(need("viewer"))]
Reviewer = Annotated[Principal, Depends(need("reviewer"))]
Admin = Annotated[Principal, Depends(need("admin"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SORTS = ("agency", "region", "level", "year", "state", "errors", "warnings", "confirmed", "file")


def safe_next(target: str | None) -> str:
    """Only a path on this site (no //host, no scheme): the login form's `next` is user input."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return quote(target, safe="/?=&.-_~%")


def page(request: Request, name: str, who: Principal | None, **context: Any) -> HTMLResponse:
    context.update(user=who.user if who else None, csrf=who.csrf if who else "")
    return templates.TemplateResponse(request, name, context)


def _store(request: Request) -> Any:
    return request.app.state.store


def _attachment(data: bytes, media: str, filename: str) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(data, media_type=media, headers={
        "content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"})


def _back(request: Request, url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# ---------------------------------------------------------------- login


LOGIN_COOKIE = "xxgk_login"


def _login_page(request: Request, next_: str, error: str | None, status: int = 200) -> HTMLResponse:
    """The login form carries a CSRF token too: a random value both in the form and in a
    short-lived cookie (double submit), so another site cannot sign a browser in."""
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html.j2", None, next=safe_next(next_), error=error, login_csrf=token)
    response.status_code = status
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=3600, path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, next, None)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.post("/login")
def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/", csrf: Annotated[str, Form()] = "") -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not csrf or not expected or not hmac.compare_digest(csrf, expected):
        return _login_page(request, next, _("the form's security token is missing or out of date: reload the page"),
                           403)
    limiter = request.app.state.limiter
    keys = (f"ip:{_client(request)}", f"user:{name.strip().lower()}")
    wait = limiter.blocked(*keys)
    if wait:
        response = _login_page(request, next, _("too many failed sign-ins: try again in {s} seconds").format(
            s=int(wait) + 1), 429)
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    engine = _store(request).engine
    user = users.authenticate(engine, name.strip(), password)
    if user is None:
        limiter.failed(*keys)
        return _login_page(request, next, _("wrong user name or password"), 401)
    sid, _csrf = users.open_session(engine, user, request.app.state.settings.session_hours)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=request.app.state.settings.session_hours * 3600,
                        path="/")
    return response


@router.post("/logout")
def logout(request: Request, who: Viewer) -> Response:
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        users.close_session(_store(request).engine, sid)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------- rounds


@router.get("/")
def home(request: Request, who: Viewer) -> HTMLResponse:
    engine = _store(request).engine
    return page(request, "home.html.j2", who, rounds=rounds_lib.list_rounds(engine),
                uploads=uploads.uploads_of(engine))


@router.post("/rounds")
def new_round(request: Request, who: Admin, name: Annotated[str, Form()],
              year: Annotated[str, Form()] = "") -> Response:
    y = int(year) if year.strip().isdigit() else None
    rnd = rounds_lib.create_round(_store(request).engine, name, y, who.user.name)
    return _back(request, f"/rounds/{rnd.id}")


def _filtered(rows: list[rounds_lib.Row], q: str, state: str, level: str, flagged: str, sort: str,
              desc: bool) -> list[rounds_lib.Row]:
    out = rows
    if q:
        needle = q.strip().lower()
        out = [r for r in out if needle in " ".join(
            str(x or "") for x in (r.entry.agency, r.entry.region, r.entry.file, r.entry.title)).lower()]
    if state in STATES:
        out = [r for r in out if r.state.state == state]
    if level:
        out = [r for r in out if r.entry.level == level]
    if flagged == "errors":
        out = [r for r in out if r.errors]
    elif flagged == "warnings":
        out = [r for r in out if r.warnings]

    def key(r: rounds_lib.Row) -> Any:
        e = r.entry
        value = {"agency": e.agency or "", "region": e.region_code or "", "level": e.level or "",
                 "year": e.year or 0, "state": STATES.index(r.state.state), "errors": r.errors,
                 "warnings": r.warnings, "confirmed": r.confirmed, "file": e.file}.get(sort, e.agency or "")
        return (value, e.file, e.sha256)

    return sorted(out, key=key, reverse=desc)


@router.get("/rounds/{round_id}")
def round_page(request: Request, who: Viewer, round_id: int, q: str = "", state: str = "", level: str = "",
               flagged: str = "", sort: str = "agency", desc: bool = False) -> HTMLResponse:
    ov = rounds_lib.overview(_store(request), round_id)
    rows = _filtered(ov.rows, q, state, level, flagged, sort if sort in SORTS else "agency", desc)
    chart = {
        "states": [{"name": state_name(s), "value": ov.counts()[s], "state": s} for s in STATES],
        "reports": [{"name": r.entry.agency or r.entry.file, "errors": r.errors, "warnings": r.warnings}
                    for r in sorted(ov.rows, key=lambda r: (-r.errors, -r.warnings, r.entry.file))[:30]],
        "codes": [{"code": code, "count": n} for code, n in list(ov.by_code.items())[:20]],
        "labels": {"errors": _("errors"), "warnings": _("warnings"), "codes": _("findings by rule")},
    }
    return page(request, "round.html.j2", who, ov=ov, rows=rows, counts=ov.counts(), chart=chart,
                filters={"q": q, "state": state, "level": level, "flagged": flagged, "sort": sort, "desc": desc},
                states=STATES, levels=list(LEVEL_NAMES), sorts=SORTS)


@router.post("/rounds/{round_id}/expected")
async def round_expected(request: Request, who: Admin, round_id: int, names: Annotated[str, Form()] = "",
                         file: Annotated[UploadFile | None, File()] = None) -> Response:
    text = names
    if file is not None and file.filename:
        text += "\n" + (await file.read()).decode("utf-8-sig", errors="replace")
    await run_in_threadpool(rounds_lib.set_expected, _store(request).engine, round_id, text.splitlines(),
                            who.user.name)
    return _back(request, f"/rounds/{round_id}")


@router.post("/rounds/{round_id}/add-stored")
def round_add_stored(request: Request, who: Admin, round_id: int, year: Annotated[str, Form()] = "",
                     region: Annotated[str, Form()] = "", agency: Annotated[str, Form()] = "") -> Response:
    y = int(year) if year.strip().isdigit() else None
    rounds_lib.add_stored(_store(request), round_id, who.user.name, year=y, region=region.strip(),
                          agency=agency.strip())
    return _back(request, f"/rounds/{round_id}")


@router.get("/rounds/{round_id}/summary.xlsx")
def round_summary(request: Request, who: Viewer, round_id: int) -> Response:
    rnd = rounds_lib.get_round(_store(request).engine, round_id)
    return _attachment(summary_xlsx(_store(request), round_id), XLSX, f"{rnd.name}-汇总表.xlsx")


@router.get("/rounds/{round_id}/compile")
def round_compile(request: Request, who: Viewer, round_id: int) -> HTMLResponse:
    store = _store(request)
    rnd = rounds_lib.get_round(store.engine, round_id)
    result = compile_round(store, round_id)
    reports, _corr = round_reports(store, round_id)
    indicators = indicator_table(reports)
    tables = []
    for comp in result.compilations:
        grids = []
        for table in comp.tmpl.tables:
            grid = report_grid(comp.tmpl, table.key, comp.cells)
            grids.append((table.key, [[{"kind": g.kind, "text": g.text, "rowspan": g.rowspan, "colspan": g.colspan,
                                        "path": g.path, "cell": comp.cells.get(g.path) if g.path else None,
                                        "corrected": bool(g.path and g.path in result.corrected),
                                        "label": cell_name(comp.template, g.path) if g.path else ""}
                                       for g in row] for row in grid.rows()]))
        tables.append((comp, grids))
    return page(request, "compile.html.j2", who, rnd=rnd, result=result, tables=tables, indicators=indicators,
                indicator_keys=list(INDICATORS), fmt=format_indicator)


@router.get("/rounds/{round_id}/compile.xlsx")
def round_compile_xlsx(request: Request, who: Viewer, round_id: int) -> Response:
    store = _store(request)
    rnd = rounds_lib.get_round(store.engine, round_id)
    try:
        data = compilation_xlsx(compile_round(store, round_id))
    except CompileError as e:
        raise ReviewError(str(e)) from e
    return _attachment(data, XLSX, f"{rnd.name}-汇总.xlsx")


@router.get("/rounds/{round_id}/compile.csv")
def round_compile_csv(request: Request, who: Viewer, round_id: int) -> Response:
    text = compilation_csv(compile_round(_store(request), round_id))
    return _attachment(text.encode("utf-8-sig"), "text/csv", f"round-{round_id}-compile.csv")


@router.get("/rounds/{round_id}/compile.json")
def round_compile_json(request: Request, who: Viewer, round_id: int) -> Response:
    body = json.dumps(compile_round(_store(request), round_id).to_dict(), ensure_ascii=False, indent=1)
    return _attachment(body.encode(), "application/json", f"round-{round_id}-compile.json")


@router.get("/rounds/{round_id}/indicators.csv")
def round_indicators_csv(request: Request, who: Viewer, round_id: int) -> Response:
    reports, _c = round_reports(_store(request), round_id)
    rows = indicator_table(reports)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    flat = [r.flat() for r in rows]
    header = sorted({k for f in flat for k in f})
    w.writerow(header)
    for f in flat:
        w.writerow([f.get(k, "") for k in header])
    return _attachment(buf.getvalue().encode("utf-8-sig"), "text/csv", f"round-{round_id}-indicators.csv")


# ---------------------------------------------------------------- uploads


@router.post("/uploads")
async def upload(request: Request, who: Reviewer, files: Annotated[list[UploadFile], File()],
                 round_id: Annotated[str, Form(alias="round")] = "") -> Response:
    rid = int(round_id) if round_id.strip().isdigit() else None
    uid, _states = await accept(request, files, rid, who.user.name)
    return _back(request, f"/uploads/{uid}")


@router.get("/uploads/{upload_id}")
def upload_page(request: Request, who: Viewer, upload_id: int) -> HTMLResponse:
    p = uploads.progress(_store(request), upload_id)
    return page(request, "upload.html.j2", who, p=p)


@router.get("/uploads/{upload_id}/progress")
def upload_progress(request: Request, who: Viewer, upload_id: int) -> HTMLResponse:
    p = uploads.progress(_store(request), upload_id)
    return page(request, "_progress.html.j2", who, p=p)


# ---------------------------------------------------------------- the review page


def _review_context(request: Request, sha256: str) -> dict[str, Any]:
    store = _store(request)
    rr = review_report(store, sha256)
    src = source_mod.cached(sha256, store.url)
    if src is None:
        got = uploads.source_bytes(store, sha256)
        src = source_mod.load_source(sha256, got[0], got[1], rr.report) if got else source_mod.gone(sha256, store.url)
    boxes = {}
    if src is not None and src.kind == "pdf":
        for path, (pg, box) in src.boxes.items():
            w, h = src.sizes[pg - 1] if pg - 1 < len(src.sizes) else (1.0, 1.0)
            boxes[path] = [pg, round(box[0] / w * 100, 2), round(box[1] / h * 100, 2),
                           round((box[2] - box[0]) / w * 100, 2), round((box[3] - box[1]) / h * 100, 2)]
    tables, labels, findings = review_views(rr)
    return {"rr": rr, "tables": tables, "labels": labels, "findings": findings, "src": src, "boxes": boxes,
            "trail": trail.entries(store.engine, sha256, limit=200), "rounds": rounds_lib.rounds_of(store.engine,
                                                                                                  sha256),
            "states": STATES, "decisions": DECISIONS}


@first.get("/reports/{sha256}")
async def review_page(request: Request, sha256: str) -> Response:
    """The most read page: the reader and the report's state in one connection, then the page
    kept for that state. Every request is checked against the database (a sign-out or a revoked
    token holds at once in every process) and gets the page of the report as it is now.

    The two indexed queries run in the event loop (a thread-pool round trip cost more CPU than
    both, measured with bench/bench_web.py); rendering a page, or compressing it for a new reader,
    takes milliseconds and runs in the thread pool so the loop keeps answering the others."""
    store = _store(request)
    with store.engine.connect() as conn:
        found = principal_on(conn, request)
        stamp = stamp_on(conn, sha256) if found is not None and is_sha(sha256) else None
    who = await admit(request, found, "viewer")
    if stamp is None:
        raise NotFound(_("no report {id}").format(id=sha256))
    key = (store.url, sha256, stamp, current_lang())
    gzipped = pagecache.accepts_gzip(request.headers.get("accept-encoding", ""))
    body = pagecache.pages.kept(key, who, gzipped)
    if body is None:
        body = await run_in_threadpool(pagecache.pages.page, key, who, gzipped, lambda stand_in: bytes(
            page(request, "review.html.j2", stand_in, **_review_context(request, sha256)).body).decode())
    return pagecache.response(body, gzipped)


def _after_action(request: Request, who: Principal, sha256: str, error: str | None = None) -> Response:
    if request.headers.get("hx-request"):
        response = page(request, "_review_body.html.j2", who, error=error, **_review_context(request, sha256))
        if error:
            response.status_code = 422
        return response
    if error:
        raise ReviewError(error)
    return _back(request, f"/reports/{sha256}#findings")


def _act(request: Request, who: Principal, sha256: str, action: Callable[[], object]) -> Response:
    """Run a reviewer's action on a report and answer with the report's panel; a refused action
    (ReviewError) is shown there, a missing report stays a 404."""
    try:
        action()
    except NotFound:
        raise
    except ReviewError as e:
        return _after_action(request, who, sha256, str(e))
    return _after_action(request, who, sha256)


@router.post("/reports/{sha256}/decision")
def post_decision(request: Request, who: Reviewer, sha256: str, key: Annotated[str, Form()],
                  decision: Annotated[str, Form()], comment: Annotated[str, Form()] = "") -> Response:
    return _act(request, who, sha256, lambda: decide(_store(request), sha256, key, decision, comment, who.user.name))


@router.post("/reports/{sha256}/correction")
def post_correction(request: Request, who: Reviewer, sha256: str, path: Annotated[str, Form()],
                    value: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    return _act(request, who, sha256,
                lambda: correct(_store(request), sha256, path, value.strip() or None, reason, who.user.name))


@router.post("/reports/{sha256}/state")
def post_state(request: Request, who: Reviewer, sha256: str, state: Annotated[str, Form()],
               comment: Annotated[str, Form()] = "") -> Response:
    return _act(request, who, sha256, lambda: set_state(_store(request), sha256, state, comment, who.user.name))


@router.get("/reports/{sha256}/pages/{number}.png")
def page_image(request: Request, who: Viewer, sha256: str, number: int) -> Response:
    got = uploads.source_bytes(_store(request), check_sha(sha256))
    png = source_mod.page_png(sha256, got[1], number) if got else None
    if png is None:
        raise NotFound(_("no page {n} of this report").format(n=number))
    return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=3600"})


@router.get("/reports/{sha256}/image")
def source_image(request: Request, who: Viewer, sha256: str) -> Response:
    """A report submitted as an image (a screenshot, a photographed page), shown as it is."""
    got = uploads.source_bytes(_store(request), check_sha(sha256))
    media = source_mod.image_type(got[1]) if got else None
    if got is None or media is None:
        raise NotFound(_("no page {n} of this report").format(n=1))
    return Response(got[1], media_type=media, headers={"cache-control": "private, max-age=3600"})


@router.get("/reports/{sha256}/source")
def source_download(request: Request, who: Viewer, sha256: str) -> Response:
    got = uploads.source_bytes(_store(request), check_sha(sha256))
    if got is None:
        raise NotFound(_("the submitted file is no longer on the server"))
    name = got[0].rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    return _attachment(got[1], "application/octet-stream", name)


@router.get("/reports/{sha256}/opinion.docx")
def opinion_word(request: Request, who: Viewer, sha256: str) -> Response:
    rr = review_report(_store(request), sha256)
    return _attachment(opinion_docx(rr), DOCX, f"审核意见-{rr.report.meta.agency or sha256[:12]}.docx")


@router.get("/reports/{sha256}/opinion.pdf")
async def opinion_print(request: Request, who: Viewer, sha256: str) -> Response:
    rr = await run_in_threadpool(review_report, _store(request), sha256)
    data = await run_in_threadpool(opinion_pdf, rr)
    return _attachment(data, "application/pdf", f"审核意见-{rr.report.meta.agency or sha256[:12]}.pdf")


@router.get("/reports/{sha256}/years")
def body_years(request: Request, who: Viewer, sha256: str) -> HTMLResponse:
    """One body's reports side by side, year by year (xxgk.corpus.compare): the cells that
    changed, the indicators of each year, the cross-year findings."""
    store = _store(request)
    check_sha(sha256)
    entry = next((e for e in store.entries() if e.sha256 == sha256), None)
    if entry is None:
        raise NotFound(_("no report {id}").format(id=sha256))
    reports = [store.report(sha256)] if entry.body_id is None else list(store.reports(body=entry.body_id))
    # Compared as corrected by the reviewers (the corrected cells marked), like the compile.
    reports, corrected = with_corrections(store, reports)
    comparison = compare_reports(reports)
    return page(request, "years.html.j2", who, entry=entry, cmp=comparison, indicator_keys=list(INDICATORS),
                fmt=format_indicator, corrected=corrected)


# ---------------------------------------------------------------- audit trail and users


@router.get("/audit")
def audit_page(request: Request, who: Viewer, subject: str | None = None) -> HTMLResponse:
    items = trail.entries(_store(request).engine, subject or None, limit=500)
    return page(request, "audit.html.j2", who, items=items, subject=subject or "")


@router.get("/audit.csv")
def audit_csv(request: Request, who: Viewer, subject: str | None = None) -> Response:
    items = trail.entries(_store(request).engine, subject or None)
    return _attachment(trail.export_csv(items).encode("utf-8-sig"), "text/csv", "audit-trail.csv")


@router.get("/audit.json")
def audit_json(request: Request, who: Viewer, subject: str | None = None) -> Response:
    items = trail.entries(_store(request).engine, subject or None)
    return _attachment(trail.export_json(items).encode(), "application/json", "audit-trail.json")


@router.get("/users")
def users_page(request: Request, who: Admin, token: str = "") -> HTMLResponse:
    engine = _store(request).engine
    return page(request, "users.html.j2", who, people=users.list_users(engine), tokens=users.list_tokens(engine),
                roles=users.ROLES, new_token=None)


@router.post("/users")
def users_add(request: Request, who: Admin, name: Annotated[str, Form()], role: Annotated[str, Form()],
              password: Annotated[str, Form()]) -> Response:
    users.add_user(_store(request).engine, name.strip(), role, password, by=who.user.name)
    return _back(request, "/users")


@router.post("/users/{name}/remove")
def users_remove(request: Request, who: Admin, name: str) -> Response:
    if name == who.user.name:
        raise ReviewError(_("you cannot remove yourself"))
    users.remove_user(_store(request).engine, name, by=who.user.name)
    return _back(request, "/users")


@router.post("/users/{name}/token")
def users_token(request: Request, who: Admin, name: str) -> HTMLResponse:
    engine = _store(request).engine
    token = users.create_token(engine, name, by=who.user.name)
    return page(request, "users.html.j2", who, people=users.list_users(engine), tokens=users.list_tokens(engine),
                roles=users.ROLES, new_token=(name, token))


@router.post("/tokens/{prefix}/revoke")
def tokens_revoke(request: Request, who: Admin, prefix: str) -> Response:
    users.revoke_token(_store(request).engine, prefix, by=who.user.name)
    return _back(request, "/users")

