"""relations: users found by search, rate-limited actions, read position shown to the other side

`founduser` remembers whom a user found by exact username (a relation that lets them act
on that id: chat_app/services/relations.py); `useraction` counts blocks, unblocks and
searches per user within the hour; `readcursor.shared_seq` is the read position the other
side of a conversation is shown, which stays put while either blocks the other. Existing
cursors start shared where they are.

Revision ID: 3c7e2a91b5d4
Revises: 74ba0491febe
Create Date: 2026-12-02 03:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = '3c7e2a91b5d4'
down_revision: Union[str, Sequence[str], None] = '74ba0491febe'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('founduser',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('viewer_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['viewer_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('viewer_id', 'user_id')
    )
    with op.batch_alter_table('founduser', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_founduser_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_founduser_viewer_id'), ['viewer_id'], unique=False)

    op.create_table('useraction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('useraction', schema=None) as batch_op:
        batch_op.create_index('ix_useraction_user_action', ['user_id', 'action', 'created_at'], unique=False)

    with op.batch_alter_table('readcursor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_seq', sa.Integer(), server_default='0', nullable=False))
    op.execute('UPDATE readcursor SET shared_seq = last_read_seq')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('readcursor', schema=None) as batch_op:
        batch_op.drop_column('shared_seq')

    with op.batch_alter_table('useraction', schema=None) as batch_op:
        batch_op.drop_index('ix_useraction_user_action')

    op.drop_table('useraction')
    with op.batch_alter_table('founduser', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_founduser_viewer_id'))
        batch_op.drop_index(batch_op.f('ix_founduser_user_id'))

    op.drop_table('founduser')
