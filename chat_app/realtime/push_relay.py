"""Hand a tab's pushes to the worker that holds its socket (scaled profile, several workers).

Reflex sends a tab's update from whichever worker computed it; a worker without the tab's
socket relays it through Redis pub/sub, and that relayed frame can reach the tab after a
newer one its own worker sent directly: the newer frame's content is then overwritten by
the older one, and the tab shows a message twice or misses one until its next reload
(tests/realtime/test_two_workers.py saw it in one run out of eight). So a push is not
applied where it was queued but published, as the change itself, to the worker holding
the socket, which queues it with its own pushes and sends the update under the tab's
lock, in the same order as the tab's own events.

The change travels pickled: every change is a module-level function bound to its data
with `functools.partial` (or an object that pickles like one), never a closure. A change
that does not pickle, a worker that is not listening, or Redis failing: the change is
applied where it was queued, as before (a hint late is better than none; a reload shows
what the database holds).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from collections.abc import Callable, Sequence
from typing import Any

from redis.exceptions import RedisError

from chat_app.realtime import redis_link

logger = logging.getLogger(__name__)

_CHANNEL_PREFIX = f"{redis_link.KEY_PREFIX}push:"
# After a lost subscription: wait this long before subscribing again.
_RESUBSCRIBE_SECONDS = 1.0
# How long one wait for a handed-over push lasts (shorter than the client's socket timeout).
_QUIET_WAIT_SECONDS = 1.0


def _channel(instance_id: str) -> str:
    return f"{_CHANNEL_PREFIX}{instance_id}"


def socket_owner(token_manager: Any, tab_token: str) -> str | None:
    """The instance whose worker holds a tab's socket, as this worker last learnt it.

    `is_tab_connected` has just refreshed the record of a tab owned elsewhere, so the
    cache Reflex's token manager keeps is current enough.

    Args:
        token_manager: Reflex's token manager (private; pinned by the two-worker tests).
        tab_token: The tab's Reflex client token.

    Returns:
        The owner's instance id, or None when unknown.
    """
    record = token_manager.token_to_socket.get(tab_token)
    return None if record is None else record.instance_id


async def hand_over(owner: str, tab_token: str, changes: Sequence[Any]) -> bool:
    """Publish a tab's changes to the worker holding its socket.

    Args:
        owner: That worker's instance id.
        tab_token: The tab.
        changes: The queued changes, in order.

    Returns:
        True when a listening worker received them; False to apply them here instead.
    """
    try:
        payload = pickle.dumps((tab_token, tuple(changes)), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        # A closure or a live object among them: a bug to fix, not a push to lose.
        logger.exception("a push to tab %s cannot travel to its worker", tab_token)
        return False
    try:
        receivers = await redis_link.client().publish(_channel(owner), payload)
    except RedisError as error:
        redis_link.report_outage(error, "handing a push to another worker")
        return False
    return bool(receivers)


async def listen(instance_id: Callable[[], str], take: Callable[[str, tuple[Any, ...]], None]):
    """Receive the changes other workers hand to this one, forever (a lifespan task).

    Args:
        instance_id: This worker's instance id (read once subscribed: Reflex sets it at
            startup).
        take: Queues a tab's changes here, marked as handed over (never handed on again).
    """
    while True:
        try:
            async with redis_link.client().pubsub() as pubsub:
                await pubsub.subscribe(_channel(instance_id()))
                while True:
                    # Not `listen()`: it reads under the client's socket timeout, so a quiet
                    # channel (no push for 5 s) raised a timeout and the worker went
                    # unsubscribed for a second every six. Pushes published meanwhile
                    # found nobody, were applied on the sending worker, and their frames,
                    # relayed by Reflex, could overtake newer ones: a tab could show one
                    # message twice and miss another.
                    # A wait of our own returns None when quiet; each call also pings
                    # Redis when the health check is due, so a dead link still fails here.
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=_QUIET_WAIT_SECONDS
                    )
                    if message is None or message["type"] != "message":
                        continue
                    try:
                        # Only the app's workers write here; Reflex itself keeps every
                        # tab's state in the same Redis, pickled.
                        tab_token, changes = pickle.loads(message["data"])  # noqa: S301
                        take(tab_token, changes)
                    except Exception:
                        logger.exception("a handed-over push could not be taken")
        except RedisError as error:
            redis_link.report_outage(error, "receiving pushes from other workers")
        await asyncio.sleep(_RESUBSCRIBE_SECONDS)
