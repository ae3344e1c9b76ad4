"""message deletion: a message deleted for everyone, and the changes a tab catches up on

`message.deleted_at` and `message.change_seq`; `conversation.last_change_seq` numbers the
changes to stored messages as `last_seq` numbers the messages (ARCHITECTURE §4). Plain
ADD COLUMN on both engines: SQLite does not rebuild `message`, so the search index's
triggers (0014) stay.

Revision ID: 5c2a9f4e8d17
Revises: 3e8b5d1c7f62
Create Date: 2026-12-06 12:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '5c2a9f4e8d17'
down_revision: Union[str, Sequence[str], None] = '3e8b5d1c7f62'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        'conversation',
        sa.Column('last_change_seq', sa.Integer(), server_default='0', nullable=False),
    )
    op.add_column('message', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'message', sa.Column('change_seq', sa.Integer(), server_default='0', nullable=False)
    )
    # Partial: a new message (change_seq 0) costs its insert nothing in this index.
    op.create_index(
        'ix_message_conversation_change',
        'message',
        ['conversation_id', 'change_seq'],
        sqlite_where=sa.text('change_seq > 0'),
        postgresql_where=sa.text('change_seq > 0'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_message_conversation_change', table_name='message')
    # Plain DROP COLUMN (SQLite 3.35+): a rebuilt `message` table would lose the search
    # index's triggers.
    op.drop_column('message', 'change_seq')
    op.drop_column('message', 'deleted_at')
    op.drop_column('conversation', 'last_change_seq')
