"""label corrections: teammates' corrections of message analysis labels

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import kapwa.core.models.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('label_corrections',
    sa.Column('workspace_id', BigId, nullable=False),
    sa.Column('message_id', BigId, nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('old_value', sa.String(length=60), nullable=True),
    sa.Column('new_value', sa.String(length=60), nullable=False),
    sa.Column('user_id', BigId, nullable=True),
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('created_at', kapwa.core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_label_corrections_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_label_corrections_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_label_corrections_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_corrections'))
    )
    with op.batch_alter_table('label_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_corrections_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_label_corrections_ws_created', ['workspace_id', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('label_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_label_corrections_ws_created')
        batch_op.drop_index(batch_op.f('ix_label_corrections_message_id'))

    op.drop_table('label_corrections')
