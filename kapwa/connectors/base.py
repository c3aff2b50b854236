"""The connector Protocol and the one shape every inbound item takes.

Every connector and importer yields :class:`InboundItem` (messages) and :class:`InboundActivity`
(reactions, joins, attendance…) in :class:`Batch`es, each with the cursor that resumes *after* it.
The ingest pipeline stores a batch and its cursor in one transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable


class Capability(str, enum.Enum):
    read = "read"
    reply = "reply"
    publish = "publish"
    direct_message = "direct_message"
    moderate = "moderate"
    webhook = "webhook"


@dataclass
class InboundAuthor:
    platform_user_id: str
    handle: str | None = None
    display_name: str | None = None
    email: str | None = None
    email_verified: bool = False
    profile_url: str | None = None
    avatar_url: str | None = None
    is_bot: bool = False
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class InboundItem:
    """One message from a platform, already in Kapwa's terms."""

    platform_message_id: str
    created_at: dt.datetime
    text: str = ""
    author: InboundAuthor | None = None
    kind: str = "post"  # post / comment / reply / direct / mention
    direction: str = "inbound"  # outbound: written by the brand's own account
    thread_id: str | None = None  # platform thread; None → the parent's thread, or a new one
    parent_id: str | None = None  # platform id of the message this replies to
    title: str | None = None
    channel: str | None = None
    url: str | None = None
    thread_url: str | None = None
    html: str | None = None
    is_direct: bool = False
    edited_at: dt.datetime | None = None
    deleted: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.platform_message_id:
            raise ValueError("platform_message_id: must not be empty")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at: must be timezone-aware")
        if self.kind not in ("post", "comment", "reply", "direct", "mention"):
            raise ValueError(f"kind: unknown message kind {self.kind!r}")
        if self.direction not in ("inbound", "outbound"):
            raise ValueError(f"direction: must be inbound or outbound, not {self.direction!r}")


@dataclass
class InboundActivity:
    """A typed event that is not a message: a reaction, a join, event attendance, a star…"""

    platform_activity_id: str
    type: str
    occurred_at: dt.datetime
    author: InboundAuthor
    title: str | None = None
    message_platform_id: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class Batch:
    items: list[InboundItem] = field(default_factory=list)
    activities: list[InboundActivity] = field(default_factory=list)
    cursor: str | None = None  # resumes after this batch; committed together with it


@dataclass
class Sent:
    """What the platform says about a message Kapwa sent through it."""

    platform_message_id: str
    url: str | None = None
    created_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class ConnectorError(Exception):
    """A failure, in plain words fit for the sources page."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class AuthError(ConnectorError):
    """Bad or expired credentials, or a missing scope: retrying will not help until a person acts."""

    transient = False


class RateLimited(ConnectorError):
    """The platform asked us to slow down; retry_after is in seconds."""


class Unreachable(ConnectorError):
    """Host not found, connection refused, timeout, 5xx."""


class NotSupported(ConnectorError):
    transient = False


@runtime_checkable
class Connector(Protocol):
    kind: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    def fetch(self, cursor: str | None) -> Iterator[Batch]:
        """Yield batches of items newer than ``cursor``, each with the cursor that resumes after it."""
        ...

    def test_connection(self) -> str:
        """Check credentials and reachability; return a short description or raise ConnectorError."""
        ...


class BaseConnector:
    """Convenience base: config and credentials in, 'not supported' for what the platform lacks."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.read})
    # Form fields shown when connecting: (name, label, secret?)
    fields: ClassVar[tuple[tuple[str, str, bool], ...]] = ()

    def __init__(self, config: dict[str, Any], credentials: dict[str, Any], *, settings=None):
        self.config = config or {}
        self.credentials = credentials or {}
        self.settings = settings

    def fetch(self, cursor: str | None) -> Iterator[Batch]:  # pragma: no cover - every connector overrides
        raise NotSupported(f"{self.label or self.kind} cannot read")

    def test_connection(self) -> str:  # pragma: no cover
        raise NotSupported("no connection test for this platform")

    def reply(self, thread_id: str | None, parent_id: str | None, text: str) -> Sent:
        raise NotSupported(f"{self.label or self.kind} does not support replies from Kapwa")

    def publish(self, text: str, *, channel: str | None = None, title: str | None = None) -> Sent:
        raise NotSupported(f"{self.label or self.kind} does not support publishing from Kapwa")

    def send_direct(self, platform_user_id: str, text: str) -> Sent:
        raise NotSupported(f"{self.label or self.kind} does not support direct messages from Kapwa")

    def moderate(self, platform_message_id: str, action: str, reason: str | None = None) -> None:
        raise NotSupported(f"{self.label or self.kind} does not support moderation from Kapwa")

    def close(self) -> None:
        pass
