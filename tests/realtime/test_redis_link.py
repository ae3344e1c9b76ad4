"""The hub's own Redis calls wait out a short outage, against a redis-server of their own.

With Reflex's leases (the scaled profile's default) a tab's event runs from the worker's
copy of its state while Redis is away: a handler's own Redis call is then the first thing
to meet the outage, and must wait for Redis as the tab's state would.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from chat_app.realtime import redis_link
from chat_app.realtime.redis_link import PatientRetry
from tests.realtime.test_redis_outage import until
from tests.support.engines import RedisServer, redis_server


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    """A server of this module's own: the tests stop and start it."""
    with redis_server() as running:
        yield running


@pytest.fixture(autouse=True)
def running(server: RedisServer) -> Iterator[None]:
    if server.process is None:
        server.start()
    yield
    if server.process is None:
        server.start()


async def test_a_call_made_while_redis_is_away_waits_for_it(
    server: RedisServer, caplog, monkeypatch
):
    client = Redis.from_url(server.url, retry=PatientRetry())
    await client.set("seat", "tab-1")
    monkeypatch.setattr(redis_link, "_last_report", 0.0)
    caplog.set_level(logging.ERROR, logger=redis_link.__name__)

    server.stop(save=True)

    async def read_seat() -> bytes | None:
        return await client.get("seat")

    waiting = asyncio.create_task(read_seat())
    # The outage is logged (naming the setting), and the call is still waiting.
    await until(lambda: "REFLEX_REDIS_URL" in caplog.text)
    assert not waiting.done()
    await asyncio.to_thread(server.start)
    assert await asyncio.wait_for(waiting, 15) == b"tab-1"
    await client.aclose()


async def test_past_its_limit_the_call_fails_as_a_redis_error(server: RedisServer):
    client = Redis.from_url(server.url, retry=PatientRetry(limit=0.5))
    await client.set("seat", "tab-1")
    server.stop(save=True)
    started = time.monotonic()
    with pytest.raises(RedisConnectionError):
        await client.get("seat")
    assert 0.5 <= time.monotonic() - started < 5
    await client.aclose()


def test_the_hub_s_client_is_the_patient_one(monkeypatch):
    monkeypatch.setattr(redis_link, "_client", None)
    monkeypatch.setattr(redis_link, "redis_url", lambda: "redis://127.0.0.1:1/0")
    retry = redis_link.client().connection_pool.connection_kwargs["retry"]
    assert isinstance(retry, PatientRetry)
    assert retry.limit == redis_link.OUTAGE_WAIT_SECONDS
