"""Core statements of the per-message hot paths, built once and bound per call.

Building an ORM query and loading ORM objects cost more than the SQLite query itself: a
sent message took ~2.4 ms of CPU through the ORM (`make bench`, cProfile). These statements
run on the session's connection, in its transaction, with the columns' own types (so the
UTC timestamps are stored exactly as the ORM stores them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

# Importing the models registers their tables in SQLModel's metadata.
import chat_app.models  # noqa: F401

TABLES = SQLModel.metadata.tables
MESSAGE = TABLES["message"]
CONVERSATION = TABLES["conversation"]
FRIENDSHIP = TABLES["friendship"]
READ_CURSOR = TABLES["readcursor"]
AUTH_SESSION = TABLES["authsession"]
USER = TABLES["user"]
BLOCK = TABLES["block"]

# A sender's message by its client id: a retry finds the stored message with it.
STORED_MESSAGE = sa.select(
    MESSAGE.c.conversation_id,
    MESSAGE.c.seq,
    MESSAGE.c.sender_id,
    MESSAGE.c.client_id,
    MESSAGE.c.body,
    MESSAGE.c.created_at,
    MESSAGE.c.kind,
    MESSAGE.c.file_id,
).where(
    MESSAGE.c.sender_id == sa.bindparam("sender"),
    MESSAGE.c.client_id == sa.bindparam("client_id"),
)
# Which of a sender's client ids are stored (a tab's outbox after a reload or a restart).
STORED_TEXTS = sa.select(MESSAGE.c.client_id, MESSAGE.c.conversation_id, MESSAGE.c.body).where(
    MESSAGE.c.sender_id == sa.bindparam("sender"),
    MESSAGE.c.client_id.in_(sa.bindparam("client_ids", expanding=True)),
)
# The times of a sender's newest messages inside the rate window (pacing re-sends).
SENT_TIMES_SINCE = (
    sa.select(MESSAGE.c.created_at)
    .where(
        MESSAGE.c.sender_id == sa.bindparam("sender"), MESSAGE.c.created_at > sa.bindparam("since")
    )
    .order_by(MESSAGE.c.created_at.desc())
    .limit(sa.bindparam("limit"))
)
FRIENDSHIP_ID = sa.select(FRIENDSHIP.c.id).where(
    FRIENDSHIP.c.user_low_id == sa.bindparam("low"),
    FRIENDSHIP.c.user_high_id == sa.bindparam("high"),
)


def _blocks_either_way(
    a: sa.ColumnElement[int], b: sa.ColumnElement[int]
) -> sa.ColumnElement[bool]:
    """A block row by either of two users of the other."""
    return ((BLOCK.c.blocker_id == a) & (BLOCK.c.blocked_id == b)) | (
        (BLOCK.c.blocker_id == b) & (BLOCK.c.blocked_id == a)
    )


# Whether either of two users blocks the other (every read receipt asks).
BLOCK_BETWEEN = (
    sa.select(BLOCK.c.id).where(_blocks_either_way(sa.bindparam("a"), sa.bindparam("b"))).limit(1)
)
# How many messages a sender stored inside the rate window.
SENT_SINCE = (
    sa.select(sa.func.count())
    .select_from(MESSAGE)
    .where(
        MESSAGE.c.sender_id == sa.bindparam("sender"), MESSAGE.c.created_at > sa.bindparam("since")
    )
)
# A conversation, its newest seq and its members: by id (what the UI names), or by pair.
_CONVERSATION_REF = sa.select(
    CONVERSATION.c.id,
    CONVERSATION.c.last_seq,
    CONVERSATION.c.user_low_id,
    CONVERSATION.c.user_high_id,
)
CONVERSATION_BY_ID = _CONVERSATION_REF.where(CONVERSATION.c.id == sa.bindparam("conversation"))
CONVERSATION_OF_PAIR = _CONVERSATION_REF.where(
    CONVERSATION.c.user_low_id == sa.bindparam("low"),
    CONVERSATION.c.user_high_id == sa.bindparam("high"),
)
# Everything a send checks before it takes the lock, in one statement (each statement
# costs ~60 µs of the worker's CPU in SQLAlchemy, more than SQLite's own work): the
# conversation, the sender's messages inside the rate window, and whether the client id
# is stored already (a retry).
SEND_CHECKS = _CONVERSATION_REF.add_columns(
    SENT_SINCE.scalar_subquery().label("recent"),
    sa.exists()
    .where(
        MESSAGE.c.sender_id == sa.bindparam("sender"),
        MESSAGE.c.client_id == sa.bindparam("client_id"),
    )
    .label("stored"),
).where(CONVERSATION.c.id == sa.bindparam("conversation"))
# The two members of a direct conversation are friends (its pair is the friendship's).
# Named with their table: SQLAlchemy writes an UPDATE's RETURNING columns bare, and bare
# names inside the subquery would be the friendship's own.
_PAIR_ARE_FRIENDS = sa.exists().where(
    FRIENDSHIP.c.user_low_id == sa.literal_column(f"{CONVERSATION.name}.user_low_id"),
    FRIENDSHIP.c.user_high_id == sa.literal_column(f"{CONVERSATION.name}.user_high_id"),
)
# Takes the write lock (row lock on PostgreSQL) until commit: seqs follow commit order.
# Whether the two are still friends is read in the same statement, under that lock.
NEXT_SEQ = (
    sa.update(CONVERSATION)
    .where(CONVERSATION.c.id == sa.bindparam("conversation"))
    .values(
        last_seq=CONVERSATION.c.last_seq + 1,
        last_message_at=sa.bindparam("now", type_=CONVERSATION.c.last_message_at.type),
    )
    .returning(CONVERSATION.c.last_seq, _PAIR_ARE_FRIENDS.label("friends"))
)
INSERT_MESSAGE = sa.insert(MESSAGE)

# Where a user has read a conversation up to, and the position the other side is shown.
READ_POSITIONS = sa.select(READ_CURSOR.c.last_read_seq, READ_CURSOR.c.shared_seq).where(
    READ_CURSOR.c.user_id == sa.bindparam("user"),
    READ_CURSOR.c.conversation_id == sa.bindparam("conversation"),
)
INSERT_READ_CURSOR = sa.insert(READ_CURSOR)
MOVE_READ_CURSOR = (
    sa.update(READ_CURSOR)
    .where(
        READ_CURSOR.c.user_id == sa.bindparam("user"),
        READ_CURSOR.c.conversation_id == sa.bindparam("conversation"),
        READ_CURSOR.c.last_read_seq < sa.bindparam("seq"),
    )
    .values(
        last_read_seq=sa.bindparam("seq"),
        # What the other side sees moves too, unless a block stands between the two.
        shared_seq=sa.case(
            (sa.bindparam("shared", type_=sa.Boolean), sa.bindparam("seq")),
            else_=READ_CURSOR.c.shared_seq,
        ),
    )
)
_UNREAD_WHERE = (
    MESSAGE.c.conversation_id == sa.bindparam("conversation"),
    MESSAGE.c.seq > sa.bindparam("seq"),
    MESSAGE.c.sender_id != sa.bindparam("reader"),
)
UNREAD_AFTER = sa.select(sa.func.count()).select_from(MESSAGE).where(*_UNREAD_WHERE)
FIRST_UNREAD_AFTER = sa.select(sa.func.min(MESSAGE.c.seq)).where(*_UNREAD_WHERE)

_CURSOR = READ_CURSOR.alias("cursor")


def _with_cursor_of(user: str) -> sa.Join:
    """Conversations beside the read cursor of the user bound as `user` (`_CURSOR`), if any."""
    return CONVERSATION.outerjoin(
        _CURSOR,
        sa.and_(
            _CURSOR.c.conversation_id == CONVERSATION.c.id,
            _CURSOR.c.user_id == sa.bindparam(user),
        ),
    )


# Everything moving a read cursor needs, in one statement: the conversation, the reader's
# cursor (`cursor_id` None: none yet), whether either member blocks the other, and the
# messages from others still unread after `seq`.
READ_STATE = (
    _CONVERSATION_REF.add_columns(
        _CURSOR.c.id.label("cursor_id"),
        sa.func.coalesce(_CURSOR.c.last_read_seq, 0).label("last_read_seq"),
        sa.exists()
        .where(_blocks_either_way(CONVERSATION.c.user_low_id, CONVERSATION.c.user_high_id))
        .label("blocked"),
        UNREAD_AFTER.scalar_subquery().label("unread_after"),
    )
    .select_from(_with_cursor_of("reader"))
    .where(CONVERSATION.c.id == sa.bindparam("conversation"))
)

# Every conversation of a user with its unread count, in one statement whatever their number:
# the count is a correlated subquery over the (conversation_id, seq) index.
_UNREAD = (
    sa.select(sa.func.count())
    .select_from(MESSAGE)
    .where(
        MESSAGE.c.conversation_id == CONVERSATION.c.id,
        MESSAGE.c.seq > sa.func.coalesce(_CURSOR.c.last_read_seq, 0),
        MESSAGE.c.sender_id != sa.bindparam("viewer"),
    )
    .scalar_subquery()
)
SUMMARIES = (
    sa.select(
        CONVERSATION.c.id,
        CONVERSATION.c.user_low_id,
        CONVERSATION.c.user_high_id,
        CONVERSATION.c.last_seq,
        CONVERSATION.c.last_message_at,
        _UNREAD.label("unread"),
    )
    .select_from(_with_cursor_of("viewer"))
    .where(
        sa.or_(
            CONVERSATION.c.user_low_id == sa.bindparam("viewer"),
            CONVERSATION.c.user_high_id == sa.bindparam("viewer"),
        )
    )
)

# A session and its user in one query: every event of a tab resolves its session anew.
SESSION_BY_HASH = (
    sa.select(
        AUTH_SESSION.c.id,
        AUTH_SESSION.c.user_id,
        AUTH_SESSION.c.expires_at,
        AUTH_SESSION.c.last_seen_at,
        USER.c.username,
        USER.c.nickname,
        USER.c.avatar_file_id,
    )
    .join(USER, USER.c.id == AUTH_SESSION.c.user_id)
    .where(AUTH_SESSION.c.token_hash == sa.bindparam("token_hash"))
)
TOUCH_SESSION = (
    sa.update(AUTH_SESSION)
    .where(AUTH_SESSION.c.id == sa.bindparam("session"))
    .values(last_seen_at=sa.bindparam("now", type_=AUTH_SESSION.c.last_seen_at.type))
)
DELETE_SESSION = sa.delete(AUTH_SESSION).where(AUTH_SESSION.c.id == sa.bindparam("session"))
USER_VIEW = sa.select(USER.c.id, USER.c.username, USER.c.nickname, USER.c.avatar_file_id).where(
    USER.c.id == sa.bindparam("user")
)
