"""Inbox routes: analysts read; moderators change status, assign, tag and act in bulk; anyone signed in keeps
personal saved views (sharing one needs a manager, which the action checks)."""

from kapwa.core.models import Role

POLICY = {
    ("GET", "/inbox"): Role.analyst,
    ("POST", "/inbox/bulk"): Role.moderator,
    ("POST", "/inbox/views"): Role.analyst,
    ("POST", "/inbox/views/{view_id}"): Role.analyst,
    ("POST", "/inbox/views/{view_id}/delete"): Role.analyst,
    ("POST", "/sources/{source_id}/auto-assign"): Role.manager,
    ("GET", "/api/v1/inbox"): Role.analyst,
    ("POST", "/api/v1/inbox/bulk"): Role.moderator,
    ("GET", "/api/v1/inbox/views"): Role.analyst,
    ("POST", "/api/v1/inbox/views"): Role.analyst,
    ("PATCH", "/api/v1/inbox/views/{view_id}"): Role.analyst,
    ("DELETE", "/api/v1/inbox/views/{view_id}"): Role.analyst,
}
