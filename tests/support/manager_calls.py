"""State managers driven directly in tests: a tab's language set and read as an event would,
a scaled worker's Redis manager built with a short lock expiry."""

from __future__ import annotations

import asyncio
import time

import reflex as rx
from redis.asyncio import Redis
from reflex.istate.manager import StateManager
from reflex.istate.manager.redis import StateManagerRedis

from chat_app.realtime.redis_outage import CLIENT_RETRY, PatientStateManagerRedis
from chat_app.states.ui import UiState


async def set_language(manager: StateManager, token: rx.BaseStateToken, language: str) -> None:
    async with manager.modify_state(token) as root:
        (await root.get_state(UiState)).language = language


async def language_of(manager: StateManager, token: rx.BaseStateToken) -> str:
    async with manager.modify_state(token) as root:
        return (await root.get_state(UiState)).language


async def until(condition, timeout: float = 10.0) -> None:
    """Wait until `condition()` holds (checked every 20 ms), failing after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        await asyncio.sleep(0.02)


def redis_manager(
    url: str,
    expiry_ms: int,
    *,
    leases: bool,
    cls: type[StateManagerRedis] = PatientStateManagerRedis,
) -> StateManagerRedis:
    """A Redis state manager as a worker of the scaled profile builds it, with a short expiry.

    Args:
        url: The Redis server's URL.
        expiry_ms: The lock expiry (a lease holds half of it unless told otherwise).
        leases: Whether it takes opportunistic leases (`REFLEX_OPLOCK_ENABLED`).
        cls: The manager class (Reflex's own, to compare).
    """
    manager = cls(
        redis=Redis.from_url(url, retry=CLIENT_RETRY),
        token_expiration=60,
        lock_expiration=expiry_ms,
        lock_warning_threshold=500,
        oplock_hold_time_ms=expiry_ms // 2,
    )
    manager._oplock_enabled = leases
    return manager
