"""The friend list's summaries: right counts, and a statement count that does not grow."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from chat_app.services import conversations, read_cursors, sending, summaries
from chat_app.settings import load_settings
from tests.support.sql import statements_run
from tests.support.users import make_friends, make_user

FAST = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})

pytestmark = pytest.mark.both_databases


def send(session: Session, sender: int, recipient: int, body: str) -> None:
    sending.send_message(
        session=session,
        viewer_id=sender,
        conversation_id=conversations.direct_with(
            session=session, viewer_id=sender, friend_id=recipient
        ),
        client_id=uuid.uuid4().hex,
        body=body,
        settings=FAST,
    )


def conversations_of(session: Session, viewer: int, count: int) -> dict[int, int]:
    """`count` friends of the viewer, friend n having sent n + 1 messages, the viewer
    having read the first of each and answered every second one; the expected unread
    count per friend."""
    expected = {}
    for n in range(count):
        friend = make_user(session, f"friend{viewer}x{n}")
        make_friends(session, viewer, friend)
        for m in range(n + 1):
            send(session, friend, viewer, f"{n}.{m}")
        conversation = conversations.direct_with(
            session=session, viewer_id=viewer, friend_id=friend
        )
        read_cursors.mark_read(
            session=session, viewer_id=viewer, conversation_id=conversation, up_to_seq=1
        )
        if n % 2:
            send(session, viewer, friend, "answer")
        expected[friend] = n
    return expected


def test_summaries_count_unread_messages_of_every_conversation(session):
    viewer = make_user(session, "viewer")
    expected = conversations_of(session, viewer, 5)
    found = summaries.summaries(session=session, viewer_id=viewer)
    assert {s.friend_id: s.unread for s in found} == expected
    # Most recent first: the last friend wrote last.
    assert found[0].friend_id == max(expected)
    assert [s.last_message_at for s in found] == sorted(
        (s.last_message_at for s in found), reverse=True
    )


def test_summaries_run_the_same_statements_for_one_or_twenty_conversations(session, engine):
    figures = {}
    for count in (1, 20):
        viewer = make_user(session, f"viewer{count}")
        conversations_of(session, viewer, count)
        session.expire_all()
        with statements_run(engine) as statements:
            found = summaries.summaries(session=session, viewer_id=viewer)
        assert len(found) == count
        figures[count] = len(statements)
    # One or two statements in all, not two per conversation.
    assert figures[20] == figures[1] <= 2, figures
