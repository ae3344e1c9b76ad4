"""A group's timeline looks up the people its replies' quotes name, as it does senders."""

from __future__ import annotations

from chat_app.services.reply_views import ReplyView
from chat_app.services.views import MessageView
from chat_app.states import group_timeline


def test_the_people_a_timeline_looks_up_include_whom_its_quotes_name():
    """A reply's quote names whom it answers: that person is looked up like a sender."""
    me, bob, cat = 1, 2, 3
    reply = MessageView(
        seq=5,
        sender_id=bob,
        client_id="c",
        body="yes",
        sent_at="2026-12-06T10:00:00Z",
        reply=ReplyView(seq=2, sender_id=cat, kind="text", text="lunch?"),
    )
    own_quote = MessageView(
        seq=6,
        sender_id=bob,
        client_id="d",
        body="me too",
        sent_at="2026-12-06T10:00:00Z",
        reply=ReplyView(seq=3, sender_id=me, kind="text", text="hungry"),
    )
    assert group_timeline._needed([reply, own_quote], me) == {bob, cat}
