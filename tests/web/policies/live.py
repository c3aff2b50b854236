"""Live updates and collision detection (kapwa/inbox/live.py): every teammate sees them."""

from kapwa.core.models import Role

POLICY = {
    ("GET", "/events"): Role.analyst,
    ("GET", "/live/config"): Role.analyst,
    ("POST", "/conversations/{conversation_id}/presence"): Role.analyst,
}
