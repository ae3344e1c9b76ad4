"""What a tab shows of its user's friends' presence, and of nobody else's."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from chat_app.realtime.profile import PROFILE
from chat_app.services import password_resets
from chat_app.states import presence as presence_module
from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState
from chat_app.states.presence import PresenceState
from tests.support.tabs import chat_tabs, run

SEEN = "2026-12-05T02:12:02+00:00"


async def test_a_change_on_its_way_during_a_block_does_not_show_the_blocked_user(tab_factory):
    _, bob, ann_id, _ = await chat_tabs(tab_factory)
    presence = await bob.get_state(PresenceState)
    await run(presence.load)
    # A friend's change shows.
    await presence_module._show_changes({ann_id: (True, SEEN)}, presence)
    assert presence.online[ann_id] is True

    friends = await bob.get_state(FriendsState)
    await run(friends.ask_confirm, "block", ann_id, "Ann")
    await run(friends.confirm)
    await run(presence.load)  # what the block's handler asks for
    assert ann_id not in presence.online

    # Ann's "online", announced to her friends just before the block, arrives after it.
    await presence_module._show_changes({ann_id: (True, SEEN)}, presence)
    assert ann_id not in presence.online
    assert ann_id not in presence.last_seen


async def _sentinel_of(tab, monkeypatch) -> tuple[asyncio.Task, list[str], dict[str, bool]]:
    """A sentinel started by calling `track` itself (no page load Reflex would cancel).

    Returns the task, the departures it asks to confirm, and the switch of its socket.
    """
    socket = {"connected": True}

    async def connected(_tab: str) -> bool:
        return socket["connected"]

    departures: list[str] = []

    def spawned(coroutine) -> None:
        departures.append(coroutine.cr_code.co_name)
        coroutine.close()

    monkeypatch.setattr(presence_module, "is_tab_connected", connected)
    monkeypatch.setattr(presence_module, "spawn", spawned)
    presence = await tab.get_state(PresenceState)
    sentinel = asyncio.create_task(PresenceState.event_handlers["track"].fn(presence))
    async with asyncio.timeout(5):
        while sentinel not in getattr(presence_module, "_running", {sentinel: None}):
            await asyncio.sleep(0.01)
    # A live tab of its user: the sweep leaves it, and it keeps the user online.
    assert await presence_module.end_stray_sentinels() == 0
    assert not sentinel.done()
    assert await PROFILE.presence_tracker.online_among([tab._user_id]) == {tab._user_id}
    return sentinel, departures, socket


async def _ended(sentinel: asyncio.Task) -> None:
    """The next sweep ends the sentinel, as Reflex's cancel ends one of a page load."""
    assert await presence_module.end_stray_sentinels() == 1
    await asyncio.gather(sentinel, return_exceptions=True)
    assert sentinel.cancelled()


async def test_a_sentinel_nobody_cancels_ends_when_its_socket_goes(tab_factory, monkeypatch):
    ann, *_ = await chat_tabs(tab_factory)
    sentinel, departures, socket = await _sentinel_of(ann, monkeypatch)
    socket["connected"] = False
    await _ended(sentinel)
    # Its departure is confirmed; nothing is left counted.
    assert departures[-1] == "_confirm_departure"
    assert presence_module._sentinels == {}
    assert presence_module._running == {}


async def test_a_sentinel_nobody_cancels_ends_when_its_tab_signs_out(tab_factory, monkeypatch):
    ann, *_ = await chat_tabs(tab_factory)
    sentinel, departures, _ = await _sentinel_of(ann, monkeypatch)
    auth = await ann.get_state(AuthState)
    await run(auth.logout)  # the socket stays: the tab shows the login page
    await _ended(sentinel)
    assert departures[-1] == "_confirm_departure"
    assert presence_module._sentinels == {}
    assert presence_module._running == {}


async def test_a_heartbeat_after_a_sign_out_does_not_bring_the_tab_back(tab_factory, monkeypatch):
    ann, _, ann_id, _ = await chat_tabs(tab_factory)
    auth = await ann.get_state(AuthState)
    session_hash = auth._session_hash()
    tab = "ann-tab"
    assert await presence_module._keep_alive(ann_id, tab, session_hash)
    # The tab's departure took it out of the presence set; then it signed out.
    await PROFILE.presence_tracker.disconnect(ann_id, tab)
    await run(auth.logout)
    assert not await presence_module._keep_alive(ann_id, tab, session_hash, again=True)
    assert await PROFILE.presence_tracker.online_among([ann_id]) == set()
    assert await PROFILE.tab_registry.user_of(tab) is None


async def test_a_session_ended_outside_the_app_sends_its_tabs_to_the_login_page(
    tab_factory, engine, monkeypatch
):
    ann, _, ann_id, _ = await chat_tabs(tab_factory)
    sentinel, _, _ = await _sentinel_of(ann, monkeypatch)
    ended: list[tuple[int, str | None]] = []

    async def end_tabs_of(user_id: int, only: str | None = None, **_: object) -> None:
        ended.append((user_id, only))

    monkeypatch.setattr(presence_module, "end_tabs_of", end_tabs_of)
    assert await presence_module.end_tabs_of_ended_sessions() == 0
    # The command line sets her password: every session of hers ends in the database only.
    with Session(engine) as session:
        password_resets.set_password(
            session=session,
            actor_id=None,
            target_id=ann_id,
            password="a new secret",
            password_confirm="a new secret",
        )
    assert await presence_module.end_tabs_of_ended_sessions() == 1
    session_hash = (await ann.get_state(AuthState))._registered_as.partition(":")[2]
    assert ended == [(ann_id, session_hash)]
    sentinel.cancel()
    await asyncio.gather(sentinel, return_exceptions=True)
