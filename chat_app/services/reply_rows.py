"""The quotes of replies, read for a page of messages in one query (none without replies)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.models import Message
from chat_app.services import conversations, validation
from chat_app.services.errors import NotFound
from chat_app.services.reply_views import QUOTABLE_KINDS, ReplyView, quote_of, withheld
from chat_app.services.statements import MEMBER, MESSAGE
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
    session: Session, rows: Sequence[Message], views: Sequence[MessageView], joined_seq: int = 0
) -> tuple[MessageView, ...]:
    """The views of stored messages with the quotes of those that reply (one query).

    Args:
        session: The database session.
        rows: The messages' rows, of one conversation.
        views: Their views, in the same order.
        joined_seq: The reader's membership starts after this seq: the quote of a message
            up to it is withheld (`reply_views.withheld`). 0 for views shown to everyone
            who holds the reply; the caller withholds per reader then (`quote_seen_by`).

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
    for seq, quote in found.items():
        if seq <= joined_seq:
            found[seq] = withheld(quote)
    return tuple(
        replace(view, reply=found[row.reply_to_seq]) if row.reply_to_seq in found else view
        for row, view in zip(rows, views, strict=True)
    )


_JOINED_AFTER = sa.select(MEMBER.c.user_id).where(
    MEMBER.c.conversation_id == sa.bindparam("conversation"),
    MEMBER.c.joined_seq >= sa.bindparam("seq"),
)


def joined_after(connection: sa.Connection, conversation_id: int, seq: int) -> frozenset[int]:
    """The members (current or departed) who joined after the message at `seq`.

    A reply's view pushed to every member is shown to these with its quote withheld
    (`quote_seen_by`): the quoted message is not theirs to read. Asked for replies only.
    """
    found = connection.execute(_JOINED_AFTER, {"conversation": conversation_id, "seq": seq})
    return frozenset(found.scalars())


def quote_seen_by(
    view: MessageView, reader_id: int | None, withheld_from: frozenset[int]
) -> MessageView:
    """A reply's view as one reader may see it: its quote withheld if they joined after it."""
    return view if reader_id not in withheld_from else quote_withheld(view)


def quote_withheld(view: MessageView) -> MessageView:
    """A reply's view with its quote withheld (the view itself if it quotes nothing)."""
    return view if view.reply is None else replace(view, reply=withheld(view.reply))


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
