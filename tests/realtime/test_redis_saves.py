"""The Redis state manager that saves and releases a tab's lock in one round trip.

Against a redis-server of its own. The last test pins what `SavingStateManagerRedis` relies
on in Reflex 0.10.1's `StateManagerRedis`.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import pytest
import reflex as rx
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.utils.exceptions import LockExpiredError

from chat_app.realtime.redis_saves import SavingStateManagerRedis
from chat_app.states.ui import UiState
from tests.support.engines import RedisServer, redis_server


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


@pytest.fixture
async def manager(server: RedisServer) -> AsyncIterator[SavingStateManagerRedis]:
    client = Redis.from_url(server.url)
    await client.flushdb()
    saving = SavingStateManagerRedis(
        redis=client, token_expiration=60, lock_expiration=10_000, lock_warning_threshold=1_000
    )
    # The one-round-trip save is the locked path's; a lease saves when it ends instead.
    saving._oplock_enabled = False
    yield saving
    await saving.close()


def tab_token() -> rx.BaseStateToken:
    return rx.BaseStateToken(ident=str(uuid.uuid4()), cls=UiState)


async def calls(redis: Redis) -> dict[str, int]:
    stats = cast(dict[str, Any], await redis.info("commandstats"))
    return {name.removeprefix("cmdstat_"): int(stat["calls"]) for name, stat in stats.items()}


async def set_language(manager: SavingStateManagerRedis, token: rx.BaseStateToken, value: str):
    async with manager.modify_state(token) as root:
        (await root.get_state(UiState)).language = value


async def language_of(manager: SavingStateManagerRedis, token: rx.BaseStateToken) -> str:
    async with manager.modify_state(token) as root:
        return (await root.get_state(UiState)).language


async def test_a_change_is_saved_and_its_lock_released_in_one_round_trip(
    manager: SavingStateManagerRedis,
):
    token = tab_token()
    await manager.redis.config_resetstat()
    await set_language(manager, token, "de")
    used = await calls(manager.redis)
    # Lock, load, then one script that saves and releases: no GETDEL of its own.
    assert used.get("eval") == 1
    assert "getdel" not in used
    assert await manager.redis.exists(manager._lock_key(token)) == 0
    assert await language_of(manager, token) == "de"


async def test_changes_of_one_tab_at_once_all_land(manager: SavingStateManagerRedis):
    token = tab_token()

    async def add(letter: str) -> None:
        async with manager.modify_state(token) as root:
            ui = await root.get_state(UiState)
            await asyncio.sleep(0.01)  # hold the lock while the others wait for it
            ui.language += letter

    await set_language(manager, token, "")
    await asyncio.gather(*(add(letter) for letter in "abcdefgh"))
    assert sorted(await language_of(manager, token)) == list("abcdefgh")


async def test_a_save_retried_after_its_reply_was_lost_is_not_refused(
    manager: SavingStateManagerRedis,
):
    token = tab_token()
    lock_id = b"event-1"
    assert await manager._try_get_lock(manager._lock_key(token), lock_id)
    root = await manager.get_state(token)
    (await root.get_state(UiState)).language = "fr"
    await manager.set_state(token, root, lock_id=lock_id)
    # The same save again (its first reply lost on the way back): already done, no error.
    await manager.set_state(token, root, lock_id=lock_id)
    assert await language_of(manager, token) == "fr"


async def test_a_save_under_a_lock_that_changed_hands_writes_nothing(
    manager: SavingStateManagerRedis,
):
    token = tab_token()
    await set_language(manager, token, "en")
    assert await manager._try_get_lock(manager._lock_key(token), b"someone-else")
    root = await manager.get_state(token)
    (await root.get_state(UiState)).language = "de"
    with pytest.raises(LockExpiredError):
        await manager.set_state(token, root, lock_id=b"mine")
    assert await manager.redis.get(manager._lock_key(token)) == b"someone-else"
    await manager.redis.delete(manager._lock_key(token))
    assert await language_of(manager, token) == "en"


def test_reflex_saves_under_the_lock_and_then_releases_it():
    # The plain locked change saves as the last step inside `_lock` ...
    source = inspect.getsource(StateManagerRedis._try_modify_state)
    assert "async with self._lock(token, event_name=event_name) as lock_id:" in source
    assert "await self.set_state(token, state, lock_id=lock_id, **context)" in source
    # ... whose release (GETDEL, then waking the next waiter) is skipped for a
    # LockExpiredError, which it re-raises.
    lock = inspect.getsource(StateManagerRedis._lock)
    skipped = "except LockExpiredError:\n            state_is_locked = False\n            raise"
    assert skipped in lock
    assert "self.redis.getdel(lock_key)" in lock
    assert callable(StateManagerRedis._notify_next_waiter)
