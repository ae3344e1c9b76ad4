"""A real backend (`reflex run --env prod --backend-only`) per profile, for raw-client tests.

Every realtime test runs twice: on the embedded profile (SQLite, local files, in-process
state, one worker) and on the scaled one (PostgreSQL, Redis, Azure Blob Storage in
Azurite, two workers, so a test's tabs land on either worker as a browser's would).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.support.engines import RedisServer
from tests.support.live_app import backend_process, free_port, migrated_environment
from tests.support.scaled import scaled_settings

# Raw-client tests send bursts; the per-user rate limit has its own service and state tests.
FAST_SENDING = {"CHAT_MESSAGE_RATE_COUNT": "1000000"}


@dataclass(frozen=True)
class Backend:
    """A running backend: its URL, its database and how to start it again."""

    url: str
    database_url: str
    env: dict[str, str]
    log: Path
    port: int
    profile: str


@contextlib.contextmanager
def running_backend(
    request, tmp_path_factory, profile: str, *, redis_db: int, **settings: str
) -> Iterator[Backend]:
    """A backend of `profile` on a fresh database (and, scaled, Redis database `redis_db`).

    `settings` are extra environment variables, on top of the realtime tests' defaults.
    """
    workdir: Path = tmp_path_factory.mktemp(f"backend-{profile}")
    extra = dict(FAST_SENDING) | settings
    if profile == "scaled":
        extra |= scaled_settings(request, redis_db=redis_db, workers=2)
    env, log = migrated_environment(workdir, **extra)
    port = free_port()
    with backend_process(port, env, log):
        yield Backend(f"http://127.0.0.1:{port}", env["REFLEX_DB_URL"], env, log, port, profile)


@pytest.fixture(scope="session", params=["embedded", "scaled"])
def backend(request, tmp_path_factory) -> Iterator[Backend]:
    with running_backend(request, tmp_path_factory, request.param, redis_db=1) as running:
        yield running


@pytest.fixture(scope="session")
def backend_url(backend: Backend) -> str:
    return backend.url


@pytest.fixture
async def redis_client(redis_engine: RedisServer) -> AsyncIterator[Redis]:
    """An empty Redis database for the hub's Redis-backed structures (no backend)."""
    client = Redis.from_url(redis_engine.url)
    await client.flushdb()
    yield client
    await client.aclose()
