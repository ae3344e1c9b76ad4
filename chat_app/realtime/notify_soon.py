"""Pushes to users' tabs asked for at one moment, looked up together.

A member's read tells the reader's other tabs how much is left unread, and a message's
reads in a group come at one moment: one look-up of the reader's tabs per read cost every
copy of a group message a Redis round trip (7 % of the worker's time into 100 members,
py-spy). Asked for here, the look-ups of one moment go to the registry together: one round
trip for all of them, then each change is queued for its own user's tabs, in the order
asked.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import reflex as rx
from redis.exceptions import RedisError

from chat_app.realtime import push, redis_link
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.redis_outage import wait_out_outage

S = TypeVar("S", bound=rx.State)


@dataclass(frozen=True, slots=True)
class _Ask:
    """One change for one user's tabs, but one."""

    user_id: int
    state_cls: type[rx.State]
    change: Callable[[Any], Awaitable[list[Any] | None]]
    except_tab: str


# The asks of this moment, per event loop (a test's new loop starts with none).
_asks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[_Ask]] = (
    weakref.WeakKeyDictionary()
)


def notify_user_soon(
    user_id: int,
    state_cls: type[S],
    change: Callable[[S], Awaitable[list[Any] | None]],
    *,
    except_tab: str = "",
) -> None:
    """Queue `change` for a user's tabs once they are looked up, with the others of the moment.

    What `push.notify_users` does for one user, without waiting: the look-up runs after
    what is ready to run now, which is where the other reads of the same batch are.

    Args:
        user_id: The user whose tabs get the change.
        state_cls: The state class to modify in each tab.
        change: Applied to each tab's state; may return frontend events for that tab.
        except_tab: A tab token to leave out (the caller's own tab).
    """
    if not push.is_bound():
        return
    loop = asyncio.get_running_loop()
    asks = _asks.get(loop)
    if asks is None:
        asks = _asks[loop] = []
        push.spawn(_look_up_and_push(loop))
    asks.append(_Ask(user_id, state_cls, change, except_tab))


async def _look_up_and_push(loop: asyncio.AbstractEventLoop) -> None:
    asks = _asks.pop(loop, [])
    users = list(dict.fromkeys(ask.user_id for ask in asks))
    doing = "looking up the tabs to push to"
    try:
        each = await wait_out_outage(lambda: PROFILE.tab_registry.tabs_of_each(users), doing)
    except RedisError as error:
        # A hint only: the tabs load what they missed on their next (re)load.
        redis_link.report_outage(error, doing)
        return
    tabs_of = dict(zip(users, each, strict=True))
    for ask in asks:
        tokens = [tab.tab_token for tab in tabs_of[ask.user_id] if tab.tab_token != ask.except_tab]
        if tokens:
            push.push_to_tabs(tokens, ask.state_cls, ask.change)
