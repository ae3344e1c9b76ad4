"""Two workers forked from one app each get a tab's lock promptly when both wait for it.

The server imports the app, which creates the Redis state manager, and then forks its
workers, so this test does the same: one manager built here, used by two forked
processes against a redis-server of this module's own. Both wait for a tab's lock that a
third party holds; when it is released, one takes it. The other must have it a moment
later, not after the first one's whole lease (the scaled profile's uploads that never
answered: tests/realtime/test_group_live.py saw them, chat_app/realtime/lock_waits.py).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from collections.abc import Iterator
from multiprocessing.synchronize import Event as ProcessEvent

import pytest
import redis
import reflex as rx

from chat_app.realtime.redis_outage import PatientStateManagerRedis
from chat_app.states.ui import UiState
from tests.support.engines import RedisServer, redis_server
from tests.support.manager_calls import redis_manager

EXPIRY_MS = 10_000
# A lease lasts half the expiry (5 s); each worker must have the lock well before that.
PROMPTLY = 2.0
FORK = multiprocessing.get_context("fork")


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


async def _wait_for_the_lock(
    manager: PatientStateManagerRedis,
    token: rx.BaseStateToken,
    waiting: ProcessEvent,
    all_done: ProcessEvent,
    seconds: multiprocessing.Queue,
) -> None:
    await manager._ensure_lock_task_subscribed(timeout=5)
    lock_key = manager._lock_key(token)
    waiters_key = lock_key + b"_waiters"

    async def say_when_waiting() -> None:
        # Waiting: its waiter registered and its worker announced in the tab's waiting set.
        while not (
            manager._n_lock_waiters(lock_key)
            and await manager.redis.sismember(waiters_key, manager._instance_id)  # pyright: ignore[reportGeneralTypeIssues]
        ):
            await asyncio.sleep(0.01)
        waiting.set()

    announcer = asyncio.create_task(say_when_waiting())
    started = time.monotonic()
    async with manager.modify_state(token):
        pass
    seconds.put(time.monotonic() - started)
    await announcer
    # Serve the other worker's request for a lease this one may hold, until both are done.
    while not all_done.is_set():
        await asyncio.sleep(0.02)
    await manager.close()


def _worker(manager, token, waiting, all_done, seconds) -> None:
    asyncio.run(_wait_for_the_lock(manager, token, waiting, all_done, seconds))


def test_two_forked_workers_waiting_for_one_tab_each_get_it_promptly(server: RedisServer):
    manager = redis_manager(server.url, EXPIRY_MS, leases=True)
    token = rx.BaseStateToken(ident=str(uuid.uuid4()), cls=UiState)
    lock_key = manager._lock_key(token)
    direct = redis.Redis.from_url(server.url)
    # A third party (an event of a worker not in this test) holds the tab's lock.
    direct.set(lock_key, b"held-elsewhere", px=EXPIRY_MS)

    all_done = FORK.Event()
    seconds = FORK.Queue()
    workers, waiting = [], []
    for _ in range(2):
        event = FORK.Event()
        worker = FORK.Process(target=_worker, args=(manager, token, event, all_done, seconds))
        worker.start()
        workers.append(worker)
        waiting.append(event)
    try:
        for event in waiting:
            assert event.wait(timeout=15), "a worker never started waiting for the lock"
        assert direct.scard(lock_key + b"_waiters") == 2, "the two workers announced one id"
        direct.delete(lock_key)
        waits = [seconds.get(timeout=3 * EXPIRY_MS / 1000) for _ in workers]
    finally:
        all_done.set()
        for worker in workers:
            worker.join(timeout=15)
            if worker.is_alive():
                worker.kill()
    assert max(waits) < PROMPTLY, f"a worker waited {max(waits):.1f} s for the lock: {waits}"
    assert all(worker.exitcode == 0 for worker in workers)
