"""message replies: the message a message replies to, by its seq in the same conversation

`message.reply_to_seq` (NULL: not a reply). No foreign key: a message's place is
(conversation, seq), and a reply names a message of its own conversation. Plain ADD
COLUMN, as 0016: SQLite keeps `message` and the search index's triggers (0014).

Revision ID: 6e3b9d2f7a18
Revises: 2d7f4a1c6e95
Create Date: 2026-12-06 15:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '6e3b9d2f7a18'
down_revision: Union[str, Sequence[str], None] = '2d7f4a1c6e95'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('message', sa.Column('reply_to_seq', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Plain DROP COLUMN (SQLite 3.35+): a rebuilt `message` table would lose the search
    # index's triggers.
    op.drop_column('message', 'reply_to_seq')
