"""Which conversation two users share, and who may read or write in it.

A one-to-one conversation is created by the first message between two friends; it stays
readable by both after they stop being friends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chat_app.models import Conversation
from chat_app.services import friends, statements, validation
from chat_app.services.errors import NotFound, Refused


@dataclass(frozen=True)
class ConversationRef:
    """A stored conversation: its id and the seq of its newest message."""

    id: int
    last_seq: int


def of_pair(session: Session, a: int, b: int) -> ConversationRef | None:
    """The conversation of two users, if they have one.

    Args:
        session: The database session.
        a: One user.
        b: The other.

    Returns:
        The conversation, or None.
    """
    low, high = validation.ordered_pair(a, b)
    pair = {"low": low, "high": high}
    found = session.connection().execute(statements.CONVERSATION_OF_PAIR, pair).first()
    return ConversationRef(found.id, found.last_seq) if found is not None else None


def for_sending(session: Session, a: int, b: int, now: datetime) -> int:
    """The pair's conversation id, created (and committed) by the first message.

    Args:
        session: The database session.
        a: The sender.
        b: The recipient.
        now: The current time.

    Returns:
        The conversation's id.
    """
    found = of_pair(session, a, b)
    if found is not None:
        return found.id
    low, high = validation.ordered_pair(a, b)
    session.add(Conversation(user_low_id=low, user_high_id=high, created_at=now))
    try:
        session.commit()
    except IntegrityError:
        # Both friends sent their first message at once; the other insert won.
        session.rollback()
    found = of_pair(session, a, b)
    assert found is not None
    return found.id


def readable(session: Session, viewer_id: int, friend_id: object) -> ConversationRef | None:
    """The viewer's conversation with `friend_id`: readable while friends or once shared.

    Args:
        session: The database session.
        viewer_id: Who reads.
        friend_id: The other user (untrusted id).

    Returns:
        The conversation, or None while two friends have not written yet.

    Raises:
        NotFound: Not a valid id, or the two never shared a conversation and are not friends.
    """
    friend_id = validation.valid_id(friend_id)
    conversation = of_pair(session, viewer_id, friend_id)
    if conversation is None and not friends.are_friends(
        session=session, user_a=viewer_id, user_b=friend_id
    ):
        raise NotFound()
    return conversation


def require_friend(session: Session, viewer_id: int, friend_id: object) -> int:
    """The recipient's id, if the viewer may send to them (friends, not oneself).

    Args:
        session: The database session.
        viewer_id: The sender.
        friend_id: The recipient (untrusted id).

    Returns:
        The recipient's id.

    Raises:
        NotFound: Not a valid id.
        Refused: Not a friend.
    """
    friend_id = validation.valid_id(friend_id)
    if friend_id == viewer_id or not friends.are_friends(
        session=session, user_a=viewer_id, user_b=friend_id
    ):
        raise Refused("not_friends")
    return friend_id
