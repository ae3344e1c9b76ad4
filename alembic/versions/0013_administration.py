"""administration: roles, disabled and deleted accounts, invites, password resets, audit

Every existing user is a plain user (no administrator yet: the server then offers its setup
code, or the command-line tool makes one). Sessions remember the client's address for the
list of devices. New tables: run-time settings (registration mode), the administrators'
audit log, invites, password resets and the wrong-token counter that throttles guessing.

Revision ID: 7a3c9e1d4b20
Revises: ffed8df9b355
Create Date: 2026-12-03 11:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = '7a3c9e1d4b20'
down_revision: Union[str, Sequence[str], None] = 'ffed8df9b355'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'role', sqlmodel.sql.sqltypes.AutoString(length=8), server_default='user', nullable=False
            )
        )
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'client_address',
                sqlmodel.sql.sqltypes.AutoString(length=64),
                server_default='',
                nullable=False,
            )
        )
    op.create_table(
        'instancesetting',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_table(
        'auditentry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('target_user_id', sa.Integer(), nullable=True),
        sa.Column('target_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['target_user_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_auditentry_created_at', 'auditentry', ['created_at'])
    op.create_table(
        'invite',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('creator_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('max_uses', sa.Integer(), nullable=False),
        sa.Column('used_count', sa.Integer(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['creator_id'], ['user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_invite_token_hash', 'invite', ['token_hash'], unique=True)
    op.create_index('ix_invite_creator_id', 'invite', ['creator_id'])
    op.create_index('ix_invite_conversation_id', 'invite', ['conversation_id'])
    op.create_table(
        'passwordreset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_passwordreset_token_hash', 'passwordreset', ['token_hash'], unique=True)
    op.create_index('ix_passwordreset_user_id', 'passwordreset', ['user_id'])
    op.create_table(
        'tokenguess',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_tokenguess_address_created', 'tokenguess', ['client_address', 'created_at']
    )
    op.create_index('ix_tokenguess_created_at', 'tokenguess', ['created_at'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('tokenguess')
    op.drop_table('passwordreset')
    op.drop_table('invite')
    op.drop_table('auditentry')
    op.drop_table('instancesetting')
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.drop_column('client_address')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('role')
