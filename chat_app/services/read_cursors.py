"""Read cursors: how far each user has read a conversation, and the receipts that follow.

A cursor only moves forward, inside the reader's membership (a departed member up to where
they left). While either of a direct conversation blocks the other, the reader's cursor
still moves but the position the other side is shown (`shared_seq`) stays where it was; in
a group a block leaves the pair out of each other's receipts and readers instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chat_app.services import conversations, database, statements, validation
from chat_app.services.errors import NotFound
from chat_app.services.views import Readers, ReadReceipt


def read_seq(session: Session, user_id: int, conversation_id: int, shared: bool = False) -> int:
    """How far a user has read a conversation (0 before the first read).

    Args:
        session: The database session.
        user_id: The reader.
        conversation_id: The conversation.
        shared: The position shown to the other side (frozen while a block stands)
            instead of the reader's own.

    Returns:
        The seq read up to.
    """
    where = {"user": user_id, "conversation": conversation_id}
    found = session.connection().execute(statements.READ_POSITIONS, where).first()
    if found is None:
        return 0
    return found.shared_seq if shared else found.last_read_seq


def first_unread(*, session: Session, viewer_id: int, conversation_id: object) -> int:
    """Where a conversation's unread messages start for the viewer.

    Args:
        session: The database session.
        viewer_id: The reader (their own messages are never unread).
        conversation_id: The conversation (untrusted id).

    Returns:
        The seq of the first message from others after the viewer's read cursor, 0 if none.

    Raises:
        NotFound: Not a conversation the viewer may read.
    """
    found = conversations.readable(session, viewer_id, conversation_id)
    where = {
        "conversation": found.id,
        "seq": read_seq(session, viewer_id, found.id),
        "viewer": viewer_id,
    }
    return session.connection().execute(statements.FIRST_UNREAD_AFTER, where).scalar() or 0


@dataclass(frozen=True)
class ReadRequest:
    """One reader's ask to move their cursor (`mark_read`'s arguments, ids untrusted)."""

    viewer_id: int
    conversation_id: object
    up_to_seq: object


def mark_read(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    up_to_seq: object,
) -> ReadReceipt | None:
    """Move the viewer's read cursor forward (never back).

    Args:
        session: The database session.
        viewer_id: Who has read.
        conversation_id: The conversation (untrusted id).
        up_to_seq: The newest seq the viewer has seen; capped at the last one they may
            read (the conversation's last, or where they left it).

    Returns:
        The receipt, or None when nothing moved. While either of a direct conversation
        blocks the other the receipt is not `shared`: the cursor moves for the reader
        only, and the position the other side is shown (`shared_seq`) stays where it was.
        Its `heard_by` tells which other current members hear of it.

    Raises:
        NotFound: Not a conversation the viewer may read, or a malformed seq.
    """
    request = ReadRequest(viewer_id, conversation_id, up_to_seq)
    (outcome,) = mark_reads(session=session, requests=[request])
    if isinstance(outcome, NotFound):
        raise outcome
    return outcome


def mark_reads(
    *, session: Session, requests: Sequence[ReadRequest]
) -> list[ReadReceipt | NotFound | None]:
    """`mark_read` for several readers in one transaction (the reads due at one moment).

    Args:
        session: The database session.
        requests: The reads, in any order; one reader's cursor may come more than once.

    Returns:
        Each request's outcome, in their order: its receipt, None when nothing moved, or
        NotFound (not a conversation its viewer may read, or a malformed seq).
    """
    outcomes: list[ReadReceipt | NotFound | None] = [None] * len(requests)
    valid: list[tuple[int, int, int, int]] = []  # conversation, viewer, index, seq
    for index, request in enumerate(requests):
        try:
            conversation = validation.valid_id(request.conversation_id)
            wanted = validation.valid_id(request.up_to_seq)
        except NotFound as error:
            outcomes[index] = error
            continue
        valid.append((conversation, request.viewer_id, index, wanted))
    # Every transaction takes its cursors' row locks in one order: two workers' batches
    # never wait for each other in a circle (PostgreSQL would abort one). One cursor's
    # reads keep their order.
    valid.sort()
    for attempt in range(2):
        relaxed = False
        try:
            for conversation, viewer, index, wanted in valid:
                try:
                    outcomes[index] = _move(session, viewer, conversation, wanted, relaxed)
                except NotFound as error:
                    outcomes[index] = error
                    continue
                relaxed = relaxed or outcomes[index] is not None
            session.commit()
            return outcomes
        except IntegrityError:
            # Another tab created a cursor this batch meant to create, at the same moment:
            # once more, moving that one instead.
            session.rollback()
            if attempt:
                raise
    return outcomes


def _move(
    session: Session, viewer_id: int, conversation_id: int, wanted: int, relaxed: bool
) -> ReadReceipt | None:
    """One reader's move, inside the caller's transaction (`relaxed`: it has written)."""
    where = {"conversation": conversation_id, "viewer": viewer_id, "seq": wanted}
    # One statement: the conversation, the cursor, the block and the unread count after
    # `wanted` (past the conversation's last seq there is nothing to count either way).
    state = session.connection().execute(statements.READ_STATE, where).first()
    if state is None:
        raise NotFound()
    found = conversations.readable_row(state)
    target = min(wanted, found.reads_up_to)
    if target <= state.last_read_seq:
        return None
    shared = not state.blocked
    if not relaxed:
        # A read position may fall back a few seconds after a power cut: no fsync for it.
        database.relax_durability(session)
    connection = session.connection()
    if state.cursor_id is None:
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
        cursor = {"user": viewer_id, "conversation": found.id, "seq": target, "shared": shared}
        connection.execute(statements.MOVE_READ_CURSOR, cursor)
    return ReadReceipt(
        conversation_id=found.id,
        reader_id=viewer_id,
        friend_id=next(iter(found.others(viewer_id)), 0),
        seq=target,
        unread_left=state.unread_after,
        shared=shared,
        told=bool(state.current),
        hidden_from=frozenset(int(user) for user in (state.in_a_block or "").split(",") if user),
        previous_seq=state.last_read_seq,
    )


def readers(*, session: Session, viewer_id: int, conversation_id: object, seq: object) -> Readers:
    """Who has read a conversation up to a message ("Read by N", and who on a click).

    From the members' read cursors (which move only when a message was seen): every other
    member whose membership holds the message, but its sender and anyone in a block with
    the viewer, either way.

    Args:
        session: The database session.
        viewer_id: Who asks (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message (untrusted), inside the viewer's readable range.

    Returns:
        The readers, and how many could have read it.

    Raises:
        NotFound: Not a conversation the viewer may read, or a seq outside what they read.
    """
    found = conversations.readable(session, viewer_id, conversation_id)
    wanted = validation.valid_id(seq)
    if not found.holds(wanted):
        raise NotFound()
    where = {"conversation": found.id, "viewer": viewer_id, "seq": wanted}
    rows = session.connection().execute(statements.READERS, where).all()
    return Readers(
        conversation_id=found.id,
        seq=wanted,
        reader_ids=tuple(row.user_id for row in rows if row.read_seq >= wanted),
        member_count=len(rows),
    )
