"""Read cursors: how far each user has read a conversation, and the receipts that follow.

A cursor only moves forward, inside the reader's membership (a departed member up to where
they left). While either of a direct conversation blocks the other, the reader's cursor
still moves but the position the other side is shown (`shared_seq`) stays where it was; in
a group a block leaves the pair out of each other's receipts and readers instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from chat_app.services import conversations, database, direct_sql, statements, validation
from chat_app.services.errors import NotFound
from chat_app.services.read_views import Readers, ReadReceipt


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

    The reads of one conversation up to one seq (a message read by a group's members a
    second after it arrived) share their statements: one to look the readers up, one to
    move their cursors, one to create the missing ones.

    Args:
        session: The database session.
        requests: The reads, in any order; one reader's cursor may come more than once.

    Returns:
        Each request's outcome, in their order: its receipt, None when nothing moved, or
        NotFound (not a conversation its viewer may read, or a malformed seq).
    """
    outcomes: list[ReadReceipt | NotFound | None] = [None] * len(requests)
    # (conversation, seq) → the readers (viewer, request index) reading it up to there.
    moments: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for index, request in enumerate(requests):
        try:
            conversation = validation.valid_id(request.conversation_id)
            wanted = validation.valid_id(request.up_to_seq)
        except NotFound as error:
            outcomes[index] = error
            continue
        moments.setdefault((conversation, wanted), []).append((request.viewer_id, index))
    for attempt in range(2):
        try:
            relaxed = False
            # In the order they were asked (a dict keeps it): one cursor's reads keep theirs.
            for (conversation, wanted), readers in moments.items():
                relaxed = _move_all(session, conversation, wanted, readers, outcomes, relaxed)
            session.commit()
            return outcomes
        except (IntegrityError, OperationalError) as error:
            # Another tab created a cursor this batch meant to create, at the same moment,
            # or (PostgreSQL) another worker's batch took the same cursors' locks in
            # another order: once more, from the start.
            session.rollback()
            if attempt or not _retried_at_once(error):
                raise
    return outcomes


def _retried_at_once(error: IntegrityError | OperationalError) -> bool:
    """Whether a failed batch of reads is tried again: a cursor's race, or a deadlock."""
    return isinstance(error, IntegrityError) or getattr(error.orig, "sqlstate", "") == "40P01"


def _move_all(
    session: Session,
    conversation_id: int,
    wanted: int,
    readers: list[tuple[int, int]],
    outcomes: list[ReadReceipt | NotFound | None],
    relaxed: bool,
) -> bool:
    """Several readers' moves in one conversation up to one seq, in the caller's transaction.

    Args:
        session: The database session.
        conversation_id: The conversation (a valid id, not yet checked against anyone).
        wanted: The seq they read up to.
        readers: (viewer, index into `outcomes`) of each read.
        outcomes: Where each read's outcome goes.
        relaxed: Whether the transaction has written (its durability is relaxed).

    Returns:
        Whether the transaction has written now.
    """
    where = {"conversation": conversation_id, "viewers": sorted({v for v, _ in readers})}
    rows = direct_sql.run(session.connection(), statements.READ_STATES, {**where, "seq": wanted})
    found_rows = {row.viewer_id: row for row in rows}
    inserts: list[dict[str, int]] = []
    moves: dict[tuple[int, bool], list[int]] = {}  # (seq, shared) → the readers
    moved: set[int] = set()
    for viewer, index in readers:
        if viewer in moved:
            # A second tab of the same reader asking the same: moved by the first.
            outcomes[index] = None
            continue
        try:
            receipt = _receipt(found_rows.get(viewer), viewer, wanted)
        except NotFound as error:
            outcomes[index] = error
            continue
        outcomes[index] = receipt
        if receipt is None:
            continue
        moved.add(viewer)
        if found_rows[viewer].cursor_id is None:
            shared_seq = receipt.seq if receipt.shared else 0
            inserts.append(
                {
                    "user_id": viewer,
                    "conversation_id": receipt.conversation_id,
                    "last_read_seq": receipt.seq,
                    "shared_seq": shared_seq,
                }
            )
        else:
            moves.setdefault((receipt.seq, receipt.shared), []).append(viewer)
    if not inserts and not moves:
        return relaxed
    if not relaxed:
        # A read position may fall back a few seconds after a power cut: no fsync for it.
        database.relax_durability(session)
    connection = session.connection()
    if inserts:
        connection.execute(statements.INSERT_READ_CURSOR, inserts)
    for (seq, shared), users in sorted(moves.items()):
        cursors = {"conversation": conversation_id, "users": users, "seq": seq, "shared": shared}
        direct_sql.run(connection, statements.MOVE_READ_CURSORS, cursors)
    return True


def _receipt(row: Any, viewer_id: int, wanted: int) -> ReadReceipt | None:
    """The receipt of a reader's move to `wanted` (None: nothing to move).

    Args:
        row: The reader's row of statements.READ_STATES (None: not a member).
        viewer_id: The reader.
        wanted: The seq they read up to.

    Raises:
        NotFound: Not a conversation the reader may read.
    """
    if row is None:
        raise NotFound()
    found = conversations.readable_row(row)
    target = min(wanted, found.reads_up_to)
    if target <= row.last_read_seq:
        return None
    return ReadReceipt(
        conversation_id=found.id,
        reader_id=viewer_id,
        friend_id=next(iter(found.others(viewer_id)), 0),
        seq=target,
        unread_left=row.unread_after,
        shared=not row.blocked,
        told=bool(row.current),
        hidden_from=frozenset(int(user) for user in (row.in_a_block or "").split(",") if user),
        previous_seq=row.last_read_seq,
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
