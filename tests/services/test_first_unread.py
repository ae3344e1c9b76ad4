"""Where a conversation's unread messages start: the first message from others after the cursor."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.services import conversations, read_cursors
from chat_app.services.errors import NotFound
from tests.support.users import make_friends, make_user, send_text

pytestmark = pytest.mark.both_databases


def test_the_first_unread_message_is_the_first_from_others_after_the_cursor(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=bob, friend_id=ann)

    def send(sender: int) -> None:
        send_text(session, sender, chat)

    def first_unread(viewer: int) -> int:
        return read_cursors.first_unread(session=session, viewer_id=viewer, conversation_id=chat)

    assert first_unread(bob) == 0
    for sender in (ann, ann, bob, ann):
        send(sender)
    assert (first_unread(bob), first_unread(ann)) == (1, 3)
    read_cursors.mark_read(session=session, viewer_id=bob, conversation_id=chat, up_to_seq=2)
    # Bob's own message is never unread for him.
    assert first_unread(bob) == 4
    read_cursors.mark_read(session=session, viewer_id=bob, conversation_id=chat, up_to_seq=4)
    send(bob)
    assert first_unread(bob) == 0

    stranger = make_user(session, "eve")
    for viewer, conversation in ((stranger, chat), (bob, "1 or 1=1"), (bob, 10**30)):
        with pytest.raises(NotFound):
            read_cursors.first_unread(
                session=session, viewer_id=viewer, conversation_id=conversation
            )
