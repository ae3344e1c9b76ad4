"""Stored messages' views with their reactions, read in one query per batch of messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlmodel import Session, col, select

from chat_app.models import Message, Reaction
from chat_app.services.reaction_views import summarize
from chat_app.services.views import MessageView


def with_reactions(
    session: Session, rows: Sequence[Message], views: Sequence[MessageView]
) -> tuple[MessageView, ...]:
    """The views of stored messages with their reactions (one query for all of them).

    Args:
        session: The database session.
        rows: The messages' rows.
        views: Their views, in the same order.

    Returns:
        The views, each with its reactions.
    """
    by_message = reactions_by_message(session, [row.id for row in rows if row.id is not None])
    if not by_message:
        return tuple(views)
    return tuple(
        replace(view, reactions=summarize(by_message[row.id])) if row.id in by_message else view
        for row, view in zip(rows, views, strict=True)
    )


def reactions_by_message(
    session: Session, message_ids: Sequence[int]
) -> dict[int, list[tuple[str, int]]]:
    """Each message's reactions as (emoji, user id), in the order they were made (one query).

    Args:
        session: The database session.
        message_ids: The messages.

    Returns:
        Message id -> its reactions; messages without any are left out.
    """
    if not message_ids:
        return {}
    found = session.exec(
        select(Reaction.message_id, Reaction.emoji, Reaction.user_id)
        .where(col(Reaction.message_id).in_(message_ids))
        .order_by(col(Reaction.id))
    ).all()
    by_message: dict[int, list[tuple[str, int]]] = {}
    for message_id, emoji, user_id in found:
        by_message.setdefault(message_id, []).append((emoji, user_id))
    return by_message
