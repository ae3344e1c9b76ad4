"""Presence of friends in one tab, and the per-tab sentinel that makes its user online.

The sentinel is a background handler started by the page's on_load. Reflex cancels it when
the tab's socket goes away, and also on navigation and re-hydration, so a departure is only
believed after a grace period in which the socket has not come back. Reflex cancels only the
page load's chain, though: a sentinel a client starts by calling `track` itself is never
cancelled, so every sentinel also ends itself once its tab is gone or no longer its user's.
Transitions (online, offline) are pushed only to the user's friends, batched per friend.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from chat_app.realtime import redis_link
from chat_app.realtime.presence import HEARTBEAT_SECONDS
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import is_tab_connected, notify_users, spawn
from chat_app.services import friends, presence, sessions
from chat_app.states.auth import AuthState, end_tabs_of
from chat_app.states.service_call import call_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.viewer import viewer_id_of

GRACE_SECONDS = 3.0
BATCH_SECONDS = 0.1
# A tab has one sentinel, two while a reload replaces it; a client calling `track` over and
# over must not be able to pile up never-ending tasks.
MAX_SENTINELS_PER_TAB = 3
_sentinels: dict[str, int] = {}
# The sentinels running in this process (task: its user, its tab), checked every
# CHECK_SECONDS in one pass (`end_stray_sentinels`): a sentinel nobody cancels ends within
# that of its socket (5,000 tabs: 2-3 ms of CPU a pass), where a timer per sentinel woke
# 1,000 tasks a second.
_running: dict[asyncio.Task[Any], tuple[int, str, str]] = {}
CHECK_SECONDS = 5.0
SWEEP_SLICE = 500
# Every this many passes (a minute) the pass also asks whether the sessions of the tabs it
# holds still hold: one ended outside the app (the command line's password reset, its
# time) sends its tabs to the login page, as a logout elsewhere does.
SESSION_CHECK_PASSES = 12

# Presence changes waiting to be pushed: friend's user id → {user id: (online, last seen)}.
_outbox: dict[int, dict[int, tuple[bool, str]]] = {}
_flush_scheduled = False


def _changes_setter(
    changes: dict[int, tuple[bool, str]],
) -> Callable[[PresenceState], Awaitable[None]]:
    # A partial, not a closure: it may travel to the worker holding a tab's socket.
    return functools.partial(_show_changes, changes)


async def _show_changes(changes: dict[int, tuple[bool, str]], state: PresenceState) -> None:
    state._apply(changes)


async def _flush_outbox() -> None:
    global _flush_scheduled
    await asyncio.sleep(BATCH_SECONDS)
    _flush_scheduled = False
    batch = dict(_outbox)
    _outbox.clear()
    for friend_id, changes in batch.items():
        # The friend's tabs are looked up now; one failed lookup must not stop the others.
        with redis_link.outage_reported("pushing presence changes"):
            await notify_users([friend_id], PresenceState, _changes_setter(changes))


async def _announce(user_id: int, online: bool, last_seen: str) -> None:
    """Queue a user's transition for the open tabs of their friends (nobody else)."""
    global _flush_scheduled
    friend_ids = await call_service(friends.friend_ids, user_id=user_id)
    for friend_id in friend_ids:
        _outbox.setdefault(friend_id, {})[user_id] = (online, last_seen)
    if _outbox and not _flush_scheduled:
        _flush_scheduled = True
        spawn(_flush_outbox())


async def _confirm_departure(user_id: int, tab_token: str) -> None:
    """After the grace period: if the tab is really gone, maybe the user went offline."""
    await asyncio.sleep(GRACE_SECONDS)
    if (
        await is_tab_connected(tab_token)
        and await PROFILE.tab_registry.user_of(tab_token) == user_id
    ):
        return  # a navigation or a reconnect: the tab's new sentinel keeps it online
    if await PROFILE.presence_tracker.disconnect(user_id, tab_token):
        await _went_offline(user_id)


async def _went_offline(user_id: int) -> None:
    seen = await call_service(presence.record_seen, user_id=user_id)
    await _announce(user_id, online=False, last_seen=seen)


async def _keep_alive(user_id: int, tab_token: str, session_hash: str, again: bool = False) -> bool:
    """Count the tab as connected: at the sentinel's start, then as its heartbeat (Redis).

    In Redis a tab's entry expires unless refreshed. If Redis lost the tab (it restarted
    empty), the heartbeat puts the tab back in the registry and announces the user online
    again; while Redis is unreachable the failure is logged and the next beat retries.

    Args:
        user_id: The tab's user when the sentinel started.
        tab_token: The tab.
        session_hash: The hash of the tab's session token then.
        again: A heartbeat, not the start: the session may have ended since.

    Returns:
        False when a heartbeat found the tab gone from the presence set and its session
        ended (a sign out there: the tab is not the user's any more), True otherwise.
    """
    with redis_link.outage_reported("refreshing a tab's presence"):
        if await PROFILE.presence_tracker.connect(user_id, tab_token):
            if again and not await _session_lasts(session_hash):
                await PROFILE.presence_tracker.disconnect(user_id, tab_token)
                return False
            await PROFILE.tab_registry.register(user_id, tab_token, session_hash)
            seen = await call_service(presence.record_seen, user_id=user_id)
            await _announce(user_id, online=True, last_seen=seen)
    return True


async def _session_lasts(session_hash: str) -> bool:
    """Whether the session a sentinel started with still holds (checked rarely)."""
    return session_hash in await call_service(sessions.live_hashes, token_hashes=[session_hash])


async def sweep_stray_sentinels() -> None:
    """Lifespan task: end, every CHECK_SECONDS, the sentinels whose tab went or changed user."""
    passes = 0
    while True:
        await asyncio.sleep(CHECK_SECONDS)
        passes += 1
        with redis_link.outage_reported("checking the tabs of presence sentinels"):
            await end_stray_sentinels()
            if passes % SESSION_CHECK_PASSES == 0:
                await end_tabs_of_ended_sessions()


async def end_stray_sentinels() -> int:
    """Cancel the sentinels of this process whose tab is gone or no longer their user's.

    Returns:
        How many were cancelled (each then confirms its departure, as Reflex's cancel does).
    """
    stray = []
    for checked, (task, (user_id, tab, _session)) in enumerate(list(_running.items()), 1):
        if not await _still_here(user_id, tab):
            stray.append(task)
        if checked % SWEEP_SLICE == 0:
            await asyncio.sleep(0)  # 5,000 checks take 2-3 ms: in slices, not one step
    for task in stray:
        task.cancel()
    return len(stray)


async def end_tabs_of_ended_sessions() -> int:
    """Send the tabs whose session ended outside the app to the login page (a query per 500).

    Returns:
        How many sessions had ended (their tabs, in every worker, are sent to /auth).
    """
    held = {(user_id, session) for user_id, _tab, session in _running.values() if session}
    if not held:
        return 0
    live = await call_service(sessions.live_hashes, token_hashes=[hash_ for _, hash_ in held])
    ended = [(user_id, session) for user_id, session in held if session not in live]
    for user_id, session in ended:
        await end_tabs_of(user_id, only=session)
    return len(ended)


async def _still_here(user_id: int, tab_token: str) -> bool:
    """Whether a sentinel's tab is still connected and, in one process, still its user's.

    With Redis the tab's user is not asked on every beat (a round trip per tab every few
    seconds): a sign out there ends the session, which the beat that finds the tab gone
    from the presence set checks (`_keep_alive`).
    """
    if not await is_tab_connected(tab_token):
        return False
    if PROFILE.shared_by_workers:
        return True
    return await PROFILE.tab_registry.user_of(tab_token) == user_id


async def sweep_expired_tabs():
    """Lifespan task (Redis only): announce users whose tabs died with their worker."""
    if not PROFILE.shared_by_workers:
        return
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        with redis_link.outage_reported("expiring the tabs of a stopped worker"):
            for expired in await PROFILE.presence_tracker.expire():
                # Its worker is gone: stop pushing to it (if the tab is in fact alive and
                # Redis was away instead, its next heartbeat registers it again).
                await PROFILE.tab_registry.unregister(expired.tab_token)
                if expired.user_offline:
                    await _went_offline(expired.user_id)


class PresenceState(rx.State):
    """Which friends are online, and when the others were last seen."""

    online: dict[int, bool] = {}
    last_seen: dict[int, str] = {}

    def _apply(self, changes: dict[int, tuple[bool, str]]) -> None:
        online = dict(self.online)
        last_seen = dict(self.last_seen)
        for user_id, (is_online, seen) in changes.items():
            # Only the friends of the tab's last load (`last_seen` has each of them): a
            # change announced just before a block or a removal may arrive after it.
            if user_id not in last_seen:
                continue
            online[user_id] = is_online
            if seen:
                last_seen[user_id] = seen
        self.online, self.last_seen = online, last_seen

    @rx.event
    async def load(self):
        """On page load and reconnect: the current presence of every friend."""
        await self._load()

    async def _load(self) -> None:
        # No redirect: the page's login check does that; this only forgets what it showed.
        user_id = await viewer_id_of(self)
        if user_id is None:
            self.online, self.last_seen = {}, {}
            return
        seen = await call_service(presence.friends_last_seen, user_id=user_id)
        self.last_seen = seen
        online = await PROFILE.presence_tracker.online_among(list(seen))
        self.online = {friend: friend in online for friend in seen}

    @rx.event(background=True)
    async def track(self):
        """The tab's sentinel: online while it runs; Reflex cancels it when the socket goes."""
        async with self:
            # A background task cannot redirect: a tab without a session just has no sentinel.
            user_id = await viewer_id_of(self)
            auth = await self.get_state(AuthState)
            tab = tab_token(self)
            session_hash = auth._registered_as.partition(":")[2]
        if user_id is None or _sentinels.get(tab, 0) >= MAX_SENTINELS_PER_TAB:
            return
        _sentinels[tab] = _sentinels.get(tab, 0) + 1
        task = asyncio.current_task()
        if task is not None:
            _running[task] = (user_id, tab, session_hash)
        try:
            await _keep_alive(user_id, tab, session_hash)
            while True:
                if not PROFILE.shared_by_workers:
                    await asyncio.sleep(3600)  # in one process nothing needs refreshing
                    continue
                await asyncio.sleep(HEARTBEAT_SECONDS)
                if not await _keep_alive(user_id, tab, session_hash, again=True):
                    return
        finally:
            if task is not None:
                _running.pop(task, None)
            remaining = _sentinels.get(tab, 1) - 1
            if remaining > 0:
                _sentinels[tab] = remaining
            else:
                _sentinels.pop(tab, None)
            spawn(_confirm_departure(user_id, tab))
