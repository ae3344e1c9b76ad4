"""A lock waiter that missed its wake-up gets the free lock in a fraction of a second.

Against a redis-server of this module's own, with a 3 s lock expiry: Reflex's own manager
waits that long for a lock that is already free when its wake-up was missed, the app's
manager `RECHECK_SECONDS`. The last test pins the private parts of Reflex 0.10.1 that
lock_waits.py relies on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from reflex.istate.manager.redis import StateManagerRedis

from chat_app.realtime.lock_waits import RECHECK_SECONDS, RecheckedLockWaitsStateManagerRedis
from chat_app.realtime.redis_outage import PatientStateManagerRedis
from tests.support.engines import RedisServer, redis_server
from tests.support.manager_calls import redis_manager

EXPIRY_MS = 3_000
# Well under the expiry, well over the recheck: tells a recheck from a wait for the expiry.
PROMPTLY = 1.0


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


async def running(server: RedisServer, cls: type[StateManagerRedis]) -> StateManagerRedis:
    manager = redis_manager(server.url, EXPIRY_MS, leases=False, cls=cls)
    await manager._ensure_lock_task_subscribed(timeout=5)
    return manager


@pytest.fixture
async def app_manager(server: RedisServer) -> AsyncIterator[StateManagerRedis]:
    manager = await running(server, PatientStateManagerRedis)
    yield manager
    await manager.close()


@pytest.fixture
async def reflex_manager(server: RedisServer) -> AsyncIterator[StateManagerRedis]:
    manager = await running(server, StateManagerRedis)
    yield manager
    await manager.close()


def lock_key() -> bytes:
    return f"{uuid.uuid4()}_lock".encode()


async def wait_behind_a_missed_wake_up(manager: StateManagerRedis, key: bytes, lock_id: bytes):
    """Wait for a free lock behind another waiter of this worker that was never woken.

    That other waiter stands for the one that joined the queue with it after the release
    (Reflex wakes waiters only on a release it is notified of).
    """
    async with manager._lock_waiter(key):
        await manager._wait_lock(key, lock_id)


async def test_the_app_manager_takes_a_free_lock_after_a_missed_wake_up_promptly(
    app_manager: StateManagerRedis,
):
    assert isinstance(app_manager, RecheckedLockWaitsStateManagerRedis)
    key, lock_id = lock_key(), b"the-push"
    await asyncio.wait_for(wait_behind_a_missed_wake_up(app_manager, key, lock_id), PROMPTLY)
    assert await app_manager.redis.get(key) == lock_id
    assert app_manager._n_lock_waiters(key) == 0


async def test_reflex_own_manager_waits_out_the_expiry_there(reflex_manager: StateManagerRedis):
    """What the app's manager fixes: this fails once Reflex wakes such a waiter itself."""
    key, lock_id = lock_key(), b"the-push"
    waiting = asyncio.create_task(wait_behind_a_missed_wake_up(reflex_manager, key, lock_id))
    done, _ = await asyncio.wait({waiting}, timeout=PROMPTLY)
    assert not done, "Reflex now wakes a waiter behind a missed wake-up: lock_waits.py can go"
    await asyncio.wait_for(waiting, EXPIRY_MS / 1000 + PROMPTLY)
    assert await reflex_manager.redis.get(key) == lock_id


async def test_a_held_lock_is_not_taken_by_the_recheck_and_is_taken_once_released(
    app_manager: StateManagerRedis,
):
    key = lock_key()
    await app_manager.redis.set(key, b"the-event", px=EXPIRY_MS)
    waiting = asyncio.create_task(app_manager._wait_lock(key, b"the-push"))
    # Several rechecks happen meanwhile; none may take the lock from its holder.
    done, _ = await asyncio.wait({waiting}, timeout=5 * RECHECK_SECONDS)
    assert not done
    assert await app_manager.redis.get(key) == b"the-event"
    # Released without a notification this worker would see first (another worker's GETDEL).
    await app_manager.redis.delete(key)
    await asyncio.wait_for(waiting, PROMPTLY)
    assert await app_manager.redis.get(key) == b"the-push"


def test_the_private_parts_of_reflex_it_relies_on_are_there():
    wait_lock = inspect.getsource(StateManagerRedis._wait_lock)
    assert "self._lock_waiter(lock_key) as lock_released_event" in wait_lock
    assert "lock_released_event.wait()" in wait_lock
    assert "lock_released_event.clear() is None" in wait_lock
    assert "_try_get_lock(lock_key, lock_id)" in wait_lock
    lock_waiter = inspect.unwrap(StateManagerRedis._lock_waiter)
    assert inspect.isasyncgenfunction(lock_waiter)
    assert list(inspect.signature(lock_waiter).parameters) == ["self", "lock_key"]
    assert "self._request_lock_release(lock_key, lock_id)" in wait_lock
    request_release = inspect.getsource(StateManagerRedis._request_lock_release)
    assert request_release.count("self._instance_id") == 2  # its SADD and its SREM
    assert "_instance_id" in {field.name for field in dataclasses.fields(StateManagerRedis)}
