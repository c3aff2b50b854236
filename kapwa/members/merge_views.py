"""Identity merge pages and API: suggestions, merge, undo, "not the same person".

Viewing suggestions needs the analyst role; merging, undoing and dismissing change identity data, so they
need the manager role (checked here and again in the actions).

``router`` must be included before ``kapwa.members.views.router``: otherwise ``/members/{member_id}``
would catch ``/members/merge-suggestions``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError
from kapwa.core.i18n_terms import N_
from kapwa.core.models import Role
from kapwa.members import merge, merge_queries
from kapwa.web.auth import Viewer, db, get_rt, require
from kapwa.web.forms import redirect
from kapwa.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["members"])
SUGGESTIONS = "/members/merge-suggestions"


def _next(value: str, fallback: str) -> str:
    """A same-site path to return to, or the fallback."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return fallback


@router.get(SUGGESTIONS)
async def suggestions_page(request: Request, viewer: Viewer = Depends(require(Role.analyst)),
                           s: Session = Depends(db)):
    rows = merge_queries.merge_suggestions(s, viewer.user.workspace_id, limit=50)
    return render(request, "members/merge_suggestions.html", {"suggestions": rows})


@router.post("/members/{member_id}/merge")
async def merge_member(member_id: int, request: Request, other_id: int = Form(...),
                       keep: str = Form("this", pattern="^(this|other)$"), next: str = Form("", max_length=500),
                       viewer: Viewer = Depends(require(Role.manager))):
    keep_id, merged_id = (member_id, other_id) if keep == "this" else (other_id, member_id)
    try:
        merge.do_merge_members(get_rt(request), viewer.actor(request), keep_id, merged_id)
    except ActionError as exc:
        return redirect(_next(next, f"/members/{member_id}"), exc.message, "error")
    return redirect(_next(next, f"/members/{keep_id}"), N_("Members merged"))


@router.post("/members/merges/{merge_id}/undo")
async def undo_merge(merge_id: int, request: Request, next: str = Form("", max_length=500),
                     viewer: Viewer = Depends(require(Role.manager))):
    try:
        row = merge.do_unmerge(get_rt(request), viewer.actor(request), merge_id)
    except ActionError as exc:
        return redirect(_next(next, "/members"), exc.message, "error")
    return redirect(_next(next, f"/members/{row.merged_member_id}"), N_("Merge undone"))


@router.post(SUGGESTIONS + "/dismiss")
async def dismiss(request: Request, a_id: int = Form(...), b_id: int = Form(...),
                  next: str = Form("", max_length=500), viewer: Viewer = Depends(require(Role.manager))):
    try:
        merge.do_dismiss_suggestion(get_rt(request), viewer.actor(request), a_id, b_id)
    except ActionError as exc:
        return redirect(_next(next, SUGGESTIONS), exc.message, "error")
    return redirect(_next(next, SUGGESTIONS), N_("Marked as different people"))


# -------------------------------------------------------------------------------------------- API


class SuggestedMember(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    display_name: str
    message_count: int


class SuggestionOut(BaseModel):
    a: SuggestedMember
    b: SuggestedMember
    score: float
    reasons: list[str]


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merge_id: int = Field(..., description="the member merged into the one in the path, which is kept")


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a_id: int
    b_id: int


class MergeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kept_member_id: int
    merged_member_id: int
    reason: str


@api_router.get("/merge-suggestions", response_model=list[SuggestionOut])
def api_suggestions(viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    return [SuggestionOut(a=SuggestedMember.model_validate(x.a), b=SuggestedMember.model_validate(x.b),
                          score=x.score, reasons=x.reasons)
            for x in merge_queries.merge_suggestions(s, viewer.user.workspace_id, limit=50)]


@api_router.post("/members/{member_id}/merge", response_model=MergeOut, status_code=201)
def api_merge(member_id: int, body: MergeIn, request: Request, viewer: Viewer = Depends(require(Role.manager))):
    return MergeOut.model_validate(merge.do_merge_members(get_rt(request), viewer.actor(request), member_id,
                                                          body.merge_id))


@api_router.post("/merges/{merge_id}/undo", response_model=MergeOut)
def api_undo(merge_id: int, request: Request, viewer: Viewer = Depends(require(Role.manager))):
    return MergeOut.model_validate(merge.do_unmerge(get_rt(request), viewer.actor(request), merge_id))


@api_router.post("/merge-suggestions/dismiss", status_code=204)
def api_dismiss(body: DismissIn, request: Request, viewer: Viewer = Depends(require(Role.manager))):
    merge.do_dismiss_suggestion(get_rt(request), viewer.actor(request), body.a_id, body.b_id)
