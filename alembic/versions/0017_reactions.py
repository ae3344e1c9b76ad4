"""reactions: a member's quick emoji on a message

Revision ID: 2d7f4a1c6e95
Revises: 8b1e6d3a9c40
Create Date: 2026-12-06 13:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '2d7f4a1c6e95'
down_revision: Union[str, Sequence[str], None] = '8b1e6d3a9c40'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'reaction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('emoji', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id', 'user_id', 'emoji'),
    )
    op.create_index('ix_reaction_message_id', 'reaction', ['message_id'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_reaction_message_id', table_name='reaction')
    op.drop_table('reaction')
