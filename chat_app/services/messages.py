"""One-to-one messages: send (idempotent, ordered, durable), history, catch-up, read cursors.

Delivery contract: a message exists once its transaction commits (the sender's "sent");
(sender, client_id) is unique, so a retry returns the stored message instead of a second
row; `seq` numbers a conversation's messages in commit order, so "everything after N"
is an exact catch-up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from chat_app.models import Conversation, Message, ReadCursor, StoredFile, User, utc_now
from chat_app.services import friends, relations, statements, text_rules, validation
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.services.views import (
    AttachmentView,
    ContactView,
    ConversationSummary,
    HistoryPage,
    MessageView,
    ReadReceipt,
    SentMessage,
)
from chat_app.settings import SETTINGS, Settings

MAX_MESSAGE_LENGTH = 4000
PAGE_SIZE = 50
CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _view(message: Message, stored: StoredFile | None = None) -> MessageView:
    return _view_of(
        message.seq,
        message.sender_id,
        message.client_id,
        message.body,
        message.created_at,
        message.kind,
        stored,
    )


def _view_of(
    seq: int,
    sender_id: int,
    client_id: str,
    body: str,
    created_at: datetime,
    kind: str,
    stored: StoredFile | None,
) -> MessageView:
    view = MessageView(
        seq=seq,
        sender_id=sender_id,
        client_id=client_id,
        body=body,
        sent_at=created_at.isoformat(),
        kind=kind,
    )
    if stored is None:
        return view
    attachment = AttachmentView(
        file_id=stored.id,
        size_label=_size_label(stored.size),
        mime=stored.mime,
        has_thumbnail=stored.thumbnail_key is not None,
    )
    return replace(view, attachment=attachment)


def _size_label(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _views(session: Session, rows: list[Message]) -> list[MessageView]:
    file_ids = [row.file_id for row in rows if row.file_id]
    files = (
        {f.id: f for f in session.exec(select(StoredFile).where(col(StoredFile.id).in_(file_ids)))}
        if file_ids
        else {}
    )
    return [_view(row, files.get(row.file_id or "")) for row in rows]


def clean_body(body: object) -> str:
    """Validate a message text and normalise its line breaks.

    Args:
        body: The text as sent by the client (untrusted).

    Returns:
        The text with CRLF/CR turned into LF and every line's bidi controls closed
        (`text_rules.balance_bidi`), otherwise exactly as typed.

    Raises:
        Refused: Not text, only whitespace, over 4,000 characters, control characters
            other than newline and tab or lone surrogates, or nothing visible.
    """
    if not isinstance(body, str):
        raise Refused("message_invalid")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        raise Refused("message_empty")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise Refused("message_too_long")
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" for ch in body):
        raise Refused("message_invalid_characters")
    if not text_rules.has_visible(body):
        raise Refused("message_invisible")
    return text_rules.balance_bidi(body)


def _find_conversation(session: Session, a: int, b: int) -> Conversation | None:
    low, high = validation.ordered_pair(a, b)
    return session.exec(
        select(Conversation).where(
            Conversation.user_low_id == low, Conversation.user_high_id == high
        )
    ).first()


def _conversation_for_sending(session: Session, a: int, b: int, now: datetime) -> int:
    """The pair's conversation id, created (and committed) by the first message."""
    low, high = validation.ordered_pair(a, b)
    pair = {"low": low, "high": high}
    found = session.connection().execute(statements.CONVERSATION_OF_PAIR, pair).first()
    if found is not None:
        return found.id
    session.add(Conversation(user_low_id=low, user_high_id=high, created_at=now))
    try:
        session.commit()
    except IntegrityError:
        # Both friends sent their first message at once; the other insert won.
        session.rollback()
    conversation = _find_conversation(session, a, b)
    assert conversation is not None
    assert conversation.id is not None
    return conversation.id


def _readable_conversation(
    session: Session, viewer_id: int, friend_id: object
) -> Conversation | None:
    """The viewer's conversation with `friend_id`: readable while friends or once shared."""
    friend_id = validation.valid_id(friend_id)
    conversation = _find_conversation(session, viewer_id, friend_id)
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


def _stored(session: Session, sender_id: int, client_id: str) -> Message | None:
    return session.exec(
        select(Message).where(Message.sender_id == sender_id, Message.client_id == client_id)
    ).first()


def _retry_result(
    session: Session, message: Message, conversation_pair: tuple[int, int], sender_id: int
) -> SentMessage:
    low, high = conversation_pair
    recipient = high if low == sender_id else low
    (view,) = _views(session, [message])
    return SentMessage(view, sender_id, recipient, created=False)


def send_message(
    *,
    session: Session,
    viewer_id: int,
    friend_id: object,
    client_id: object,
    body: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
    attachment: StoredFile | None = None,
) -> SentMessage:
    """Store a message from the viewer to a friend, exactly once per client id.

    Args:
        session: The database session.
        viewer_id: The sender (from the server-side session).
        friend_id: The recipient (untrusted id).
        client_id: The id the sender's tab gave this message; a retry reuses it.
        body: The text (untrusted).
        now: The current time.
        settings: The per-user message rate limit.
        attachment: For a file message: its (not yet added) StoredFile row, committed in
            the same transaction as the message.

    Returns:
        The stored message; `created` is False when the client id was already stored.

    Raises:
        NotFound: Unknown recipient.
        Refused: Not friends, or an invalid text or client id (the code says which).
        RateLimited: Over the per-user message rate.
    """
    now = now or utc_now()
    friend_id = validation.valid_id(friend_id)
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.fullmatch(client_id):
        raise Refused("message_invalid")
    already = {"sender": viewer_id, "client_id": client_id}
    if session.connection().execute(statements.STORED_MESSAGE_ID, already).first():
        return _stored_result(session, viewer_id, friend_id, client_id)
    require_friend(session, viewer_id, friend_id)
    text = clean_body(body)
    since = now - settings.message_rate_window
    recent = session.connection().execute(
        statements.SENT_SINCE, {"sender": viewer_id, "since": since}
    )
    if recent.scalar_one() >= settings.message_rate_count:
        raise RateLimited("too_many_messages")

    conversation_id = _conversation_for_sending(session, viewer_id, friend_id, now)
    connection = session.connection()
    # The UPDATE takes the conversation's row (PostgreSQL) or database (SQLite) write lock
    # until commit, so sequence numbers are handed out in commit order.
    seq = connection.execute(
        statements.NEXT_SEQ, {"conversation": conversation_id, "now": now}
    ).scalar_one()
    row = {
        "conversation_id": conversation_id,
        "seq": seq,
        "sender_id": viewer_id,
        "client_id": client_id,
        "kind": "text",
        "body": text,
        "file_id": None,
        "created_at": now,
    }
    if attachment is not None:
        attachment.conversation_id = conversation_id
        session.add(attachment)
        # The file row must exist before the message that points to it.
        session.flush()
        row["kind"] = "image" if attachment.thumbnail_key else "file"
        row["file_id"] = attachment.id
    try:
        connection.execute(statements.INSERT_MESSAGE, row)
        session.commit()
    except IntegrityError:
        # The same client id was committed by a concurrent retry: that row is the message.
        session.rollback()
        return _stored_result(session, viewer_id, friend_id, client_id)
    view = _view_of(seq, viewer_id, client_id, text, now, row["kind"], attachment)
    return SentMessage(view, viewer_id, friend_id, created=True)


def _stored_result(session: Session, viewer_id: int, friend_id: int, client_id: str) -> SentMessage:
    """A retry of a stored message: that message, if it went to the same friend."""
    existing = _stored(session, viewer_id, client_id)
    if existing is None:
        raise Refused("message_invalid")
    conversation = session.get(Conversation, existing.conversation_id)
    assert conversation is not None
    pair = (conversation.user_low_id, conversation.user_high_id)
    if pair != validation.ordered_pair(viewer_id, friend_id):
        raise Refused("message_invalid")
    return _retry_result(session, existing, pair, viewer_id)


def _read_seq(session: Session, user_id: int, conversation_id: int, shared: bool = False) -> int:
    # `shared`: the position shown to the other side (frozen while a block stands).
    column = ReadCursor.shared_seq if shared else ReadCursor.last_read_seq
    cursor = session.exec(
        select(column).where(
            ReadCursor.user_id == user_id, ReadCursor.conversation_id == conversation_id
        )
    ).first()
    return cursor or 0


def history(
    *,
    session: Session,
    viewer_id: int,
    friend_id: object,
    before_seq: object = None,
    limit: int = PAGE_SIZE,
) -> HistoryPage:
    """A page of the conversation, oldest first: the newest page, or the one before a seq.

    Args:
        session: The database session.
        viewer_id: Who reads (from the server-side session).
        friend_id: The other user (untrusted id).
        before_seq: Only messages older than this seq (for "load older"); None for newest.
        limit: Page size.

    Returns:
        The page and both read positions.

    Raises:
        NotFound: The two never shared a conversation and are not friends.
    """
    conversation = _readable_conversation(session, viewer_id, friend_id)
    other = session.get(User, validation.valid_id(friend_id))
    if other is None or other.id is None:
        raise NotFound()
    friend = ContactView(
        user_id=other.id,
        username=other.username,
        nickname=other.nickname,
        avatar_file_id=other.avatar_file_id or "",
    )
    (friend,) = relations.hide_blocked(session=session, viewer_id=viewer_id, contacts=[friend])
    if conversation is None or conversation.id is None:
        return HistoryPage(friend, (), False, 0, 0, 0)
    statement = select(Message).where(Message.conversation_id == conversation.id)
    if before_seq is not None:
        statement = statement.where(col(Message.seq) < validation.valid_id(before_seq))
    rows = session.exec(statement.order_by(col(Message.seq).desc()).limit(limit + 1)).all()
    page = _views(session, list(reversed(rows[:limit])))
    return HistoryPage(
        friend=friend,
        messages=tuple(page),
        has_older=len(rows) > limit,
        my_read_seq=_read_seq(session, viewer_id, conversation.id),
        friend_read_seq=_read_seq(session, other.id, conversation.id, shared=True),
        last_seq=conversation.last_seq,
    )


def messages_after(
    *,
    session: Session,
    viewer_id: int,
    friend_id: object,
    after_seq: object,
    limit: int = PAGE_SIZE,
) -> tuple[MessageView, ...]:
    """Messages newer than `after_seq`, oldest first (catch-up after a reconnect).

    Args:
        session: The database session.
        viewer_id: Who reads.
        friend_id: The other user (untrusted id).
        after_seq: The last seq the tab holds.
        limit: At most this many (a longer gap reloads the newest page instead).

    Returns:
        The missing messages.

    Raises:
        NotFound: No such conversation for the viewer.
    """
    if isinstance(after_seq, bool) or not isinstance(after_seq, int) or after_seq < 0:
        raise NotFound()
    conversation = _readable_conversation(session, viewer_id, friend_id)
    if conversation is None:
        return ()
    rows = session.exec(
        select(Message)
        .where(Message.conversation_id == conversation.id, col(Message.seq) > after_seq)
        .order_by(col(Message.seq))
        .limit(limit)
    ).all()
    return tuple(_views(session, list(rows)))


def mark_read(
    *, session: Session, viewer_id: int, friend_id: object, up_to_seq: object
) -> ReadReceipt | None:
    """Move the viewer's read cursor forward (never back).

    Args:
        session: The database session.
        viewer_id: Who has read.
        friend_id: The other user (untrusted id).
        up_to_seq: The newest seq the viewer has seen; capped at the conversation's last.

    Returns:
        The receipt, or None when nothing moved. While either blocks the other the
        receipt is not `shared`: the cursor moves for the reader only, and the position
        the other side is shown (`shared_seq`) stays where it was.

    Raises:
        NotFound: No such conversation for the viewer.
    """
    friend_id = validation.valid_id(friend_id)
    low, high = validation.ordered_pair(viewer_id, friend_id)
    connection = session.connection()
    found = connection.execute(statements.CONVERSATION_OF_PAIR, {"low": low, "high": high}).first()
    if found is None:
        # Nothing to read yet (NotFound when the viewer may not see this conversation).
        _readable_conversation(session, viewer_id, friend_id)
        return None
    target = min(validation.valid_id(up_to_seq), found.last_seq)
    shared = not relations.is_blocked_pair(session=session, user_a=viewer_id, user_b=friend_id)
    cursor = {"user": viewer_id, "conversation": found.id, "seq": target, "shared": shared}
    current = connection.execute(statements.READ_SEQ, cursor).scalar_one_or_none()
    if target <= (current or 0):
        return None
    try:
        if current is None:
            connection.execute(
                statements.INSERT_READ_CURSOR,
                {
                    "user_id": viewer_id,
                    "conversation_id": found.id,
                    "last_read_seq": target,
                    "shared_seq": target if shared else 0,
                },
            )
        else:
            connection.execute(statements.MOVE_READ_CURSOR, cursor)
        session.commit()
    except IntegrityError:
        # Another tab created the cursor at the same moment: move that one instead.
        session.rollback()
        return mark_read(
            session=session, viewer_id=viewer_id, friend_id=friend_id, up_to_seq=up_to_seq
        )
    unread_left = (
        session.connection()
        .execute(
            statements.UNREAD_AFTER,
            {"conversation": found.id, "seq": target, "reader": viewer_id},
        )
        .scalar_one()
    )
    return ReadReceipt(
        reader_id=viewer_id,
        friend_id=friend_id,
        seq=target,
        unread_left=unread_left,
        shared=shared,
    )


def summaries(*, session: Session, viewer_id: int) -> tuple[ConversationSummary, ...]:
    """Unread count and last activity of each of the viewer's conversations.

    Args:
        session: The database session.
        viewer_id: The user.

    Returns:
        One summary per conversation, most recent first.
    """
    conversations = session.exec(
        select(Conversation).where(
            (Conversation.user_low_id == viewer_id) | (Conversation.user_high_id == viewer_id)
        )
    ).all()
    result = []
    for conversation in conversations:
        assert conversation.id is not None
        friend_id = (
            conversation.user_high_id
            if conversation.user_low_id == viewer_id
            else conversation.user_low_id
        )
        read = _read_seq(session, viewer_id, conversation.id)
        unread = session.exec(
            select(func.count())
            .select_from(Message)
            .where(
                Message.conversation_id == conversation.id,
                col(Message.seq) > read,
                Message.sender_id != viewer_id,
            )
        ).one()
        last_at = conversation.last_message_at
        result.append(
            ConversationSummary(
                friend_id=friend_id,
                unread=unread,
                last_seq=conversation.last_seq,
                last_message_at=last_at.isoformat() if last_at else "",
            )
        )
    result.sort(key=lambda summary: summary.last_message_at, reverse=True)
    return tuple(result)
