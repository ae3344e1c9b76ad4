"""Apply a change to other tabs' states, one task per tab, never awaited by the caller.

Awaiting another tab's `modify_state` inside a handler deadlocks when two tabs push to each
other at once (see shared/REFLEX_NOTES.md), so every push runs as its own task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

import reflex as rx
from reflex.state import StateUpdate
from reflex_base.event import Event

from chat_app.realtime.profile import PROFILE
from chat_app.realtime.registry import tokens_of

logger = logging.getLogger(__name__)

S = TypeVar("S", bound=rx.State)

_app: Any = None
# Keep references so fire-and-forget tasks are not garbage-collected mid-flight.
_pending: set[asyncio.Task[None]] = set()


def bind_app(app: Any) -> None:
    """Remember the rx.App whose tabs we push to (called once from chat_app.py).

    Args:
        app: The application.
    """
    global _app
    _app = app


async def is_tab_connected(tab_token: str) -> bool:
    """Whether a tab's socket is connected right now (False when no app is bound).

    Uses Reflex's private token manager; the realtime tests pin it (pushes and presence
    stop working if it changes).

    Args:
        tab_token: The tab's Reflex client token.

    Returns:
        True while the tab has a live socket.
    """
    if _app is None:
        return False
    return await _app.event_namespace._token_manager.is_token_connected(tab_token)


async def _forget_closed_tab(tab_token: str) -> None:
    """Unregister a tab found disconnected, unless it has registered again meanwhile.

    A tab that reconnects between the connection check and the unregister registers again
    (its on_load, which runs over its new socket); dropping that registration would leave
    it without pushes until its next page load. So the registration is noted, the
    connection checked again, and only the noted registration dropped (compare-and-delete,
    one Lua script in Redis): a later registration has another stamp, an earlier one
    belongs to a tab whose socket the second check sees (or which has gone again).

    Args:
        tab_token: The tab's Reflex client token.
    """
    registry = PROFILE.tab_registry
    stamp = await registry.stamp_of(tab_token)
    if stamp is None or await is_tab_connected(tab_token):
        return
    await registry.unregister_if(tab_token, stamp)


async def _apply(
    tab_token: str,
    state_cls: type[S],
    change: Callable[[S], Awaitable[list[Any] | None]],
    events: list[Any],
) -> None:
    try:
        if not await is_tab_connected(tab_token):
            # A closed tab: drop it rather than build state nobody will see. If it comes
            # back, its on_load registers it again and loads everything from the database.
            await _forget_closed_tab(tab_token)
            return
        async with _app.modify_state(rx.BaseStateToken(ident=tab_token, cls=state_cls)) as root:
            events = events + list(await change(await root.get_state(state_cls)) or [])
        if events:
            await _app.event_namespace.emit_update(
                StateUpdate(events=Event.from_event_type(events)), token=tab_token
            )
    except Exception:
        # One unreachable tab must not stop the others; it catches up on its next load.
        logger.exception("push to tab %s failed", tab_token)


def spawn(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """Run a coroutine as a task nobody awaits, kept referenced until it finishes.

    Args:
        coroutine: The work.

    Returns:
        The task.
    """
    task = asyncio.create_task(coroutine)
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return task


def push_to_tabs(
    tab_tokens: Iterable[str],
    state_cls: type[S],
    change: Callable[[S], Awaitable[list[Any] | None]],
    events: list[Any] | None = None,
) -> list[asyncio.Task[None]]:
    """Start one task per tab that applies `change` to its `state_cls` substate.

    Args:
        tab_tokens: Reflex client tokens of the target tabs.
        state_cls: The state class to modify in each tab.
        change: Coroutine applied to the tab's state instance; it may return frontend
            events that depend on that tab's state (a toast only where a chat is closed).
        events: Frontend events (redirect, toast) sent to each tab afterwards.

    Returns:
        The started tasks (tests may await them; handlers must not).
    """
    if _app is None:
        return []
    tasks = []
    for tab_token in tab_tokens:
        tasks.append(spawn(_apply(tab_token, state_cls, change, list(events or []))))
    return tasks


async def notify_users(
    user_ids: Iterable[int],
    state_cls: type[S],
    change: Callable[[S], Awaitable[list[Any] | None]],
    *,
    except_tab: str = "",
    events: list[Any] | None = None,
) -> list[asyncio.Task[None]]:
    """Apply `change` to every registered tab of these users, one task per tab.

    The one fan-out every feature uses: it looks the tabs up (in-process or in Redis) and
    never waits for another tab's state (see the module docstring).

    Args:
        user_ids: The users whose tabs get the change (each once, however often named).
        state_cls: The state class to modify in each tab.
        change: Applied to each tab's state; may return frontend events for that tab.
        except_tab: A tab token to leave out (the caller's own tab, which already shows it).
        events: Frontend events sent to every one of those tabs afterwards.

    Returns:
        The started tasks (tests may await them; handlers must not).
    """
    if _app is None:
        return []
    tokens: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        tokens += await tokens_of(PROFILE.tab_registry, user_id, excluding=except_tab)
    return push_to_tabs(tokens, state_cls, change, events)
