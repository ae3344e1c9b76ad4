"""Replies over raw `/_event` clients, on both profiles: Reply shows the quote above the
composer, the send carries it, the other member's tab gets the reply with its quote (and
the push carries the quote only, never the quoted message's window), a forged or foreign
reply is refused without storing anything."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from chat_app.i18n import text
from chat_app.services import database, group_members
from chat_app.states.replies import ReplyState
from tests.realtime.group_helpers import (
    close_all,
    group_tab,
    group_tabs,
    reconnect,
    remove_member,
    seed_group,
)
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
from tests.support.users import make_friends

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


def _add_member(database_url: str, owner_id: int, group_id: int, user_id: int) -> None:
    """The owner adds someone (a friend now) to the group, through the service."""
    engine = database.create_db_engine(database_url)
    try:
        with Session(engine) as session:
            make_friends(session, owner_id, user_id)
            group_members.add_members(
                session=session, actor_id=owner_id, conversation_id=group_id, user_ids=[user_id]
            )
    finally:
        engine.dispose()


async def test_a_reply_never_shows_a_newcomer_what_was_said_before_they_joined(backend):
    members, group = seed_group(backend.database_url, 4)
    owner, member, _other, newcomer = members
    secret = "the surprise party for Dan is on Friday"
    await asyncio.to_thread(
        remove_member, backend.database_url, owner.user_id, group, newcomer.user_id
    )
    owner_tab, member_tab = await group_tabs(backend.url, [owner, member], group)
    await send_text(owner_tab, secret)
    await member_tab.wait_for(lambda c: any(m["body"] == secret for m in shown(c)))
    await asyncio.to_thread(
        _add_member, backend.database_url, owner.user_id, group, newcomer.user_id
    )
    newcomer_tab = await group_tab(backend.url, newcomer, group)
    asked = _seq_of(member_tab, secret)

    # A reply to it, pushed live: the member sees the quote, the newcomer only that there
    # was an earlier message (no text, no sender), and no frame of theirs holds the text.
    form = {**send_form(member_tab, "I'll bring the cake"), "reply_to": str(asked)}
    await member_tab.call(COMPOSER, "send", {"form_data": form})
    for tab in (owner_tab, newcomer_tab):
        await tab.wait_for(lambda c: _last(c)["body"] == "I'll bring the cake")
    assert _last(owner_tab)["reply"]["text"] == secret
    withheld = {"seq": asked, "sender_id": 0, "kind": "text", "text": "", "earlier": True}
    assert {**_last(newcomer_tab)["reply"], "deleted": False} == {**withheld, "deleted": False}
    # Edited, the reply's change is pushed to the newcomer with the quote withheld too; a
    # reload reads it so.
    reply_seq = _last(member_tab)["seq"]
    await edit_message(member_tab, group, reply_seq, "I'll bring two cakes")
    await newcomer_tab.wait_for(lambda c: str(reply_seq) in c.var(CONVERSATION, "changed"))
    assert newcomer_tab.var(CONVERSATION, "changed")[str(reply_seq)]["reply"]["earlier"] is True
    await reconnect(newcomer_tab)
    (reread,) = [m for m in shown(newcomer_tab) if m["seq"] == reply_seq]
    assert reread["reply"]["earlier"] is True
    assert not any("surprise party" in frame for frame in newcomer_tab.frames)
    await close_all([owner_tab, member_tab, newcomer_tab])
