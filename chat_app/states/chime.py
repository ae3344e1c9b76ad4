"""The sound of a new message or friend request: the user's setting, and the one tab that plays.

One sound per user, not one per open tab. The tab that plays is the user's "chime seat"
(realtime/chime_seats.py): the tab they brought to the front last (shown or focused), or,
when that tab has gone, the first of their tabs the notification reaches. The seat is kept
in the profile's store (in this process, or in Redis), so the rule is the same on one
worker or many. A tab that shows the message's conversation, visibly, plays nothing: the
deliveries ask `ChimeRound` only for tabs that are not looking (states/composer.py; a
friend request always asks, states/friends.py). So when the user reads that conversation
in the tab they brought to the front, no tab plays.

The sound is a frontend event the delivery push returns to the chosen tab: it costs the
delivery no state of its own, and its handler bumps `rings`, which remounts the page's
`<audio autoplay>` element (components/chime.py): no script.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from chat_app.realtime import redis_link
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import is_tab_connected, notify_users
from chat_app.services import preferences
from chat_app.services.sessions import SessionKey
from chat_app.states.service_call import call_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.viewer import signed_in, viewer_id_of

logger = logging.getLogger(__name__)
# (the seat's tab if it is still the user's and connected, else None; the seat as stored)
Seat = tuple[str | None, str | None]


async def _seat(user_id: int) -> Seat:
    stored = await PROFILE.chime_seats.seat_of(user_id)
    if (
        stored
        and await PROFILE.tab_registry.user_of(stored) == user_id
        and await is_tab_connected(stored)
    ):
        return stored, stored
    return None, stored


class ChimeRound:
    """One notification's sound: for each user it reaches, one tab plays it.

    Made once per notification and shared by the pushes to every tab: the seat is looked
    up once per user, and if it is vacant (or its tab gone) the first tab that asks takes
    it, atomically, so exactly one plays.
    """

    def __init__(self) -> None:
        self._seats: dict[int, asyncio.Future[Seat]] = {}

    def __reduce__(self) -> tuple[type[ChimeRound], tuple[()]]:
        # Handed to another worker (realtime/push_relay.py), a round starts afresh there:
        # the seat it takes is in Redis, so still exactly one tab plays.
        return (ChimeRound, ())

    async def events_for(self, state: rx.State, user_id: int | None) -> list[Any]:
        """The sound for a tab of `user_id` that is not looking at what arrived.

        Args:
            state: A state of the tab, inside the push.
            user_id: The tab's user (None: signed out, no sound).

        Returns:
            `[ChimeState.ring]` for the one tab of the user that plays, else nothing.
        """
        if user_id is None:
            return []
        tab = tab_token(state)
        try:
            if user_id not in self._seats:
                self._seats[user_id] = asyncio.ensure_future(_seat(user_id))
            live, stored = await self._seats[user_id]
            if live == tab or (
                live is None and await PROFILE.chime_seats.take_if(user_id, tab, stored)
            ):
                return [ChimeState.ring]
        except Exception as error:
            # A sound is not worth a delivery: whatever fails here only loses the sound.
            if redis_link.is_redis_error(error):
                redis_link.report_outage(error, "choosing the tab that plays a sound")
            else:
                logger.exception("choosing the tab that plays a sound failed")
        return []


def _setting_changed(user_id: int, enabled: bool) -> Callable[[ChimeState], Awaitable[None]]:
    # A partial, not a closure: it may travel to the worker holding a tab's socket.
    return functools.partial(_show_setting, user_id, enabled)


async def _show_setting(user_id: int, enabled: bool, state: ChimeState) -> None:
    if state._user_id == user_id and state.enabled != enabled:
        state.enabled = enabled


class ChimeState(rx.State):
    """Whether this tab's user wants the sound, and how often this tab has played it."""

    enabled: bool = True
    # Sounds played since the page loaded: each new value remounts the audio element, which
    # plays it; 0 (after every load) shows no element, so a reload never plays an old one.
    rings: int = 0
    _user_id: int | None = None

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            if self.rings:
                self.rings = 0

    async def _take_seat(self, user_id: int, only_if_vacant: bool) -> None:
        tab = tab_token(self)
        if not only_if_vacant:
            await PROFILE.chime_seats.take(user_id, tab)
            return
        live, stored = await _seat(user_id)
        if live is None:
            await PROFILE.chime_seats.take_if(user_id, tab, stored)

    @rx.event
    async def load(self):
        """On page load and reconnect: the user's setting; the seat if no live tab holds it."""
        await self._load()

    async def _load(self) -> None:
        if self.rings:
            self.rings = 0
        user_id = await viewer_id_of(self)
        if user_id is None:
            return
        enabled = await call_service(preferences.chime_enabled, user_id=user_id)
        if enabled != self.enabled:
            self.enabled = enabled
        # Not always: every background tab loads again after a reconnect.
        await self._take_seat(user_id, only_if_vacant=True)

    @rx.event
    @signed_in
    async def tab_focused(self, viewer_id: int):
        """The user brought this tab's window to the front: it plays their sounds now."""
        await self._take_seat(viewer_id, only_if_vacant=False)

    @rx.event
    @signed_in
    async def tab_visibility(self, viewer_id: int, hidden: bool):
        """The tab was hidden or shown (`document.hidden`); a shown tab takes the seat."""
        if hidden is False:
            await self._take_seat(viewer_id, only_if_vacant=False)

    @rx.event
    @signed_in
    async def ring(self, viewer_id: int):
        """Play the sound here, if the user wants it (the one tab a notification chose)."""
        del viewer_id  # only a signed-in tab plays
        if self.enabled:
            self.rings += 1

    @rx.event
    @signed_in
    async def set_enabled(self, viewer_id: int, enabled: bool):
        """Turn the sound on or off for the user, on every device."""
        if not isinstance(enabled, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            return
        await call_service(preferences.set_chime, user_id=viewer_id, enabled=enabled)
        self.enabled = enabled
        own_tab = tab_token(self)
        await notify_users(
            [viewer_id], ChimeState, _setting_changed(viewer_id, enabled), except_tab=own_tab
        )
