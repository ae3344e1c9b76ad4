"""Search results on screen follow a message changed meanwhile, over raw `/_event` clients on
both profiles: deleted for everyone (on every reader's tab) or for oneself (on one's own
tabs), its text does not stay in a results list; edited, the result shows its new text."""

from __future__ import annotations

from tests.realtime.helpers import (
    CONVERSATION,
    SEARCH,
    chat_pair,
    delete_message,
    edit_message,
    search_messages,
    send_text,
    shown,
)
from tests.support.event_client import EventClient


async def test_a_deleted_message_leaves_the_results_on_screen(backend):
    ann, bob, _ann_id, _bob_id = await chat_pair(backend.url)
    await send_text(ann, "the surprise party is on friday")
    await send_text(ann, "the surprise gift is a bike")
    await bob.wait_for(lambda c: len(shown(c)) == 2)
    party, gift = (m["seq"] for m in shown(bob))
    for tab in (ann, bob):
        assert len(await search_messages(tab, "surprise")) == 2

    await delete_message(ann, ann.var(CONVERSATION, "conversation_id"), party)
    for tab in (ann, bob):
        await tab.wait_for(lambda c: [r["seq"] for r in c.var(SEARCH, "found")] == [gift])

    await delete_message(bob, bob.var(CONVERSATION, "conversation_id"), gift, for_me=True)
    await bob.wait_for(lambda c: c.var(SEARCH, "found") == [])
    assert [r["seq"] for r in ann.var(SEARCH, "found")] == [gift]


def _found_text(tab: EventClient) -> list[str]:
    return ["".join(part["text"] for part in row["parts"]) for row in tab.var(SEARCH, "found")]


async def test_an_edited_message_shows_its_new_text_in_the_results(backend):
    ann, bob, _ann_id, _bob_id = await chat_pair(backend.url)
    conversation = ann.var(CONVERSATION, "conversation_id")
    await send_text(ann, "the picnic is at noon")
    await bob.wait_for(lambda c: len(shown(c)) == 1)
    seq = shown(ann)[0]["seq"]
    for tab in (ann, bob):
        assert len(await search_messages(tab, "picnic")) == 1

    await edit_message(ann, conversation, seq, "the picnic is at one")
    for tab in (ann, bob):
        await tab.wait_for(lambda c: _found_text(c) == ["the picnic is at one"])
        marked = [p["text"] for p in tab.var(SEARCH, "found")[0]["parts"] if p["marked"]]
        assert marked == ["picnic"]
