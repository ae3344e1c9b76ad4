"""Apply a change to other tabs' states: queued per tab, applied by a few workers, never awaited.

Awaiting another tab's `modify_state` inside a handler deadlocks when two tabs push to each
other at once (see shared/REFLEX_NOTES.md), so a caller only queues its change and returns.

Why a queue and not a task per tab: a message to 1,000 tabs started 1,000 tasks, which all
ran before the sender's own handler could finish, so the sender's "sent" waited for the
whole fan-out (`make bench`: 419 ms at 1,000 tabs), and creating them was a fifth of the
fan-out's CPU. Now a bounded number of workers (`WORKERS`) take the tabs in turn, and each
first lets the event loop run what was already waiting (the sender's update among it).

Order: a tab gets its changes in the order they were queued, and never two transactions at
once: changes queued for a tab while one is being applied wait, and go together in its next
transaction (one lock, one delta instead of several). The update is sent while the tab's
lock is held, as Reflex sends an event's, so it cannot overtake or be overtaken by the
tab's own events. With several workers, a tab's changes are applied by the worker holding
its socket (push_relay.py): an update relayed between workers could arrive late.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import reflex as rx
from redis.exceptions import RedisError
from reflex.state import StateUpdate
from reflex_base.event import Event

from chat_app.realtime import push_relay, redis_link, timers
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.redis_outage import wait_out_outage
from chat_app.realtime.registry import tokens_of_audiences, tokens_of_users

logger = logging.getLogger(__name__)

S = TypeVar("S", bound=rx.State)
Change = Callable[[Any], Awaitable[list[Any] | None]]

# Tabs applied at once. A transaction that waits (Redis round trips) lets the others run
# meanwhile. When a member's read still waited for its batch to reach the database, 32
# instead of 8 let a message's reads by 100 members share ~4 batches instead of ~13: CPU
# per delivered copy -25 % on the scaled profile (docs/performance.md). Reads no longer
# hold their tab (states/read_batch.py); the Redis round trips still wait.
WORKERS = 32

_app: Any = None
# Keep references so fire-and-forget tasks are not garbage-collected mid-flight.
_pending: set[asyncio.Task[None]] = set()


@dataclass(frozen=True, slots=True)
class _Queued:
    """One change waiting for one or more tabs (shared by all of them)."""

    state_cls: type[rx.State]
    change: Change
    events: tuple[Any, ...]
    # Received from the worker that queued it: applied here, never handed on again.
    handed_over: bool = False


@dataclass
class _Queue:
    """The tabs with changes to apply, on one event loop."""

    loop: asyncio.AbstractEventLoop
    # The changes each tab has yet to get, in order; a tab is here until a worker takes them.
    waiting: dict[str, list[_Queued]] = field(default_factory=dict)
    # Tabs with waiting changes and no transaction running: first come, first served.
    ready: deque[str] = field(default_factory=deque)
    # Tabs a worker is applying changes to right now.
    busy: set[str] = field(default_factory=set)
    workers: int = 0


_queue: _Queue | None = None


def bind_app(app: Any) -> None:
    """Remember the rx.App whose tabs we push to (called once from chat_app.py).

    Args:
        app: The application.
    """
    global _app
    _app = app


def is_bound() -> bool:
    """Whether an app is bound, so pushes go anywhere (state tests run without one)."""
    return _app is not None


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


def socket_id_of(tab_token: str) -> str | None:
    """The id of the socket this process holds for a tab (None: none here).

    A tab that reconnects keeps its token but gets a new socket id: what was sent on the
    old socket may never have arrived.

    Args:
        tab_token: The tab's Reflex client token.

    Returns:
        The socket id, or None.
    """
    if _app is None:
        return None
    record = _app.event_namespace._token_manager.token_to_socket.get(tab_token)
    return record.sid if record is not None else None


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


async def _apply(tab_token: str, changes: Sequence[_Queued]) -> None:
    """Apply a tab's waiting changes in one transaction and send the update under its lock."""
    try:
        if not await is_tab_connected(tab_token):
            # A closed tab: drop it rather than build state nobody will see. If it comes
            # back, its on_load registers it again and loads everything from the database.
            await _forget_closed_tab(tab_token)
            return
        if await _handed_to_socket_owner(tab_token, changes):
            return
        events: list[Any] = []
        token = rx.BaseStateToken(ident=tab_token, cls=changes[0].state_cls)
        async with _app.modify_state(token) as root:
            for queued in changes:
                events += queued.events
                try:
                    events += await queued.change(await root.get_state(queued.state_cls)) or []
                except Exception:
                    # One failing change must not stop the others queued with it.
                    logger.exception("a push to tab %s failed", tab_token)
            # Sent before the lock is released, so no later event's update goes first.
            update = await root._get_resolved_delta()
            root._clean()
            if update or events:
                await _app.event_namespace.emit_update(
                    StateUpdate(delta=update, events=Event.from_event_type(events)),
                    token=tab_token,
                )
    except Exception:
        # One unreachable tab must not stop the others; it catches up on its next load.
        logger.exception("push to tab %s failed", tab_token)


async def _handed_to_socket_owner(tab_token: str, changes: Sequence[_Queued]) -> bool:
    """With several workers: whether the changes went to the worker holding the tab's socket."""
    if not PROFILE.shared_by_workers or any(queued.handed_over for queued in changes):
        return False
    token_manager = _app.event_namespace._token_manager
    owner = push_relay.socket_owner(token_manager, tab_token)
    if owner is None or owner == token_manager.instance_id:
        return False
    return await push_relay.hand_over(owner, tab_token, changes)


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


def _current_queue() -> _Queue:
    """This event loop's queue (a test's new loop starts with an empty one)."""
    global _queue
    loop = asyncio.get_running_loop()
    if _queue is None or _queue.loop is not loop:
        _queue = _Queue(loop)
    return _queue


async def _work(queue: _Queue) -> None:
    """Apply waiting changes, a tab at a time, until no tab is ready."""
    try:
        # What was waiting to run before this worker started goes first: the update of the
        # handler that queued the change, on its way to the sender.
        await asyncio.sleep(0)
        while queue.ready:
            tab = queue.ready.popleft()
            changes = queue.waiting.pop(tab)
            queue.busy.add(tab)
            try:
                await _apply(tab, changes)
            finally:
                queue.busy.discard(tab)
                if tab in queue.waiting:
                    # Queued meanwhile: its turn comes again, behind the tabs waiting now.
                    queue.ready.append(tab)
            # Let other work run between tabs (a transaction without I/O never yields).
            await asyncio.sleep(0)
    finally:
        queue.workers -= 1


def push_to_tabs(
    tab_tokens: Iterable[str],
    state_cls: type[S],
    change: Callable[[S], Awaitable[list[Any] | None]],
    events: list[Any] | None = None,
) -> list[str]:
    """Queue `change` to the `state_cls` substate of each of these tabs.

    Args:
        tab_tokens: Reflex client tokens of the target tabs.
        state_cls: The state class to modify in each tab.
        change: Coroutine applied to the tab's state instance; it may return frontend
            events that depend on that tab's state (a toast only where a chat is closed).
        events: Frontend events (redirect, toast) sent to each tab afterwards.

    Returns:
        The tabs the change was queued for (`settled` waits until they have it).
    """
    if _app is None:
        return []
    tabs = list(tab_tokens)
    _enqueue(tabs, _Queued(state_cls, change, tuple(events or ())))
    return tabs


def push_later(
    key: Hashable, delay_seconds: float, tab_token: str, state_cls: type[S], change: Change
) -> None:
    """Queue `change` to one tab after `delay_seconds`, once however often asked meanwhile.

    Args:
        key: Identifies the wait (`timers.start_once`: a pending one runs for every request).
        delay_seconds: How long to wait.
        tab_token: The tab's Reflex client token.
        state_cls: The state class to modify in the tab.
        change: A module-level function or partial (it may travel to another worker).
    """

    async def push() -> None:
        push_to_tabs([tab_token], state_cls, change)

    timers.start_once(key, delay_seconds, push)


def _enqueue(tabs: list[str], queued: _Queued) -> None:
    """Queue one change for these tabs and start the workers they need."""
    queue = _current_queue()
    waiting, ready, busy = queue.waiting, queue.ready, queue.busy
    for tab in tabs:
        if (changes := waiting.get(tab)) is not None:
            changes.append(queued)
        else:
            waiting[tab] = [queued]
            if tab not in busy:
                ready.append(tab)
    # A worker busy with a tab takes no other meanwhile: the ready tabs need idle ones.
    while queue.workers < WORKERS and queue.workers - len(busy) < len(ready):
        queue.workers += 1
        spawn(_work(queue))


def _take_handed_over(tab_token: str, changes: tuple[_Queued, ...]) -> None:
    """Queue the changes another worker handed over for a tab whose socket is here."""
    for queued in changes:
        _enqueue([tab_token], replace(queued, handed_over=True))


async def take_pushes_for_own_sockets() -> None:
    """Lifespan task (several workers): apply the pushes other workers queued for our tabs."""
    if not PROFILE.shared_by_workers or _app is None:
        return
    token_manager = _app.event_namespace._token_manager
    await push_relay.listen(lambda: token_manager.instance_id, _take_handed_over)


async def settled() -> None:
    """Wait until every queued change has been applied (tests; never inside a handler)."""
    while _pending:
        await asyncio.gather(*list(_pending))


async def notify_users(
    user_ids: Iterable[int],
    state_cls: type[S],
    change: Callable[[S], Awaitable[list[Any] | None]],
    *,
    except_tab: str = "",
    events: list[Any] | None = None,
) -> list[str]:
    """Queue `change` for every registered tab of these users.

    The one fan-out every feature uses: it looks the tabs up (in-process or in Redis) and
    never waits for another tab's state (see the module docstring).

    Args:
        user_ids: The users whose tabs get the change (each once, however often named).
        state_cls: The state class to modify in each tab.
        change: Applied to each tab's state; may return frontend events for that tab.
        except_tab: A tab token to leave out (the caller's own tab, which already shows it).
        events: Frontend events sent to every one of those tabs afterwards.

    Returns:
        The tabs the change was queued for.
    """
    if _app is None:
        return []
    tokens = await tokens_of_users(PROFILE.tab_registry, user_ids, excluding=except_tab)
    return push_to_tabs(tokens, state_cls, change, events)


async def notify_each_patiently(
    audiences: Sequence[tuple[Iterable[int], Callable[[S], Awaitable[list[Any] | None]]]],
    state_cls: type[S],
    *,
    except_tab: str = "",
) -> list[str]:
    """`notify_users` for a handler that must not fail over the push, for several audiences.

    The tab lookup waits out a short Redis outage, as the handler's own state does; past
    that the push, a hint, is dropped and logged rather than failing the handler, whose
    update (the sender's "sent", the outbox emptied) matters more. The tabs load what they
    missed on their next (re)load. The audiences' tabs are looked up together (one Redis
    round trip for a message's recipients and its sender's other tabs, not one each), and
    each audience's change is queued in the order given.

    Args:
        audiences: `(user ids, change)` pairs.
        state_cls: The state class to modify in each tab.
        except_tab: A tab token to leave out (the caller's own tab).

    Returns:
        The tabs a change was queued for (none when Redis stayed away).
    """
    if _app is None:
        return []
    groups = [(list(user_ids), change) for user_ids, change in audiences]
    doing = "looking up the tabs to push to"
    try:
        each = await wait_out_outage(
            lambda: tokens_of_audiences(
                PROFILE.tab_registry, [users for users, _ in groups], excluding=except_tab
            ),
            doing,
        )
    except RedisError as error:
        redis_link.report_outage(error, doing)
        return []
    queued: list[str] = []
    for tokens, (_, change) in zip(each, groups, strict=True):
        queued += push_to_tabs(tokens, state_cls, change)
    return queued
