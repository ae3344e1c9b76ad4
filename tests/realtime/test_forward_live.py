"""Forward over raw `/_event` clients, on both profiles: Bob forwards Ann's message to Cat;
Cat's tab gets it as Bob's new message, Bob's rows say "Sent", Ann hears nothing; a refusal
is said in the dialog and stores nothing."""

from __future__ import annotations

from chat_app.i18n import text
from chat_app.states.forwarding import ForwardState
from tests.realtime.helpers import (
    befriend,
    chat_pair,
    open_conversation,
    register,
    send_text,
    shown,
    unique_username,
)
from tests.realtime.helpers import conversation_id_with as chat_with
from tests.support.event_client import EventClient

FORWARD = ForwardState.get_full_name()


def _bodies(tab: EventClient) -> list[str]:
    return [m["body"] for m in shown(tab)]


async def test_a_forwarded_message_reaches_the_other_chat_only(backend):
    ann, bob, ann_id, bob_id = await chat_pair(backend.url)
    cat = await register(backend.url, unique_username("cat"))
    _, cat_id = await befriend(bob, cat)
    with_ann = chat_with(bob, ann_id)
    await open_conversation(cat, bob_id)
    await send_text(ann, "the meeting moved to room 12")
    await bob.wait_for(lambda c: _bodies(c)[-1:] == ["the meeting moved to room 12"])
    seq = shown(bob)[-1]["seq"]
    ann_seen = len(ann.frames)

    await bob.call(FORWARD, "ask_forward", {"conversation_id": with_ann, "seq": seq})
    await bob.wait_for(lambda c: c.var(FORWARD, "forward_seq") == seq)
    with_cat = chat_with(bob, cat_id)
    await bob.call(FORWARD, "forward_to", {"conversation_id": with_cat})
    await bob.wait_for(lambda c: c.var(FORWARD, "forwarded_to") == [with_cat])
    await cat.wait_for(lambda c: _bodies(c)[-1:] == ["the meeting moved to room 12"])
    assert shown(cat)[-1]["sender_id"] != ann_id
    # A second press on the same row sends nothing more.
    await bob.call(FORWARD, "forward_to", {"conversation_id": with_cat})
    await send_text(cat, "thanks")
    await cat.wait_for(lambda c: _bodies(c)[-1:] == ["thanks"])
    assert _bodies(cat).count("the meeting moved to room 12") == 1
    # Ann's chat heard nothing of it.
    assert not any("room 12" in frame for frame in ann.frames[ann_seen:])

    # Cat is not in Ann's chat: the dialog says so, nothing is sent.
    cat_with_bob = chat_with(cat, bob_id)
    await cat.call(FORWARD, "ask_forward", {"conversation_id": with_ann, "seq": seq})
    await cat.call(FORWARD, "forward_to", {"conversation_id": cat_with_bob})
    await cat.wait_for(lambda c: c.var(FORWARD, "forward_error") == text("not_found"))
    assert cat.var(FORWARD, "forwarded_to") == []
    for tab in (ann, bob, cat):
        await tab.close()
