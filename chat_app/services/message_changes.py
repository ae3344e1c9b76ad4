"""Changes to stored messages (a deletion, an edit): numbered, locked, caught up on.

Each change bumps the conversation's `last_change_seq` and stamps the message's
`change_seq` with it in the changing transaction, under the conversation row's lock, as a
send bumps `last_seq`: a tab that missed the push asks for "the changes after N"
(`changes_after`) exactly as it asks for "the messages after seq N" (ARCHITECTURE §4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chat_app.models import Conversation, ConversationMember, HiddenMessage, Message
from chat_app.services import conversations, reaction_rows, relations, reply_rows, validation
from chat_app.services.errors import NotFound
from chat_app.services.views import MessageChange, MessageView

# A tab back from an absence gets at most this many changes; past that it reads its page
# again (as after a long absence for messages).
CHANGES_MAX = 200

_NEXT_CHANGE = (
    sa.update(Conversation)
    .where(col(Conversation.id) == sa.bindparam("conversation"))
    .values(last_change_seq=col(Conversation.last_change_seq) + 1)
    .returning(col(Conversation.last_change_seq), col(Conversation.last_seq))
)


@dataclass(frozen=True)
class LockedMessage:
    """A message about to change, its conversation's row locked until the commit.

    Attributes:
        conversation: The conversation with the actor's membership (read after the lock).
        role: The actor's role in it ("owner", "admin" or "member").
        message: The message's row.
        change_seq: The number of this change.
        last_seq: The conversation's newest seq.
    """

    conversation: conversations.ConversationRef
    role: str
    message: Message
    change_seq: int
    last_seq: int


def pace(session: Session, actor_id: int, action: str, per_minute: int, now: datetime) -> None:
    """Count one change of the kind `action`, or refuse it past `per_minute` in a minute.

    Every change is pushed to every tab of every member, so each kind has a limit.

    Args:
        session: The database session (the count is committed).
        actor_id: Who changes a message.
        action: The kind ("deletions", "edits", "reactions").
        per_minute: Changes of that kind allowed per user in a minute.
        now: The current time.

    Raises:
        RateLimited: Over the limit ("too_many_<action>").
    """
    relations.count_action(
        session=session,
        user_id=actor_id,
        action=action,
        limit=per_minute,
        window=timedelta(minutes=1),
        now=now,
    )


def message_at(session: Session, conversation: conversations.ConversationRef, seq: int) -> Message:
    """The message at `seq` of a conversation, inside the member's range (deleted or not).

    Args:
        session: The database session.
        conversation: The conversation with the member's range (`conversations.readable`
            or `member_of`).
        seq: A valid seq (`validation.valid_id`).

    Returns:
        The message.

    Raises:
        NotFound: No such message in their range; a group's event line is none either.
    """
    message = session.exec(
        select(Message).where(
            Message.conversation_id == conversation.id,
            Message.seq == seq,
            Message.kind != "system",
        )
    ).first()
    if message is None or not conversation.holds(seq):
        raise NotFound()
    return message


def lock_message(
    session: Session,
    actor_id: int,
    conversation_id: object,
    seq: object,
    *,
    allowed: Callable[[LockedMessage], None] | None = None,
    lock: bool = True,
) -> LockedMessage:
    """Lock a conversation for a change to one of its messages, by a current member.

    Args:
        session: The database session.
        actor_id: Who changes it (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message's seq (untrusted).
        allowed: Raises when the change may not be made to the message found (its rule:
            whose message, which kind, deleted or not); the lock is let go then.
        lock: False to only read the message as a change would find it (nothing locked,
            no change number taken: `change_seq` is 0).

    Returns:
        The message, locked; the caller changes it and calls `finish`, or rolls back.

    Raises:
        NotFound: Not a conversation the actor is a member of, or no such message in their
            range (a group event is no message to change).
        Refused: The actor is no longer a member ("not_friends", "conversation_gone").
        DomainError: What `allowed` raises.
    """
    wanted = validation.valid_id(seq)
    reference = conversations.member_of(session, actor_id, conversation_id)
    # From here the conversation's row is locked: the membership and the message are read
    # after it (on PostgreSQL, with what was committed before the lock).
    change_seq, last_seq = 0, reference.last_seq
    if lock:
        locked = session.connection().execute(_NEXT_CHANGE, {"conversation": reference.id})
        change_seq, last_seq = locked.one()
    try:
        conversation = conversations.member_of(session, actor_id, reference.id)
        conversations.require_writer(conversation)
        role = session.exec(
            select(ConversationMember.role).where(
                ConversationMember.conversation_id == conversation.id,
                ConversationMember.user_id == actor_id,
            )
        ).one()
        message = message_at(session, conversation, wanted)
        locked_message = LockedMessage(conversation, role, message, change_seq, last_seq)
        if allowed is not None:
            allowed(locked_message)
    except BaseException:
        session.rollback()
        raise
    return locked_message


def finish(
    session: Session,
    locked: LockedMessage,
    *,
    changes_line: bool = True,
    not_told: tuple[int, ...] = (),
) -> MessageChange:
    """Stamp the changed message with the change's number and commit.

    Args:
        session: The session `lock_message` locked the conversation in.
        locked: The message, changed by the caller.
        changes_line: The change shows in a chat list row whose last message this is (a
            deletion, an edit; not a reaction).
        not_told: Readers of the message whose tabs are not told of the change (those who
            left before an edit: it is hidden for them).

    Returns:
        The change to push to the tabs of everyone who may have the message on screen.
    """
    message = locked.message
    message.change_seq = locked.change_seq
    session.add(message)
    session.flush()
    readers = tuple(
        reader
        for reader in _readers(session, locked.conversation.id, message.seq)
        if reader not in not_told
    )
    (view,) = _views(session, [message])
    quote_withheld_from = (
        reply_rows.joined_after(session.connection(), locked.conversation.id, view.reply.seq)
        if view.reply is not None
        else frozenset()
    )
    was_last = changes_line and message.seq == locked.last_seq
    hidden_by = (
        readers_who_hid(session, readers, locked.conversation.id, message.seq) if was_last else ()
    )
    session.commit()
    return MessageChange(
        conversation_id=locked.conversation.id,
        message=view,
        change_seq=locked.change_seq,
        reader_ids=readers,
        was_last=was_last,
        hidden_by=hidden_by,
        quote_withheld_from=quote_withheld_from,
    )


def changes_after(
    session: Session,
    conversation: conversations.ConversationRef,
    after_change: object,
    until: datetime | None = None,
) -> tuple[tuple[MessageView, ...], bool, int]:
    """The viewer's messages changed after change number `after_change`.

    Args:
        session: The database session.
        conversation: The conversation with the viewer's range (`conversations.readable`).
        after_change: The last change number the tab read (untrusted).
        until: Only the reactions made until then (a departed reader's).

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
    # By the partial index of changed messages alone (the viewer's range is applied after:
    # with it in the statement the planner walks every message of the range instead).
    rows = session.exec(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            # The partial index's condition, as a literal: the planner must see it, and
            # cannot in a bound parameter.
            col(Message.change_seq) > sa.literal_column("0"),
            col(Message.change_seq) > after_change,
        )
        .order_by(col(Message.change_seq))
        .limit(CHANGES_MAX + 1)
    ).all()
    cut = len(rows) > CHANGES_MAX
    rows = [row for row in rows[:CHANGES_MAX] if conversation.holds(row.seq)]
    return _views(session, rows, until, conversation.joined_seq), cut, reached


def _views(
    session: Session, rows: list[Message], until: datetime | None = None, joined_seq: int = 0
) -> tuple[MessageView, ...]:
    """Changed messages' views: their reactions, and a reply's quote.

    The quote stays in place; it is withheld from a reader whose membership starts after
    it (`joined_seq`).
    """
    views = [MessageView.of(row, None) for row in rows]
    views = reaction_rows.with_reactions(session, rows, views, until)
    return reply_rows.with_replies(session, rows, views, joined_seq)


def last_change_seq(session: Session, conversation_id: int) -> int:
    """The conversation's newest change number (0: no message ever changed)."""
    found = session.exec(
        select(Conversation.last_change_seq).where(Conversation.id == conversation_id)
    ).first()
    return found or 0


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


def readers_who_hid(
    session: Session, readers: Sequence[int], conversation_id: int, seq: int
) -> tuple[int, ...]:
    """The readers for whom the message at `seq` is hidden (deleted for themselves).

    One probe per reader of hiddenmessage's unique index, whose first column is the user.
    """
    if not readers:
        return ()
    rows = session.exec(
        select(HiddenMessage.user_id).where(
            col(HiddenMessage.user_id).in_(readers),
            HiddenMessage.conversation_id == conversation_id,
            HiddenMessage.seq == seq,
        )
    ).all()
    return tuple(sorted(rows))
