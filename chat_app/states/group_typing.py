"""Who is typing in the open group: "Ana and Li are typing…", "… and 2 more".

Sending side: a member's keystrokes (at most one note every 2 s per tab, states/
composer.py) go into their conversation's room in this process; the room pushes to the
group's current members at most once every `TYPING_INTERVAL`, however many type, and only
when who types changed: a group of N members costs N pushes per interval, never N².
Each member hears the typers they are in no block with (services/group_typing.py), and a
departed member nothing.

Receiving side: a tab keeps every typer it heard of (backend var), and shows at most one
change every `TYPING_INTERVAL` (states/tab_pace.py): with several workers each has its
rooms, and a push names the typers that started or stopped, so the tab merges what every
worker says. A message from a typer takes their name off at once (it is a message's
update, not a typing one).
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import reflex as rx

from chat_app.realtime import timers
from chat_app.realtime.push import notify_users
from chat_app.services import group_typing
from chat_app.states.auth import AuthState
from chat_app.states.service_call import call_service
from chat_app.states.tab_pace import wait_before_showing

logger = logging.getLogger(__name__)

TYPING_INTERVAL = 2.0
# A typer drops out this long after their last keystroke note (notes come every 2 s).
TYPING_VISIBLE_SECONDS = 4.0
NAMES_SHOWN = 3
# A tab keeps at most this many typers ("and N more" counts up to it).
TYPERS_KEPT = 50

Typer = tuple[int, str]


@dataclass
class _Room:
    """The members typing in one conversation, as this process heard of them."""

    # The conversation state (`Any`: a push's change names the mixin, the class differs).
    state_class: type[Any]
    # User → (nickname, when their typing expires), in the order they started.
    typers: dict[int, tuple[str, float]] = field(default_factory=dict)
    # The typers named by the last push, and when it went.
    pushed: tuple[int, ...] = ()
    pushed_at: float = float("-inf")
    # When the next push is due (inf: none is).
    next_at: float = float("inf")
    # The members the last push went to: one who left since gets the typers taken off.
    listeners: frozenset[int] = frozenset()


_rooms: dict[int, _Room] = {}


async def note_typing(conversation: GroupTyping, user_id: int) -> None:
    """A member is typing in the group their tab shows: tell the others within 2 s.

    Args:
        conversation: The tab's conversation state (a group; its class gets the push).
        user_id: The typer (from the server-side session; membership and blocks are
            checked when the push is made).
    """
    if conversation.read_only or not conversation.conversation_id:
        return
    name = (await conversation.get_state(AuthState)).nickname
    conversation_id = conversation.conversation_id
    room = _rooms.setdefault(conversation_id, _Room(type(conversation)))
    started = user_id not in room.typers
    room.typers[user_id] = (name, time.monotonic() + TYPING_VISIBLE_SECONDS)
    if started:
        _push_soon(conversation_id, room)


def typing_over(conversation_id: int, user_id: int) -> None:
    """A member sent their message: they are no longer typing (a direct chat or a group).

    Args:
        conversation_id: The conversation.
        user_id: The member.
    """
    # The direct chat's "stop typing" timer (states/composer.py) has nothing left to stop.
    timers.cancel(("typing", user_id, conversation_id))
    room = _rooms.get(conversation_id)
    if room is not None and room.typers.pop(user_id, None) is not None:
        _push_soon(conversation_id, room)


def _push_soon(conversation_id: int, room: _Room, at: float = 0.0) -> None:
    """Push the room at `at` (monotonic) or as soon as the interval allows.

    A push due earlier stays; one due later (a typer's expiry) is brought forward.
    """
    now = time.monotonic()
    delay = max(room.pushed_at + TYPING_INTERVAL - now, at - now, 0.0)
    if room.next_at <= now + delay:
        return
    room.next_at = now + delay
    push = functools.partial(_push_room, conversation_id)
    timers.restart(("group-typing", conversation_id), delay, push)


async def _push_room(conversation_id: int) -> None:
    room = _rooms.get(conversation_id)
    if room is None:
        return
    room.next_at = float("inf")
    now = time.monotonic()
    for user_id in [user for user, (_, ends) in room.typers.items() if ends <= now]:
        del room.typers[user_id]
    typing = tuple(room.typers)
    if typing != room.pushed:
        names = {user: name for user, (name, _) in room.typers.items()}
        try:
            await _tell_members(room, conversation_id, typing, names)
        except Exception:
            # A database hiccup loses one typing update, never the timer loop.
            logger.exception("a typing push failed")
    if room.typers:
        _push_soon(conversation_id, room, at=min(ends for _, ends in room.typers.values()))
    elif _rooms.get(conversation_id) is room:
        del _rooms[conversation_id]


async def _tell_members(
    room: _Room, conversation_id: int, typing: tuple[int, ...], names: dict[int, str]
) -> None:
    """One push per member tab: whom they hear typing (blocks left out), and who not."""
    audience = await call_service(
        group_typing.typing_audience, conversation_id=conversation_id, typer_ids=typing
    )
    named_before = room.pushed
    room.pushed, room.pushed_at = typing, time.monotonic()
    # Members hearing the same typers share one change (most of them: all but the typers
    # and those in a block with one).
    heard_by: dict[tuple[int, ...], list[int]] = {}
    for member in audience.member_ids:
        heard_by.setdefault(audience.heard_by(member, typing), []).append(member)
    for heard, members in heard_by.items():
        started = tuple((user, names[user]) for user in heard[:TYPERS_KEPT])
        # Who stopped, and who this member may not hear (a block made since): off the line.
        off = tuple(user for user in (*named_before, *typing) if user not in heard)
        change = functools.partial(_typers_changed, conversation_id, started, off)
        await notify_users(members, room.state_class, change)
    # Members who left since the last push hear nothing more, but lose the names shown.
    if departed := room.listeners - set(audience.member_ids):
        cleared = functools.partial(_typers_changed, conversation_id, (), named_before)
        await notify_users(sorted(departed), room.state_class, cleared)
    room.listeners = frozenset(audience.member_ids)


async def _typers_changed(
    conversation_id: int,
    typing: tuple[Typer, ...],
    stopped: tuple[int, ...],
    state: GroupTyping,
) -> None:
    """A push: these typers type (in order), those stopped (a module-level partial)."""
    if state.conversation_id != conversation_id or not state.is_group:
        return
    kept = {user: name for user, name in state._typers if user not in stopped}
    kept.update((user, name) for user, name in typing if user != state._user_id)
    state._typers = tuple(kept.items())[:TYPERS_KEPT]
    state._show_typers()


async def _refresh_typers(state: GroupTyping) -> None:
    """The paced refresh: show the typers the tab holds now."""
    state._show_typers()


class GroupTyping(rx.State, mixin=True):
    """The typing line of the open group (empty in a direct chat)."""

    # The first typers' names, and how many more type.
    typing_names: list[str] = []
    typing_more: int = 0
    _typers: tuple[Typer, ...] = ()
    _typing_shown_at: float = 0.0

    if TYPE_CHECKING:  # the conversation state's
        conversation_id: int
        is_group: bool
        read_only: bool
        _user_id: int | None

    def _show_typers(self) -> None:
        names = [name for _, name in self._typers[:NAMES_SHOWN]]
        more = max(len(self._typers) - NAMES_SHOWN, 0)
        if names == self.typing_names and more == self.typing_more:
            return
        if wait_before_showing(self, "_typing_shown_at", TYPING_INTERVAL, _refresh_typers):
            return
        self.typing_names = names
        self.typing_more = more

    def _typer_gone(self, user_id: int) -> None:
        """A typer's message arrived, or a block came between: their name goes now.

        No wait: it is a message's (or a block's) update, not a typing one.
        """
        if any(user == user_id for user, _ in self._typers):
            self._typers = tuple(typer for typer in self._typers if typer[0] != user_id)
            self.typing_names = [name for _, name in self._typers[:NAMES_SHOWN]]
            self.typing_more = max(len(self._typers) - NAMES_SHOWN, 0)

    def _clear_typers(self) -> None:
        self._typers = ()
        if self.typing_names or self.typing_more:
            self.typing_names = []
            self.typing_more = 0
