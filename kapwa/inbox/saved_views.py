"""Saved inbox views: a named set of filters, personal (only its owner sees it) or shared with the team.

A view stores the inbox's query string, normalised through :class:`InboxFilter` (so only known, valid
filters are kept, and the page number never). Anyone signed in may keep personal views; sharing a view, and
renaming or deleting a shared one, needs a manager.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kapwa.core.actions import ActionError, Actor, Forbidden, NotFound, Tx, changed, transaction
from kapwa.core.models import Role, SavedView
from kapwa.core.runtime import Runtime
from kapwa.inbox.listing import FilterError, InboxFilter

MAX_VIEWS = 100


def visible_views(s: Session, workspace_id: int, user_id: int) -> list[SavedView]:
    """The viewer's own views and the shared ones, shared first, each in position then name order."""
    return list(s.scalars(
        select(SavedView)
        .where(SavedView.workspace_id == workspace_id,
               or_(SavedView.owner_user_id.is_(None), SavedView.owner_user_id == user_id))
        .order_by(SavedView.owner_user_id.is_not(None), SavedView.position, SavedView.name, SavedView.id)
    ))


def visible_view(s: Session, workspace_id: int, user_id: int, view_id: int) -> SavedView | None:
    return s.scalar(select(SavedView).where(
        SavedView.id == view_id, SavedView.workspace_id == workspace_id,
        or_(SavedView.owner_user_id.is_(None), SavedView.owner_user_id == user_id)))


def normalise_query(query: str) -> str:
    """The view's query string as the inbox would write it; raises ActionError for an invalid filter."""
    try:
        return InboxFilter.from_query_string(query).query_string()
    except FilterError as exc:
        raise ActionError(exc.message, field="query") from None


def _name(name: str) -> str:
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ActionError("name: must not be empty", field="name")
    return name


def _view(tx: Tx, view_id: int) -> SavedView:
    view = tx.session.scalar(select(SavedView).where(SavedView.id == view_id,
                                                     SavedView.workspace_id == tx.actor.workspace_id))
    if view is None or (view.owner_user_id is not None and view.owner_user_id != tx.actor.user_id):
        raise NotFound("no such saved view")
    if view.owner_user_id is None and not tx.actor.role.at_least(Role.manager):
        raise Forbidden("changing a shared view needs the manager role")
    return view


def do_create_view(rt: Runtime, actor: Actor, name: str, query: str, *, shared: bool = False) -> SavedView:
    actor.require(Role.analyst)
    if shared:
        actor.require(Role.manager)
    elif actor.user_id is None:
        raise ActionError("a personal view needs a signed-in teammate")
    name, query = _name(name), normalise_query(query)
    with transaction(rt, actor) as tx:
        owner = None if shared else actor.user_id
        mine = SavedView.owner_user_id.is_(None) if shared else SavedView.owner_user_id == owner
        n, last = tx.session.execute(select(func.count(), func.max(SavedView.position)).where(
            SavedView.workspace_id == actor.workspace_id, mine)).one()
        if n >= MAX_VIEWS:
            raise ActionError(f"at most {MAX_VIEWS} views; delete one first")
        view = SavedView(workspace_id=actor.workspace_id, owner_user_id=owner, name=name, query=query,
                         position=(last or 0) + 1)
        tx.session.add(view)
        tx.audit("saved_view.create", view, f"{'Shared' if shared else 'Personal'} inbox view {name}",
                 {"name": [None, name], "query": [None, query]})
        tx.emit("saved_view.changed", {"id": view.id, "shared": shared})
    return view


def do_update_view(rt: Runtime, actor: Actor, view_id: int, *, name: str | None = None,
                   query: str | None = None) -> SavedView:
    actor.require(Role.analyst)
    values = {}
    if name is not None:
        values["name"] = _name(name)
    if query is not None:
        values["query"] = normalise_query(query)
    with transaction(rt, actor) as tx:
        view = _view(tx, view_id)
        diff = changed(view, **values)
        if diff:
            tx.audit("saved_view.update", view, f"Inbox view {view.name}: {', '.join(diff)}", diff)
            tx.emit("saved_view.changed", {"id": view.id, "shared": view.owner_user_id is None})
    return view


def do_delete_view(rt: Runtime, actor: Actor, view_id: int) -> None:
    actor.require(Role.analyst)
    with transaction(rt, actor) as tx:
        view = _view(tx, view_id)
        tx.audit("saved_view.delete", view, f"Deleted inbox view {view.name}", {"name": [view.name, None]})
        tx.session.delete(view)
        tx.emit("saved_view.changed", {"id": view_id, "shared": view.owner_user_id is None})
