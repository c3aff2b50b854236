"""All of Kapwa's tables. Import models from here."""

from kapwa.core.models.analysis import LabelCorrection
from kapwa.core.models.base import Base, utcnow
from kapwa.core.models.community import (
    PLATFORMS,
    Activity,
    ActivityType,
    Identity,
    Member,
    MemberMerge,
    Source,
    SourceHealth,
)
from kapwa.core.models.conversations import (
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    Note,
    Priority,
    Tag,
    Task,
    conversation_tags,
    member_tags,
)
from kapwa.core.models.desk import (
    Notification,
    Reply,
    ReplyEvent,
    ReplyStatus,
    SavedReply,
    SavedView,
    SlaPolicy,
)
from kapwa.core.models.team import ApiToken, AuditEntry, LoginAttempt, Role, User, UserSession, Workspace

__all__ = [
    "PLATFORMS", "Activity", "ActivityType", "ApiToken", "AuditEntry", "Base", "Conversation",
    "ConversationStatus", "Identity", "LabelCorrection", "LoginAttempt", "Member", "MemberMerge", "Message",
    "MessageKind", "Note", "Notification", "Priority", "Reply", "ReplyEvent", "ReplyStatus", "Role", "SavedReply",
    "SavedView", "SlaPolicy", "Source", "SourceHealth", "Tag", "Task", "User", "UserSession", "Workspace",
    "conversation_tags", "member_tags", "utcnow",
]
