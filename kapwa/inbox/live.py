"""Live: server-sent events for the workspace, and who else is on a conversation (collision detection).

* ``GET /events`` — the workspace's live events as ``text/event-stream`` (one JSON ``{"type", "data"}`` per
  event, with ``id:`` for ``Last-Event-ID`` replay, a ``retry:`` hint and comment heartbeats). See
  docs/live.md for the event types and their payloads.
* ``GET /live/config`` — what ``live.js`` needs once per page: the viewer's id, the presence timings, who
  is on which conversation now, and its UI strings in the viewer's language.
* ``POST /conversations/{id}/presence`` — ``{"state": "viewing" | "replying" | "left", "tab": "…"}``,
  pinged every 20 s by an open conversation page.
* The conversation page's ``header`` panel lists the teammates who are there ("Ana is replying…").
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kapwa.core.events import Event
from kapwa.core.i18n import gettext as _
from kapwa.core.i18n import ngettext
from kapwa.core.models import ConversationStatus, Role
from kapwa.inbox import live_queries
from kapwa.inbox.live_hub import (
    CLOSE,
    MAX_PER_USER,
    RESYNC,
    Live,
    Subscriber,
    TooManyStreams,
    live_for,
    live_for_session,
)
from kapwa.inbox.live_presence import PING_SECONDS, TTL_SECONDS
from kapwa.inbox.panels import panel
from kapwa.team import queries as team_q
from kapwa.web.auth import SESSION_COOKIE, Viewer, db, get_rt, require

log = logging.getLogger("kapwa.inbox.live")
router = APIRouter(include_in_schema=False)

HEARTBEAT_SECONDS = 15.0
RECHECK_SECONDS = 60.0  # a signed-out or deactivated teammate's stream ends within this
RETRY_MS = 3000


# ------------------------------------------------------------------------------------------ event stream


@router.get("/events")
async def events(
    request: Request,
    last_event_id: str = Query("", max_length=64),
    viewer: Viewer = Depends(require(Role.analyst)),
):
    """The workspace's live events (``Accept: text/event-stream``, as EventSource sends)."""
    if "text/event-stream" not in request.headers.get("accept", ""):
        raise HTTPException(406, "this is a server-sent event stream: open it with EventSource "
                                 "(Accept: text/event-stream)")
    live = live_for(get_rt(request))
    user = viewer.user
    if live.streams_of(user.id) >= MAX_PER_USER:
        raise HTTPException(429, "too many live connections for this account: close some Kapwa tabs",
                            headers={"Retry-After": "30"})
    last = (request.headers.get("last-event-id") or last_event_id)[:64]
    still_allowed = _credential_check(request, viewer)
    stream = _stream(live, user.workspace_id, user.id, last, still_allowed)
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"})


async def _stream(live: Live, workspace_id: int, user_id: int, last: str, still_allowed):
    try:
        sub, replay, resync = live.connect(workspace_id, user_id, asyncio.get_running_loop(), last)
    except TooManyStreams:
        yield 'data: {"type":"busy","data":{}}\n\n'
        return
    try:
        yield f"retry: {RETRY_MS}\n: kapwa live\n\n"
        if resync:
            yield RESYNC.frame
        for item in replay:
            yield item.frame
        checked = time.monotonic()
        while True:
            if time.monotonic() - checked >= RECHECK_SECONDS:
                checked = time.monotonic()
                if not await run_in_threadpool(still_allowed):
                    yield 'data: {"type":"signed_out","data":{}}\n\n'
                    return
            item = await _next(sub)
            if item is None:
                yield ": ping\n\n"
            elif item is CLOSE:
                return
            elif item.seq == 0 or item.seq > sub.after:
                yield item.frame
    finally:
        live.disconnect(sub)


async def _next(sub: Subscriber):
    try:
        return await asyncio.wait_for(sub.queue.get(), HEARTBEAT_SECONDS)
    except TimeoutError:
        return None


def _credential_check(request: Request, viewer: Viewer):
    """A function telling, later, whether the credential that opened the stream is still good."""
    rt = get_rt(request)
    auth = request.headers.get("authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE, "")

    def still_allowed() -> bool:
        with rt.db.sessions() as s:
            if viewer.via_token:
                return team_q.api_token_by_secret(s, auth[7:].strip()) is not None
            return team_q.session_by_token(s, cookie) is not None

    return still_allowed


# ------------------------------------------------------------------------------------------------ presence


class PresenceIn(BaseModel):
    state: Literal["viewing", "replying", "left"]
    tab: str = Field("", max_length=40, pattern=r"^[A-Za-z0-9_-]*$")


@router.post("/conversations/{conversation_id}/presence")
async def presence(conversation_id: int, body: PresenceIn, request: Request,
                   viewer: Viewer = Depends(require(Role.analyst)), s: Session = Depends(db)):
    user = viewer.user
    if not live_queries.conversation_exists(s, user.workspace_id, conversation_id):
        raise HTTPException(404, "no such conversation")
    live = ping_presence(get_rt(request), viewer, conversation_id, body.state, body.tab)
    others = [p for p in live.presence.present(user.workspace_id, conversation_id) if p["user_id"] != user.id]
    return JSONResponse({"present": others, "ping_seconds": PING_SECONDS, "ttl_seconds": TTL_SECONDS},
                        headers={"Cache-Control": "no-store"})


def ping_presence(rt, viewer: Viewer, conversation_id: int, state: str, tab: str = "") -> Live:
    """Record that the viewer is viewing / replying to / has left a conversation, in every process.

    Not a database write: presence lives in memory (see kapwa/inbox/live_presence.py), so there is no
    transaction or audit entry; the ping goes over the event bus, which feeds each process's store."""
    live = live_for(rt)
    user = viewer.user
    rt.events.publish(Event("presence.ping", user.workspace_id,
                            {"conversation_id": conversation_id, "user_id": user.id, "name": user.name,
                             "state": state, "tab": tab}, user.id))
    return live


@panel("header", "conversations/_presence.html", order=10)
def presence_panel(session, viewer, conversation, messages):
    live = live_for_session(session)
    people = live.presence.present(conversation.workspace_id, conversation.id) if live else []
    return {"conversation_id": conversation.id, "user_id": viewer.user.id, "ping_seconds": PING_SECONDS,
            "present": [p for p in people if p["user_id"] != viewer.user.id]}


# -------------------------------------------------------------------------------------------------- config


@router.get("/live/config")
async def live_config(request: Request, viewer: Viewer = Depends(require(Role.analyst))):
    """Everything live.js needs besides the stream, in the viewer's language."""
    user = viewer.user
    live = live_for(get_rt(request))
    present = {str(cid): [p for p in people if p["user_id"] != user.id]
               for cid, people in live.presence.in_workspace(user.workspace_id).items()}
    return JSONResponse({
        "user_id": user.id,
        "ping_seconds": PING_SECONDS,
        "ttl_seconds": TTL_SECONDS,
        "present": {cid: people for cid, people in present.items() if people},
        "statuses": {st: _(st) for st in ConversationStatus.values()},
        "strings": strings(),
    }, headers={"Cache-Control": "no-store"})


def strings() -> dict[str, str]:
    """The browser-side texts, translated; ``{n}``, ``{name}``, ``{actor}``, ``{status}`` are filled in there."""
    return {
        "new_one": ngettext("%(num)s new message", "%(num)s new messages", 1, num="{n}"),
        "new_other": ngettext("%(num)s new message", "%(num)s new messages", 2, num="{n}"),
        "show": _("Show"),
        "new_marker": _("new"),
        "missed": _("Live updates were interrupted; some changes may not be shown."),
        "offline": _("Live updates paused — reconnecting…"),
        "back_online": _("Live updates are back."),
        "viewing": _("%(name)s is viewing", name="{name}"),
        "replying": _("%(name)s is replying…", name="{name}"),
        "collision": _("%(name)s is replying to this conversation right now. Check with them before you send.",
                       name="{name}"),
        "present_label": _("Teammates on this conversation"),
        "arrived_one": _("A new message arrived in this conversation."),
        "arrived_other": _("%(n)s new messages arrived in this conversation.", n="{n}"),
        "reload": _("Reload"),
        "status_by": _("%(actor)s set the status to %(status)s.", actor="{actor}", status="{status}"),
        "status": _("Status changed to %(status)s.", status="{status}"),
        "assigned_by": _("%(actor)s assigned this conversation to %(name)s.", actor="{actor}", name="{name}"),
        "unassigned_by": _("%(actor)s unassigned this conversation.", actor="{actor}"),
        "unassigned": _("Unassigned"),
        "note_by": _("%(actor)s added an internal note.", actor="{actor}"),
        "note": _("A teammate added an internal note."),
        "reply_sent": _("A reply was sent in this conversation."),
        "reply_failed": _("A reply in this conversation failed to send."),
        "reply_pending": _("A reply in this conversation is waiting for approval."),
        "bell": _("Notifications, %(n)s unread", n="{n}"),  # the same text as the header's bell
        "someone": _("A teammate"),
        "you": _("You"),
    }
