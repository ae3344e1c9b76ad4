"""Deleting a message for everyone, and the changes a tab back from an absence catches up on.

A sender deletes their own messages, and a group's owner or admins anyone's (a teacher
takes down what should not be there). The message keeps its place, sender and time, and
loses its content in the deleting transaction: the body is emptied (the search index's
triggers drop its words), its mentions go, and its file's row goes with it (the bytes
after the commit), so nobody, not even a tab that kept a link, reads it again.

Each change bumps the conversation's `last_change_seq` and stamps the message with it, under
the conversation row's lock: a tab that missed the push asks for "the changes after N"
(`changes_after`) exactly as it asks for "the messages after seq N" (ARCHITECTURE §4).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from chat_app.models import Conversation, ConversationMember, Mention, Message, StoredFile, utc_now
from chat_app.services import conversations, relations, validation
from chat_app.services.errors import Forbidden, NotFound
from chat_app.services.group_events import MANAGERS
from chat_app.services.storage import FileStorage
from chat_app.services.views import MessageChange, MessageView

logger = logging.getLogger(__name__)

# Each deletion is pushed to every tab of every member: a user deletes at most this many
# messages a minute (a slip cleaned up quickly fits; a script emptying a group does not).
DELETIONS_PER_MINUTE = 30
# A tab back from an absence gets at most this many changes; past that it reads its page
# again (as after a long absence for messages).
CHANGES_MAX = 200

_NEXT_CHANGE = (
    sa.update(Conversation)
    .where(col(Conversation.id) == sa.bindparam("conversation"))
    .values(last_change_seq=col(Conversation.last_change_seq) + 1)
    .returning(col(Conversation.last_change_seq), col(Conversation.last_seq))
)


def delete_for_everyone(
    *,
    session: Session,
    storage: FileStorage,
    viewer_id: int,
    conversation_id: object,
    seq: object,
    now: datetime | None = None,
) -> MessageChange | None:
    """Delete a message for everyone in its conversation.

    Args:
        session: The database session.
        storage: Where its file's bytes are (removed after the commit).
        viewer_id: Who deletes (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message's seq in it (untrusted).
        now: The current time.

    Returns:
        The change to push, or None when the message was deleted already.

    Raises:
        NotFound: Not a conversation the viewer is a member of, or no such message in
            their range (a group event is no message to delete).
        Refused: The viewer is no longer a member ("not_friends", "conversation_gone").
        Forbidden: Someone else's message, and the viewer is not the group's owner or an
            admin ("delete_not_yours").
        RateLimited: Over DELETIONS_PER_MINUTE ("too_many_deletions").
    """
    now = now or utc_now()
    wanted = validation.valid_id(seq)
    relations.count_action(
        session=session,
        user_id=viewer_id,
        action="deletions",
        limit=DELETIONS_PER_MINUTE,
        window=timedelta(minutes=1),
        now=now,
    )
    conversation_ref = conversations.member_of(session, viewer_id, conversation_id)
    # The conversation's row is locked from here: the membership and the message are read
    # after it (on PostgreSQL, with what was committed before the lock).
    locked = session.connection().execute(_NEXT_CHANGE, {"conversation": conversation_ref.id})
    change_seq, last_seq = locked.one()
    try:
        member = _member(session, conversation_ref.id, viewer_id)
        conversation = conversations.member_of(session, viewer_id, conversation_ref.id)
        conversations.require_writer(conversation)
        message = session.exec(
            select(Message).where(
                Message.conversation_id == conversation.id,
                Message.seq == wanted,
                Message.kind != "system",
            )
        ).first()
        if message is None or not conversation.holds(wanted):
            raise NotFound()
        if message.sender_id != viewer_id and (
            conversation.kind != "group" or member.role not in MANAGERS
        ):
            raise Forbidden("delete_not_yours")
    except BaseException:
        session.rollback()
        raise
    if message.deleted_at is not None:
        session.rollback()  # the change number stays where it was
        return None
    file_id = message.file_id
    message.body = ""
    message.file_id = None
    message.deleted_at = now
    message.change_seq = change_seq
    session.add(message)
    session.flush()
    session.exec(delete(Mention).where(col(Mention.message_id) == message.id))
    keys = _drop_file(session, file_id)
    readers = _readers(session, conversation.id, wanted)
    view = MessageView.of(message, None)
    session.commit()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # the row is gone: the bytes are unreachable, only not freed
            logger.warning("could not remove a deleted message's file %s", key, exc_info=True)
    return MessageChange(
        conversation_id=conversation.id,
        message=view,
        change_seq=change_seq,
        reader_ids=readers,
        was_last=wanted == last_seq,
    )


def changes_after(
    session: Session, conversation: conversations.ConversationRef, after_change: object
) -> tuple[tuple[MessageView, ...], bool, int]:
    """The viewer's messages changed after change number `after_change`.

    Args:
        session: The database session.
        conversation: The conversation with the viewer's range (`conversations.readable`).
        after_change: The last change number the tab read (untrusted).

    Returns:
        The changed messages (at most CHANGES_MAX, oldest change first), whether more
        changed than that, and the change number they reach.

    Raises:
        NotFound: A malformed change number.
    """
    if isinstance(after_change, bool) or not isinstance(after_change, int) or after_change < 0:
        raise NotFound()
    # Read first: every change up to it is committed, so the query below holds it.
    reached = last_change_seq(session, conversation.id)
    if reached <= after_change:
        return (), False, reached
    rows = session.exec(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            col(Message.change_seq) > after_change,
            col(Message.seq) > conversation.joined_seq,
            col(Message.seq) <= conversation.reads_up_to,
        )
        .order_by(col(Message.change_seq))
        .limit(CHANGES_MAX + 1)
    ).all()
    views = tuple(MessageView.of(row, None) for row in rows[:CHANGES_MAX])
    return views, len(rows) > CHANGES_MAX, reached


def last_change_seq(session: Session, conversation_id: int) -> int:
    """The conversation's newest change number (0: no message ever changed)."""
    found = session.exec(
        select(Conversation.last_change_seq).where(Conversation.id == conversation_id)
    ).first()
    return found or 0


def _member(session: Session, conversation_id: int, user_id: int) -> ConversationMember:
    member = session.exec(
        select(ConversationMember).where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.user_id == user_id,
        )
    ).first()
    if member is None:
        raise NotFound()
    return member


def _drop_file(session: Session, file_id: str | None) -> list[str]:
    """Delete a message's file row; the storage keys of its bytes, to remove after commit."""
    stored = session.get(StoredFile, file_id) if file_id else None
    if stored is None:
        return []
    keys = sorted({stored.storage_key, stored.thumbnail_key} - {None})
    session.delete(stored)
    return [str(key) for key in keys]


def _readers(session: Session, conversation_id: int, seq: int) -> tuple[int, ...]:
    """The members whose range holds `seq`: they may have it on screen."""
    rows = session.exec(
        select(ConversationMember.user_id).where(
            ConversationMember.conversation_id == conversation_id,
            col(ConversationMember.joined_seq) < seq,
            sa.or_(
                col(ConversationMember.left_seq).is_(None),
                col(ConversationMember.left_seq) >= seq,
            ),
        )
    ).all()
    return tuple(sorted(rows))
