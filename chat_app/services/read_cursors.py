"""Read cursors: how far each user has read a conversation, and the receipts that follow.

A cursor only moves forward. While either side blocks the other, the reader's cursor still
moves but the position the other side is shown (`shared_seq`) stays where it was.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chat_app.services import conversations, database, statements, validation
from chat_app.services.errors import NotFound
from chat_app.services.views import ReadReceipt


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
        "reader": viewer_id,
    }
    return session.connection().execute(statements.FIRST_UNREAD_AFTER, where).scalar() or 0


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
        up_to_seq: The newest seq the viewer has seen; capped at the conversation's last.

    Returns:
        The receipt, or None when nothing moved. While either blocks the other the
        receipt is not `shared`: the cursor moves for the reader only, and the position
        the other side is shown (`shared_seq`) stays where it was.

    Raises:
        NotFound: Not a conversation the viewer may read, or a malformed seq.
    """
    wanted = validation.valid_id(up_to_seq)
    where = {
        "conversation": validation.valid_id(conversation_id),
        "reader": viewer_id,
        "seq": wanted,
    }
    # One statement: the conversation, the cursor, the block and the unread count after
    # `wanted` (past the conversation's last seq there is nothing to count either way).
    state = session.connection().execute(statements.READ_STATE, where).first()
    if state is None:
        raise NotFound()
    found = conversations.readable_row(session, viewer_id, state)
    (other_id,) = found.others(viewer_id)
    target = min(wanted, found.last_seq)
    if target <= state.last_read_seq:
        return None
    shared = not state.blocked
    # A read position may fall back a few seconds after a power cut: no fsync for it.
    database.relax_durability(session)
    connection = session.connection()
    try:
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
        session.commit()
    except IntegrityError:
        # Another tab created the cursor at the same moment: move that one instead.
        session.rollback()
        return mark_read(
            session=session, viewer_id=viewer_id, conversation_id=found.id, up_to_seq=up_to_seq
        )
    return ReadReceipt(
        conversation_id=found.id,
        reader_id=viewer_id,
        friend_id=other_id,
        seq=target,
        unread_left=state.unread_after,
        shared=shared,
    )
