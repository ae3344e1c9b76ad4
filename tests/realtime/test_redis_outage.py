"""The Redis state manager that waits out an outage, against a redis-server of its own.

The last tests pin what `wait_out_redis_outages` relies on in Reflex 0.10.1: an upgrade
that moves the state manager or changes `set_state` fails here, not silently in production.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import pytest
import reflex as rx
from redis.asyncio import Redis
from redis.exceptions import AuthenticationError, BusyLoadingError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from reflex.istate.data import SessionData
from reflex.istate.manager import StateManager
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.event.context import EventContext

from chat_app.realtime import redis_link, redis_outage
from chat_app.realtime.redis_outage import (
    CLIENT_RETRY,
    PatientStateManagerRedis,
    RedisStateUnavailable,
    is_transient,
    wait_out_redis_outages,
)
from chat_app.states.composer import ComposerState
from chat_app.states.ui import UiState
from tests.support.engines import RedisServer, redis_server
from tests.support.manager_calls import language_of, set_language, until


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    """A server of this module's own: the tests stop and start it."""
    with redis_server() as running:
        yield running


@pytest.fixture
async def manager(server: RedisServer) -> AsyncIterator[PatientStateManagerRedis]:
    if server.process is None:
        server.start()
    client = Redis.from_url(server.url, retry=CLIENT_RETRY)
    patient = PatientStateManagerRedis(
        redis=client, token_expiration=60, lock_expiration=10_000, lock_warning_threshold=1_000
    )
    # The locked path, whatever the environment says: a lease would serve the tests' events
    # from memory (leases have tests of their own below and in test_two_workers.py).
    patient._oplock_enabled = False
    yield patient
    if server.process is None:
        server.start()
    await patient.close()


def tab_token() -> rx.BaseStateToken:
    return rx.BaseStateToken(ident=str(uuid.uuid4()), cls=UiState)


async def test_an_event_waits_for_redis_and_then_runs(
    manager: PatientStateManagerRedis, server: RedisServer, caplog, monkeypatch
):
    token = tab_token()
    await set_language(manager, token, "en")
    monkeypatch.setattr(redis_link, "_last_report", 0.0)
    caplog.set_level(logging.ERROR, logger=redis_link.__name__)

    server.stop(save=True)
    waiting = asyncio.create_task(set_language(manager, token, "zh"))
    await until(lambda: "REFLEX_REDIS_URL" in caplog.text)
    assert not waiting.done()
    server.start()
    await asyncio.wait_for(waiting, 15)

    assert await language_of(manager, token) == "zh"


async def test_a_handler_s_first_read_of_another_state_waits_for_redis(
    manager: PatientStateManagerRedis, server: RedisServer, caplog, monkeypatch
):
    """Redis stops in the middle of a handler, just before it reads a state of its tab that
    its event did not load: the send read the outbox so, and the failed read lost the send
    (its text neither stored, nor in the outbox, nor kept in the composer)."""
    tab = str(uuid.uuid4())
    ui_token = rx.BaseStateToken(ident=tab, cls=UiState)
    async with manager.modify_state(ui_token) as root:
        # Reflex finds the tab's other states under the client token of its router data.
        root.rx_router_session = SessionData(client_token=tab)
        (await root.get_state(UiState)).language = "en"
    # Reflex's event processor runs a handler in an event context naming the manager.
    EventContext.set(
        EventContext(token=tab, state_manager=manager, enqueue_impl=cast(Any, None), txid="")
    )

    monkeypatch.setattr(redis_link, "_last_report", 0.0)
    caplog.set_level(logging.ERROR, logger=redis_link.__name__)

    async def back_once_the_read_failed() -> None:
        # Not sooner: redis-py's own retries would hide the failure.
        await until(lambda: "REFLEX_REDIS_URL" in caplog.text)
        await asyncio.to_thread(server.start)

    async with manager.modify_state(rx.BaseStateToken(ident=tab, cls=ComposerState)) as root:
        composer = await root.get_state(ComposerState)
        assert UiState.get_full_name() not in {s.get_full_name() for s in root.substates.values()}
        await asyncio.to_thread(server.stop, save=True)
        comeback = asyncio.create_task(back_once_the_read_failed())
        try:
            (await composer.get_state(UiState)).language = "zh"
        finally:
            await asyncio.wait([comeback], timeout=15)

    assert await language_of(manager, ui_token) == "zh"


@pytest.fixture
async def leasing(server: RedisServer) -> AsyncIterator[PatientStateManagerRedis]:
    """A manager with Reflex's leases on (as the scaled profile runs), held for 0.5 s."""
    if server.process is None:
        server.start()
    patient = PatientStateManagerRedis(
        redis=Redis.from_url(server.url, retry=CLIENT_RETRY),
        token_expiration=60,
        lock_expiration=10_000,
        lock_warning_threshold=1_000,
        oplock_hold_time_ms=500,
    )
    patient._oplock_enabled = True
    yield patient
    if server.process is None:
        server.start()
    await patient.close()


async def test_with_a_lease_a_change_made_while_redis_is_away_is_saved_once_it_is_back(
    leasing: PatientStateManagerRedis, server: RedisServer, caplog, monkeypatch
):
    """The change is held in the lease's copy; the lease's save at its end waits for Redis."""
    token = tab_token()
    # A lease needs the worker to be listening for other workers asking for it.
    await leasing._ensure_lock_task_subscribed(timeout=5)
    await set_language(leasing, token, "en")
    assert leasing._local_leases, "the first change did not take a lease"
    monkeypatch.setattr(redis_link, "_last_report", 0.0)
    caplog.set_level(logging.ERROR, logger=redis_link.__name__)

    server.stop(save=True)
    # Served from the lease's copy: the event does not wait for Redis.
    await asyncio.wait_for(set_language(leasing, token, "zh"), 2)
    # The lease ends (0.5 s) while Redis is away: its save waits instead of dropping "zh".
    await until(lambda: "failed while saving a tab's state" in caplog.text)
    server.start()
    await until(lambda: not leasing._local_leases)

    # Another worker (no lease of its own) reads what the lease saved.
    other = PatientStateManagerRedis(
        redis=Redis.from_url(server.url),
        token_expiration=60,
        lock_expiration=10_000,
        lock_warning_threshold=1_000,
    )
    other._oplock_enabled = False
    assert await asyncio.wait_for(language_of(other, token), 5) == "zh"
    await other.close()


class FailingOnce(PatientStateManagerRedis):
    """Loses Redis once right after taking the lock: loading the state and Reflex's release
    of the lock fail (the lock stays in Redis, as a restart from its dump keeps it)."""

    failed = False

    async def get_state(self, *args, **kwargs):
        if not self.failed:
            self.failed = True

            async def lost(*_args, **_kwargs):
                del self.redis.getdel  # only this once
                raise RedisConnectionError("lost while releasing the lock")

            self.redis.getdel = lost
            raise RedisConnectionError("lost after the lock was taken")
        return await super().get_state(*args, **kwargs)


async def test_a_lock_taken_by_a_failed_attempt_does_not_hold_the_retry(server: RedisServer):
    manager = FailingOnce(
        redis=Redis.from_url(server.url),
        token_expiration=60,
        lock_expiration=10_000,
        lock_warning_threshold=1_000,
    )
    token = tab_token()
    started = time.monotonic()
    await set_language(manager, token, "zh")
    # Not the 10 s the abandoned lock would last.
    assert time.monotonic() - started < 2
    assert manager.failed
    assert await language_of(manager, token) == "zh"
    await manager.close()


async def test_past_the_bound_an_event_fails_as_a_redis_error(
    manager: PatientStateManagerRedis, server: RedisServer
):
    manager.outage_wait_seconds = 0.5
    server.stop(save=True)
    started = time.monotonic()
    with pytest.raises(RedisStateUnavailable) as raised:
        await set_language(manager, tab_token(), "zh")
    assert time.monotonic() - started >= 0.5
    # The app's error handler logs it as an outage naming REFLEX_REDIS_URL.
    assert redis_link.is_redis_error(raised.value)


async def test_a_lock_reflex_could_not_release_is_released_if_still_the_events(
    manager: PatientStateManagerRedis,
):
    token = tab_token()
    lock_key = manager._lock_key(token)
    await manager.redis.set(lock_key, b"ours", px=10_000)
    redis_outage._saved_under.set((lock_key, b"ours"))
    await manager._release_lock(RedisConnectionError("getdel failed"))
    assert await manager.redis.get(lock_key) is None

    await manager.redis.set(lock_key, b"another event's", px=10_000)
    await manager._release_lock(RedisConnectionError("getdel failed"))
    assert await manager.redis.get(lock_key) == b"another event's"


def test_only_an_outage_is_waited_for():
    assert is_transient(RedisConnectionError("refused"))
    assert is_transient(RedisTimeoutError("slow"))
    assert is_transient(BusyLoadingError("loading the dataset"))
    assert not is_transient(AuthenticationError("wrong password"))
    assert not is_transient(ResponseError("WRONGTYPE"))
    assert not is_transient(ValueError("not Redis"))


def test_reflex_creates_the_manager_where_it_is_replaced():
    # rx.App keeps its manager in `_state_manager` (no option or hook chooses it) ...
    assert "_state_manager" in {field.name for field in dataclasses.fields(rx.App)}
    assert "StateManager.create()" in inspect.getsource(rx.App._setup_state)
    # ... and gives `app.state_manager` to the event processor only when serving starts.
    assert "state_manager=self.state_manager" in inspect.getsource(rx.App._setup_event_processor)
    # The save Reflex calls under the lock, which the subclass retries.
    assert "lock_id" in inspect.signature(StateManagerRedis.set_state).parameters
    source = inspect.getsource(StateManagerRedis._try_modify_state)
    assert "await self.set_state(token, state, lock_id=lock_id, **context)" in source
    # Every lock attempt goes through `_try_get_lock` (remembered, to release it after a
    # failed attempt), and Reflex releases the lock with GETDEL.
    assert "await self._try_get_lock(lock_key, lock_id)" in inspect.getsource(
        StateManagerRedis._wait_lock
    )
    assert "self.redis.getdel(lock_key)" in inspect.getsource(StateManagerRedis._lock)


async def test_the_app_s_redis_manager_is_replaced_keeping_its_settings(
    server: RedisServer, monkeypatch
):
    monkeypatch.setenv("REFLEX_OPLOCK_HOLD_TIME_MS", "1500")
    reflexs = StateManagerRedis(
        redis=Redis.from_url(server.url),
        token_expiration=123,
        lock_expiration=4_000,
        lock_warning_threshold=1_000,
        oplock_hold_time_ms=1_500,
    )

    class App:
        _state_manager: StateManager | None = reflexs

    app = App()
    wait_out_redis_outages(app)
    patient = app._state_manager
    assert isinstance(patient, PatientStateManagerRedis)
    assert patient.redis is reflexs.redis
    assert (patient.token_expiration, patient.lock_expiration) == (123, 4_000)
    assert patient.oplock_hold_time_ms == 1_500
    assert patient.redis.get_retry() is CLIENT_RETRY
    wait_out_redis_outages(app)  # a second call changes nothing
    assert app._state_manager is patient
    await patient.close()
