"""Mentions: `@` suggestions from a group's current members, and the users a message names.

A mention is stored as a reference to the user (`Mention`), in the message's own
transaction, and only for a current member the sender picked whose `@name` is still in the
text. Nobody in a block with the other (either way) is suggested to, or stored as mentioned
by, them: no mention suggestion or toast flows between a blocked pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, func, or_, select

from chat_app.models import ConversationMember, User
from chat_app.services import group_directory, group_events, relations, statements
from chat_app.services.errors import NotFound
from chat_app.services.group_events import GONE

# The suggestion list under the composer shows at most this many members.
SUGGESTIONS_MAX = 8
# A draft remembers at most this many picked users (more is a forged call, cut).
PICKED_MAX = 32

_MENTION = statements.TABLES["mention"]
_USER = statements.USER
_BLOCK = statements.BLOCK
# The picked users' names, and whether they are in a block with the sender (either way).
_NAMED_USERS = sa.select(
    _USER.c.id,
    _USER.c.username,
    _USER.c.nickname,
    sa.exists()
    .where(
        ((_BLOCK.c.blocker_id == _USER.c.id) & (_BLOCK.c.blocked_id == sa.bindparam("sender")))
        | ((_BLOCK.c.blocker_id == sa.bindparam("sender")) & (_BLOCK.c.blocked_id == _USER.c.id))
    )
    .label("blocked"),
).where(_USER.c.id.in_(sa.bindparam("users", expanding=True)))
_INSERT_MENTION = sa.insert(_MENTION)


@dataclass(frozen=True)
class MentionCandidate:
    """A member the composer offers after `@`.

    Attributes:
        user_id: Who.
        nickname: The name inserted into the draft (`@nickname`).
        username: Shown beside it, to tell two equal nicknames apart.
    """

    user_id: int
    nickname: str
    username: str


def suggestions(
    *, session: Session, viewer_id: int, conversation_id: object, query: object
) -> tuple[MentionCandidate, ...]:
    """The group's current members the viewer may mention, matching what follows `@`.

    Args:
        session: The database session.
        viewer_id: Who is writing (from the server-side session): a current member.
        conversation_id: The group (untrusted id).
        query: The text typed after `@` (untrusted; anything else than text matches all).

    Returns:
        At most SUGGESTIONS_MAX members, by nickname; never the viewer, a departed member
        or anyone in a block with the viewer.

    Raises:
        NotFound: Not a group the viewer is a current member of.
    """
    key = group_events.group_id(conversation_id)
    if group_events.role_of(session, viewer_id, key) is None:
        raise NotFound(GONE)
    excluded = relations.blocked_either_way(session=session, user_id=viewer_id) | {viewer_id}
    where = [
        ConversationMember.conversation_id == key,
        col(ConversationMember.left_at).is_(None),
        col(User.id).not_in(excluded),
    ]
    text = group_directory.search_text(query)
    if text:
        where.append(
            or_(
                func.lower(col(User.nickname)).contains(text, autoescape=True),
                func.lower(col(User.username)).contains(text, autoescape=True),
            )
        )
    rows = session.exec(
        select(User.id, User.nickname, User.username)
        .join(ConversationMember, col(ConversationMember.user_id) == col(User.id))
        .where(*where)
        .order_by(func.lower(col(User.nickname)), col(User.id))
        .limit(SUGGESTIONS_MAX)
    ).all()
    return tuple(
        MentionCandidate(user_id, nickname, username)
        for user_id, nickname, username in rows
        if user_id is not None
    )


def picked_ids(value: object) -> tuple[int, ...]:
    """The user ids a draft picked, from an untrusted value: ints only, each once, bounded."""
    if not isinstance(value, list | tuple):
        return ()
    found: list[int] = []
    for item in value[:PICKED_MAX]:  # pyright: ignore[reportUnknownVariableType]
        if isinstance(item, int) and not isinstance(item, bool) and item > 0 and item not in found:
            found.append(item)
    return tuple(found)


def store_mentions(
    connection: Connection,
    *,
    message_id: int,
    sender_id: int,
    members: tuple[int, ...],
    picked: tuple[int, ...],
    text: str,
) -> tuple[int, ...]:
    """Store who a new message mentions, in the sending transaction (the caller commits).

    Args:
        connection: The sending session's connection, inside its transaction.
        message_id: The message just inserted.
        sender_id: Who sent it.
        members: The conversation's current members, read under the sending lock.
        picked: The users the sender picked from the suggestions (validated ids).
        text: The stored text.

    Returns:
        The mentioned users: current members but the sender, not in a block with the
        sender, whose `@nickname` (or `@username`) is still in the text. Others picked
        (departed, forged, deleted from the text) are ignored.
    """
    candidates = [user for user in picked if user in members and user != sender_id]
    if not candidates:
        return ()
    rows = connection.execute(_NAMED_USERS, {"users": candidates, "sender": sender_id})
    named = {
        row.id
        for row in rows
        if not row.blocked and (f"@{row.nickname}" in text or f"@{row.username}" in text)
    }
    mentioned = tuple(user for user in candidates if user in named)
    if mentioned:
        connection.execute(
            _INSERT_MENTION, [{"message_id": message_id, "user_id": user} for user in mentioned]
        )
    return mentioned


def mentioned_seqs(
    *, session: Session, viewer_id: int, conversation_id: int, from_seq: int, to_seq: int
) -> tuple[int, ...]:
    """Which messages of a conversation between two seqs mention the viewer (a shown page).

    Args:
        session: The database session.
        viewer_id: The reader (from the server-side session).
        conversation_id: A conversation whose page the viewer was just allowed to read.
        from_seq: The page's first seq.
        to_seq: Its last seq.

    Returns:
        Their seqs in order, at most MENTIONED_PAGE_MAX (the newest).
    """
    where = {
        "viewer": viewer_id,
        "conversation": conversation_id,
        "from_seq": from_seq,
        "to_seq": to_seq,
    }
    rows = session.connection().execute(_MENTIONED_SEQS, where).scalars()
    return tuple(sorted(rows))


def unread_mentions(*, session: Session, viewer_id: int) -> frozenset[int]:
    """The conversations with a message mentioning the viewer after their read cursor.

    The Chats tab marks these rows with `@` after a reload, until they are read.

    Args:
        session: The database session.
        viewer_id: The reader (from the server-side session).

    Returns:
        Their ids (conversations the viewer removed from the list left out).
    """
    rows = session.connection().execute(_UNREAD_MENTIONS, {"viewer": viewer_id})
    return frozenset(rows.scalars())


_MESSAGE = statements.MESSAGE
_MEMBER = statements.MEMBER
# A page holds at most three history pages (states/live_messages.py WINDOW_MAX).
MENTIONED_PAGE_MAX = 150
_MENTIONED_SEQS = (
    sa.select(_MESSAGE.c.seq)
    .select_from(_MENTION.join(_MESSAGE, _MESSAGE.c.id == _MENTION.c.message_id))
    .where(
        _MENTION.c.user_id == sa.bindparam("viewer"),
        _MESSAGE.c.conversation_id == sa.bindparam("conversation"),
        _MESSAGE.c.seq.between(sa.bindparam("from_seq"), sa.bindparam("to_seq")),
    )
    .order_by(_MESSAGE.c.seq.desc())
    .limit(MENTIONED_PAGE_MAX)
)
_CURSOR = statements.READ_CURSOR
_UNREAD_MENTIONS = (
    sa.select(_MESSAGE.c.conversation_id)
    .distinct()
    .select_from(
        _MENTION.join(_MESSAGE, _MESSAGE.c.id == _MENTION.c.message_id)
        .join(
            _MEMBER,
            sa.and_(
                _MEMBER.c.conversation_id == _MESSAGE.c.conversation_id,
                _MEMBER.c.user_id == _MENTION.c.user_id,
            ),
        )
        .outerjoin(
            _CURSOR,
            sa.and_(
                _CURSOR.c.conversation_id == _MESSAGE.c.conversation_id,
                _CURSOR.c.user_id == _MENTION.c.user_id,
            ),
        )
    )
    .where(
        _MENTION.c.user_id == sa.bindparam("viewer"),
        _MEMBER.c.hidden.is_(False),
        _MESSAGE.c.seq > sa.func.coalesce(_CURSOR.c.last_read_seq, 0),
        _MESSAGE.c.seq <= sa.func.coalesce(_MEMBER.c.left_seq, _MESSAGE.c.seq),
    )
)
