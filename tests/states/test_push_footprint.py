"""What a message push costs the recipient's tab on the scaled profile: its states in Redis.

The recipient's tab lives in Reflex's Redis state manager (as with `REFLEX_REDIS_URL`),
wrapped to record which states a push loads and which it saves. An incoming message must
load and save the small conversation state alone (and the root every state hangs from),
never the friend pane, the chat list or the composer; the unread counts only when it is
counted unread. Each of the sender's events
resolves the session once, and saves only the states whose vars it changed: an event that
changes nothing (a repeated scroll report, "load older" at the top) writes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
import reflex as rx
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.event.context import EventContext

from chat_app.realtime import push
from chat_app.services import sessions
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.list_order import ListOrderState
from chat_app.states.outbox import OutboxState
from chat_app.states.ui import UiState
from chat_app.states.unread import UnreadState
from tests.support.engines import RedisServer
from tests.support.tabs import chat_tabs, conversation_with, run

pytestmark = pytest.mark.both_databases
ROOT = rx.State.get_full_name()


class Footprint:
    """The state names a Redis state manager loaded and saved, per push."""

    def __init__(self, manager: StateManagerRedis) -> None:
        self.loaded: set[str] = set()
        self.saved: set[str] = set()
        load, collect = manager.redis.mget, manager._collect_state_writes

        async def mget(keys: list[str], *args: Any) -> Any:
            self.loaded |= {_state_name(key) for key in keys}
            return await load(keys, *args)

        def writes(token: Any, state: Any) -> list[tuple[str, bytes]]:
            found = collect(token, state)
            self.saved |= {_state_name(key) for key, _ in found}
            return found

        manager.redis.mget = mget  # type: ignore[method-assign]
        manager._collect_state_writes = writes  # type: ignore[method-assign]

    def clear(self) -> None:
        self.loaded.clear()
        self.saved.clear()


def _state_name(key: str | bytes) -> str:
    text = key.decode() if isinstance(key, bytes) else key
    return text.split("_", 1)[1]  # "<token>_<state full name>"


class AppOnRedis:
    """What `realtime.push` needs of an rx.App: its state manager and a connected tab."""

    def __init__(self, manager: StateManagerRedis) -> None:
        self.state_manager = manager
        self.emitted: list[str] = []

        async def connected(_token: str) -> bool:
            return True

        async def emit_update(update: Any, token: str) -> None:
            # Frontend events (a toast, a sound); the update's delta goes with them.
            if update.events:
                self.emitted.append(token)

        self.event_namespace = SimpleNamespace(
            _token_manager=SimpleNamespace(is_token_connected=connected, token_to_socket={}),
            emit_update=emit_update,
        )

    def modify_state(self, token: Any) -> Any:
        return self.state_manager.modify_state(token)


@pytest.fixture
async def redis_manager(redis_engine: RedisServer) -> AsyncIterator[StateManagerRedis]:
    client = Redis.from_url(redis_engine.url.rsplit("/", 1)[0] + "/9")
    await client.flushdb()
    manager = StateManagerRedis(redis=client)
    yield manager
    await manager.close()
    await client.flushdb()
    await client.aclose()


def _sender_event(manager: StateManagerRedis) -> EventContext:
    # Pushes run as tasks of the sender's event and reach Redis through its state manager.
    return EventContext(
        token="ann-tab", state_manager=manager, enqueue_impl=cast(Any, None), txid=""
    ).fork()


async def test_a_message_push_loads_and_saves_only_the_conversation_state(
    tab_factory, redis_manager: StateManagerRedis, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    # Bob's tab moves into Redis, every state of it, as a scaled backend keeps it.
    bob_root = bob.parent_state
    assert bob_root is not None
    token = rx.BaseStateToken(ident="bob-tab", cls=rx.State)
    await redis_manager.set_state(token, bob_root)
    app = AppOnRedis(redis_manager)
    monkeypatch.setattr(push, "_app", app)
    footprint = Footprint(redis_manager)
    composer = await ann.get_state(ComposerState)

    footprints = []
    for n in range(3):
        footprint.clear()
        with _sender_event(redis_manager):
            await run(composer.send, {"body": f"hello {n}"})
            await push.settled()
        footprints.append((set(footprint.loaded), set(footprint.saved)))

    conversation = ConversationState.get_full_name()
    # The first message may look at the list's order once (is Ann on top?), never change it.
    first_loaded, first_saved = footprints[0]
    assert first_loaded <= {ROOT, conversation, ListOrderState.get_full_name()}
    assert first_saved == {conversation}
    for loaded, saved in footprints[1:]:
        assert loaded == {ROOT, conversation}
        assert saved == {conversation}
    assert app.emitted == []  # no toast: Bob reads where the message arrived
    root = await redis_manager.get_state(rx.BaseStateToken(ident="bob-tab", cls=ConversationState))
    shown = await root.get_state(ConversationState)
    assert [m.body for m in shown._buffer().live()] == ["hello 0", "hello 1", "hello 2"]


async def test_a_message_for_a_closed_conversation_also_counts_it_unread(
    tab_factory, redis_manager: StateManagerRedis, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    bob_root = bob.parent_state
    assert bob_root is not None
    await redis_manager.set_state(rx.BaseStateToken(ident="bob-tab", cls=rx.State), bob_root)
    monkeypatch.setattr(push, "_app", AppOnRedis(redis_manager))
    footprint = Footprint(redis_manager)
    composer = await ann.get_state(ComposerState)
    for body in ("first", "second"):
        footprint.clear()
        with _sender_event(redis_manager):
            await run(composer.send, {"body": body})
            await push.settled()
    names = {ConversationState.get_full_name(), UnreadState.get_full_name()}
    # The toast is in the tab's language: the UI state is read, not written. The chat
    # list row's last line is kept in the conversation state (its `last_*` buckets).
    assert footprint.loaded == {ROOT, UiState.get_full_name(), *names}
    assert footprint.saved == names
    root = await redis_manager.get_state(rx.BaseStateToken(ident="bob-tab", cls=UnreadState))
    assert (await root.get_state(UnreadState))._counts().all() == {_ann_id: 2}


async def test_each_event_of_the_sender_resolves_the_session_once(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    calls: list[str] = []
    real = sessions.resolve_session_by_hash

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["token_hash"])
        return real(**kwargs)

    monkeypatch.setattr(sessions, "resolve_session_by_hash", counting)
    root = EventContext(
        token="ann-tab", state_manager=cast(Any, None), enqueue_impl=cast(Any, None), txid=""
    )
    composer = await ann.get_state(ComposerState)
    for handler, args in [
        (ann.open_conversation, (await conversation_with(ann, bob_id),)),
        (composer.set_draft, ("hi",)),
        (composer.send, ({"body": "hi"},)),
        (ann.load_older, ()),
    ]:
        calls.clear()
        with root.fork():
            await run(handler, *args)
        assert len(calls) <= 1, handler


async def test_an_event_saves_only_the_states_it_changed(
    tab_factory, redis_manager: StateManagerRedis, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    # Both tabs move into Redis; Ann's events run as a scaled backend runs them.
    for tab, ident in ((ann, "ann-tab"), (bob, "bob-tab")):
        assert tab.parent_state is not None
        await redis_manager.set_state(
            rx.BaseStateToken(ident=ident, cls=rx.State), tab.parent_state
        )
    monkeypatch.setattr(push, "_app", AppOnRedis(redis_manager))
    footprint = Footprint(redis_manager)

    async def saved_by(state_cls: type[rx.State], handler: str, *args: Any) -> set[str]:
        footprint.clear()
        token = rx.BaseStateToken(ident="ann-tab", cls=state_cls)
        with _sender_event(redis_manager):
            async with redis_manager.modify_state(token) as root:
                await run(getattr(await root.get_state(state_cls), handler), *args)
            await push.settled()
        return set(footprint.saved)

    await saved_by(ComposerState, "send", {"body": "the first"})  # the chat list's first move
    # The session is resolved (its state loaded) on every event; never saved unchanged.
    conversation = {ConversationState.get_full_name()}
    sent = await saved_by(ComposerState, "send", {"body": "hello"})
    assert sent == {*conversation, OutboxState.get_full_name()}
    assert await saved_by(ConversationState, "reader_scrolled_up") == conversation
    assert await saved_by(ConversationState, "reader_scrolled_up") == set()
    assert await saved_by(ConversationState, "reader_at_bottom") == conversation
    for unchanged in [
        (ConversationState, "reader_at_bottom"),  # read already
        (ConversationState, "tab_visibility", False),  # visible already
        (ConversationState, "mark_seen"),
        (ConversationState, "load_older"),  # nothing older
    ]:
        assert await saved_by(*unchanged) == set(), unchanged
    await saved_by(FriendsState, "load")  # the chat list takes in the messages and the read
    assert await saved_by(FriendsState, "load") == set()
