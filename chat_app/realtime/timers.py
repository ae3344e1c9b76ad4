"""Keyed one-shot timers: starting a key again replaces its pending timer (debounce).

Used for "is typing", which must disappear a few seconds after the last keystroke, and
`start_once` for work that many events may ask for but that runs once per interval
(moving a read cursor while messages stream in).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable

_timers: dict[Hashable, asyncio.Task[None]] = {}


def restart(key: Hashable, delay_seconds: float, action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` after `delay_seconds` unless `restart` or `cancel` is called for `key`.

    Args:
        key: Identifies the timer (e.g. sender and recipient).
        delay_seconds: How long to wait.
        action: What to run when the time is up.
    """
    cancel(key)

    async def fire() -> None:
        await asyncio.sleep(delay_seconds)
        if _timers.get(key) is asyncio.current_task():
            del _timers[key]
        await action()

    _timers[key] = asyncio.create_task(fire())


def cancel(key: Hashable) -> None:
    """Drop the pending timer for `key`, if any.

    Args:
        key: The timer's key.
    """
    task = _timers.pop(key, None)
    if task is not None:
        task.cancel()


def start_once(key: Hashable, delay_seconds: float, action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` after `delay_seconds`, unless a timer for `key` is already pending.

    A pending timer then runs for both requests: its action sees the latest state.

    Args:
        key: Identifies the timer.
        delay_seconds: How long to wait.
        action: What to run when the time is up.
    """
    if key not in _timers:
        restart(key, delay_seconds, action)
