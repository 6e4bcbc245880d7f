"""采集: an admin gives a round the addresses of its bodies' report columns (栏目) and starts a
collection from the browser; everyone signed in watches its progress (htmx polls) and its result.

The work is done by `xxgk.collect.rounds` (the same crash-safe `collect()` as `xxgk collect`,
into the round's store, its reports then put in the round); these routes translate and render.
A run executes in a background thread of the server that started it; its progress is in the
database, so every server process shows it.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xxgk.collect import rounds as lib
from xxgk.collect.columns import parse_columns
from xxgk.errors import InputError
from xxgk.i18n import _
from xxgk.review import rounds as rounds_lib
from xxgk.web.render import templates
from xxgk.web.security import Principal, need

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(need("viewer"))]
Admin = Annotated[Principal, Depends(need("admin"))]


def _page(request: Request, name: str, who: Principal, status: int = 200, **context: Any) -> HTMLResponse:
    context.update(user=who.user, csrf=who.csrf or "")
    return templates.TemplateResponse(request, name, context, status_code=status)


def _engine(request: Request) -> Any:
    return request.app.state.store.engine


def _stops(request: Request) -> dict[int, threading.Event]:
    """The stop switches of the runs this server process executes."""
    state = request.app.state
    if not hasattr(state, "collect_stops"):
        state.collect_stops = {}
    return state.collect_stops  # type: ignore[no-any-return]


def _run(request: Request, run_id: int) -> lib.Run:
    try:
        return lib.get_run(_engine(request), run_id)
    except lib.CollectError as e:
        raise HTTPException(404, str(e)) from e


def _round_page(request: Request, who: Principal, round_id: int, error: str | None = None,
                status: int = 200) -> HTMLResponse:
    engine = _engine(request)
    rnd = rounds_lib.get_round(engine, round_id)
    return _page(request, "collect_round.html.j2", who, status, rnd=rnd, columns=lib.round_columns(engine, round_id),
                 runs=lib.runs_of(engine, round_id), error=error)


@router.get("/collect")
def collect_home(request: Request, who: Viewer) -> HTMLResponse:
    engine = _engine(request)
    rows = [(r, len(lib.round_columns(engine, r.id)), next(iter(lib.runs_of(engine, r.id)), None))
            for r in rounds_lib.list_rounds(engine)]
    return _page(request, "collect_home.html.j2", who, rows=rows)


@router.get("/rounds/{round_id}/collect")
def round_collect(request: Request, who: Viewer, round_id: int) -> HTMLResponse:
    return _round_page(request, who, round_id)


@router.post("/rounds/{round_id}/collect/columns")
def add_columns(request: Request, who: Admin, round_id: int, columns: Annotated[str, Form()] = "") -> Response:
    """Columns pasted one a line: the list page's address, then (optional) the body's name; or a
    CSV with a header (url/栏目, body/机关), as `xxgk collect --list` reads."""
    try:
        found = parse_columns(columns, _("the list of columns"))
        lib.add_columns(_engine(request), round_id, found, who.user.name)
    except (InputError, lib.CollectError) as e:
        return _round_page(request, who, round_id, str(e), 422)
    return RedirectResponse(f"/rounds/{round_id}/collect", status_code=303)


@router.post("/rounds/{round_id}/collect/columns/remove")
def remove_column(request: Request, who: Admin, round_id: int, url: Annotated[str, Form()]) -> Response:
    lib.remove_column(_engine(request), round_id, url)
    return RedirectResponse(f"/rounds/{round_id}/collect", status_code=303)


def _number(text: str, kind: type, default: Any) -> Any:
    text = text.strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError as e:
        raise lib.CollectError(_("not a number: {value}").format(value=text)) from e


@router.post("/rounds/{round_id}/collect/start")
def start(request: Request, who: Admin, round_id: int, since: Annotated[str, Form()] = "",
          rate: Annotated[str, Form()] = "", max_pages: Annotated[str, Form()] = "") -> Response:
    """Register a run and execute it in a background thread of this server."""
    store = request.app.state.store
    try:
        run_id = lib.start(store.engine, round_id, who.user.name, since=_number(since, int, None),
                           rate=_number(rate, float, 2.0), max_pages=_number(max_pages, int, 100))
    except lib.CollectError as e:
        return _round_page(request, who, round_id, str(e), 422)
    stop = threading.Event()
    stops = _stops(request)
    stops[run_id] = stop
    out = request.app.state.files_dir / "collected"
    workers = request.app.state.settings.workers

    def work() -> None:
        try:
            lib.execute(store, run_id, out, stop=stop, workers=workers)
        finally:
            stops.pop(run_id, None)

    threading.Thread(target=work, name=f"collect-run-{run_id}", daemon=True).start()
    return RedirectResponse(f"/collect/runs/{run_id}", status_code=303)


@router.get("/collect/runs/{run_id}")
def run_page(request: Request, who: Viewer, run_id: int) -> HTMLResponse:
    run = _run(request, run_id)
    rnd = rounds_lib.get_round(_engine(request), run.round_id)
    return _page(request, "collect_run.html.j2", who, run=run, rnd=rnd)


@router.get("/collect/runs/{run_id}/progress")
def run_progress(request: Request, who: Viewer, run_id: int) -> HTMLResponse:
    return _page(request, "collect_progress.html.j2", who, run=_run(request, run_id))


@router.post("/collect/runs/{run_id}/stop")
def stop_run(request: Request, who: Admin, run_id: int) -> Response:
    """Stop after the article in hand (what was collected is ingested and put in the round)."""
    run = _run(request, run_id)
    switch = _stops(request).get(run_id)
    if switch is not None:
        switch.set()
    elif run.active:
        raise HTTPException(409, _("this collection runs in another server process; stop it there"))
    return RedirectResponse(f"/collect/runs/{run_id}", status_code=303)
