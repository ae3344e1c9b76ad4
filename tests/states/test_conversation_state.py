"""Conversation and composer handlers called directly: sessions, validation, retry, bounds."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Message
from chat_app.realtime import push
from chat_app.realtime.profile import PROFILE
from chat_app.services import read_cursors, sending
from chat_app.services.errors import RateLimited
from chat_app.states import composer as composer_module
from chat_app.states import live_messages, read_receipts
from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.message_buffer import LIVE_SLOTS
from chat_app.states.outbox import OutboxState
from tests.support.tabs import chat_tabs, conversation_with, redirect_targets, run


async def composer_of(tab: ConversationState) -> ComposerState:
    return await tab.get_state(ComposerState)


def stored(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Message)).one()


@pytest.mark.parametrize("inline", [True, False], ids=["sqlite-inline", "network-quick"])
async def test_a_quick_store_shows_sent_in_one_update(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch, inline: bool
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    assert ann.open_friend_nickname == "Bob"
    monkeypatch.setattr(PROFILE, "database_calls_inline", inline)
    steps = [
        [m.status for m in ann._buffer().live()]
        async for _ in (await composer_of(ann)).send({"body": "hello"})
    ]
    # Inline, or stored within SENDING_SHOWN_AFTER_SECONDS over the network: a "sending"
    # update of its own would be one more update per message, and a "sending" copy shown
    # and replaced in this one would send the pending list again for nothing.
    assert steps == []
    assert "pending" not in ann.dirty_vars
    assert [(m.seq, m.body, m.status) for m in ann._buffer().live()] == [(1, "hello", "sent")]
    assert stored(engine) == 1


async def test_a_slow_store_over_the_network_shows_sending_and_keeps_it_in_the_outbox(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    ann, _bob, ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    monkeypatch.setattr(PROFILE, "database_calls_inline", False)
    real_send = sending.send_message

    def busy_database(**kwargs):
        time.sleep(10 * composer_module.SENDING_SHOWN_AFTER_SECONDS)  # a worker thread
        return real_send(**kwargs)

    monkeypatch.setattr(sending, "send_message", busy_database)
    composer = await composer_of(ann)
    outbox = await ann.get_state(OutboxState)
    steps = []
    async for _ in composer.send({"body": "hello"}):
        held = [entry.body for entry in outbox._read(ann_id).entries]
        steps.append(([m.status for m in ann._buffer().live()], composer.draft, held))
    # Before the store ends, the browser has the bubble and the text in its storage.
    assert steps == [(["sending"], "", ["hello"])]
    assert [(m.seq, m.status) for m in ann._buffer().live()] == [(1, "sent")]
    assert outbox._read(ann_id).entries == []
    assert stored(engine) == 1


async def test_invalid_text_shows_the_reason_and_stores_nothing(tab_factory, engine):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    for body, message in [
        ("   ", "Write something first."),
        ("x" * 4001, "A message can have at most 4,000 characters."),
        ("a\x1bb", "The message contains control characters that cannot be sent."),
    ]:
        await run((await composer_of(ann)).send, {"body": body})
        assert (await composer_of(ann)).composer_error == message
    assert ann._buffer().live() == []
    assert stored(engine) == 0


async def test_refused_send_is_marked_failed_and_retry_reuses_the_client_id(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    real_send = sending.send_message
    calls: list[str] = []

    def flaky_send(**kwargs):
        calls.append(kwargs["client_id"])
        if len(calls) == 1:
            raise RateLimited("too_many_messages")
        return real_send(**kwargs)

    monkeypatch.setattr(sending, "send_message", flaky_send)
    await run((await composer_of(ann)).send, {"body": "try me"})
    (failed,) = ann._buffer().live()
    assert (failed.status, failed.error) == (
        "failed",
        "You are sending too fast. Wait a few seconds.",
    )
    await run((await composer_of(ann)).retry, failed.client_id)
    await run(
        (await composer_of(ann)).retry, failed.client_id
    )  # a double click: already sent, nothing happens
    assert calls == [failed.client_id, failed.client_id]
    assert [(m.seq, m.status) for m in ann._buffer().live()] == [(1, "sent")]
    assert stored(engine) == 1
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    assert [m.body for m in bob.window] == ["try me"]


async def test_handlers_without_a_session_change_nothing(tab_factory, engine):
    _ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    intruder_friends = tab_factory(FriendsState, token="intruder")
    (await intruder_friends.get_state(AuthState)).session_token = "forged"
    intruder = await intruder_friends.get_state(ConversationState)
    assert redirect_targets(await run(intruder.open_conversation, bob_id)) == ["/auth"]
    intruder.open_friend_id = bob_id  # even with a forged open conversation
    intruder_composer = await composer_of(intruder)
    assert redirect_targets(await run(intruder_composer.send, {"body": "hi"})) == ["/auth"]
    assert await run(intruder.mark_seen) == []
    assert intruder.window == []
    assert stored(engine) == 0


async def test_only_friends_and_history_stays_readable(tab_factory, engine):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    await run((await composer_of(ann)).send, {"body": "before"})
    bob_friends = await bob.get_state(FriendsState)
    await run(bob_friends.remove_friend, ann_id)
    await run((await composer_of(ann)).send, {"body": "after"})
    # Refused for good (Delete only): no Retry can change it.
    assert [(m.body, m.status) for m in ann._buffer().live()] == [
        ("before", "sent"),
        ("after", "refused"),
    ]
    assert ann._buffer().live()[-1].error == "You can only send messages to friends."
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    assert [m.body for m in bob.window] == ["before"]


async def test_state_holds_a_bounded_window(tab_factory, monkeypatch: pytest.MonkeyPatch):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    monkeypatch.setattr(sending, "send_message", _unlimited(sending.send_message))
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    for n in range(400):
        await run((await composer_of(ann)).send, {"body": f"m{n}"})
    # Following the conversation: the banks hold the newest messages, older ones were let go
    # (two banks of 30 turn over at 61, 91, … 391: 361 … 400 stay).
    assert [m.seq for m in ann._buffer().stored()] == list(range(361, 401))
    assert len(ann.window) + len(ann._buffer().live()) <= LIVE_SLOTS
    assert ann.has_older
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    # All 400 unread: opened at the first, a page short of the newest.
    assert [m.seq for m in bob.window] == list(range(1, 41))
    assert bob.open_at == 1
    assert bob.has_newer
    for _ in range(10):
        await run(bob.load_newer)
    assert len(bob.window) <= live_messages.WINDOW_MAX
    assert bob.has_older
    for _ in range(10):
        await run(bob.load_older)
    assert len(bob.window) <= live_messages.WINDOW_MAX
    assert bob.has_newer
    assert bob.window[0].seq == 1
    await run(bob.jump_to_latest)
    assert [m.seq for m in bob.window][-1] == 400
    assert not bob.has_newer


def _unlimited(send):
    from chat_app.settings import load_settings

    fast = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})

    def call(**kwargs):
        return send(**kwargs, settings=fast)

    return call


async def test_typing_goes_only_to_a_friend_and_only_with_a_live_session(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    pushed: list[list[int]] = []

    async def notify(user_ids, *_args, **_kwargs):
        pushed.append(list(user_ids))

    async def notify_each(audiences, *_args, **_kwargs):
        pushed.extend(list(user_ids) for user_ids, _change in audiences)

    monkeypatch.setattr(composer_module, "notify_users", notify)
    monkeypatch.setattr("chat_app.states.message_push.notify_each_patiently", notify_each)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    await run((await composer_of(ann)).set_draft, "hel")
    assert pushed == [[bob_id]]

    (await composer_of(ann))._last_typing_push = 0.0
    (await ann.get_state(AuthState)).session_token = "revoked"
    await run((await composer_of(ann)).set_draft, "hello")
    assert pushed == [[bob_id]]

    conversation = await conversation_with(bob, ann_id)
    await run(bob.open_conversation, conversation)
    await run((await composer_of(bob)).send, {"body": "bye"})
    pushed.clear()
    bob_friends = await bob.get_state(FriendsState)
    await run(bob_friends.remove_friend, ann_id)
    ann2 = await (await logged_in_again(tab_factory)).get_state(ConversationState)
    await run(ann2.open_conversation, conversation)  # their history stays readable
    assert ann2.conversation_id == conversation
    await run((await composer_of(ann2)).set_draft, "still there?")
    assert pushed == []


async def logged_in_again(tab_factory) -> FriendsState:
    tab = tab_factory(FriendsState, token="ann-tab-2")
    await run(
        (await tab.get_state(AuthState)).login, {"username": "ann", "password": "correct horse"}
    )
    return tab


async def test_a_tab_that_remembered_its_friend_reopens_the_conversation_by_id(tab_factory):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    conversation = await conversation_with(ann, bob_id)
    # What browser storage held before conversations had ids, in a fresh state.
    reloaded = await (await logged_in_again(tab_factory)).get_state(ConversationState)
    reloaded.open_friend_store = str(bob_id)
    await run(reloaded.load)
    assert reloaded.conversation_id == conversation
    assert (reloaded.open_conversation_store, reloaded.open_friend_store) == (str(conversation), "")


async def test_a_send_queued_before_the_page_loaded_goes_where_its_form_says(tab_factory, engine):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    conversation = await conversation_with(ann, bob_id)
    # After a restart the tab's state is fresh: nothing is open yet when the send the
    # browser queued while offline arrives; the draft came back from browser storage.
    fresh = await (await logged_in_again(tab_factory)).get_state(ConversationState)
    composer = await composer_of(fresh)
    composer.draft = "written offline"
    form = {"body": "written offline", "conversation_id": str(conversation)}
    await run(composer.send, form)
    assert stored(engine) == 1
    assert (composer.draft, composer.composer_error) == ("", "")
    await run(fresh.open_conversation, conversation)
    assert [m.body for m in fresh._buffer().stored()] == ["written offline"]


async def test_a_send_to_a_conversation_not_ones_own_keeps_the_text_and_says_why(
    tab_factory, engine
):
    ann, _bob, _ann_id, _bob_id = await chat_tabs(tab_factory)
    composer = await composer_of(ann)
    for forged in ("999", "12345678901234567890", "-1", "²"):
        composer.draft = "hello?"
        await run(composer.send, {"body": "hello?", "conversation_id": forged})
        if forged == "999":
            assert composer.composer_error == "That conversation is no longer available."
            assert composer.draft == "hello?"
    assert stored(engine) == 0


async def test_the_reading_position_follows_the_page_and_ignores_junk(tab_factory):
    _ann, bob, ann_id, _bob_id = await chat_tabs(tab_factory)
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    assert bob._looking()
    await run(bob.reader_scrolled_up)
    assert not bob._looking()
    await run(bob.reader_at_bottom)
    assert bob._looking()
    # `document.hidden` is a bool; anything else a client sends changes nothing.
    for junk in ("true", 1, None, {"hidden": True}):
        await run(bob.tab_visibility, junk)
        assert bob._looking()
    await run(bob.tab_visibility, True)
    assert not bob._looking()
    await run(bob.tab_visibility, False)
    assert bob._looking()
    # Opening a conversation shows a new list at its bottom.
    await run(bob.reader_scrolled_up)
    bob.unseen = 3
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    assert bob._looking()
    assert bob.unseen == 0


async def test_a_read_timer_reads_only_over_the_socket_the_messages_went_out_on(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    """A message pushed to a tab whose socket had dropped (unnoticed) is read a second later
    only if the tab still has that socket: after a reconnect, its new page decides."""
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    await run(bob.open_conversation, ann.conversation_id)
    await run((await bob.get_state(ComposerState)).send, {"body": "while you were away"})
    await run(ann.catch_up)
    assert [m.body for m in ann._buffer().stored()] == ["while you were away"]
    shown = ann._buffer().last_seq()

    def read_up_to() -> int:
        with Session(engine) as session:
            return read_cursors.read_seq(session, ann_id, ann.conversation_id)

    before = read_up_to()
    assert before < shown
    socket = {"id": "new socket"}
    monkeypatch.setattr(read_receipts, "socket_id_of", lambda _tab: socket["id"])
    await read_receipts._read_if_looking(False, "old socket", ann)
    await push.settled()  # where the reads nobody waits for are stored
    assert read_up_to() == before
    await read_receipts._read_if_looking(False, "new socket", ann)
    assert read_up_to() == before  # the push, which holds the tab, did not wait for it
    await push.settled()
    assert read_up_to() == shown
