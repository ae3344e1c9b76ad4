"""Delete for me: a member hides a message from their own view; everyone else keeps it.

A hidden message is a row of (user, conversation, seq). Nothing about the message itself
changes (no change number, nothing pushed to the other members): the pages the user reads
say which of their messages are hidden (`HistoryPage.hidden_seqs`), their search and their
exports leave them out, and their other tabs are told by a push of their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chat_app.models import ConversationMember, HiddenMessage, Message, utc_now
from chat_app.services import conversations, message_changes, validation

HIDES_PER_MINUTE = 60


def hide_for_me(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    seq: object,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Hide one message of a conversation from the viewer's view (again: nothing changes).

    Args:
        session: The database session.
        viewer_id: Who hides it (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message (untrusted).
        now: The current time.

    Returns:
        The conversation's id and the message's seq.

    Raises:
        NotFound: Not a conversation the viewer may read, or no message of it they may read
            at that seq (a group's event line is none).
        RateLimited: More than HIDES_PER_MINUTE in a minute ("too_many_hides").
    """
    now = now or utc_now()
    conversation = conversations.readable(session, viewer_id, conversation_id)
    wanted = validation.valid_id(seq)
    message_changes.pace(session, viewer_id, "hides", HIDES_PER_MINUTE, now)
    message_changes.message_at(session, conversation, wanted)
    if not hidden_between(session, viewer_id, conversation.id, wanted, wanted):
        session.add(
            HiddenMessage(
                user_id=viewer_id, conversation_id=conversation.id, seq=wanted, created_at=now
            )
        )
        try:
            session.commit()
        except IntegrityError:  # hidden at the same moment from another tab
            session.rollback()
    return conversation.id, wanted


def hide_for_departed(
    session: Session, conversation_id: int, seq: int, now: datetime
) -> tuple[int, ...]:
    """Hide a message for the members who left after it reached them (the caller commits).

    Called when the message's text changes: what a member who left could read stays what
    it was when they left, and its new text never reaches them.

    Args:
        session: The session changing the message.
        conversation_id: Its conversation.
        seq: Its seq.
        now: The time of the change.

    Returns:
        The departed members whose range holds it (hidden for them now, or before).
    """
    departed = session.exec(
        select(ConversationMember.user_id).where(
            ConversationMember.conversation_id == conversation_id,
            col(ConversationMember.left_seq).is_not(None),
            col(ConversationMember.joined_seq) < seq,
            col(ConversationMember.left_seq) >= seq,
        )
    ).all()
    if not departed:
        return ()
    rows = [
        {"user_id": user_id, "conversation_id": conversation_id, "seq": seq, "created_at": now}
        for user_id in departed
    ]
    # One who hid it already (also at this very moment, from their read-only history) keeps
    # their row: the edit must not fail on it.
    insert = _insert_for(session)(HiddenMessage).values(rows)
    session.execute(insert.on_conflict_do_nothing(index_elements=_HIDDEN_KEY))
    return tuple(sorted(departed))


_HIDDEN_KEY = ["user_id", "conversation_id", "seq"]


def _insert_for(session: Session) -> Any:
    """The INSERT of the session's database that can skip rows already there."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def hidden_between(
    session: Session, viewer_id: int, conversation_id: int, low: int, high: int
) -> tuple[int, ...]:
    """The seqs from `low` to `high` the viewer hid in one conversation, in order.

    Args:
        session: The database session.
        viewer_id: Whose.
        conversation_id: The conversation.
        low: The first seq asked about.
        high: The last.

    Returns:
        The hidden seqs.
    """
    rows = session.exec(
        select(HiddenMessage.seq)
        .where(
            HiddenMessage.user_id == viewer_id,
            HiddenMessage.conversation_id == conversation_id,
            col(HiddenMessage.seq) >= low,
            col(HiddenMessage.seq) <= high,
        )
        .order_by(col(HiddenMessage.seq))
    ).all()
    return tuple(rows)


def not_hidden_from(viewer_id: int) -> sa.ColumnElement[bool]:
    """A condition on `message` rows: not hidden by the viewer (for searches and exports)."""
    return ~sa.exists().where(
        col(HiddenMessage.user_id) == viewer_id,
        col(HiddenMessage.conversation_id) == col(Message.conversation_id),
        col(HiddenMessage.seq) == col(Message.seq),
    )
