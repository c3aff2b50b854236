"""Service levels: everyone reads the targets and the unanswered queue; managers change policies."""

from kapwa.core.models import Role

POLICY = {
    ("GET", "/settings/service-levels"): Role.analyst,
    ("POST", "/settings/service-levels"): Role.manager,
    ("POST", "/settings/service-levels/{policy_id}/delete"): Role.manager,
    ("GET", "/inbox/unanswered"): Role.analyst,
}
