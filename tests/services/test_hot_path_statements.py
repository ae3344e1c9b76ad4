"""Storing a message and moving a read cursor run few statements, whatever happened before.

Each statement costs the worker ~60 µs of CPU in SQLAlchemy, more than SQLite's own work,
and both run for every message delivered (`make bench`, py-spy): the checks are read
together, not one statement each.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from chat_app.services import conversations, read_cursors
from tests.support.sql import statements_run
from tests.support.users import make_friends, make_user, send_text

pytestmark = pytest.mark.both_databases


def _work(statements: list[str]) -> list[str]:
    """The statements that do the work (not the transaction's own BEGIN / COMMIT)."""
    return [s for s in statements if s.split()[0].upper() in ("SELECT", "INSERT", "UPDATE")]


def test_a_message_is_stored_in_two_statements_and_read_in_two(session: Session, engine: sa.Engine):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    send_text(session, ann, chat)
    read_cursors.mark_read(session=session, viewer_id=bob, conversation_id=chat, up_to_seq=1)
    with statements_run(engine) as sent:
        stored = send_text(session, ann, chat)
    # The next seq with the checks (conversation with the sender's membership, retry,
    # rate), then the row stored only while the sender is a member, returning the members.
    # That last one is its own statement, after the lock: inside the locking UPDATE,
    # PostgreSQL would read the members as they were before it waited, and miss a removal
    # or an unfriending committed meanwhile (test_group_delivery's thread test holds the
    # lock).
    assert len(_work(sent)) == 2, sent
    assert stored.recipient_ids == (bob,)
    seq = stored.message.seq
    with statements_run(engine) as read:
        receipt = read_cursors.mark_read(
            session=session, viewer_id=bob, conversation_id=chat, up_to_seq=seq
        )
    # Conversation with the reader's membership, cursor, block, who hears of the receipt
    # and unread count; then the cursor moves.
    assert len(_work(read)) == 2, read
    assert receipt is not None
    assert (receipt.seq, receipt.unread_left, receipt.shared) == (seq, 0, True)
    assert receipt.heard_by(ann)
    assert receipt.hidden_from == frozenset()
