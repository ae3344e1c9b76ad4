"""Conversations: which one a user may read or write in, named by its id.

A direct conversation is a group of exactly two whose membership follows the friendship
(services/direct_members.py); a group's is kept by services/group_members.py. Either way
who may open, read and write a conversation is in its member rows, with no branch on the
kind: a member reads the messages in (joined_seq, left_seq], a departed member keeps that
history read-only, and only a current member writes. The UI names a conversation by its id
alone; an id the viewer was never a member of is NotFound, exactly like a made-up one, so
ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from chat_app.services import statements, validation
from chat_app.services.errors import NotFound, Refused


@dataclass(frozen=True)
class ConversationRef:
    """A stored conversation as one member sees it: its newest seq and their membership.

    Attributes:
        id: The conversation.
        last_seq: The seq of its newest message.
        kind: "direct" or "group".
        pair: The two users of a direct conversation; empty for a group.
        joined_seq: The member reads the messages after this seq...
        left_seq: ...up to this one once they left (None: a current member).
        departed: The member left (or was removed, or the friendship ended).
    """

    id: int
    last_seq: int
    kind: str
    pair: tuple[int, ...]
    joined_seq: int
    left_seq: int | None
    departed: bool

    def others(self, user_id: int) -> tuple[int, ...]:
        """The other user of a direct conversation (none for a group)."""
        return tuple(member for member in self.pair if member != user_id)

    @property
    def reads_up_to(self) -> int:
        """The newest seq the member may read: the last one, or where they left."""
        return self.last_seq if self.left_seq is None else min(self.last_seq, self.left_seq)

    def holds(self, seq: int) -> bool:
        """Whether the message at `seq` is inside the member's readable range."""
        return self.joined_seq < seq <= self.reads_up_to


def _ref(row: Any) -> ConversationRef:
    pair = (row.user_low_id, row.user_high_id) if row.user_low_id is not None else ()
    return ConversationRef(
        id=row.id,
        last_seq=row.last_seq,
        kind=row.kind,
        pair=pair,
        joined_seq=row.joined_seq,
        left_seq=row.left_seq,
        departed=bool(row.departed),
    )


def member_of(session: Session, viewer_id: int, conversation_id: object) -> ConversationRef:
    """A conversation the viewer is, or was, a member of.

    Args:
        session: The database session.
        viewer_id: Who acts (from the server-side session).
        conversation_id: The conversation (untrusted id).

    Returns:
        The conversation with the viewer's membership.

    Raises:
        NotFound: Not a valid id, no such conversation, or the viewer was never a member.
    """
    where = {"conversation": validation.valid_id(conversation_id), "viewer": viewer_id}
    found = session.connection().execute(statements.CONVERSATION_BY_ID, where).first()
    return member_row(found)


def member_row(row: Any) -> ConversationRef:
    """A conversation read by a wider statement with the viewer's membership (if any).

    The hot paths read the conversation together with what else they need in one
    statement, joined to the viewer's member row (statements.CONVERSATION_BY_ID).

    Args:
        row: A row with the conversation's `id`, `last_seq`, `kind`, pair and the
            viewer's `joined_seq`, `left_seq` and `departed`, or None.

    Returns:
        The conversation.

    Raises:
        NotFound: No such conversation, or the viewer was never a member.
    """
    if row is None:
        raise NotFound()
    return _ref(row)


def readable(session: Session, viewer_id: int, conversation_id: object) -> ConversationRef:
    """A conversation the viewer may read: a current member, or a departed one with history.

    Args:
        session: The database session.
        viewer_id: Who reads.
        conversation_id: The conversation (untrusted id).

    Returns:
        The conversation.

    Raises:
        NotFound: Not the viewer's conversation, or one they left with nothing to read
            (an ex-friend's empty conversation).
    """
    return _readable(member_of(session, viewer_id, conversation_id))


def readable_row(row: Any) -> ConversationRef:
    """`readable` for a conversation read by a wider statement (see `member_row`).

    Args:
        row: The conversation's row (`member_row`), or None.

    Returns:
        The conversation.

    Raises:
        NotFound: Not the viewer's conversation, or one they left with nothing to read.
    """
    return _readable(member_row(row))


def _readable(conversation: ConversationRef) -> ConversationRef:
    if conversation.departed and conversation.reads_up_to <= conversation.joined_seq:
        raise NotFound()
    return conversation


def require_writer(conversation: ConversationRef) -> None:
    """Refuse unless the viewer is a current member (a friend, in a direct conversation).

    A block or an unfriending makes both of a direct conversation leave it
    (services/direct_members.py), so membership covers both. A send checks again under
    the conversation's lock; this is the early answer (before a file is stored).

    Args:
        conversation: One of the viewer's conversations (`member_of`).

    Raises:
        Refused: No longer a member: "not_friends" in a direct conversation,
            "conversation_gone" in a group.
    """
    if conversation.departed:
        raise Refused(not_writer_code(conversation.kind))


def not_writer_code(kind: str) -> str:
    """The refusal a departed member's send gets (the text the sender is shown)."""
    return "not_friends" if kind == "direct" else "conversation_gone"


def direct_with(*, session: Session, viewer_id: int, friend_id: object) -> int:
    """The id of the viewer's conversation with a user (the friend list opens it by this).

    Args:
        session: The database session.
        viewer_id: Who asks (from the server-side session).
        friend_id: The other user (untrusted id).

    Returns:
        The conversation's id.

    Raises:
        NotFound: Not a valid id, or no conversation the viewer may read with that user
            (not friends and never wrote).
    """
    low, high = validation.ordered_pair(viewer_id, validation.valid_id(friend_id))
    pair = {"low": low, "high": high, "viewer": viewer_id}
    found = session.connection().execute(statements.CONVERSATION_OF_PAIR, pair).first()
    return readable_row(found).id
