"""The quotes of replies, read for a page of messages in one query (none without replies)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.models import Message
from chat_app.services import conversations, validation
from chat_app.services.errors import NotFound
from chat_app.services.reply_views import QUOTABLE_KINDS, ReplyView, quote_of
from chat_app.services.statements import MESSAGE
from chat_app.services.views import MessageView

_QUOTED = sa.select(
    MESSAGE.c.seq, MESSAGE.c.sender_id, MESSAGE.c.kind, MESSAGE.c.body, MESSAGE.c.deleted_at
).where(
    MESSAGE.c.conversation_id == sa.bindparam("conversation"),
    MESSAGE.c.seq.in_(sa.bindparam("seqs", expanding=True)),
    MESSAGE.c.kind.in_(QUOTABLE_KINDS),
)


def quotes(
    connection: sa.Connection, conversation_id: int, seqs: Iterable[int]
) -> dict[int, ReplyView]:
    """The quotes of some messages of one conversation, by seq (missing ones left out).

    Args:
        connection: The database connection.
        conversation_id: The conversation.
        seqs: The quoted messages' seqs.

    Returns:
        Seq -> quote, for those that exist and may be quoted.
    """
    wanted = sorted(set(seqs))
    if not wanted:
        return {}
    found = connection.execute(_QUOTED, {"conversation": conversation_id, "seqs": wanted})
    return {
        row.seq: quote_of(row.seq, row.sender_id, row.kind, row.body, row.deleted_at is not None)
        for row in found
    }


def with_replies(
    session: Session, rows: Sequence[Message], views: Sequence[MessageView]
) -> tuple[MessageView, ...]:
    """The views of stored messages with the quotes of those that reply (one query).

    Args:
        session: The database session.
        rows: The messages' rows, of one conversation.
        views: Their views, in the same order.

    Returns:
        The views, each reply with its quote.
    """
    replying = [row for row in rows if row.reply_to_seq]
    if not replying:
        return tuple(views)
    found = quotes(
        session.connection(),
        replying[0].conversation_id,
        (row.reply_to_seq for row in replying if row.reply_to_seq),
    )
    return tuple(
        replace(view, reply=found[row.reply_to_seq]) if row.reply_to_seq in found else view
        for row, view in zip(rows, views, strict=True)
    )


def quote_to_answer(
    *, session: Session, viewer_id: int, conversation_id: object, seq: object
) -> ReplyView:
    """The quote the composer shows while the viewer writes a reply to a message.

    Args:
        session: The database session.
        viewer_id: Who replies (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message to answer (untrusted).

    Returns:
        Its quote.

    Raises:
        NotFound: Not a conversation the viewer may read, or not a message of it they may
            read, or one that cannot be quoted (an event line, a deleted message).
        Refused: The viewer no longer writes there.
    """
    conversation = conversations.readable(session, viewer_id, conversation_id)
    conversations.require_writer(conversation)
    wanted = validation.valid_id(seq)
    found = quotes(session.connection(), conversation.id, [wanted]).get(wanted)
    if found is None or found.deleted or not conversation.holds(wanted):
        raise NotFound()
    return found
