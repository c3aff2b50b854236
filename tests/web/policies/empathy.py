"""Empathy check and suggested answers (kapwa/inbox/empathy_views.py): checking a reply is for those who can
reply; reading suggestions is for everyone on the team."""

from kapwa.core.models import Role

POLICY = {
    ("POST", "/conversations/{conversation_id}/empathy-check"): Role.moderator,
    ("POST", "/api/v1/empathy-check"): Role.moderator,
    ("GET", "/api/v1/conversations/{conversation_id}/suggestions"): Role.analyst,
}
