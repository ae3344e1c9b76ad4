"""login policy and registration limit: failures of logged-in devices, registrations per address

`loginfailure.device` holds the session-token hash of a device that was already logged in
as the user when its password check failed (it is throttled on its own count);
`registrationrecord` counts accounts created per client address within the hour.

Revision ID: 74ba0491febe
Revises: fb5a8cc4ac8d
Create Date: 2026-12-02 02:57:48.744801

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = '74ba0491febe'
down_revision: Union[str, Sequence[str], None] = 'fb5a8cc4ac8d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('registrationrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registrationrecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrationrecord_client_address'), ['client_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrationrecord_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('loginfailure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sqlmodel.sql.sqltypes.AutoString(length=64), server_default="", nullable=False))
        batch_op.create_index(batch_op.f('ix_loginfailure_device'), ['device'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('loginfailure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginfailure_device'))
        batch_op.drop_column('device')

    with op.batch_alter_table('registrationrecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrationrecord_created_at'))
        batch_op.drop_index(batch_op.f('ix_registrationrecord_client_address'))

    op.drop_table('registrationrecord')
