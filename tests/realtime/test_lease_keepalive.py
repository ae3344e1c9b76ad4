"""Leases held longer than the lock's expiry renew their locks; a dead worker's still expire.

Against a redis-server of this module's own, with a 1 s lock expiry so the tests are short.
The last test pins the private parts of Reflex 0.10.1 that lease_keepalive.py relies on.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import cast

import pytest
import reflex as rx
from reflex.istate.manager.redis import StateManagerRedis

from chat_app.realtime import lease_keepalive
from chat_app.realtime.lease_keepalive import LEASE_HOLD_MS, lease_hold_ms
from chat_app.realtime.redis_outage import PatientStateManagerRedis
from chat_app.states.ui import UiState
from tests.support.engines import RedisServer, redis_server
from tests.support.manager_calls import language_of, redis_manager, set_language, until

EXPIRY_MS = 1_000


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


def new_manager(server: RedisServer, *, leases: bool) -> PatientStateManagerRedis:
    return cast(PatientStateManagerRedis, redis_manager(server.url, EXPIRY_MS, leases=leases))


@pytest.fixture
async def worker(server: RedisServer) -> AsyncIterator[PatientStateManagerRedis]:
    """A worker whose leases last 3 expiries."""
    manager = new_manager(server, leases=True)
    manager.hold_leases_for(3 * EXPIRY_MS)
    # A lease needs the worker to be listening for other workers asking for it.
    await manager._ensure_lock_task_subscribed(timeout=5)
    yield manager
    await manager.close()


@pytest.fixture
async def other_worker(server: RedisServer) -> AsyncIterator[PatientStateManagerRedis]:
    """A worker without leases: it locks, loads and saves for every change."""
    manager = new_manager(server, leases=False)
    yield manager
    await manager.close()


def tab_token() -> rx.BaseStateToken:
    return rx.BaseStateToken(ident=str(uuid.uuid4()), cls=UiState)


async def test_a_lease_held_past_the_lock_expiry_keeps_its_lock_and_saves_at_its_end(
    worker: PatientStateManagerRedis, other_worker: PatientStateManagerRedis
):
    token = tab_token()
    await set_language(worker, token, "en")
    assert worker._local_leases, "the first change did not take a lease"
    lock_key = worker._lock_key(token)
    # Time passing is what is tested here: twice the expiry, with the lease still held.
    await asyncio.sleep(2 * EXPIRY_MS / 1000)
    assert worker._local_leases, "the lease ended before its hold time"
    assert await worker.redis.pttl(lock_key) > 0, "the held lock expired"
    await set_language(worker, token, "zh")  # served from the lease's copy

    # At its end (3 expiries) the lease saves under its own lock, then releases it. Reflex
    # drops the lease from `_local_leases` before the release; its task ends after it.
    await until(lambda: not worker._local_leases and not worker._held_locks)
    assert await worker.redis.exists(lock_key) == 0
    assert await asyncio.wait_for(language_of(other_worker, token), 5) == "zh"


async def test_every_held_lock_is_renewed_however_many_in_slices(
    worker: PatientStateManagerRedis, monkeypatch
):
    monkeypatch.setattr(lease_keepalive, "RENEWED_PER_CALL", 2)
    tokens = [tab_token() for _ in range(5)]
    for token in tokens:
        await set_language(worker, token, "en")
    assert len(worker._held_locks) == 5
    # Time passing is what is tested here: twice the expiry, the leases still held.
    await asyncio.sleep(2 * EXPIRY_MS / 1000)
    assert [await worker.redis.pttl(worker._lock_key(token)) > 0 for token in tokens] == [True] * 5


async def test_another_worker_asking_for_the_tab_still_ends_the_lease_at_once(
    worker: PatientStateManagerRedis, server: RedisServer
):
    token = tab_token()
    await set_language(worker, token, "en")
    await set_language(worker, token, "zh")
    # The worker that gets the tab's socket next, leasing too (every worker runs alike).
    taker = new_manager(server, leases=True)
    await taker._ensure_lock_task_subscribed(timeout=5)
    asked_at = time.monotonic()
    assert await asyncio.wait_for(language_of(taker, token), 5) == "zh"
    assert time.monotonic() - asked_at < EXPIRY_MS / 1000, "it waited for the lease's end"
    assert not worker._local_leases
    assert not worker._held_locks
    await taker.close()


async def test_a_dead_workers_locks_free_its_tabs_within_the_expiry(
    server: RedisServer, other_worker: PatientStateManagerRedis
):
    dead = new_manager(server, leases=True)
    dead.hold_leases_for(30 * EXPIRY_MS)
    await dead._ensure_lock_task_subscribed(timeout=5)
    token = tab_token()
    await set_language(dead, token, "en")
    assert dead._local_leases
    assert dead._renewer is not None
    assert dead._lock_task is not None
    # The worker dies: no more renewals, and no answer when another worker asks for the tab
    # (its lease's own task, asleep for 30 s, never saves).
    silenced = [dead._renewer, dead._lock_task]
    for task in silenced:
        task.cancel()
    await asyncio.gather(*silenced, return_exceptions=True)

    asked_at = time.monotonic()
    await asyncio.wait_for(language_of(other_worker, token), 10)
    # Freed when the lock expired (at most one expiry after the last renewal), not when
    # the 30 s lease would have ended. What the dead lease held in memory is lost.
    assert time.monotonic() - asked_at < 3 * EXPIRY_MS / 1000

    for lease in list(dead._local_leases.values()):
        lease.cancel()  # its save is refused: the lock is no longer its own
    await asyncio.gather(*dead._local_leases.values(), return_exceptions=True)
    await dead.redis.aclose()


def test_a_lease_lasts_the_configured_hold_time_else_25_seconds(monkeypatch):
    monkeypatch.delenv("REFLEX_OPLOCK_HOLD_TIME_MS", raising=False)
    monkeypatch.delenv("REFLEX_OPLOCK_HOLD_TIME", raising=False)
    assert lease_hold_ms() == LEASE_HOLD_MS == 25_000
    monkeypatch.setenv("REFLEX_OPLOCK_HOLD_TIME_MS", "4000")
    assert lease_hold_ms() == 4_000


def test_reflex_starts_leases_as_the_keepalive_expects():
    source = inspect.getsource(StateManagerRedis._create_lease_break_task)
    # The lease reads its hold time when it starts, and returns its task (or None).
    assert "self.oplock_hold_time_ms / 1000" in source
    assert "return task" in source
    assert "return None" in source
    parameters = inspect.signature(StateManagerRedis._create_lease_break_task).parameters
    assert list(parameters)[:4] == ["self", "token", "lock_id", "cleanup_ctx"]
    assert "await self._create_lease_break_task(" in inspect.getsource(
        StateManagerRedis._try_modify_state
    )
