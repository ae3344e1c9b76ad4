"""After a friend removes you (issue 17): no Retry on a refusal that cannot change, and the
old conversation stays reachable from the friend pane, read-only, checked server-side.
"""

from __future__ import annotations

import pytest

from chat_app.services import sending
from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.outbox import OutboxState
from tests.support.tabs import chat_tabs, conversation_with, logged_in_tab, run


async def removed_by_bob(tab_factory) -> tuple[ConversationState, ConversationState, int, int]:
    """Ann wrote "before" to Bob, then Bob removed her; Ann's tab still shows the chat."""
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    conversation = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, conversation)
    assert not ann.read_only
    await run((await ann.get_state(ComposerState)).send, {"body": "before"})
    await run((await bob.get_state(FriendsState)).remove_friend, ann_id)
    return ann, bob, ann_id, conversation


async def test_a_send_refused_for_good_offers_delete_only_and_retry_does_nothing(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    ann, _bob, _ann_id, _conversation = await removed_by_bob(tab_factory)
    composer = await ann.get_state(ComposerState)
    await run(composer.send, {"body": "after"})
    refused = ann._buffer().live()[-1]
    assert (refused.body, refused.status, refused.error) == (
        "after",
        "refused",
        "You can only send messages to friends.",
    )
    # The handler is an endpoint: a forged Retry for it does not even try to store it.
    calls: list[object] = []
    monkeypatch.setattr(sending, "send_message", lambda **kwargs: calls.append(kwargs))
    await run(composer.retry, refused.client_id)
    assert calls == []
    assert ann._buffer().live()[-1].status == "refused"
    # Delete takes it out of the list and of the browser's outbox.
    await run(composer.discard, refused.client_id)
    assert [m.body for m in ann._buffer().live()] == ["before"]
    assert (await ann.get_state(OutboxState)).outbox == ""


async def test_the_old_conversation_is_listed_and_opens_read_only(tab_factory):
    ann, bob, ann_id, conversation = await removed_by_bob(tab_factory)
    ann_friends = await ann.get_state(FriendsState)
    await run(ann_friends.load)  # what the removal's push does in a live tab
    assert ann_friends.friends == []
    assert [(c.username, c.conversation_id) for c in ann_friends.past] == [("bob", conversation)]
    bob_friends = await bob.get_state(FriendsState)
    assert [(c.user_id, c.conversation_id) for c in bob_friends.past] == [(ann_id, conversation)]

    await run(ann.close_conversation)
    assert not ann.read_only
    await run(ann.open_conversation, ann_friends.past[0].conversation_id)
    assert (ann.conversation_id, ann.open_friend_username, ann.read_only) == (
        conversation,
        "bob",
        True,
    )
    assert [m.body for m in ann.window] == ["before"]

    # A fresh state (a reload, a restart) reopens it read-only from browser storage.
    again = tab_factory(FriendsState, token="ann-tab-2")
    await run(
        (await again.get_state(AuthState)).login, {"username": "ann", "password": "correct horse"}
    )
    reloaded = await again.get_state(ConversationState)
    reloaded.open_conversation_store = str(conversation)
    await run(reloaded.load)
    assert (reloaded.conversation_id, reloaded.read_only) == (conversation, True)


async def test_only_a_member_can_open_a_past_conversation(tab_factory):
    _ann, _bob, _ann_id, conversation = await removed_by_bob(tab_factory)
    cat = await (await logged_in_tab(tab_factory, "cat", "cat-tab")).get_state(ConversationState)
    events = await run(cat.open_conversation, conversation)
    assert "That user or request is no longer available." in str(events)
    assert (cat.conversation_id, cat.read_only, cat.window) == (0, False, [])
