"""chats pinned to the top of a member's list

`conversationmember.pinned`, set by "Pin to top" on a conversation: the member's chat list
shows pinned conversations above the others, each part newest activity first. Every
existing membership starts unpinned.

Revision ID: 7e2c5a9d3f18
Revises: 4b8d2e6f1a37
Create Date: 2026-12-07 10:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '7e2c5a9d3f18'
down_revision: Union[str, Sequence[str], None] = '4b8d2e6f1a37'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('conversationmember') as batch:
        batch.add_column(
            sa.Column('pinned', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('conversationmember') as batch:
        batch.drop_column('pinned')
