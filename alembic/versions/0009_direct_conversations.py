"""direct conversations: every friendship has its conversation

From now on accepting a friend request creates the pair's conversation in the same
transaction (chat_app/services/friends.py), so the UI names a conversation by its id
alone. Friendships made before had one only once a message was sent: this creates the
missing ones (no schema change). It only adds what is missing, so it can run again.
The downgrade keeps them: the code before this revision reuses a pair's conversation.

Revision ID: 354ae6a1e856
Revises: 3c7e2a91b5d4
Create Date: 2026-12-02 06:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '354ae6a1e856'
down_revision: Union[str, Sequence[str], None] = '3c7e2a91b5d4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create the conversation of every friendship that has none."""
    op.execute(
        sa.text(
            "INSERT INTO conversation (user_low_id, user_high_id, last_seq, created_at)"
            " SELECT f.user_low_id, f.user_high_id, 0, f.created_at FROM friendship f"
            " WHERE NOT EXISTS (SELECT 1 FROM conversation c"
            " WHERE c.user_low_id = f.user_low_id AND c.user_high_id = f.user_high_id)"
        )
    )


def downgrade() -> None:
    """Keep the conversations: the earlier code reuses a pair's conversation."""
