"""Back (a phone's back gesture) closes the open conversation instead of leaving the app.

Opening a conversation moves the tab to `/#chat` once; Back returns the browser to `/` and
Reflex runs the chat page's load there (states/history_entry.py).
"""

from __future__ import annotations

from chat_app import routes
from chat_app.states.auth import AuthState
from chat_app.states.chat_page import ChatPageState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.forwarding import ForwardState
from chat_app.states.message_actions import MessageActionsState
from chat_app.states.picture_viewer import PictureViewerState
from tests.support.tabs import (
    PASSWORD,
    at_address,
    chat_tabs,
    conversation_with,
    redirect_targets,
    run,
)


async def page_load(tab: ConversationState, address: str) -> list:
    """The chat page's load with the browser at `address` (Back, a reload, a typed address)."""
    at_address(tab, address)
    return await run((await tab.get_state(ChatPageState)).load)


async def test_opening_adds_one_entry_and_back_closes_keeping_the_draft(tab_factory):
    ann, bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    composer = await ann.get_state(ComposerState)

    opened = await run(ann.open_conversation, with_bob)
    assert redirect_targets(opened) == [routes.CHAT_WITH_CONVERSATION]
    await run(composer.set_draft, "half a thought")
    # Opening again (or another chat) at the entry adds none: Back goes to the list.
    assert redirect_targets(await run(ann.open_conversation, with_bob)) == []

    # A reload keeps the address, so the conversation stays open.
    await page_load(ann, routes.CHAT_WITH_CONVERSATION)
    assert ann.conversation_id == with_bob

    # Back: the list, as the header's back button shows it; the draft waits in its chat.
    assert redirect_targets(await page_load(ann, routes.CHAT)) == []
    assert (ann.conversation_id, ann.open_conversation_store, composer.draft) == (0, "", "")
    # A second load at the list (a reconnect) reopens nothing.
    await page_load(ann, routes.CHAT)
    assert ann.conversation_id == 0

    # Opened again from the list: a new entry, and the draft is back.
    assert redirect_targets(await run(ann.open_conversation, with_bob)) == [
        routes.CHAT_WITH_CONVERSATION
    ]
    assert (ann.conversation_id, composer.draft) == (with_bob, "half a thought")
    assert bob.conversation_id == 0  # nobody else's tab moved


async def test_a_tab_arriving_at_the_list_with_a_remembered_conversation_gets_its_entry(
    tab_factory,
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    # A backend restart, or the chat reached from the invite page: the browser remembers
    # the conversation, the state shows nothing yet, and the address has no entry.
    ann.open_conversation_store = str(with_bob)
    events = await page_load(ann, routes.CHAT)
    assert ann.conversation_id == with_bob
    assert redirect_targets(events) == [routes.CHAT_WITH_CONVERSATION]
    # Its Back then closes it, as for one opened by a click.
    await page_load(ann, routes.CHAT_WITH_CONVERSATION)
    await page_load(ann, routes.CHAT)
    assert ann.conversation_id == 0


def went_back_in_history(events: list) -> bool:
    """Whether the events take the browser back one entry (Reflex's `rx.event.back()`)."""
    return any("history" in str(value) for event in events for _, value in event.args)


async def test_the_header_back_button_takes_the_browser_off_the_entry_it_added(tab_factory):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, with_bob)
    # Closed at once, and the entry goes: the next Back leaves the app, not a dead step.
    closing = await run(ann.close_conversation)
    assert ann.conversation_id == 0
    assert went_back_in_history(closing)
    await page_load(ann, routes.CHAT)
    assert ann.conversation_id == 0

    # An address opened as it is (a bookmark of /#chat, a backend restart): the entry
    # before it may be another site's, so the button only closes.
    fresh = tab_factory(ConversationState, token="ann-bookmark")
    await run((await fresh.get_state(AuthState)).login, {"username": "ann", "password": PASSWORD})
    at_address(fresh, routes.CHAT_WITH_CONVERSATION)
    await page_load(fresh, routes.CHAT_WITH_CONVERSATION)
    await run(fresh.open_conversation, with_bob)
    assert fresh.conversation_id == with_bob
    assert not went_back_in_history(await run(fresh.close_conversation))


async def test_back_closes_the_dialogs_first_and_they_act_on_nothing(tab_factory):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, with_bob)
    await page_load(ann, routes.CHAT_WITH_CONVERSATION)  # the entry's address
    await run((await ann.get_state(ComposerState)).send, {"body": "keep me"})
    seq = ann._buffer().last_seq()
    actions = await ann.get_state(MessageActionsState)
    forward = await ann.get_state(ForwardState)
    await run(actions.ask_delete, with_bob, seq)
    await run(actions.ask_edit, with_bob, seq)
    await run(forward.ask_forward, with_bob, seq)
    assert (actions.confirm_seq, actions.edit_seq, forward.forward_seq) == (seq, seq, seq)

    # Back, with the dialogs open: they close, the conversation stays and gets its entry
    # back, so the next Back closes it instead of leaving the app.
    events = await page_load(ann, routes.CHAT)
    assert (actions.confirm_seq, actions.edit_seq, forward.forward_seq) == (0, 0, 0)
    assert ann.conversation_id == with_bob
    assert redirect_targets(events) == [routes.CHAT_WITH_CONVERSATION]
    # A confirmation still on its way from the browser deletes nothing.
    await run(actions.delete_message)
    assert [(m.body, m.deleted) for m in ann._stored()][-1] == ("keep me", False)

    at_address(ann, routes.CHAT_WITH_CONVERSATION)  # the redirect arrived
    assert redirect_targets(await page_load(ann, routes.CHAT)) == []  # Back again
    assert ann.conversation_id == 0


async def test_back_without_a_dialog_open_closes_the_conversation(tab_factory):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, with_bob)
    await page_load(ann, routes.CHAT_WITH_CONVERSATION)
    actions = await ann.get_state(MessageActionsState)
    await run((await ann.get_state(ComposerState)).send, {"body": "one"})
    # A dialog opened and cancelled leaves nothing open: Back closes the conversation.
    await run(actions.ask_delete, with_bob, ann._buffer().last_seq())
    await run(actions.cancel_delete)
    await page_load(ann, routes.CHAT)
    assert ann.conversation_id == 0


async def test_back_closes_a_picture_shown_full_size_first(tab_factory):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    viewer = await ann.get_state(PictureViewerState)
    # No conversation open: nothing to show; forged seqs show nothing either.
    await run(viewer.show, 1, True)
    assert viewer.viewing_seq == 0
    await run(ann.open_conversation, with_bob)
    await page_load(ann, routes.CHAT_WITH_CONVERSATION)
    for forged in ("1", True, -1, 10**30, None):
        await run(viewer.show, forged, True)
        assert viewer.viewing_seq == 0
    await run(viewer.show, 3, True)
    assert (viewer.viewing_conversation, viewer.viewing_seq) == (with_bob, 3)

    events = await page_load(ann, routes.CHAT)  # Back, with the picture open
    assert (viewer.viewing_conversation, viewer.viewing_seq) == (0, 0)
    assert ann.conversation_id == with_bob
    assert redirect_targets(events) == [routes.CHAT_WITH_CONVERSATION]
    # Closed by its own button or Escape, as the browser reports it.
    await run(viewer.show, 3, True)
    await run(viewer.show, 3, False)
    assert viewer.viewing_seq == 0
