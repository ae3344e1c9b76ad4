"""Who hears that a user's devices changed (a login, a logout): the /account lists.

A registry, so that the state logging tabs in and out (auth.py) needs no import of the
account page's state (which imports it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

_listeners: list[Callable[[int, str], Awaitable[None]]] = []


def on_devices_changed(listener: Callable[[int, str], Awaitable[None]]) -> None:
    """Register what to do when a user's devices change.

    Args:
        listener: Called with the user's id and the tab that made the change ("" for none).
    """
    _listeners.append(listener)


async def devices_changed(user_id: int, except_tab: str = "") -> None:
    """A device of `user_id` logged in, or one or more were logged out.

    Args:
        user_id: Whose devices.
        except_tab: The tab that made the change (it knows; nothing is pushed to it).
    """
    for listener in _listeners:
        await listener(user_id, except_tab)
