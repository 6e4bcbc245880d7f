"""填报: writing a report in the browser. The three tables laid out like the official form, the six
sections, every rule run on the draft as it is typed (htmx posts the form, the findings come back
next to their cells), drafts kept in the store, DOCX / HTML / PDF through the writer with its lint.

The work is done by `xxgk.writer.drafts`; these routes translate requests and render pages.
Viewers read drafts and download them; reviewers and admins open and write them.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from xxgk.errors import InputError
from xxgk.i18n import _
from xxgk.template import SECTIONS
from xxgk.vocabulary import cell_name, location_text
from xxgk.web.render import templates
from xxgk.web.security import Principal, need
from xxgk.web.views import grouped_labels
from xxgk.writer import LintError, ToolMissingError, fill_in_form, read_form
from xxgk.writer.drafts import (
    Checked,
    Draft,
    DraftError,
    DraftNotFound,
    apply_form,
    check_draft,
    file_name,
    get_draft,
    last_year_report,
    list_drafts,
    open_draft,
    render_draft,
    save_draft,
    take_report,
)
from xxgk.writer.layout import fmt_number, form_grids
from xxgk.writer.pdf import ConversionError
from xxgk.writer.sections import skeleton_text

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(need("viewer"))]
Reviewer = Annotated[Principal, Depends(need("reviewer"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "html": "text/html; charset=utf-8", "pdf": "application/pdf"}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def _attachment(data: bytes, media: str, name: str, ascii_name: str) -> Response:
    return Response(data, media_type=media, headers={
        "content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"})


def _page(request: Request, name: str, who: Principal, status: int = 200, **context: Any) -> HTMLResponse:
    context.update(user=who.user, csrf=who.csrf or "")
    return templates.TemplateResponse(request, name, context, status_code=status)


def _engine(request: Request) -> Any:
    return request.app.state.store.engine


def _draft(request: Request, draft_id: int) -> Draft:
    try:
        return get_draft(_engine(request), draft_id)
    except DraftNotFound as e:
        raise HTTPException(404, str(e)) from e


def mark_id(path: str) -> str:
    """The element id of a cell's mark (no dots: htmx finds out-of-band targets by CSS id)."""
    return "m-" + path.replace(".", "-")


def _marks(draft: Draft, checked: Checked) -> dict[str, dict[str, str]]:
    """What each cell shows beside its input: the worst finding on it (or the reason its text is
    not a value), or the value the arithmetic fixes for an empty cell."""
    out = {}
    for path in draft.tmpl.cell_paths():
        mark = {"id": mark_id(path), "cls": "", "text": "", "title": ""}
        if path in checked.problems:
            mark.update(cls="sev-error", text="✗", title=checked.problems[path])
        elif path in checked.by_cell:
            fs = sorted(checked.by_cell[path], key=lambda f: SEVERITY_RANK.get(f.severity, 3))
            mark.update(cls=f"sev-{fs[0].severity}", text="✗" if fs[0].severity == "error" else "!",
                        title="\n".join(f.message for f in fs))
        cell = checked.report.cells.get(path)
        if cell is not None and cell.status == "inferred" and not mark["text"]:
            mark.update(cls="inferred", text="=" + fmt_number(cell.value),
                        title=_("fixed by the template's arithmetic"))
        out[path] = mark
    return out


def _findings(draft: Draft, checked: Checked) -> list[dict[str, Any]]:
    out = []
    for f in sorted(checked.findings, key=lambda f: (SEVERITY_RANK.get(f.severity, 3), f.code)):
        labels = []
        for p in f.cells[:8]:
            try:
                labels.append(cell_name(draft.template, p))
            except (KeyError, StopIteration, ValueError):
                continue
        out.append({"code": f.code, "severity": f.severity, "message": f.message, "labels": grouped_labels(labels),
                    "more": len(f.cells) > 8, "where": location_text(f.loc), "cells": list(f.cells)})
    for path, why in checked.problems.items():
        out.insert(0, {"code": "", "severity": "error", "message": why, "labels": [cell_name(draft.template, path)],
                       "more": False, "where": "", "cells": [path]})
    return out


def _check_context(request: Request, draft: Draft) -> dict[str, Any]:
    last = last_year_report(request.app.state.store, draft)
    checked = check_draft(draft, last)
    return {"draft": draft, "checked": checked, "marks": _marks(draft, checked),
            "findings": _findings(draft, checked), "last": last}


def _grids(draft: Draft) -> dict[int, Any]:
    """The three tables of the official form, by the section they are printed in."""
    out = {}
    for no, grid in zip((2, 3, 4), form_grids(draft.tmpl), strict=True):
        rows = []
        for grow in grid.rows():
            rows.append([{"kind": g.kind, "text": g.text, "rowspan": g.rowspan, "colspan": g.colspan,
                          "path": g.path, "label": cell_name(draft.template, g.path) if g.path else ""}
                         for g in grow])
        out[no] = rows
    return out


# ---------------------------------------------------------------- pages


@router.get("/fill")
def drafts_page(request: Request, who: Viewer) -> HTMLResponse:
    return _page(request, "fill_list.html.j2", who, drafts=list_drafts(_engine(request)), error=None)


@router.post("/fill")
def draft_open(request: Request, who: Reviewer, body: Annotated[str, Form()] = "",
               year: Annotated[str, Form()] = "") -> Response:
    """Open the draft of a body for a year (a new, empty one when there is none)."""
    try:
        y = int(year.strip())
    except ValueError:
        y = 0
    try:
        draft = open_draft(_engine(request), body, y, who.user.name)
    except DraftError as e:
        return _page(request, "fill_list.html.j2", who, 422, drafts=list_drafts(_engine(request)), error=str(e))
    return RedirectResponse(f"/fill/{draft.id}", status_code=303)


@router.get("/fill/{draft_id}")
def draft_page(request: Request, who: Viewer, draft_id: int) -> HTMLResponse:
    draft = _draft(request, draft_id)
    sections = [{"no": s.no, "title": s.title, "text": draft.texts.get(s.no, ""),
                 "hint": skeleton_text(s.no)} for s in SECTIONS]
    return _page(request, "fill.html.j2", who, grids=_grids(draft), sections=sections, oob=False,
                 **_check_context(request, draft))


@router.post("/fill/{draft_id}")
async def draft_save(request: Request, who: Reviewer, draft_id: int) -> Response:
    """Save what the page holds; htmx gets the check back (findings, marks beside the cells)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k.startswith(("c:", "s:"))}

    def work() -> Draft:
        draft = _draft(request, draft_id)
        apply_form(draft, values)
        return save_draft(_engine(request), draft, who.user.name)

    draft = await run_in_threadpool(work)
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/fill/{draft_id}", status_code=303)
    context = await run_in_threadpool(_check_context, request, draft)
    return _page(request, "fill_check.html.j2", who, oob=True, **context)


@router.get("/fill/{draft_id}/report.{kind}")
async def draft_download(request: Request, who: Viewer, draft_id: int, kind: str, force: bool = False) -> Response:
    """The draft as a document, after the writer's lint: its errors stop the download (shown with
    the cells by their labels) unless `force`; a PDF without LibreOffice says so."""
    if kind not in MEDIA:
        raise HTTPException(404, _("unknown output kind {kind!r}: one of docx, html, pdf").format(kind=kind))
    draft = await run_in_threadpool(_draft, request, draft_id)
    try:
        rendered = await run_in_threadpool(render_draft, draft, kind, force)
    except LintError as e:
        return _page(request, "fill_lint.html.j2", who, 422, draft=draft, kind=kind, lines=e.result.lines())
    except ToolMissingError as e:
        raise HTTPException(503, str(e)) from e
    except ConversionError as e:
        raise HTTPException(500, str(e)) from e
    return _attachment(rendered.data, MEDIA[kind], file_name(draft, kind), f"draft-{draft.id}.{kind}")


@router.get("/fill/{draft_id}/form.xlsx")
def draft_form(request: Request, who: Viewer, draft_id: int) -> Response:
    """The empty fill-in workbook of `xxgk form` for this body and year (prefilled from last
    year's report in the store when there is one), to fill in offline and upload back."""
    draft = _draft(request, draft_id)
    data = fill_in_form(draft.year, draft.body, last_year_report(request.app.state.store, draft))
    return _attachment(data, XLSX, f"{draft.body}{draft.year}年度填报表.xlsx", f"form-{draft.id}.xlsx")


@router.post("/fill/{draft_id}/form")
async def draft_upload_form(request: Request, who: Reviewer, draft_id: int,
                            form: Annotated[UploadFile, File()]) -> Response:
    """A filled-in workbook replaces the draft's cells and texts (what it leaves empty is emptied)."""
    data = await form.read()

    def work() -> Draft:
        draft = _draft(request, draft_id)
        take_report(draft, read_form(data, form.filename or "form.xlsx"))
        return save_draft(_engine(request), draft, who.user.name)

    try:
        await run_in_threadpool(work)
    except (InputError, DraftError) as e:
        raise HTTPException(422, str(e)) from e
    return RedirectResponse(f"/fill/{draft_id}", status_code=303)
