"""The quote being answered comes back after a server restart, from the tab's storage.

A "restart" is a fresh tab state given what the browser's storage held, as in
test_outbox.py. The storage is untrusted: another user's or an unreadable message's quote is
dropped, never shown.
"""

from __future__ import annotations

from chat_app.states.auth import AuthState
from chat_app.states.chat_page import ChatPageState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.outbox import OutboxState
from chat_app.states.replies import ReplyState
from chat_app.states.sign_out import SignOutState
from tests.support.tabs import chat_tabs, conversation_with, run


async def _restarted(tab_factory, old: ConversationState, token: str, stored: str) -> ReplyState:
    """A fresh state of the same user's tab whose storage holds `stored` as its quote."""
    fresh = tab_factory(ChatPageState, token=token)
    auth = await fresh.get_state(AuthState)
    auth.session_token = (await old.get_state(AuthState)).session_token
    conversation = await fresh.get_state(ConversationState)
    conversation.open_conversation_store = old.open_conversation_store
    replies = await fresh.get_state(ReplyState)
    replies.reply_store = stored
    await run(fresh.load)
    return replies


async def test_a_quote_comes_back_after_a_restart_and_goes_with_the_reply(tab_factory):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, with_bob)
    ann_outbox = await ann.get_state(OutboxState)
    form = {"body": "picnic on Sunday?", "conversation_id": str(with_bob)}
    await run(
        (await ann.get_state(ComposerState)).send, {**form, "client_id": ann_outbox.next_client_id}
    )
    (asked,) = ann._buffer().stored()
    await run(bob.open_conversation, with_bob)
    replies = await bob.get_state(ReplyState)
    await run(replies.reply_to, with_bob, asked.seq)
    assert replies.reply_store == f"{bob_id}:{with_bob}:{asked.seq}"

    restored = await _restarted(tab_factory, bob, "bob-tab-restarted", replies.reply_store)
    assert (restored.reply_user_id, restored.reply_conversation, restored.reply_seq) == (
        bob_id,
        with_bob,
        asked.seq,
    )
    assert (restored.reply_sender_id, restored.reply_text) == (ann_id, "picnic on Sunday?")

    # Sent: the quote and its stored copy are gone.
    composer = await restored.get_state(ComposerState)
    outbox = await restored.get_state(OutboxState)
    reply = {"body": "yes", "conversation_id": str(with_bob), "reply_to": str(asked.seq)}
    await run(composer.send, {**reply, "client_id": outbox.next_client_id})
    assert (restored.reply_seq, restored.reply_store) == (0, "")


async def test_a_stored_quote_of_another_user_or_an_unreadable_message_is_dropped(tab_factory):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    await run(bob.open_conversation, with_bob)
    for token, stored in (
        ("bob-tab-2", f"{ann_id}:{with_bob}:1"),  # Ann's quote in Bob's tab
        ("bob-tab-3", f"{bob_id}:{with_bob}:999"),  # no such message
        ("bob-tab-4", f"{bob_id}:999999:1"),  # not his conversation
    ):
        restored = await _restarted(tab_factory, bob, token, stored)
        assert (restored.reply_seq, restored.reply_text, restored.reply_store) == (0, "", "")


async def test_logging_out_forgets_the_quote(tab_factory):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, with_bob)
    outbox = await ann.get_state(OutboxState)
    form = {"body": "hi", "conversation_id": str(with_bob), "client_id": outbox.next_client_id}
    await run((await ann.get_state(ComposerState)).send, form)
    replies = await ann.get_state(ReplyState)
    await run(replies.reply_to, with_bob, ann._buffer().stored()[0].seq)
    assert replies.reply_store
    await run((await ann.get_state(SignOutState)).log_out, True)
    assert (replies.reply_seq, replies.reply_store) == (0, "")
