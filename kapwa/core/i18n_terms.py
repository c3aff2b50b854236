"""UI strings that reach `_()` only at run time, marked here so `pybabel extract` puts them in the catalogue.

Templates translate some values dynamically, e.g. `{{ _(c.status) }}`, `{{ _(viewer.user.role) }}` or
`{{ _(flash[1]) }}`; the extractor cannot see those. Every value that can arrive there is listed below
with `N_()`, which only marks a string and returns it unchanged.

When you add an enum value, a flash message (`redirect(url, "Message")`) or an `ActionError` message meant
for people, add it here too, then run `scripts/i18n.sh extract update`, translate the new entries in
kapwa/locale/fil/LC_MESSAGES/messages.po and run `scripts/i18n.sh compile`.

Messages built with f-strings cannot be looked up in the catalogue; only the ones whose every possible
value is known (e.g. a fixed minimum length, or one of the four roles) are listed here, rendered.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction without translating it."""
    return message


# Conversation status (ConversationStatus).
CONVERSATION_STATUSES = [N_("new"), N_("open"), N_("pending"), N_("resolved"), N_("spam")]

# Conversation priority (Priority).
PRIORITIES = [N_("low"), N_("normal"), N_("high"), N_("urgent")]

# Team roles (Role).
ROLES = [N_("owner"), N_("manager"), N_("moderator"), N_("analyst")]

# Source health (SourceHealth); "new" is shared with the conversation status.
SOURCE_HEALTH = [N_("new"), N_("ok"), N_("degraded"), N_("failing"), N_("paused")]

# Member activity types (ActivityType).
ACTIVITY_TYPES = [
    N_("joined"), N_("left"), N_("posted"), N_("replied"), N_("reacted"),
    N_("attended"), N_("starred"), N_("contributed"), N_("mentioned"),
]

# Message kinds (MessageKind).
MESSAGE_KINDS = [N_("post"), N_("comment"), N_("reply"), N_("direct"), N_("mention")]

# Message analysis: sentiment labels, and the intents the analysis may tag a message with.
SENTIMENT_LABELS = [N_("positive"), N_("negative"), N_("neutral"), N_("mixed")]
INTENTS = [
    N_("question"), N_("complaint"), N_("praise"), N_("feedback"), N_("request"),
    N_("bug report"), N_("feature request"), N_("other"),
]
# Intent values as stored (kapwa.core.models.analysis.INTENTS; "spam" is shared with the conversation status).
# Templates name them through conversations/_labels.html, but the raw values are listed too in case one reaches
# `_()` as it is.
INTENT_VALUES = [
    N_("question"), N_("complaint"), N_("praise"), N_("feature_request"), N_("bug_report"), N_("spam"),
    N_("other"),
]

# Flash messages after a form post (kapwa/*/views.py).
FLASH_MESSAGES = [
    N_("Saved"),
    N_("Note added"),
    N_("Task added"),
    N_("Password changed"),
    N_("Token revoked"),
    N_("Source removed"),
    N_("Labels corrected"),  # kapwa/inbox/views.py, correct_labels
    N_("Nothing to change"),  # kapwa/inbox/views.py, correct_labels
]

# ActionError messages shown on forms and on the login page.
ACTION_ERRORS = [
    N_("wrong e-mail or password"),
    N_("too many failed logins; wait a few minutes and try again"),
    N_("email: not an e-mail address"),
    N_("name: must not be empty"),
    N_("locale: must be en or fil"),
    N_("the workspace must keep at least one active owner"),
    N_("current password: does not match"),
    N_("password must be at least 10 characters"),  # kapwa.core.security.password_problem
    N_("name: give the token a name, e.g. the script that uses it"),
    N_("credentials: must be a JSON object"),
    N_("display_name: must not be empty"),
    N_("tag: must not be empty"),
    N_("note: must not be empty"),
    N_("task: must not be empty"),
    N_("assignee: no such active teammate"),
    N_("no such conversation"),
    N_("no such member"),
    N_("no such teammate"),
    N_("no such API token"),
    N_("no such source"),
    N_("no such task"),
    N_("no such message"),  # kapwa/inbox/corrections.py
    # Actor.require (kapwa.core.actions), one per role that can be required.
    N_("this needs the moderator role"),
    N_("this needs the manager role"),
    N_("this needs the owner role"),
]

# HTTP errors shown on the error page (kapwa/web/auth.py).
HTTP_ERRORS = [
    N_("sign in first"),
    N_("CSRF check failed: reload the page and try again"),
    N_("invalid or revoked API token"),
    N_("this page needs the moderator role or higher"),
    N_("this page needs the manager role or higher"),
    N_("this page needs the owner role or higher"),
]

# Connector errors with a fixed text (kapwa/connectors/*). Connectors raise their own NotFound, so the
# message scan in tests/core/test_i18n.py finds these too; they can reach people as a source's last error
# or a connection-test result.
CONNECTOR_ERRORS = [
    N_("Bluesky no longer has the post this replies to (deleted or hidden)."),  # kapwa/connectors/bluesky.py
    N_("Reddit has no such subreddit (it redirected to search): check the names"),  # kapwa/connectors/reddit.py
]

# The desk (issue #5): flash messages and action errors raised with a fixed text.
DESK_MESSAGES = [
    N_("Marked as read"),  # kapwa/team/notification_views.py
    N_("Marked as unread"),  # kapwa/team/notification_views.py
    N_("Note deleted"),  # kapwa/members/views.py
    N_("That notification is gone."),  # kapwa/team/notification_views.py
    N_("Updated 1 conversation"),  # kapwa/inbox/inbox_views.py
    N_("View deleted"),  # kapwa/inbox/inbox_views.py
    N_("View saved"),  # kapwa/inbox/inbox_views.py
    N_("a personal view needs a signed-in teammate"),  # kapwa/inbox/saved_views.py
    N_("a reply is approved by someone other than its author"),  # kapwa/inbox/replies/actions.py
    N_("assignee: must be me, none or a teammate id"),  # kapwa/inbox/bulk.py
    N_("assignee: not an active teammate"),  # kapwa/members/actions.py
    N_("auto-assign: only active teammates can take turns"),  # kapwa/sources/actions.py
    N_("body: at most 5,000 characters"),  # kapwa/inbox/replies/saved.py
    N_("body: must not be empty"),  # kapwa/inbox/replies/saved.py
    N_("body: the reply is empty"),  # kapwa/inbox/replies/actions.py
    N_("changing a shared view needs the manager role"),  # kapwa/inbox/saved_views.py
    N_("due: needs a time zone"),  # kapwa/members/actions.py
    N_("due: not a date (YYYY-MM-DD)"),  # kapwa/members/views.py
    N_("idempotency_key: already used for another reply"),  # kapwa/inbox/replies/actions.py
    N_("ids: must be conversation ids"),  # kapwa/inbox/inbox_views.py
    N_("in_reply_to_id: no such message in this conversation"),  # kapwa/inbox/replies/actions.py
    N_("mode: the workspace default cannot fall back to itself"),  # kapwa/inbox/sla_actions.py
    N_("no such note"),  # kapwa/members/actions.py
    N_("no such reply"),  # kapwa/inbox/replies/actions.py
    N_("no such saved reply"),  # kapwa/inbox/replies/saved.py
    N_("no such saved view"),  # kapwa/inbox/saved_views.py
    N_("no such service-level policy"),  # kapwa/inbox/sla_actions.py
    N_("only a reply whose send is unknown can be settled"),  # kapwa/inbox/replies/actions.py
    N_("only its author or a manager can change this saved reply"),  # kapwa/inbox/replies/saved.py
    N_("only its author or a manager can delete a note"),  # kapwa/members/actions.py
    N_("only its author or a manager can delete this saved reply"),  # kapwa/inbox/replies/saved.py
    N_("only the author can submit this draft"),  # kapwa/inbox/replies/actions.py
    N_("only the author or a reviewer can edit this reply"),  # kapwa/inbox/replies/actions.py
    N_("outcome: must be sent or resend"),  # kapwa/inbox/replies/actions.py
    N_("reason: say why, so the author can fix it"),  # kapwa/inbox/replies/actions.py
    N_("select at least one conversation"),  # kapwa/inbox/bulk.py
    N_("shortcut: letters, digits, - and _ only"),  # kapwa/inbox/replies/saved.py
    N_("source: no such source"),  # kapwa/inbox/sla_actions.py
    N_("url: must be an http(s) link to the message on the platform"),  # kapwa/inbox/replies/actions.py
    N_("withdraw your own reply with Cancel instead"),  # kapwa/inbox/replies/actions.py
    # Units on the service-level settings page (kapwa/web/templates/sla/settings.html).
    N_("minutes"),
    N_("hours"),
    N_("days"),
]
