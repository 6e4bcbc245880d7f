"""The JSON API under /api (bearer token or session; OpenAPI at /api/docs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from xxgk.i18n import _
from xxgk.review import NotFound, correct, decide, review_report, set_state, trail, uploads
from xxgk.review import rounds as rounds_lib
from xxgk.review.reports import check_sha
from xxgk.review.summary import compile_round
from xxgk.web.intake import accept
from xxgk.web.security import Principal, need

router = APIRouter(prefix="/api", tags=["api"])
Viewer = Annotated[Principal, Depends(need("viewer"))]
Reviewer = Annotated[Principal, Depends(need("reviewer"))]
Admin = Annotated[Principal, Depends(need("admin"))]


class DecisionIn(BaseModel):
    decision: str = Field(description="confirm or dismiss")
    comment: str = ""


class CorrectionIn(BaseModel):
    cell: str = Field(description="cell path, e.g. applications.granted.total")
    value: float | int | str | None = Field(description="the corrected value; null withdraws the correction")
    reason: str


class StateIn(BaseModel):
    state: str = Field(description="pending (待审核), rework (需整改) or approved (已通过)")
    comment: str = ""


class RoundIn(BaseModel):
    name: str
    year: int | None = None


def _store(request: Request) -> Any:
    return request.app.state.store


@router.post("/reports", status_code=202, summary="Upload a report; it is read in the background")
async def post_report(request: Request, who: Reviewer, file: Annotated[UploadFile, File()],
                      round: Annotated[int | None, Form()] = None) -> JSONResponse:
    uid, states = await accept(request, [file], round, who.user.name)
    ids = [s.sha256 for s in states if s.sha256 and s.state != "failed"]
    failed = [s.to_dict() for s in states if s.state == "failed"]
    if not ids:
        return JSONResponse({"detail": failed[0]["reason"] if failed else _("nothing to read"), "failed": failed},
                            status_code=422)
    return JSONResponse({"id": ids[0], "ids": ids, "upload": uid, "failed": failed}, status_code=202)


@router.get("/reports/{report_id}", summary="A report: 202 while it is read, then the JSON contract and its review")
def get_report(request: Request, who: Viewer, report_id: str) -> JSONResponse:
    store = _store(request)
    check_sha(report_id)
    if store.report_id(report_id) is not None:
        body = review_report(store, report_id).to_dict()
        return JSONResponse({"id": report_id, "state": "done", **body})
    pending = uploads.pending_for(store.engine, report_id)
    known = store.lookup([report_id]).get(report_id)
    if known is not None and known.state == "failed":
        return JSONResponse({"id": report_id, "state": "failed", "reason": known.reason})
    if pending is not None and pending.state == "pending":
        return JSONResponse({"id": report_id, "state": "pending"}, status_code=202)
    if pending is not None and pending.state == "failed":
        return JSONResponse({"id": report_id, "state": "failed", "reason": pending.reason})
    raise NotFound(_("no report {id}").format(id=report_id))


@router.get("/reports/{report_id}/findings", summary="The findings of the report as corrected, with decisions")
def get_findings(request: Request, who: Viewer, report_id: str) -> list[dict[str, Any]]:
    rr = review_report(_store(request), report_id)
    return [f.to_dict(rr.report.meta.template) for f in rr.findings]


@router.post("/findings/{finding_id}/decision", summary="Confirm or dismiss a finding, with a comment")
def post_decision(request: Request, who: Reviewer, finding_id: str, body: DecisionIn) -> dict[str, Any]:
    sha, _sep, key = finding_id.partition(".")
    f = decide(_store(request), sha, key, body.decision, body.comment, who.user.name)
    return f.to_dict(None)


@router.post("/reports/{report_id}/corrections", summary="Correct a cell (value null withdraws); rules run again")
def post_correction(request: Request, who: Reviewer, report_id: str, body: CorrectionIn) -> dict[str, Any]:
    rr = correct(_store(request), report_id, body.cell, body.value, body.reason, who.user.name)
    return {"id": report_id, "corrections": [c.to_dict() for c in rr.corrections.values()],
            "findings": [f.to_dict(rr.report.meta.template) for f in rr.findings]}


@router.post("/reports/{report_id}/state", summary="Set the review state (待审核 / 需整改 / 已通过)")
def post_state(request: Request, who: Reviewer, report_id: str, body: StateIn) -> dict[str, Any]:
    return set_state(_store(request), report_id, body.state, body.comment, who.user.name).to_dict()


@router.get("/rounds", summary="The review rounds")
def get_rounds(request: Request, who: Viewer) -> list[dict[str, Any]]:
    return [r.to_dict() for r in rounds_lib.list_rounds(_store(request).engine)]


@router.post("/rounds", status_code=201, summary="Open a round (admins)")
def post_round(request: Request, who: Admin, body: RoundIn) -> dict[str, Any]:
    return rounds_lib.create_round(_store(request).engine, body.name, body.year, who.user.name).to_dict()


@router.get("/rounds/{round_id}", summary="A round's reports with their review state and counts")
def get_round(request: Request, who: Viewer, round_id: int) -> dict[str, Any]:
    ov = rounds_lib.overview(_store(request), round_id)
    return {**ov.round.to_dict(), "counts": ov.counts(), "reports": [r.to_dict() for r in ov.rows],
            "expected": ov.expected, "missing": ov.missing,
            "failures": [{"file": f, "reason": r} for f, r in ov.failures]}


@router.get("/rounds/{round_id}/compile", summary="The round's 汇总 from corrected values, corrections marked")
async def get_compile(request: Request, who: Viewer, round_id: int) -> JSONResponse:
    result = await run_in_threadpool(compile_round, _store(request), round_id)
    return JSONResponse(result.to_dict(), status_code=200 if result.compilations else 422)


@router.get("/uploads/{upload_id}", summary="Progress of an upload: each file done, failed (with reason) or pending")
def get_upload(request: Request, who: Viewer, upload_id: int) -> dict[str, Any]:
    return uploads.progress(_store(request), upload_id).to_dict()


@router.get("/audit", summary="The audit trail (newest first), optionally of one report or round")
def get_audit(request: Request, who: Viewer, subject: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    return [e.to_dict() for e in trail.entries(_store(request).engine, subject, limit=max(1, min(limit, 100000)))]
