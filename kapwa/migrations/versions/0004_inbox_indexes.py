"""inbox indexes: the first page of /inbox under any filter at a million messages (bench/inbox.py)

* ``ix_conversations_inbox`` replaces ``ix_conversations_ws_status_priority`` (its first three columns): the
  status range in priority order, then every column an inbox filter reads, so a filter is checked on the
  index entry without reading the conversation row. ``id`` is spelled out after ``priority_score`` so the
  entries within a status are in the inbox's order (priority, then id) and a page stops early.
* ``ix_conversations_ws_priority``: all conversations in priority order with their status, for PostgreSQL's
  default inbox (it cannot merge the three "needs attention" ranges of the index above in order).
* ``ix_conversation_tags_tag_id``: the conversations with a tag (the primary key starts with the conversation).
* ``ix_members_ws_segment`` / ``_ws_level`` / ``_ws_vip``: the members of a segment, a level or the VIPs, for the
  member filters (read once as a list of ids, in id order).
* ``ix_messages_id_conversation``: the conversations of full-text hits on SQLite (FTS5 gives message ids; this
  reads their conversation from a narrow index instead of each message's row).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:05:00.000000
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INBOX_COLUMNS = ['workspace_id', 'status', 'priority_score', 'id', 'source_id', 'assignee_id', 'language',
                 'is_taglish', 'sentiment_label', 'intent', 'needs_answer', 'toxicity_score', 'started_by_member_id',
                 'last_message_at', 'last_inbound_at']


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_ws_status_priority')
        batch_op.create_index('ix_conversations_inbox', INBOX_COLUMNS, unique=False)
        batch_op.create_index('ix_conversations_ws_priority', ['workspace_id', 'priority_score', 'id', 'status'],
                              unique=False)
    with op.batch_alter_table('conversation_tags', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_tags_tag_id', ['tag_id', 'conversation_id'], unique=False)
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index('ix_members_ws_segment', ['workspace_id', 'segment'], unique=False)
        batch_op.create_index('ix_members_ws_level', ['workspace_id', 'level'], unique=False)
        batch_op.create_index('ix_members_ws_vip', ['workspace_id', 'is_vip'], unique=False)
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_id_conversation', ['id', 'conversation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_id_conversation')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index('ix_members_ws_vip')
        batch_op.drop_index('ix_members_ws_level')
        batch_op.drop_index('ix_members_ws_segment')
    with op.batch_alter_table('conversation_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_tags_tag_id')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_ws_priority')
        batch_op.drop_index('ix_conversations_inbox')
        batch_op.create_index('ix_conversations_ws_status_priority', ['workspace_id', 'status', 'priority_score'],
                              unique=False)
