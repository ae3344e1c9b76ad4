"""A worker stays subscribed for handed-over pushes however quiet its channel is.

Its listener once read under the Redis client's socket timeout: after 5 s without a push it
timed out, and the worker was unsubscribed for a second before it subscribed again. A push
published then found no listener and was applied on the sending worker, whose frame Reflex
relayed and which could overtake a newer one: a tab showed one message twice and missed
another (chat_app/realtime/push_relay.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest
from redis.asyncio import Redis

from chat_app.realtime import push_relay, redis_link
from tests.support.engines import RedisServer

# Far below the app's 5 s, so that the quiet spells below outlast it several times.
SHORT_SOCKET_TIMEOUT = 0.3
QUIET_SECONDS = 2.5


@pytest.fixture
async def quick_timing_out_client(redis_engine: RedisServer, monkeypatch: pytest.MonkeyPatch):
    client = Redis.from_url(
        redis_engine.url, socket_timeout=SHORT_SOCKET_TIMEOUT, health_check_interval=1
    )
    monkeypatch.setattr(redis_link, "_client", client)
    yield client
    await client.aclose()


async def subscribers(client: Redis, channel: str) -> int:
    ((_name, count),) = await client.pubsub_numsub(channel)
    return int(count)


async def test_a_quiet_channel_keeps_its_listener_and_the_next_push_reaches_it(
    quick_timing_out_client: Redis,
):
    taken: list[tuple[str, tuple[Any, ...]]] = []
    instance = "worker-quiet"
    channel = push_relay._channel(instance)
    listener = asyncio.create_task(
        push_relay.listen(lambda: instance, lambda tab, changes: taken.append((tab, changes)))
    )
    try:
        deadline = time.monotonic() + 10
        while await subscribers(quick_timing_out_client, channel) != 1:
            assert time.monotonic() < deadline, "the listener never subscribed"
            await asyncio.sleep(0.02)

        # Nothing published for many socket timeouts (and past a health check): subscribed
        # at every look, so no push meanwhile would have found nobody.
        deadline = time.monotonic() + QUIET_SECONDS
        while time.monotonic() < deadline:
            assert await subscribers(quick_timing_out_client, channel) == 1
            await asyncio.sleep(0.05)

        assert await push_relay.hand_over(instance, "tab-1", ("a change",))
        deadline = time.monotonic() + 5
        while not taken:
            assert time.monotonic() < deadline, "the handed-over push never arrived"
            await asyncio.sleep(0.02)
        assert taken == [("tab-1", ("a change",))]
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
