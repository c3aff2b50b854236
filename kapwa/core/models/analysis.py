"""Human corrections of the analysis labels on messages, and the label vocabularies they use.

A correction updates the message at once (so filters and the page agree with the person who corrected it) and
keeps a row here with the old and new value: the training data for the next model run
(``GET /api/v1/label-corrections``).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kapwa.core.models.base import Base, BigId, IdMixin, TimestampMixin
from kapwa.core.models.conversations import Message
from kapwa.core.models.team import User

# What the analysis may write, and what a person may correct a label to.
SENTIMENT_LABELS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "praise", "feature_request", "bug_report", "spam", "other")
# Language as filtered and corrected: English, Tagalog, or Taglish (code-switching; Message.is_taglish).
LANGUAGES = ("en", "tl", "taglish")
TAGALOG_CODES = ("tl", "fil")
# A message counts as toxic from this toxicity_score on (filters, the "toxic" label and its correction).
TOXIC_AT = 0.5
# The conversation page shows the toxicity score and categories from this score on.
TOXICITY_SHOWN_AT = 0.3

# field name -> the values it may be corrected to.
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "sentiment_label": SENTIMENT_LABELS,
    "toxic": ("yes", "no"),
    "intent": INTENTS,
    "language": LANGUAGES,
}


class LabelCorrection(IdMixin, TimestampMixin, Base):
    """One field of one message, corrected by a teammate: what the analysis said and what it should be."""

    __tablename__ = "label_corrections"
    __table_args__ = (Index("ix_label_corrections_ws_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigId, ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str | None] = mapped_column(String(60))
    new_value: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    message: Mapped[Message] = relationship()
    user: Mapped[User | None] = relationship()
