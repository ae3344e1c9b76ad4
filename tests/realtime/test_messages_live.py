"""Message delivery over the real protocol: fan-out, order, no loss, no duplicates."""

from __future__ import annotations

from typing import Any

from tests.realtime.helpers import (
    COMPOSER,
    CONVERSATION,
    UNREAD,
    Recorder,
    befriend,
    conversation_id_with,
    open_chat,
    open_conversation,
    register,
    send_text,
    session_token,
    shown,
    shown_seqs,
    toasts,
    unique_username,
    unread_in,
)
from tests.support.event_client import EventClient


async def chat_pair(backend_url: str) -> tuple[EventClient, EventClient, int, int]:
    ann = await register(backend_url, unique_username("ann"))
    bob = await register(backend_url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann, bob)
    return ann, bob, ann_id, bob_id


async def test_200_messages_reach_both_tabs_in_order_without_duplicates(backend_url):
    ann, bob, ann_id, bob_id = await chat_pair(backend_url)
    bob_tab2 = await open_chat(backend_url, session_token(bob))
    await open_conversation(ann, bob_id)
    for tab in (bob, bob_tab2):
        await open_conversation(tab, ann_id)
    recorders = [Recorder(tab) for tab in (bob, bob_tab2)]

    for n in range(200):
        await send_text(ann, f"message {n}")
    # The sender sees every one acknowledged ("sent", with its seq).
    await ann.wait_for(lambda c: shown_seqs(c)[-1:] == [200], 30)
    await ann.wait_for(lambda c: all(m["status"] == "sent" for m in shown(c)), 30)

    for tab, recorder in zip((bob, bob_tab2), recorders, strict=True):
        await tab.wait_for(lambda c: shown_seqs(c)[-1:] == [200], timeout=30)
        assert recorder.seen == {n + 1: f"message {n}" for n in range(200)}
        assert recorder.duplicates == []
        assert recorder.disorder == []
        # Bounded state: the tab holds at most a window, not the whole history.
        assert len(shown(tab)) <= 160
        assert shown_seqs(tab) == list(range(200 - len(shown_seqs(tab)) + 1, 201))
    for tab in (ann, bob, bob_tab2):
        await tab.close()


async def test_a_dropped_socket_catches_up_on_reconnect_without_duplicates(backend_url):
    ann, bob, ann_id, bob_id = await chat_pair(backend_url)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    recorder = Recorder(bob)
    for n in range(5):
        await send_text(ann, f"before {n}")
    await bob.wait_for(lambda c: shown_seqs(c)[-1:] == [5])

    await bob.drop()  # network gone, no goodbye
    for n in range(12):
        await send_text(ann, f"while away {n}")
    await ann.wait_for(lambda c: shown_seqs(c)[-1:] == [17] and shown(c)[-1]["status"] == "sent")

    await bob.reconnect()
    await bob.wait_for(lambda c: shown_seqs(c)[-1:] == [17], timeout=15)
    assert shown_seqs(bob) == list(range(1, 18))
    assert recorder.duplicates == []
    assert recorder.disorder == []
    for tab in (ann, bob):
        await tab.close()


async def test_unread_counts_and_toasts_when_the_conversation_is_closed(backend_url):
    ann, bob, ann_id, bob_id = await chat_pair(backend_url)
    conversation = await open_conversation(ann, bob_id)
    for n in range(3):
        await send_text(ann, f"hi {n}")
    await bob.wait_for(lambda c: unread_in(c, conversation) == 3)
    await bob.wait_for(lambda c: c.var(UNREAD, "unread_total") == 3)
    assert any("New message from" in toast for toast in toasts(bob))
    # A second device sees the same count after loading; reading on one clears both.
    bob_phone = await open_chat(backend_url, session_token(bob))
    await bob_phone.wait_for(lambda c: unread_in(c, conversation) == 3)
    await open_conversation(bob, ann_id)
    # It opens at the first unread message; the three fit, and the page says so (its probe).
    await bob.call(CONVERSATION, "reader_at_bottom", {})
    await bob.wait_for(lambda c: unread_in(c, conversation) == 0)
    await bob_phone.wait_for(lambda c: unread_in(c, conversation) == 0)
    await ann.wait_for(lambda c: c.var(CONVERSATION, "friend_read_seq") == 3)
    for tab in (ann, bob, bob_phone):
        await tab.close()


async def test_typing_indicator_shows_and_goes_away(backend_url):
    ann, bob, ann_id, bob_id = await chat_pair(backend_url)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    await ann.call(COMPOSER, "set_draft", {"value": "I am wri"})
    await bob.wait_for(lambda c: c.var(CONVERSATION, "friend_typing") is True)
    await bob.wait_for(lambda c: c.var(CONVERSATION, "friend_typing") is False, timeout=10)
    for tab in (ann, bob):
        await tab.close()


async def test_bad_messages_are_refused_and_the_socket_stays_up(backend_url):
    ann, bob, ann_id, bob_id = await chat_pair(backend_url)
    await open_conversation(ann, bob_id)
    bad: list[tuple[str, dict[str, Any]]] = [
        ("send", {"form_data": {"body": "x" * 4001}}),
        ("send", {"form_data": {"body": "bell\u0007"}}),
        ("send", {"form_data": {"body": "   "}}),
        ("send", {"form_data": None}),
        ("open_conversation", {"conversation_id": {"id": 1}}),
        ("open_conversation", {"conversation_id": 10**30}),
        ("open_conversation", {"conversation_id": None}),
        ("open_conversation", {"friend_id": bob_id}),
        ("retry", {"client_id": {"x": 1}}),
        ("load_older", {}),
        ("mark_seen", {}),
    ]
    for handler, payload in bad:
        await ann.call(CONVERSATION, handler, payload)
    await send_text(ann, "still alive")
    await bob.wait_for(lambda c: unread_in(c, conversation_id_with(c, ann_id)) == 1)
    await open_conversation(bob, ann_id)
    await bob.wait_for(lambda c: [m["body"] for m in shown(c)] == ["still alive"])
    for tab in (ann, bob):
        await tab.close()


async def test_a_send_reaching_a_fresh_tab_state_before_any_chat_is_open_is_stored(backend_url):
    # After a restart a tab's state is fresh, and the browser flushes the sends it queued
    # while offline before the page's load has reopened the conversation. The send names
    # its conversation, so it goes where it was written.
    ann, bob, ann_id, bob_id = await chat_pair(backend_url)
    conversation = conversation_id_with(ann, bob_id)
    fresh = await open_chat(backend_url, session_token(ann))
    assert fresh.var(CONVERSATION, "conversation_id") == 0
    form = {"body": "queued while offline", "conversation_id": str(conversation)}
    await fresh.call(COMPOSER, "send", {"form_data": form})
    await open_conversation(bob, ann_id)
    await bob.wait_for(lambda c: [m["body"] for m in shown(c)] == ["queued while offline"])
    # Another user's conversation is refused in the composer, with the text kept.
    cat = await register(backend_url, unique_username("cat"))
    stranger = {"body": "not yours", "conversation_id": str(conversation)}
    await cat.call(COMPOSER, "send", {"form_data": stranger})
    await cat.wait_for(lambda c: c.var(COMPOSER, "composer_error") != "")
    await open_conversation(ann, bob_id)
    assert [m["body"] for m in shown(ann)] == ["queued while offline"]
    for tab in (ann, bob, fresh, cat):
        await tab.close()
