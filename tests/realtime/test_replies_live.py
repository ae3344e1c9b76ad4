"""Replies over raw `/_event` clients, on both profiles: Reply shows the quote above the
composer, the send carries it, the other member's tab gets the reply with its quote (and
the push carries the quote only, never the quoted message's window), a forged or foreign
reply is refused without storing anything."""

from __future__ import annotations

from chat_app.i18n import text
from chat_app.states.replies import ReplyState
from tests.realtime.helpers import (
    COMPOSER,
    CONVERSATION,
    chat_pair,
    delete_message,
    edit_message,
    send_form,
    send_text,
    shown,
    toasts,
)
from tests.support.event_client import EventClient

REPLY = ReplyState.get_full_name()
CONVERSATION_ID = "conversation_id"


def _seq_of(tab: EventClient, body: str) -> int:
    return next(m["seq"] for m in shown(tab) if m["body"] == body)


def _last(tab: EventClient) -> dict:
    return shown(tab)[-1]


async def test_a_reply_reaches_the_other_tab_with_its_quote(backend):
    ann, bob, ann_id, _bob_id = await chat_pair(backend.url)
    conversation = bob.var(CONVERSATION, CONVERSATION_ID)
    long_question = "are we still on for the picnic on Saturday? " * 4
    await send_text(ann, long_question)
    await bob.wait_for(lambda c: any(m["body"] == long_question for m in shown(c)))
    asked = _seq_of(bob, long_question)

    await bob.call(REPLY, "reply_to", {"conversation_id": conversation, "seq": asked})
    await bob.wait_for(lambda c: c.var(REPLY, "reply_seq") == asked)
    assert bob.var(REPLY, "reply_sender_id") == ann_id
    assert bob.var(REPLY, "reply_text").startswith("are we still on for the picnic")
    seen = len(ann.frames)
    form = {**send_form(bob, "yes, 11 o'clock"), "reply_to": str(asked)}
    await bob.call(COMPOSER, "send", {"form_data": form})

    for tab in (ann, bob):
        await tab.wait_for(lambda c: _last(c)["body"] == "yes, 11 o'clock")
        quote = _last(tab)["reply"]
        assert quote["seq"] == asked
        assert quote["sender_id"] == ann_id
        assert len(quote["text"]) == 100
    # Sent: the quote above Bob's composer is gone.
    await bob.wait_for(lambda c: c.var(REPLY, "reply_seq") == 0)
    (push,) = [f for f in ann.frames[seen:] if "yes, 11 o'clock" in f]
    assert long_question not in push  # the quote's start only, not the quoted message


async def test_a_forged_reply_is_refused_and_nothing_is_stored(backend):
    ann, bob, _ann_id, _bob_id = await chat_pair(backend.url)
    await send_text(ann, "one")
    await bob.wait_for(lambda c: any(m["body"] == "one" for m in shown(c)))
    # A reply to a seq past the newest: refused, shown failed with the reason.
    form = {**send_form(bob, "to the future"), "reply_to": "999"}
    await bob.call(COMPOSER, "send", {"form_data": form})
    await bob.wait_for(lambda c: _last(c)["body"] == "to the future")
    await bob.wait_for(lambda c: _last(c)["status"] == "refused")
    assert _last(bob)["error"] == text("reply_not_found")
    assert [m["body"] for m in shown(ann)] == ["one"]
    # Asking to answer a message of a chat Bob is not in: a toast, no quote.
    await bob.call(REPLY, "reply_to", {"conversation_id": 999_999, "seq": 1})
    await bob.wait_for(lambda c: len(toasts(c)) > 0)
    assert bob.var(REPLY, "reply_seq") == 0


async def test_a_quote_being_written_follows_an_edit_and_goes_with_a_deletion(backend):
    ann, bob, _ann_id, _bob_id = await chat_pair(backend.url)
    conversation = bob.var(CONVERSATION, CONVERSATION_ID)
    await send_text(ann, "lunch at noon?")
    await bob.wait_for(lambda c: any(m["body"] == "lunch at noon?" for m in shown(c)))
    asked = _seq_of(bob, "lunch at noon?")
    await bob.call(REPLY, "reply_to", {"conversation_id": conversation, "seq": asked})
    await bob.wait_for(lambda c: c.var(REPLY, "reply_seq") == asked)

    # Ann edits it: the quote above Bob's composer says what it says now.
    await edit_message(ann, conversation, asked, "lunch at one?")
    await bob.wait_for(lambda c: c.var(REPLY, "reply_text") == "lunch at one?")
    # Ann deletes it for everyone: the quote goes (it kept showing the deleted text).
    await delete_message(ann, conversation, asked)
    await bob.wait_for(lambda c: c.var(REPLY, "reply_seq") == 0)
    assert bob.var(REPLY, "reply_text") == ""
