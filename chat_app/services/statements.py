"""Core statements of the per-message hot paths, built once and bound per call.

Building an ORM query and loading ORM objects cost more than the SQLite query itself: a
sent message took ~2.4 ms of CPU through the ORM (`make bench`, cProfile). These statements
run on the session's connection, in its transaction, with the columns' own types (so the
UTC timestamps are stored exactly as the ORM stores them).
"""

from __future__ import annotations

from typing import cast

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
MEMBER = TABLES["conversationmember"]


def _ids_joined(user_id: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    """User ids joined by commas (group_concat on SQLite, string_agg on PostgreSQL).

    The comma is part of the statement's text: given as a string, SQLAlchemy renders it
    into the statement anew on every call (post-compile), ~17 µs of CPU per call on
    SQLite and ~60 µs through psycopg (measured on the send and the read receipt).
    """
    return sa.func.aggregate_strings(
        sa.cast(user_id, sa.String), cast(str, sa.literal_column("','"))
    )


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
    MESSAGE.c.deleted_at,
    MESSAGE.c.edited_at,
    MESSAGE.c.reply_to_seq,
).where(
    MESSAGE.c.sender_id == sa.bindparam("sender"),
    MESSAGE.c.client_id == sa.bindparam("client_id"),
)
# Which of a sender's client ids are stored (a tab's outbox after a reload or a restart).
STORED_TEXTS = sa.select(
    MESSAGE.c.client_id,
    MESSAGE.c.conversation_id,
    MESSAGE.c.body,
    MESSAGE.c.deleted_at,
    MESSAGE.c.edited_at,
).where(
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
        MESSAGE.c.sender_id == sa.bindparam("viewer"), MESSAGE.c.created_at > sa.bindparam("since")
    )
)
# A conversation, its newest seq, its pair (direct) and the viewer's membership, which
# every path that opens, reads or writes a conversation checks: no row, not the viewer's.
# A departed member keeps their row (`left_at`, `left_seq`), so they still read up to there.
_VIEWER = MEMBER.alias("viewer_member")
_MEMBERSHIP = CONVERSATION.join(
    _VIEWER,
    sa.and_(
        _VIEWER.c.conversation_id == CONVERSATION.c.id,
        _VIEWER.c.user_id == sa.bindparam("viewer"),
    ),
)
_CONVERSATION_COLUMNS = (
    CONVERSATION.c.id,
    CONVERSATION.c.last_seq,
    CONVERSATION.c.kind,
    CONVERSATION.c.user_low_id,
    CONVERSATION.c.user_high_id,
    _VIEWER.c.joined_seq,
    _VIEWER.c.left_seq,
    _VIEWER.c.left_at.is_not(None).label("departed"),
)
_CONVERSATION_REF = sa.select(*_CONVERSATION_COLUMNS).select_from(_MEMBERSHIP)
CONVERSATION_BY_ID = _CONVERSATION_REF.where(CONVERSATION.c.id == sa.bindparam("conversation"))
CONVERSATION_OF_PAIR = _CONVERSATION_REF.where(
    CONVERSATION.c.user_low_id == sa.bindparam("low"),
    CONVERSATION.c.user_high_id == sa.bindparam("high"),
)


# The current members of a conversation (a retry of a stored message names them again).
ACTIVE_MEMBER_IDS = sa.select(MEMBER.c.user_id).where(
    MEMBER.c.conversation_id == sa.bindparam("conversation"), MEMBER.c.left_at.is_(None)
)
# The message row, stored only while its sender is a current member, returning the current
# members (ids joined by commas) to fan it out to: the membership check, the row and the
# audience in one statement. It runs after send_statements.NEXT_SEQ_WITH_CHECKS, never inside it: on
# PostgreSQL a subquery of the locking UPDATE reads the snapshot from before it waited for
# the lock and would miss a removal or an unfriending committed meanwhile, while this
# statement, the next one under READ COMMITTED, reads everything committed before the lock
# was granted. On SQLite the transaction holds the write lock from that UPDATE on. No row:
# not a member.
_STORED_COLUMNS = (
    "conversation_id",
    "seq",
    "sender_id",
    "client_id",
    "kind",
    "body",
    "file_id",
    "created_at",
    "reply_to_seq",
)
_CURRENT_MEMBER = sa.and_(
    MEMBER.c.conversation_id == sa.bindparam("conversation_id"), MEMBER.c.left_at.is_(None)
)
INSERT_IF_MEMBER = (
    sa.insert(MESSAGE)
    .from_select(
        _STORED_COLUMNS,
        sa.select(
            *(sa.bindparam(name, type_=MESSAGE.c[name].type) for name in _STORED_COLUMNS)
        ).where(sa.exists().where(_CURRENT_MEMBER, MEMBER.c.user_id == sa.bindparam("sender_id"))),
    )
    .returning(
        MESSAGE.c.id,
        sa.select(_ids_joined(MEMBER.c.user_id))
        .where(_CURRENT_MEMBER)
        .scalar_subquery()
        .label("members"),
        # Those of them who muted the conversation: no toast or sound (but for a mention).
        sa.select(_ids_joined(MEMBER.c.user_id))
        .where(_CURRENT_MEMBER, MEMBER.c.muted)
        .scalar_subquery()
        .label("muted"),
    )
)

# A group's header as one member sees it: name, picture, current size, their role.
_CURRENT = MEMBER.c.left_at.is_(None)
_IN_GROUP = MEMBER.c.conversation_id == CONVERSATION.c.id
GROUP_HEADER = sa.select(
    # A departed member sees the name the group had when they left.
    sa.func.coalesce(
        sa.select(MEMBER.c.name_when_left)
        .where(_IN_GROUP, MEMBER.c.user_id == sa.bindparam("viewer"))
        .scalar_subquery(),
        CONVERSATION.c.name,
    ).label("name"),
    CONVERSATION.c.avatar_file_id,
    sa.select(sa.func.count()).where(_IN_GROUP, _CURRENT).scalar_subquery().label("member_count"),
    sa.select(MEMBER.c.role)
    .where(_IN_GROUP, _CURRENT, MEMBER.c.user_id == sa.bindparam("viewer"))
    .scalar_subquery()
    .label("my_role"),
).where(CONVERSATION.c.id == sa.bindparam("conversation"))

# Where a user has read a conversation up to, and the position the other side is shown.
READ_POSITIONS = sa.select(READ_CURSOR.c.last_read_seq, READ_CURSOR.c.shared_seq).where(
    READ_CURSOR.c.user_id == sa.bindparam("user"),
    READ_CURSOR.c.conversation_id == sa.bindparam("conversation"),
)
INSERT_READ_CURSOR = sa.insert(READ_CURSOR)
# Several readers' cursors in one conversation move to one seq (the reads due at one
# moment, read_cursors.mark_reads), each only forward.
MOVE_READ_CURSORS = (
    sa.update(READ_CURSOR)
    .where(
        READ_CURSOR.c.conversation_id == sa.bindparam("conversation"),
        READ_CURSOR.c.user_id.in_(sa.bindparam("users", expanding=True)),
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
# The last seq the viewer reads: the conversation's last, or where they left it.
_READS_UP_TO = sa.func.coalesce(_VIEWER.c.left_seq, CONVERSATION.c.last_seq)


def _unread(after: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """The messages after `after` the viewer has not read.

    Only those inside the viewer's membership, from others, and not system lines (a
    group's "added" or "renamed" is not a message to read).
    """
    return sa.and_(
        MESSAGE.c.conversation_id == CONVERSATION.c.id,
        MESSAGE.c.seq > after,
        MESSAGE.c.seq > _VIEWER.c.joined_seq,
        MESSAGE.c.seq <= _READS_UP_TO,
        MESSAGE.c.sender_id != _VIEWER.c.user_id,
        MESSAGE.c.kind != "system",
    )


FIRST_UNREAD_AFTER = (
    sa.select(sa.func.min(MESSAGE.c.seq))
    .select_from(_MEMBERSHIP)
    .join(MESSAGE, _unread(sa.bindparam("seq")))
    .where(CONVERSATION.c.id == sa.bindparam("conversation"))
)

_CURSOR = READ_CURSOR.alias("cursor")
_OTHER = MEMBER.alias("other_member")
# The conversations the viewer is a member of, beside their read cursor (if any).
_WITH_CURSOR = _MEMBERSHIP.outerjoin(
    _CURSOR,
    sa.and_(_CURSOR.c.conversation_id == CONVERSATION.c.id, _CURSOR.c.user_id == _VIEWER.c.user_id),
)
# Who never hears of the viewer's reads: the users in a block with the viewer, either way,
# as ids joined by commas. Found from the viewer's blocks (usually none), not by checking
# every member: a read in a group of N costs the same for any N.
_OTHER_PARTY = sa.case(
    (BLOCK.c.blocker_id == _VIEWER.c.user_id, BLOCK.c.blocked_id), else_=BLOCK.c.blocker_id
)
_IN_A_BLOCK_WITH_VIEWER = (
    sa.select(_ids_joined(_OTHER_PARTY))
    .where(sa.or_(BLOCK.c.blocker_id == _VIEWER.c.user_id, BLOCK.c.blocked_id == _VIEWER.c.user_id))
    .scalar_subquery()
)
# Several readers of one conversation (the reads due at one moment): their memberships,
# each beside their read cursor (if any).
_READERS = CONVERSATION.join(
    _VIEWER,
    sa.and_(
        _VIEWER.c.conversation_id == CONVERSATION.c.id,
        _VIEWER.c.user_id.in_(sa.bindparam("viewers", expanding=True)),
    ),
).outerjoin(
    _CURSOR,
    sa.and_(_CURSOR.c.conversation_id == CONVERSATION.c.id, _CURSOR.c.user_id == _VIEWER.c.user_id),
)
# Everything moving read cursors needs, in one statement for several readers reading one
# conversation up to one `seq`; a row per reader who is a member: the conversation with
# their membership, their cursor (`cursor_id` None: none yet), whether the two of a direct
# conversation are in a block, whether the reader is a current member and who is in a
# block with them (whom their receipt reaches), and the messages still unread after `seq`.
READ_STATES = (
    sa.select(
        *_CONVERSATION_COLUMNS,
        _VIEWER.c.user_id.label("viewer_id"),
        _CURSOR.c.id.label("cursor_id"),
        sa.func.coalesce(_CURSOR.c.last_read_seq, 0).label("last_read_seq"),
        sa.exists()
        .where(_blocks_either_way(CONVERSATION.c.user_low_id, CONVERSATION.c.user_high_id))
        .label("blocked"),
        _VIEWER.c.left_at.is_(None).label("current"),
        _IN_A_BLOCK_WITH_VIEWER.label("in_a_block"),
        sa.select(sa.func.count())
        .select_from(MESSAGE)
        .where(_unread(sa.bindparam("seq")))
        .scalar_subquery()
        .label("unread_after"),
    )
    .select_from(_READERS)
    .where(CONVERSATION.c.id == sa.bindparam("conversation"))
)

# Every conversation of a user (but those they removed from their list) with its unread
# count, in one statement whatever their number: the count is a correlated subquery over
# the (conversation_id, seq) index.
SUMMARIES = (
    sa.select(
        CONVERSATION.c.id,
        CONVERSATION.c.kind,
        CONVERSATION.c.user_low_id,
        CONVERSATION.c.user_high_id,
        _READS_UP_TO.label("last_seq"),
        CONVERSATION.c.last_message_at,
        sa.select(sa.func.count())
        .select_from(MESSAGE)
        .where(_unread(sa.func.coalesce(_CURSOR.c.last_read_seq, 0)))
        .scalar_subquery()
        .label("unread"),
    )
    .select_from(_WITH_CURSOR)
    .where(_VIEWER.c.hidden.is_(False))
)
# Who has read a conversation up to `seq`: each other member whose membership holds it
# (but the message's sender and anyone in a block with the viewer), with their shared
# read position.
_SENDER_AT_SEQ = (
    sa.select(MESSAGE.c.sender_id)
    .where(
        MESSAGE.c.conversation_id == sa.bindparam("conversation"),
        MESSAGE.c.seq == sa.bindparam("seq"),
    )
    .scalar_subquery()
)
READERS = (
    sa.select(_OTHER.c.user_id, sa.func.coalesce(READ_CURSOR.c.shared_seq, 0).label("read_seq"))
    .select_from(
        _OTHER.outerjoin(
            READ_CURSOR,
            sa.and_(
                READ_CURSOR.c.conversation_id == _OTHER.c.conversation_id,
                READ_CURSOR.c.user_id == _OTHER.c.user_id,
            ),
        )
    )
    .where(
        _OTHER.c.conversation_id == sa.bindparam("conversation"),
        _OTHER.c.user_id != sa.bindparam("viewer"),
        _OTHER.c.user_id != sa.func.coalesce(_SENDER_AT_SEQ, 0),
        _OTHER.c.joined_seq < sa.bindparam("seq"),
        sa.func.coalesce(_OTHER.c.left_seq, sa.bindparam("seq")) >= sa.bindparam("seq"),
        ~sa.exists().where(_blocks_either_way(_OTHER.c.user_id, sa.bindparam("viewer"))),
    )
    .order_by(_OTHER.c.user_id)
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
    .where(
        AUTH_SESSION.c.token_hash == sa.bindparam("token_hash"),
        # A disabled or deleted account's sessions are gone; this also covers a race with it.
        USER.c.disabled_at.is_(None),
        USER.c.deleted_at.is_(None),
    )
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
