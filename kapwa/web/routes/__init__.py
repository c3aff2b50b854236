"""Every router of the web UI and the REST API, in one list for the app factory and the role test."""

from __future__ import annotations

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    from kapwa.inbox import api as inbox_api
    from kapwa.inbox import empathy_views
    from kapwa.inbox import inbox_views as inbox_pages
    from kapwa.inbox import live as inbox_live
    from kapwa.inbox import sla_views as inbox_sla
    from kapwa.inbox import views as inbox_views
    from kapwa.inbox.replies import api as replies_api
    from kapwa.inbox.replies import saved_views as saved_replies_views
    from kapwa.inbox.replies import views as replies_views
    from kapwa.members import api as members_api
    from kapwa.members import merge_views
    from kapwa.members import views as members_views
    from kapwa.sources import api as sources_api
    from kapwa.sources import import_views, webhooks
    from kapwa.sources import views as sources_views
    from kapwa.team import api as team_api
    from kapwa.team import notification_views
    from kapwa.team import views as team_views
    from kapwa.web.routes import auth, home

    return [
        auth.router,
        home.router,
        inbox_sla.router,  # before the inbox routers: /inbox/unanswered is not an /inbox/{…} route
        inbox_views.router,
        inbox_live.router,
        inbox_pages.router,
        merge_views.router,  # before members_views: /members/merge-suggestions is not a member id
        members_views.router,
        sources_views.router,
        import_views.router,
        webhooks.router,
        team_views.router,
        inbox_api.router,
        empathy_views.router,
        empathy_views.api_router,
        merge_views.api_router,
        members_api.router,
        sources_api.router,
        team_api.router,
        replies_views.router,
        saved_replies_views.router,
        replies_api.router,
        notification_views.router,
        notification_views.api_router,
    ]
