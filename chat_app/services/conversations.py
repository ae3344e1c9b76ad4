"""Conversations: which one a user may read or write in, named by its id.

Every friendship has its direct conversation, created when a request is accepted
(services/friends.py): a direct conversation is a group of exactly two whose membership
follows the friendship. The UI names a conversation by its id alone; an id the viewer is
not part of is NotFound, exactly like a made-up one, so ids reveal nothing. Both stay able
to read it after they stop being friends (once it holds messages); only friends write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from chat_app.services import friends, statements, validation
from chat_app.services.errors import NotFound, Refused


@dataclass(frozen=True)
class ConversationRef:
    """A stored conversation: its id, the seq of its newest message and its members."""

    id: int
    last_seq: int
    member_ids: tuple[int, ...]

    def others(self, user_id: int) -> tuple[int, ...]:
        """The members besides `user_id` (whom a message or receipt of theirs concerns)."""
        return tuple(member for member in self.member_ids if member != user_id)


def _ref(row: Any) -> ConversationRef:
    return ConversationRef(row.id, row.last_seq, (row.user_low_id, row.user_high_id))


def of_pair(session: Session, a: int, b: int) -> ConversationRef | None:
    """The direct conversation of two users, if they have one.

    Args:
        session: The database session.
        a: One user.
        b: The other.

    Returns:
        The conversation, or None (never friends, or the same user twice).
    """
    low, high = validation.ordered_pair(a, b)
    pair = {"low": low, "high": high}
    found = session.connection().execute(statements.CONVERSATION_OF_PAIR, pair).first()
    return _ref(found) if found is not None else None


def member_of(session: Session, viewer_id: int, conversation_id: object) -> ConversationRef:
    """A conversation the viewer is a member of.

    Args:
        session: The database session.
        viewer_id: Who acts (from the server-side session).
        conversation_id: The conversation (untrusted id).

    Returns:
        The conversation.

    Raises:
        NotFound: Not a valid id, no such conversation, or the viewer is not a member.
    """
    where = {"conversation": validation.valid_id(conversation_id)}
    found = session.connection().execute(statements.CONVERSATION_BY_ID, where).first()
    return member_row(found, viewer_id)


def member_row(row: Any, viewer_id: int) -> ConversationRef:
    """A conversation read by a wider statement (its id, last seq and pair), if the viewer's.

    The hot paths read the conversation together with what else they need in one statement.

    Args:
        row: A row with the conversation's `id`, `last_seq`, `user_low_id` and
            `user_high_id`, or None (no such conversation).
        viewer_id: Who acts (from the server-side session).

    Returns:
        The conversation.

    Raises:
        NotFound: No such conversation, or the viewer is not a member.
    """
    if row is None or viewer_id not in (row.user_low_id, row.user_high_id):
        raise NotFound()
    return _ref(row)


def _friends_with_all(session: Session, viewer_id: int, conversation: ConversationRef) -> bool:
    others = conversation.others(viewer_id)
    return bool(others) and all(
        friends.are_friends(session=session, user_a=viewer_id, user_b=other) for other in others
    )


def readable(session: Session, viewer_id: int, conversation_id: object) -> ConversationRef:
    """A conversation the viewer may read: while friends, or once it holds messages.

    Args:
        session: The database session.
        viewer_id: Who reads.
        conversation_id: The conversation (untrusted id).

    Returns:
        The conversation.

    Raises:
        NotFound: Not the viewer's conversation, or an empty one with an ex-friend.
    """
    return _readable(session, viewer_id, member_of(session, viewer_id, conversation_id))


def readable_row(session: Session, viewer_id: int, row: Any) -> ConversationRef:
    """`readable` for a conversation read by a wider statement (see `member_row`).

    Args:
        session: The database session.
        viewer_id: Who reads.
        row: The conversation's row (`member_row`), or None.

    Returns:
        The conversation.

    Raises:
        NotFound: Not the viewer's conversation, or an empty one with an ex-friend.
    """
    return _readable(session, viewer_id, member_row(row, viewer_id))


def _readable(session: Session, viewer_id: int, conversation: ConversationRef) -> ConversationRef:
    if conversation.last_seq == 0 and not _friends_with_all(session, viewer_id, conversation):
        raise NotFound()
    return conversation


def require_friends(session: Session, viewer_id: int, conversation: ConversationRef) -> None:
    """Refuse unless the viewer may write here: friends with the other member, no block.

    A block ends the friendship (services/friends.py), so friendship covers both.

    Args:
        session: The database session.
        viewer_id: The sender.
        conversation: One of the viewer's conversations (`member_of`).

    Raises:
        Refused: Not (or no longer) friends.
    """
    if not _friends_with_all(session, viewer_id, conversation):
        raise Refused("not_friends")


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
    found = of_pair(session, viewer_id, validation.valid_id(friend_id))
    if found is None:
        raise NotFound()
    return _readable(session, viewer_id, found).id
