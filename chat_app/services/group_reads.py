"""Who has read a sender's messages in a group: "Read by N", "Read", and who on a click.

From the members' read cursors, which move only when a message was seen. Only the current
members count, and only those whose membership holds the message (joined before it): one
who left is no longer asked, one who joined after it never could read it. A member in a
block with the sender (either way) is left out of both the count and the list, so no
receipt crosses a block. Only the message's sender asks, and only while a current member:
a departed member hears of no receipts.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.services import conversations, relations, statements, validation
from chat_app.services.errors import NotFound
from chat_app.services.people_views import ContactView

# The count a message shows when every current other member has read it ("Read").
READ_BY_ALL = -1
# At most this many messages are counted per call: a tab asks for the ones it shows.
SEQS_MAX = 200
# Who read one message, at most this many per page.
READERS_PAGE_MAX = 50

_MEMBER = statements.MEMBER
_CURSOR = statements.READ_CURSOR
_USER = statements.USER
_MESSAGE = statements.MESSAGE

# The members of a conversation beside their read cursors (if any). What the other side
# is shown is `shared_seq`, as in statements.READERS (in a group it is the cursor itself).
_WITH_CURSOR = _MEMBER.outerjoin(
    _CURSOR,
    sa.and_(
        _CURSOR.c.conversation_id == _MEMBER.c.conversation_id,
        _CURSOR.c.user_id == _MEMBER.c.user_id,
    ),
)
# Each current member of a conversation, when they joined and how far they have read.
_MEMBER_CURSORS = (
    sa.select(
        _MEMBER.c.user_id,
        _MEMBER.c.joined_seq,
        sa.func.coalesce(_CURSOR.c.shared_seq, 0).label("read_seq"),
    )
    .select_from(_WITH_CURSOR)
    .where(
        _MEMBER.c.conversation_id == sa.bindparam("conversation"),
        _MEMBER.c.left_at.is_(None),
        _MEMBER.c.user_id != sa.bindparam("viewer"),
    )
)
# Which of these seqs are the viewer's own messages (a group event the viewer caused is
# a line for everyone, not a message with readers).
_OWN_SEQS = sa.select(_MESSAGE.c.seq).where(
    _MESSAGE.c.conversation_id == sa.bindparam("conversation"),
    _MESSAGE.c.sender_id == sa.bindparam("viewer"),
    _MESSAGE.c.seq.in_(sa.bindparam("seqs", expanding=True)),
    _MESSAGE.c.kind != "system",
)
# Who of the current members sent messages in a range of seqs (system lines have no
# reader to wait for; a departed member hears of no receipts).
_SENDERS_BETWEEN = (
    sa.select(_MESSAGE.c.sender_id)
    .join(
        _MEMBER,
        sa.and_(
            _MEMBER.c.conversation_id == _MESSAGE.c.conversation_id,
            _MEMBER.c.user_id == _MESSAGE.c.sender_id,
            _MEMBER.c.left_at.is_(None),
        ),
    )
    .where(
        _MESSAGE.c.conversation_id == sa.bindparam("conversation"),
        _MESSAGE.c.seq > sa.bindparam("after"),
        _MESSAGE.c.seq <= sa.bindparam("up_to"),
        _MESSAGE.c.kind != "system",
    )
    .distinct()
)
# One page of who has read a message, in user id order after `after`.
_READERS_PAGE = (
    sa.select(_USER.c.id, _USER.c.username, _USER.c.nickname, _USER.c.avatar_file_id)
    .select_from(_WITH_CURSOR.join(_USER, _USER.c.id == _MEMBER.c.user_id))
    .where(
        _MEMBER.c.conversation_id == sa.bindparam("conversation"),
        _MEMBER.c.left_at.is_(None),
        _MEMBER.c.user_id != sa.bindparam("viewer"),
        _MEMBER.c.user_id > sa.bindparam("after"),
        _MEMBER.c.user_id.not_in(sa.bindparam("blocked", expanding=True)),
        _MEMBER.c.joined_seq < sa.bindparam("seq"),
        _CURSOR.c.shared_seq >= sa.bindparam("seq"),
    )
    .order_by(_MEMBER.c.user_id)
    .limit(sa.bindparam("limit"))
)


@dataclass(frozen=True)
class ReadersPage:
    """One page of the members who have read a message.

    Attributes:
        conversation_id: The group.
        seq: The message.
        readers: Who has read it, in user id order.
        has_more: More readers follow (ask again after the last one's id).
    """

    conversation_id: int
    seq: int
    readers: tuple[ContactView, ...]
    has_more: bool


def read_counts(
    *, session: Session, viewer_id: int, conversation_id: object, seqs: object
) -> dict[int, int]:
    """How many have read each of the viewer's own messages among `seqs`.

    Args:
        session: The database session.
        viewer_id: The sender who asks (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seqs: The messages the viewer's tab shows (untrusted; at most `SEQS_MAX` are
            looked at; anything but the viewer's own messages is left out).

    Returns:
        Seq → how many current other members have read it, or `READ_BY_ALL` when all
        have; messages nobody has read yet are left out. Empty for a departed member.

    Raises:
        NotFound: Not a conversation the viewer may read.
    """
    found = conversations.readable(session, viewer_id, conversation_id)
    wanted = _valid_seqs(seqs)
    if found.departed or not wanted:
        return {}
    connection = session.connection()
    where = {"conversation": found.id, "viewer": viewer_id}
    own = sorted(connection.execute(_OWN_SEQS, {**where, "seqs": wanted}).scalars())
    if not own:
        return {}
    blocked = relations.blocked_either_way(session=session, user_id=viewer_id)
    members = sorted(
        (row.joined_seq, row.read_seq)
        for row in connection.execute(_MEMBER_CURSORS, where)
        if row.user_id not in blocked
    )
    return _counts(own, members)


def _counts(own: list[int], members: list[tuple[int, int]]) -> dict[int, int]:
    """Seq → readers (or READ_BY_ALL) for ascending seqs and (joined, read) sorted pairs.

    Walks the seqs upwards, taking in the members who had joined before each one: the
    cost grows with members plus messages, not their product (a tab of a large group asks
    once a second while its members read).
    """
    counts: dict[int, int] = {}
    reads: list[int] = []  # read positions of the members who joined before the seq
    taken = 0
    for seq in own:
        while taken < len(members) and members[taken][0] < seq:
            bisect.insort(reads, members[taken][1])
            taken += 1
        read = len(reads) - bisect.bisect_left(reads, seq)
        if read:
            counts[seq] = READ_BY_ALL if read == len(reads) else read
    return counts


def readers_page(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    seq: object,
    after_id: object = 0,
    limit: object = 20,
) -> ReadersPage:
    """Who has read one of the viewer's own messages, a page at a time.

    Args:
        session: The database session.
        viewer_id: The sender who asks (from the server-side session): a current member.
        conversation_id: The conversation (untrusted id).
        seq: The message (untrusted): the viewer's own, inside their membership.
        after_id: The last reader of the previous page (untrusted; 0: from the start).
        limit: At most this many, up to `READERS_PAGE_MAX` (untrusted).

    Returns:
        The page: current other members who joined before the message and whose cursor
        is at or past it, but those in a block with the viewer (either way); each with
        their nickname and avatar.

    Raises:
        NotFound: Not a conversation the viewer is a current member of, or not a message
            of theirs in it.
    """
    found = conversations.readable(session, viewer_id, conversation_id)
    wanted = validation.valid_id(seq)
    if found.departed or not found.holds(wanted):
        raise NotFound()
    connection = session.connection()
    where = {"conversation": found.id, "viewer": viewer_id, "seqs": [wanted]}
    if connection.execute(_OWN_SEQS, where).first() is None:
        raise NotFound()
    after = after_id if _is_int(after_id) and 0 <= after_id < 2**63 else 0  # type: ignore[operator]
    size = min(max(limit, 1), READERS_PAGE_MAX) if _is_int(limit) else 20  # type: ignore[type-var]
    blocked = relations.blocked_either_way(session=session, user_id=viewer_id)
    rows = connection.execute(
        _READERS_PAGE,
        {
            "conversation": found.id,
            "viewer": viewer_id,
            "after": after,
            # An empty IN list is fine for SQLAlchemy's expanding parameters.
            "blocked": sorted(blocked),
            "seq": wanted,
            "limit": size + 1,
        },
    ).all()
    readers = tuple(
        ContactView(
            user_id=row.id,
            username=row.username,
            nickname=row.nickname,
            avatar_file_id=row.avatar_file_id or "",
        )
        for row in rows[:size]
    )
    return ReadersPage(found.id, wanted, readers, has_more=len(rows) > size)


def senders_between(
    *, session: Session, conversation_id: int, after_seq: int, up_to_seq: int
) -> set[int]:
    """The current members who sent messages in (after_seq, up_to_seq].

    Theirs is the "Read by N" those reads moved.

    Args:
        session: The database session.
        conversation_id: The conversation (an id the server holds, not a client's).
        after_seq: The lowest read cursor before the reads.
        up_to_seq: The highest read cursor after them.

    Returns:
        The senders' ids (those who since left are not asked).
    """
    where = {"conversation": conversation_id, "after": after_seq, "up_to": up_to_seq}
    return set(session.connection().execute(_SENDERS_BETWEEN, where).scalars())


def _valid_seqs(seqs: object) -> list[int]:
    """The valid positive seqs of an untrusted list, at most `SEQS_MAX`, without repeats."""
    if not isinstance(seqs, list | tuple):
        return []
    return sorted({seq for seq in seqs[:SEQS_MAX] if _is_int(seq) and 0 < seq < 2**63})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
