"""message edits: when a message's sender last changed its text

`message.edited_at`; an edit is numbered as every change to a message is (0015's
`last_change_seq` / `change_seq`). Plain ADD COLUMN: SQLite does not rebuild `message`, so
the search index's triggers (0014) stay, and they re-index an edited body.

Revision ID: 8b1e6d3a9c40
Revises: 5c2a9f4e8d17
Create Date: 2026-12-06 13:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '8b1e6d3a9c40'
down_revision: Union[str, Sequence[str], None] = '5c2a9f4e8d17'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('message', sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Plain DROP COLUMN (SQLite 3.35+): a rebuilt `message` table would lose the search
    # index's triggers.
    op.drop_column('message', 'edited_at')
