"""Sending a message: idempotent, ordered, durable.

Delivery contract: a message exists once its transaction commits (the sender's "sent");
(sender, client_id) is unique, so a retry returns the stored message instead of a second
row; `seq` numbers a conversation's messages in commit order, so "everything after N"
is an exact catch-up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chat_app.models import StoredFile, utc_now
from chat_app.services import (
    conversations,
    direct_sql,
    mentions,
    message_text,
    reply_rows,
    send_statements,
    statements,
    validation,
)
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.services.reply_views import ReplyView
from chat_app.services.views import MessageView, SentMessage
from chat_app.settings import SETTINGS, Settings

# A tab checks at most this many client ids at once (its outbox and its next id).
LOOKUP_MAX = 64


def send_message(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    client_id: object,
    body: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
    attachment: StoredFile | None = None,
    mentioned: object = (),
    reply_to: object = None,
) -> SentMessage:
    """Store a message from the viewer in a conversation, exactly once per client id.

    Args:
        session: The database session.
        viewer_id: The sender (from the server-side session).
        conversation_id: The conversation (untrusted id).
        client_id: The id the sender's tab gave this message; a retry reuses it.
        body: The text (untrusted).
        now: The current time.
        settings: The per-user message rate limit.
        attachment: For a file message: its (not yet added) StoredFile row, committed in
            the same transaction as the message.
        mentioned: The users the sender picked after `@` (untrusted ids): stored as
            mentions when still named in the text and current members (services/mentions.py).
        reply_to: The seq of the message this one replies to (untrusted), or None/0.

    Returns:
        The stored message; `created` is False when the client id was already stored.

    Raises:
        NotFound: Not a conversation the viewer is or was a member of.
        Refused: No longer a member (not friends any more, or left the group), or an
            invalid text or client id, or a reply to a message the sender cannot read
            here (the code says which).
        RateLimited: Over the per-user message rate.
    """
    now = now or utc_now()
    conversation_key = validation.valid_id(conversation_id)
    try:
        client_id = message_text.client_id_of(client_id)
        text = message_text.clean_body(body)
        reply_seq = _reply_seq(reply_to)
    except Refused:
        # A conversation that is not the viewer's is NotFound first, whatever the text.
        conversations.member_of(session, viewer_id, conversation_key)
        raise
    # The UPDATE takes the conversation's row (PostgreSQL) or database (SQLite) write lock
    # until commit, so sequence numbers are handed out in commit order, and reads what the
    # send checks; a refused send rolls it back (the seq is not used). The row is stored
    # after it, in a statement of its own that checks the sender's membership and reads the
    # members (see statements.INSERT_IF_MEMBER): an unfriending, a block or a removal
    # commits either before (and refuses this message) or after it (and the message is
    # inside the departed member's history).
    checks = {
        "conversation": conversation_key,
        "viewer": viewer_id,
        "client_id": client_id,
        "since": now - settings.message_rate_window,
        "now": now,
    }
    connection = session.connection()
    found = direct_sql.run(connection, send_statements.NEXT_SEQ_WITH_CHECKS, checks).first()
    if found is None:
        raise NotFound()
    conversation = conversations.member_row(found)
    seq = found.last_seq
    quote: ReplyView | None = None
    withheld_from: frozenset[int] = frozenset()
    try:
        # A file message's body is its name, which the store may have changed: not compared.
        expected = text if attachment is None else None
        retried = (
            _stored_result(session, viewer_id, conversation, client_id, expected)
            if found.stored
            else None
        )
        if retried is None:
            conversations.require_writer(conversation)
            if found.recent >= settings.message_rate_count:
                raise RateLimited("too_many_messages")
            if reply_seq:
                quote = _quote(connection, conversation, reply_seq, seq)
                withheld_from = reply_rows.joined_after(connection, conversation.id, reply_seq)
    except BaseException:
        session.rollback()
        raise
    if retried is not None:
        session.rollback()
        return retried
    row = {
        "conversation_id": conversation.id,
        "seq": seq,
        "sender_id": viewer_id,
        "client_id": client_id,
        "kind": "text",
        "body": text,
        "file_id": None,
        "created_at": now,
        "reply_to_seq": reply_seq,
    }
    if attachment is not None:
        attachment.conversation_id = conversation.id
        session.add(attachment)
        # The file row must exist before the message that points to it.
        session.flush()
        row["kind"] = "image" if attachment.thumbnail_key else "file"
        row["file_id"] = attachment.id
    picked = mentions.picked_ids(mentioned)
    members: tuple[int, ...] = ()
    named: tuple[int, ...] = ()
    try:
        stored = direct_sql.run(connection, statements.INSERT_IF_MEMBER, row).first()
        if stored is not None:
            # A message without mentions runs no statement more than before.
            members = _ids(stored.members)
            named = mentions.store_mentions(
                connection,
                message_id=stored.id,
                sender_id=viewer_id,
                members=members,
                picked=picked,
                text=text,
            )
            session.commit()
    except IntegrityError:
        # The same client id was committed by a concurrent retry: that row is the message.
        session.rollback()
        retried = _stored_result(session, viewer_id, conversation, client_id, expected)
        if retried is None:
            raise Refused("message_invalid") from None
        return retried
    if stored is None:
        # No longer a member: nothing is kept, the file row (if any) neither.
        session.rollback()
        raise Refused(conversations.not_writer_code(conversation.kind))
    view = MessageView.stored(
        seq=seq,
        sender_id=viewer_id,
        client_id=client_id,
        body=text,
        created_at=now,
        kind=row["kind"],
        file=attachment,
    )
    if quote is not None:
        view = replace(view, reply=quote)
    sent = _sent(conversation.id, view, viewer_id, members, created=True)
    return replace(
        sent,
        mentioned_ids=named,
        muted_ids=frozenset(_ids(stored.muted)),
        quote_withheld_from=withheld_from,
    )


def require_message_rate(
    session: Session, viewer_id: int, now: datetime | None = None, settings: Settings = SETTINGS
) -> None:
    """Refuse early a message the rate limit will refuse: before a file is copied and decoded.

    `send_message` checks the same count again in its transaction.

    Args:
        session: The database session.
        viewer_id: The sender.
        now: The current time.
        settings: The per-user message rate limit.

    Raises:
        RateLimited: The sender is at the limit ("too_many_messages").
    """
    since = (now or utc_now()) - settings.message_rate_window
    params = {"viewer": viewer_id, "since": since}
    recent = direct_sql.run(session.connection(), statements.SENT_SINCE, params).scalar_one()
    if recent >= settings.message_rate_count:
        raise RateLimited("too_many_messages")


def _reply_seq(reply_to: object) -> int | None:
    """The seq a send says it replies to: None for none (None or 0), else a positive id.

    Raises:
        Refused: Anything else ("reply_not_found").
    """
    if reply_to is None or reply_to == 0:
        return None
    try:
        return validation.valid_id(reply_to)
    except NotFound:
        raise Refused("reply_not_found") from None


def _quote(
    connection: Any, conversation: conversations.ConversationRef, reply_seq: int, seq: int
) -> ReplyView:
    """The quote of the message a new one replies to: an earlier one the sender may read.

    Raises:
        Refused: Not an earlier message of this conversation inside the sender's history,
            or a group's event line ("reply_not_found").
    """
    quote = None
    if conversation.joined_seq < reply_seq < seq:
        quote = reply_rows.quotes(connection, conversation.id, [reply_seq]).get(reply_seq)
    if quote is None:
        raise Refused("reply_not_found")
    return quote


def _ids(joined: str | None) -> tuple[int, ...]:
    """User ids a statement returned joined by commas (None: none)."""
    return tuple(int(user) for user in joined.split(",")) if joined else ()


def _active_members(session: Session, conversation_id: int) -> tuple[int, ...]:
    where = {"conversation": conversation_id}
    return tuple(session.connection().execute(statements.ACTIVE_MEMBER_IDS, where).scalars())


def _sent(
    conversation_id: int,
    view: MessageView,
    sender_id: int,
    members: tuple[int, ...],
    created: bool,
) -> SentMessage:
    return SentMessage(
        conversation_id=conversation_id,
        message=view,
        sender_id=sender_id,
        recipient_ids=tuple(member for member in members if member != sender_id),
        created=created,
    )


def _stored_result(
    session: Session,
    viewer_id: int,
    conversation: conversations.ConversationRef,
    client_id: str,
    body: str | None,
) -> SentMessage | None:
    """A retry of a stored message: that message, if it is the same message.

    Args:
        session: The database session.
        viewer_id: The sender.
        conversation: The conversation the retry names.
        client_id: The retry's client id.
        body: The retry's text, or None not to compare it (file messages).

    Returns:
        None when no message of the viewer has this client id.

    Raises:
        Refused: The client id names a message in another conversation, or with another
            text ("client_id_conflict": shown failed, never merged into the stored one).
    """
    already = {"sender": viewer_id, "client_id": client_id}
    existing = session.connection().execute(statements.STORED_MESSAGE, already).first()
    if existing is None:
        return None
    if existing.conversation_id != conversation.id:
        raise Refused("client_id_conflict")
    # A message deleted for everyone or edited since lost the text it was sent with: it
    # was stored, whatever it said.
    changed = existing.deleted_at is not None or existing.edited_at is not None
    if body is not None and existing.body != body and not changed:
        raise Refused("client_id_conflict")
    file = session.get(StoredFile, existing.file_id) if existing.file_id else None
    view = MessageView.of(existing, file)
    if existing.reply_to_seq:
        quoted = reply_rows.quotes(session.connection(), conversation.id, [existing.reply_to_seq])
        view = replace(view, reply=quoted.get(existing.reply_to_seq))
    members = _active_members(session, conversation.id)
    return _sent(conversation.id, view, viewer_id, members, created=False)


def stored_texts(
    *, session: Session, viewer_id: int, client_ids: list[str]
) -> dict[str, tuple[int, str | None]]:
    """Which of the viewer's client ids are stored already, and as what.

    A tab checks the messages its outbox still holds (and the id it issued for the next
    one) after a reload or a restart: a stored one was acknowledged while the tab was away.

    Args:
        session: The database session.
        viewer_id: The sender (from the server-side session).
        client_ids: At most `LOOKUP_MAX` client ids (others are ignored).

    Returns:
        Client id -> (conversation id, text) for each stored one; the text is None for a
        message deleted for everyone or edited since (stored, whatever it said).
    """
    wanted = [cid for cid in client_ids[:LOOKUP_MAX] if isinstance(cid, str)]
    if not wanted:
        return {}
    rows = session.connection().execute(
        statements.STORED_TEXTS, {"sender": viewer_id, "client_ids": wanted}
    )
    return {row.client_id: (row.conversation_id, _sent_text(row)) for row in rows}


def _sent_text(row: Any) -> str | None:
    """The text a message was sent with, if it still has it (not deleted, not edited)."""
    return None if row.deleted_at or row.edited_at else row.body


def seconds_until_room(
    *, session: Session, viewer_id: int, now: datetime | None = None, settings: Settings = SETTINGS
) -> float:
    """How long the viewer must wait before one more message fits the rate limit.

    Automatic re-sends (a tab's outbox after a restart) are paced with this, so forty
    pending messages go out at the allowed rate instead of thirty failing "too fast".

    Args:
        session: The database session.
        viewer_id: The sender.
        now: The current time.
        settings: The per-user message rate limit.

    Returns:
        0 when a message may go now, else the seconds until the oldest counted one leaves
        the window.
    """
    now = now or utc_now()
    since = now - settings.message_rate_window
    times = session.connection().execute(
        statements.SENT_TIMES_SINCE,
        {"sender": viewer_id, "since": since, "limit": settings.message_rate_count},
    )
    counted = [row.created_at for row in times]
    if len(counted) < settings.message_rate_count:
        return 0.0
    oldest = min(counted)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max(0.0, (oldest + settings.message_rate_window - now).total_seconds())
