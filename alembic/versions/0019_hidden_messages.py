"""hidden messages: a message one member deleted for themselves only

`hiddenmessage` (user, conversation, seq), unique per triple: a page, a search and an
export leave a user's hidden messages out by that key alone (its unique index leads with
the user), and the rows go with the user or the conversation.

Revision ID: 9c4e7a1b5d23
Revises: 6e3b9d2f7a18
Create Date: 2026-12-06 16:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '9c4e7a1b5d23'
down_revision: Union[str, Sequence[str], None] = '6e3b9d2f7a18'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'hiddenmessage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'conversation_id', 'seq'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('hiddenmessage')
