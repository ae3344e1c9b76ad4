"""At most one update of a kind per tab per interval, whoever pushes and from which worker.

Typing and read receipts in a group come from many members, and with several workers
from several processes. The sending side coalesces per conversation (one push per
interval, however many members type or read), but each worker does so on its own; this is
the tab's side of the bound: a push keeps what it brings in the tab's backend vars at once
and shows it only if the tab's last update of that kind is old enough; otherwise one
refresh is scheduled for when it is, and shows whatever the tab holds by then.

Pushes are applied by the worker holding the tab's socket (realtime/push.py), so the
refresh timer lives where the tab's next push would be applied too.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from chat_app.realtime.push import push_later
from chat_app.states.tab_identity import tab_token

# Late by this much rather than early: a timer may wake a hair before its time.
_MARGIN = 0.02

Refresh = Callable[[Any], Awaitable[None]]


def wait_before_showing(
    state: rx.State, shown_at_var: str, interval: float, refresh: Refresh
) -> bool:
    """Whether an update of this kind must wait; if so, a refresh is scheduled.

    When the tab may be updated now, its time of update is noted (the caller then changes
    the vars it shows). Otherwise `refresh` is queued to the tab once the interval since
    its last update has passed (several waiting pushes share that one refresh).

    Args:
        state: The tab's state (the one whose vars show the kind).
        shown_at_var: The backend var keeping when this kind was last shown (wall clock:
            the tab's next push may be applied by another process).
        interval: The least time between two updates of this kind, in seconds.
        refresh: A module-level function (it may travel to another worker), applied to
            the tab's state after the wait; it shows what the tab holds then.

    Returns:
        True when the caller must leave the shown vars as they are.
    """
    now = time.time()
    wait = getattr(state, shown_at_var) + interval - now
    if wait <= 0:
        setattr(state, shown_at_var, now)
        return False
    tab = tab_token(state)
    push_later(("paced", shown_at_var, tab), wait + _MARGIN, tab, type(state), refresh)
    return True
