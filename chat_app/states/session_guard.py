"""One session resolution per event chain: the handlers of one page load share it.

A page load runs its on_load handlers as separate events (login check, friend pane, chat,
presence), each asking who the tab's user is. Reflex queues them all from one
`on_load_internal` event, so its event context gives them the same parent transaction id,
and an event a handler returns is queued with that handler's id as its parent. A
resolution is kept under the ids of the event that made it and of its parent: the first
handler of a chain asks the database, the rest of the chain reuses the answer, and the next
click (a new top-level event, a fresh random id) asks again.

Kept in this process, not in the state: writing it into the state would make every event
save the auth state again (a Redis write per message on the scaled profile). The events of
one tab's chain run in the worker its socket is connected to.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable

from reflex_base.event.context import EventContext

from chat_app.services.people_views import UserView

# (token hash, event id) -> the user that session resolved to (None: no valid session).
_RESOLVED: OrderedDict[tuple[str, str], UserView | None] = OrderedDict()
# A handful of entries per page load; bounded, most recently used kept.
_KEPT = 2048


def _event_ids() -> tuple[str, str]:
    """This event's id and the id of the event that queued it ("" outside an event)."""
    try:
        context = EventContext.get()
    except LookupError:
        return "", ""
    return context.txid, context.parent_txid or ""


def _keep(key: tuple[str, str], user: UserView | None) -> None:
    _RESOLVED[key] = user
    _RESOLVED.move_to_end(key)
    while len(_RESOLVED) > _KEPT:
        _RESOLVED.popitem(last=False)


async def resolve_once(
    token_hash: str, resolve: Callable[[], Awaitable[UserView | None]], fresh: bool = False
) -> tuple[UserView | None, bool]:
    """The session's user, resolved by `resolve` at most once per event chain.

    Args:
        token_hash: The session token's hash (another token is another resolution).
        resolve: Asks the database (and applies what the answer means for the tab).
        fresh: Ask the database even if this chain did already (the handler has just
            changed the user's profile, e.g. the avatar), and keep the new answer.

    Returns:
        The user (None: no valid session) and whether `resolve` ran for this call.
    """
    event_id, parent_id = _event_ids()
    if not event_id:
        return await resolve(), True
    for key in ((token_hash, event_id), (token_hash, parent_id)):
        if not fresh and key[1] and key in _RESOLVED:
            user = _RESOLVED[key]
            # Events this one queues find it under its own id.
            _keep((token_hash, event_id), user)
            return user, False
    user = await resolve()
    _keep((token_hash, event_id), user)
    if parent_id:
        _keep((token_hash, parent_id), user)
    return user, True


def forget(token_hash: str) -> None:
    """Drop what is kept for a session (logged out or replaced): the next call resolves."""
    for key in [key for key in _RESOLVED if key[0] == token_hash]:
        del _RESOLVED[key]
