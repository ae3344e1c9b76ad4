"""a departed member's group name: the one the group had when they left

`conversationmember.name_when_left`, written when a member leaves or is removed and cleared
when they join again: their list, header, search and export name the group as they last
saw it, not by a rename made after they left. Members who left before this revision have
none and see the group's name as it is now, as before.

Revision ID: 4b8d2e6f1a37
Revises: 9c4e7a1b5d23
Create Date: 2026-12-07 02:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '4b8d2e6f1a37'
down_revision: Union[str, Sequence[str], None] = '9c4e7a1b5d23'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        'conversationmember', sa.Column('name_when_left', sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('conversationmember', 'name_when_left')
