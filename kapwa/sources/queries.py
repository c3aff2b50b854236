"""Reads for connected sources."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kapwa.core.models import Identity, Message, Source


def sources_with_counts(s: Session, workspace_id: int) -> list[tuple[Source, int, int]]:
    msg_counts = dict(
        s.execute(
            select(Message.source_id, func.count()).where(Message.workspace_id == workspace_id).group_by(Message.source_id)
        ).all()
    )
    ident_counts = dict(
        s.execute(
            select(Identity.source_id, func.count())
            .join(Source, Source.id == Identity.source_id)
            .where(Source.workspace_id == workspace_id)
            .group_by(Identity.source_id)
        ).all()
    )
    rows = s.scalars(select(Source).where(Source.workspace_id == workspace_id).order_by(Source.name))
    return [(src, msg_counts.get(src.id, 0), ident_counts.get(src.id, 0)) for src in rows]


def source(s: Session, workspace_id: int, source_id: int) -> Source | None:
    return s.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.id == source_id))
