"""Route roles for the member profile (the older member routes stay in tests/web/test_roles.py)."""

from kapwa.core.models import Role

POLICY = {
    ("GET", "/members/{member_id}/timeline"): Role.analyst,
    ("GET", "/api/v1/members/{member_id}/timeline"): Role.analyst,
    ("POST", "/members/{member_id}/notes/{note_id}/delete"): Role.moderator,
}
