"""Stored messages' views with their reactions, read in one query per batch of messages.

A member who left sees the reactions made until they left (`until`): who reacted with what
afterwards is not theirs to know, as the messages after it are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, select

from chat_app.models import ConversationMember, Message, Reaction
from chat_app.services.conversations import ConversationRef
from chat_app.services.reaction_views import summarize
from chat_app.services.views import MessageView


def with_reactions(
    session: Session,
    rows: Sequence[Message],
    views: Sequence[MessageView],
    until: datetime | None = None,
) -> tuple[MessageView, ...]:
    """The views of stored messages with their reactions (one query for all of them).

    Args:
        session: The database session.
        rows: The messages' rows.
        views: Their views, in the same order.
        until: Only the reactions made until then (a departed reader's, `shown_until`).

    Returns:
        The views, each with its reactions.
    """
    ids = [row.id for row in rows if row.id is not None]
    by_message = reactions_by_message(session, ids, until)
    if not by_message:
        return tuple(views)
    return tuple(
        replace(view, reactions=summarize(by_message[row.id])) if row.id in by_message else view
        for row, view in zip(rows, views, strict=True)
    )


def reactions_by_message(
    session: Session, message_ids: Sequence[int], until: datetime | None = None
) -> dict[int, list[tuple[str, int]]]:
    """Each message's reactions as (emoji, user id), in the order they were made (one query).

    Args:
        session: The database session.
        message_ids: The messages.
        until: Only the reactions made until then (a departed reader's, `shown_until`).

    Returns:
        Message id -> its reactions; messages without any are left out.
    """
    if not message_ids:
        return {}
    statement = select(Reaction.message_id, Reaction.emoji, Reaction.user_id).where(
        col(Reaction.message_id).in_(message_ids)
    )
    if until is not None:
        statement = statement.where(col(Reaction.created_at) <= until)
    found = session.exec(statement.order_by(col(Reaction.id))).all()
    by_message: dict[int, list[tuple[str, int]]] = {}
    for message_id, emoji, user_id in found:
        by_message.setdefault(message_id, []).append((emoji, user_id))
    return by_message


def shown_until(session: Session, viewer_id: int, conversation: ConversationRef) -> datetime | None:
    """Until when the viewer sees a conversation's reactions: when they left (None: now).

    Args:
        session: The database session.
        viewer_id: The reader.
        conversation: The conversation with the reader's membership (`departed`).

    Returns:
        Their membership's `left_at` if they left; None for a current member (no query).
    """
    if not conversation.departed:
        return None
    return session.exec(
        select(ConversationMember.left_at).where(
            ConversationMember.user_id == viewer_id,
            ConversationMember.conversation_id == conversation.id,
        )
    ).first()
