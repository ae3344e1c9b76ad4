"""The outbox in browser storage: what a tab keeps until the server has stored its message.

A "restart" here is a fresh tab state given what the browser's storage held (the hydrate
hands the server exactly that); the realtime tests do the same against a killed server.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Message
from chat_app.services import sending
from chat_app.services.errors import RateLimited
from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.outbox import OutboxState
from chat_app.states.outbox_entries import MAX_ENTRIES, Outbox, OutboxEntry, read
from chat_app.states.resend import ResendState
from chat_app.states.service_call import call_service
from chat_app.states.sign_out import SignOutState
from chat_app.states.uploads import UploadState
from tests.support.tabs import chat_tabs, conversation_with, redirect_targets, run

AT = "2026-12-02T10:00:00.000000+00:00"


def stored_bodies(engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(Message.seq, Message.body))
        return [body for _seq, body in sorted(rows)]


def stored_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Message)).one()


async def open_chat(tab: ConversationState, friend_id: int) -> tuple[ComposerState, OutboxState]:
    """Open the conversation with `friend_id` and settle the outbox, as a page load does."""
    await run(tab.open_conversation, await conversation_with(tab, friend_id))
    await run((await tab.get_state(ResendState)).resume)
    return await tab.get_state(ComposerState), await tab.get_state(OutboxState)


def form(outbox: OutboxState, body: str, conversation: int, client_id: str | None = None):
    return {
        "body": body,
        "conversation_id": str(conversation),
        "client_id": outbox.next_client_id if client_id is None else client_id,
    }


async def restarted(tab_factory, old: ConversationState) -> ConversationState:
    """A fresh state for the same browser tab: the server lost it, the browser kept storage."""
    return await restarted_as(tab_factory, old, "ann-tab-restarted")


async def restarted_as(tab_factory, old: ConversationState, token: str) -> ConversationState:
    """`restarted`, for any user's tab (`token`: the fresh tab's)."""
    fresh_root = tab_factory(FriendsState, token=token)
    auth = await fresh_root.get_state(AuthState)
    auth.session_token = (await old.get_state(AuthState)).session_token
    old_outbox, old_composer = await old.get_state(OutboxState), await old.get_state(ComposerState)
    outbox = await fresh_root.get_state(OutboxState)
    outbox.outbox, outbox.next_client_id = old_outbox.outbox, old_outbox.next_client_id
    (await fresh_root.get_state(ComposerState)).draft = old_composer.draft
    fresh = await fresh_root.get_state(ConversationState)
    fresh.open_conversation_store = old.open_conversation_store
    await run(fresh.load)
    await run((await fresh.get_state(ResendState)).resume)
    return fresh


def shown(tab: ConversationState) -> list[tuple[str, str]]:
    buffer = tab._buffer()
    return [(m.body, m.status) for m in [*buffer.stored(), *buffer.pending_copies]]


async def test_a_sent_message_uses_up_its_issued_id_and_leaves_the_outbox_empty(
    tab_factory, engine
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    conversation = ann.conversation_id
    issued = outbox.next_client_id
    assert len(issued) == 32
    await run(composer.send, form(outbox, "hello", conversation))
    (message,) = ann._buffer().stored()
    assert (message.client_id, message.status) == (issued, "sent")
    assert outbox.outbox == ""
    assert outbox.next_client_id not in ("", issued)
    assert composer.draft == ""


async def test_enter_twice_before_the_update_arrives_stores_the_message_once(tab_factory, engine):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    twice = form(outbox, "once", ann.conversation_id)
    await run(composer.send, twice)
    await run(composer.send, twice)
    assert stored_bodies(engine) == ["once"]
    assert shown(ann) == [("once", "sent")]


async def test_a_new_text_sent_under_an_id_already_used_is_a_second_message(tab_factory, engine):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    stale = outbox.next_client_id
    await run(composer.send, form(outbox, "first", ann.conversation_id, stale))
    # Typed and sent before the update with the next id reached the browser.
    await run(composer.send, form(outbox, "second", ann.conversation_id, stale))
    await run(composer.send, form(outbox, "second", ann.conversation_id, stale))
    assert stored_bodies(engine) == ["first", "second"]
    assert shown(ann) == [("first", "sent"), ("second", "sent")]


async def test_a_failed_send_survives_a_restart_and_retry_stores_it_once(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)

    def too_fast(**kwargs):
        raise RateLimited("too_many_messages")

    real_send = sending.send_message
    monkeypatch.setattr(sending, "send_message", too_fast)
    await run(composer.send, form(outbox, "wait for me", ann.conversation_id))
    assert shown(ann) == [("wait for me", "failed")]
    assert [e.failure for e in read(outbox.outbox, ann.my_id).entries] == ["too_many_messages"]
    assert composer.draft == ""
    monkeypatch.setattr(sending, "send_message", real_send)

    fresh = await restarted(tab_factory, ann)
    (failed,) = fresh._buffer().pending_copies
    assert (failed.body, failed.status, failed.error) == (
        "wait for me",
        "failed",
        "You are sending too fast. Wait a few seconds.",
    )
    composer = await fresh.get_state(ComposerState)
    await run(composer.retry, failed.client_id)
    await run(composer.retry, failed.client_id)  # a double click: nothing more
    assert stored_bodies(engine) == ["wait for me"]
    assert shown(fresh) == [("wait for me", "sent")]
    assert (await fresh.get_state(OutboxState)).outbox == ""


async def test_a_failed_reply_keeps_its_quote_also_after_a_restart(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    ann_composer, ann_outbox = await open_chat(ann, bob_id)
    await run(ann_composer.send, form(ann_outbox, "picnic on Sunday?", ann.conversation_id))
    (asked,) = ann._buffer().stored()
    composer, outbox = await open_chat(bob, ann_id)

    def too_fast(**kwargs):
        raise RateLimited("too_many_messages")

    real_send = sending.send_message
    monkeypatch.setattr(sending, "send_message", too_fast)
    reply = {**form(outbox, "yes, at 11", bob.conversation_id), "reply_to": str(asked.seq)}
    await run(composer.send, reply)
    # The failed bubble quotes what it answers, as the stored reply will.
    (failed,) = bob._buffer().pending_copies
    assert failed.status == "failed"
    assert failed.reply is not None
    assert (failed.reply.seq, failed.reply.sender_id, failed.reply.text) == (
        asked.seq,
        asked.sender_id,
        "picnic on Sunday?",
    )
    monkeypatch.setattr(sending, "send_message", real_send)

    fresh = await restarted_as(tab_factory, bob, "bob-tab-restarted")
    (kept,) = fresh._buffer().pending_copies
    assert kept.reply == failed.reply
    await run((await fresh.get_state(ComposerState)).retry, kept.client_id)
    stored = fresh._buffer().stored()[-1]
    assert (stored.body, stored.status, stored.reply) == ("yes, at 11", "sent", failed.reply)


async def test_a_failed_message_can_be_deleted_from_the_outbox(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    monkeypatch.setattr(sending, "send_message", _raise(RateLimited("too_many_messages")))
    await run(composer.send, form(outbox, "never mind", ann.conversation_id))
    (failed,) = ann._buffer().pending_copies
    await run(composer.discard, failed.client_id)
    assert (shown(ann), outbox.outbox, outbox.unsent_count) == ([], "", 0)


def _raise(error: Exception):
    def fail(**kwargs):
        raise error

    return fail


async def test_a_message_stored_while_the_tab_was_away_leaves_the_outbox_shown_once(
    tab_factory, engine
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    _composer, outbox = await open_chat(ann, bob_id)
    conversation = ann.conversation_id
    # The send's "sending" update reached the browser; its acknowledgement did not.
    waiting = OutboxEntry(ann.my_id, conversation, "f" * 32, "made it", AT)
    outbox.outbox = Outbox([waiting]).encode()
    await call_service(
        sending.send_message,
        viewer_id=ann.my_id,
        conversation_id=conversation,
        client_id=waiting.client_id,
        body=waiting.body,
    )
    fresh = await restarted(tab_factory, ann)
    assert shown(fresh) == [("made it", "sent")]
    assert (await fresh.get_state(OutboxState)).outbox == ""
    assert stored_count(engine) == 1


async def test_waiting_messages_show_as_sending_and_are_sent_again(tab_factory, engine):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    _composer, outbox = await open_chat(ann, bob_id)
    entries = [OutboxEntry(ann.my_id, ann.conversation_id, f"w{n}", f"m{n}", AT) for n in range(3)]
    outbox.outbox = Outbox(entries).encode()
    fresh_root = await restarted(tab_factory, ann)
    assert shown(fresh_root) == [("m0", "sending"), ("m1", "sending"), ("m2", "sending")]
    events = await run((await fresh_root.get_state(ResendState)).resume)
    assert [event.fn.__name__ for event in events] == ["resend_unsent"]


async def test_the_same_id_with_another_text_in_storage_is_a_conflict_never_merged(
    tab_factory, engine
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    await run(composer.send, form(outbox, "original", ann.conversation_id, "c" * 32))
    forged = OutboxEntry(ann.my_id, ann.conversation_id, "c" * 32, "replacement", AT)
    outbox.outbox = Outbox([forged]).encode()
    fresh = await restarted(tab_factory, ann)
    (conflict,) = fresh._buffer().pending_copies
    assert (conflict.body, conflict.status) == ("replacement", "failed")
    assert "already sent under this one's id" in conflict.error
    await run((await fresh.get_state(ComposerState)).retry, conflict.client_id)
    assert stored_bodies(engine) == ["original", "replacement"]
    assert shown(fresh) == [("original", "sent"), ("replacement", "sent")]


async def test_a_forged_outbox_shows_only_the_users_own_valid_entries_and_says_so(
    tab_factory, engine
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    own = OutboxEntry(ann.my_id, ann.conversation_id, "own", "mine", AT, "error").encoded()
    forged = [
        own,
        {**own, "u": ann.my_id + 1, "i": "theirs"},
        {**own, "i": "dict", "b": {"x": 1}},
        {**own, "i": "huge", "b": "x" * 50_000},
        {**own, "b": "same id, other text"},
        "text",
    ]
    outbox.outbox = json.dumps(forged)
    fresh = await restarted(tab_factory, ann)
    assert shown(fresh) == [("mine", "failed")]
    fresh_composer = await fresh.get_state(ComposerState)
    assert fresh_composer.composer_error == (
        "5 queued message(s) could not be restored and were removed."
    )
    assert [
        e.client_id for e in read((await fresh.get_state(OutboxState)).outbox, ann.my_id).entries
    ] == ["own"]
    assert stored_count(engine) == 0
    del composer


async def test_a_full_outbox_refuses_a_new_send_and_keeps_the_text(tab_factory, engine):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    full = [
        OutboxEntry(ann.my_id, ann.conversation_id, f"f{n}", f"m{n}", AT, "error")
        for n in range(MAX_ENTRIES)
    ]
    outbox.outbox = Outbox(full).encode()
    composer.draft = "one more"
    await run(composer.send, form(outbox, "one more", ann.conversation_id))
    assert composer.draft == "one more"
    assert composer.composer_error.startswith("Too many messages are waiting")
    assert stored_count(engine) == 0


async def test_the_composer_text_of_a_send_whose_update_was_lost_is_not_sent_twice(
    tab_factory, engine
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    issued = outbox.next_client_id
    composer.draft = "sent, but the browser never heard"
    await run(composer.send, form(outbox, composer.draft, ann.conversation_id))
    # The browser still holds the text and the used id: the update never arrived.
    composer.draft, outbox.next_client_id = "sent, but the browser never heard", issued
    fresh = await restarted(tab_factory, ann)
    fresh_outbox = await fresh.get_state(OutboxState)
    assert (await fresh.get_state(ComposerState)).draft == ""
    assert fresh_outbox.next_client_id != issued
    assert stored_count(engine) == 1


async def test_logging_out_with_unsent_messages_asks_first_then_forgets_them(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    monkeypatch.setattr(sending, "send_message", _raise(RateLimited("too_many_messages")))
    await run(composer.send, form(outbox, "unsent", ann.conversation_id))
    sign_out = await ann.get_state(SignOutState)
    assert await run(sign_out.log_out, False) == []
    assert outbox.logout_warning_open
    assert (await ann.get_state(AuthState)).session_token != ""
    events = await run(sign_out.log_out, True)
    assert [event.fn.__name__ for event in events] == ["logout"]
    assert (outbox.outbox, outbox.next_client_id, outbox.unsent_count) == ("", "", 0)
    auth = await ann.get_state(AuthState)
    assert redirect_targets(await run(auth.logout)) == ["/auth"]


async def test_an_upload_that_died_with_the_connection_says_choose_the_file_again(
    tab_factory, engine
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await open_chat(ann, bob_id)
    uploads = await ann.get_state(UploadState)
    await run(uploads.start_upload)
    assert uploads.upload_started == "1"
    fresh_root = tab_factory(FriendsState, token="ann-tab-after-restart")
    auth = await fresh_root.get_state(AuthState)
    auth.session_token = (await ann.get_state(AuthState)).session_token
    (await fresh_root.get_state(UploadState)).upload_started = uploads.upload_started
    await run((await fresh_root.get_state(ResendState)).resume)
    composer = await fresh_root.get_state(ComposerState)
    assert composer.composer_error == (
        "The connection dropped during the upload: choose the file again."
    )
    assert (await fresh_root.get_state(UploadState)).upload_started == ""
    # A page load while the upload still runs (a reconnect, same state) says nothing.
    await run((await ann.get_state(ResendState)).resume)
    assert (await ann.get_state(ComposerState)).composer_error == ""
