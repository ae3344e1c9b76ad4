"""The two members of a direct conversation follow the friendship.

A direct conversation is a group of exactly two: who may read and write it is in
`ConversationMember`, as for a group. Becoming friends creates the pair's conversation (or
finds the one they had) and makes both of them current members; ending the friendship, by
a removal or a block, makes both leave at the conversation's last message, exactly like a
departed group member: they read up to there and cannot send. Nothing can be sent after
the friendship ended, so the whole history stays readable.

services/friends.py calls these inside the transaction that changes the friendship and
commits both together, so the membership and the friendship never disagree.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Select
from sqlmodel import Session, col, select, update

from chat_app.models import Conversation, ConversationMember


def _pair_conversation(low: int, high: int) -> Select[int | None, int]:
    # Columns, not the ORM row: a long-lived session may hold that row with an old last_seq.
    return sa.select(col(Conversation.id), col(Conversation.last_seq)).where(
        col(Conversation.kind) == "direct",
        col(Conversation.user_low_id) == low,
        col(Conversation.user_high_id) == high,
    )


def befriend(*, session: Session, low: int, high: int, now: datetime) -> int:
    """Give two new friends their conversation, both as current members (not committed).

    A pair who were friends before get their old conversation back, with its history; a
    member who had removed it from their list sees it there again.

    Args:
        session: The database session, inside the transaction that stores the friendship.
        low: The lower user id of the pair.
        high: The higher user id.
        now: When they became friends.

    Returns:
        The conversation's id.

    Raises:
        IntegrityError: A concurrent accept of the same pair created the conversation or a
            member first (on the flush); the caller rolls back, the outcome is the same.
    """
    found = session.connection().execute(_pair_conversation(low, high)).first()
    if found is None:
        conversation = Conversation(
            kind="direct", user_low_id=low, user_high_id=high, created_at=now
        )
        session.add(conversation)
        session.flush()
        assert conversation.id is not None
        conversation_id = conversation.id
    else:
        conversation_id = found.id
    # Statements, not loaded rows, for the same reason as above.
    session.exec(
        update(ConversationMember)
        .where(col(ConversationMember.conversation_id) == conversation_id)
        .values(left_at=None, left_seq=None, hidden=False)
    )
    present = set(
        session.exec(
            select(ConversationMember.user_id).where(
                ConversationMember.conversation_id == conversation_id
            )
        ).all()
    )
    for user_id in {low, high} - present:
        session.add(
            ConversationMember(conversation_id=conversation_id, user_id=user_id, joined_at=now)
        )
    session.flush()
    return conversation_id


def unfriend(*, session: Session, low: int, high: int, now: datetime) -> None:
    """Both members of a pair's conversation leave it at its last message (not committed).

    The conversation's row is locked first (PostgreSQL; SQLite's write lock is already the
    caller's), so a message being sent commits before and is inside the readable history.

    Args:
        session: The database session, inside the transaction that ends the friendship.
        low: The lower user id of the pair.
        high: The higher user id.
        now: When the friendship ended.
    """
    locked = _pair_conversation(low, high).with_for_update()
    found = session.connection().execute(locked).first()
    if found is None:
        return
    session.exec(
        update(ConversationMember)
        .where(
            col(ConversationMember.conversation_id) == found.id,
            col(ConversationMember.left_at).is_(None),
        )
        # Unpinned: nothing arrives in a chat left, and its row has no menu to unpin it.
        .values(left_at=now, left_seq=found.last_seq, pinned=False)
    )
