"""Route roles for teammate notifications: every signed-in teammate has their own."""

from kapwa.core.models import Role

POLICY = {
    ("GET", "/notifications"): Role.analyst,
    ("GET", "/notifications/{notification_id}/open"): Role.analyst,
    ("POST", "/notifications/read"): Role.analyst,
    ("GET", "/api/v1/notifications"): Role.analyst,
    ("POST", "/api/v1/notifications/read"): Role.analyst,
}
