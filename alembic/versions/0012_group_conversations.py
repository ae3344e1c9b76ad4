"""group conversations: a conversation's kind and members, mentions

A conversation is `direct` (a pair of friends, as before) or a `group` (no pair: a name, an
optional avatar and its creator), and who may read and write either kind is in
`conversationmember`. Every existing conversation becomes `direct` with its two members,
joined when it was created and from its first message on. Where the pair are no longer
friends both members have left, now, at the conversation's last message: nothing could be
sent after the unfriending, so they keep reading the whole history, as before.

SQLite cannot make a column nullable in place, so `conversation` is copied into a new table
(batch mode). The copy keeps every row and id; it must run with foreign keys off, as
Alembic's own connection has them (dropping the old table with them on would delete every
message, cursor and file through ON DELETE CASCADE), so an SQLite connection that has them
on is refused before anything changes.

The downgrade deletes the groups first (the old schema cannot hold a conversation without a
pair), with their messages, read cursors and files. The files' bytes stay in storage,
unreferenced.

Revision ID: ffed8df9b355
Revises: 5c1d2e7a9b40
Create Date: 2026-12-03 06:00:00.000000

"""
from datetime import UTC, datetime
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = 'ffed8df9b355'
down_revision: Union[str, Sequence[str], None] = '5c1d2e7a9b40'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CREATOR_FK = 'fk_conversation_creator_id_user'

# Just the columns the data steps touch, as they are at this revision.
conversation = sa.table(
    'conversation',
    sa.column('id', sa.Integer()),
    sa.column('kind', sa.String()),
    sa.column('user_low_id', sa.Integer()),
    sa.column('user_high_id', sa.Integer()),
    sa.column('last_seq', sa.Integer()),
    sa.column('created_at', sa.DateTime(timezone=True)),
)
friendship = sa.table(
    'friendship', sa.column('user_low_id', sa.Integer()), sa.column('user_high_id', sa.Integer())
)
member = sa.table(
    'conversationmember',
    sa.column('conversation_id', sa.Integer()),
    sa.column('user_id', sa.Integer()),
    sa.column('role', sa.String()),
    sa.column('joined_at', sa.DateTime(timezone=True)),
    sa.column('joined_seq', sa.Integer()),
    sa.column('left_at', sa.DateTime(timezone=True)),
    sa.column('left_seq', sa.Integer()),
    sa.column('muted', sa.Boolean()),
    sa.column('hidden', sa.Boolean()),
)
message = sa.table('message', sa.column('id', sa.Integer()), sa.column('conversation_id', sa.Integer()))
readcursor = sa.table('readcursor', sa.column('conversation_id', sa.Integer()))
storedfile = sa.table('storedfile', sa.column('conversation_id', sa.Integer()))


def _refuse_sqlite_foreign_keys() -> None:
    """Stop before the table copy if this SQLite connection enforces foreign keys."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError(
            'migration 0012 copies the conversation table: run it with SQLite foreign keys'
            ' off (as `reflex db migrate` and alembic do), or dropping the old table deletes'
            ' every message'
        )


def _now() -> datetime:
    """The current time as this database stores it (SQLite: naive UTC, as the app writes)."""
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if op.get_bind().dialect.name == 'sqlite' else now


def _backfill_direct_members() -> None:
    """Both people of every conversation become members; ex-friends have left at its end."""
    friends = sa.exists().where(
        friendship.c.user_low_id == conversation.c.user_low_id,
        friendship.c.user_high_id == conversation.c.user_high_id,
    )
    now = sa.bindparam('now', _now(), type_=sa.DateTime(timezone=True))
    for side in (conversation.c.user_low_id, conversation.c.user_high_id):
        rows = sa.select(
            conversation.c.id,
            side,
            sa.literal('member'),
            conversation.c.created_at,
            sa.literal(0),
            sa.case((friends, sa.null()), else_=now),
            sa.case((friends, sa.null()), else_=conversation.c.last_seq),
            sa.false(),
            sa.false(),
        )
        columns = [
            'conversation_id', 'user_id', 'role', 'joined_at', 'joined_seq', 'left_at',
            'left_seq', 'muted', 'hidden',
        ]
        op.execute(member.insert().from_select(columns, rows))


def upgrade() -> None:
    """Upgrade schema."""
    _refuse_sqlite_foreign_keys()
    op.create_table('conversationmember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('joined_seq', sa.Integer(), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_seq', sa.Integer(), nullable=True),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'user_id')
    )
    with op.batch_alter_table('conversationmember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversationmember_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index('ix_conversationmember_user_left', ['user_id', 'left_at'], unique=False)

    op.create_table('mention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'user_id')
    )
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mention_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mention_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        # Every conversation so far is a pair's.
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), server_default='direct', nullable=False))
        batch_op.add_column(sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('avatar_file_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('creator_id', sa.Integer(), nullable=True))
        batch_op.alter_column('user_low_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column('user_high_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(CREATOR_FK, 'user', ['creator_id'], ['id'], ondelete='SET NULL')

    _backfill_direct_members()


def _delete_groups() -> None:
    """Delete the group conversations and what hangs off them (messages before their files)."""
    groups = sa.select(conversation.c.id).where(conversation.c.kind != 'direct')
    op.execute(message.delete().where(message.c.conversation_id.in_(groups)))
    op.execute(readcursor.delete().where(readcursor.c.conversation_id.in_(groups)))
    op.execute(storedfile.delete().where(storedfile.c.conversation_id.in_(groups)))
    op.execute(conversation.delete().where(conversation.c.kind != 'direct'))


def downgrade() -> None:
    """Downgrade schema."""
    _refuse_sqlite_foreign_keys()
    # Members and mentions go first, so nothing refers to the rows deleted next.
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mention_user_id'))
        batch_op.drop_index(batch_op.f('ix_mention_message_id'))

    op.drop_table('mention')
    with op.batch_alter_table('conversationmember', schema=None) as batch_op:
        batch_op.drop_index('ix_conversationmember_user_left')
        batch_op.drop_index(batch_op.f('ix_conversationmember_conversation_id'))

    op.drop_table('conversationmember')
    _delete_groups()

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_constraint(CREATOR_FK, type_='foreignkey')
        batch_op.alter_column('user_high_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column('user_low_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('creator_id')
        batch_op.drop_column('avatar_file_id')
        batch_op.drop_column('name')
        batch_op.drop_column('kind')
