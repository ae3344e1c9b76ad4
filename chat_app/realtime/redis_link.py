"""The realtime hub's connection to Redis (scaled profile), and how its failures are told.

Reflex reads `REFLEX_REDIS_URL` for its own state and token managers; the hub's tab
registry and presence use the same server so every worker sees every tab.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError
from reflex_base.config import get_config

logger = logging.getLogger(__name__)

KEY_PREFIX = "chat:"
# One warning per outage, not one per failed call: a lost Redis fails every event.
_REPORT_EVERY_SECONDS = 10.0
_last_report = 0.0
_client: Redis | None = None


def redis_url() -> str:
    """The configured Redis URL ("" in the embedded profile).

    Returns:
        The URL from `REFLEX_REDIS_URL`, or "".
    """
    return get_config().redis_url or ""


def client() -> Redis:
    """The process-wide async Redis client (created on first use; it reconnects by itself).

    Returns:
        The client.
    """
    global _client
    if _client is None:
        _client = Redis.from_url(
            redis_url(), socket_connect_timeout=2, socket_timeout=5, health_check_interval=10
        )
    return _client


def report_outage(error: BaseException, doing: str) -> None:
    """Log that Redis failed, at most once every few seconds.

    Args:
        error: What the client raised.
        doing: What the hub was trying to do, for the log line.
    """
    global _last_report
    now = time.monotonic()
    if now - _last_report >= _REPORT_EVERY_SECONDS:
        _last_report = now
        logger.error(
            "Redis (REFLEX_REDIS_URL) failed while %s: %s; retrying until it is back",
            doing,
            error,
        )


@contextlib.contextmanager
def outage_reported(doing: str) -> Iterator[None]:
    """Report and swallow a Redis failure of a block of background work.

    The heartbeat and the sweep must outlive an outage: their next round retries.

    Args:
        doing: What the block does, for the log line.

    Yields:
        Nothing.
    """
    try:
        yield
    except RedisError as error:
        report_outage(error, doing)


def is_redis_error(error: BaseException) -> bool:
    """Whether an exception comes from talking to Redis.

    Args:
        error: Any exception.

    Returns:
        True for redis-py's errors.
    """
    return isinstance(error, RedisError)


class RedisUser:
    """Base of the hub's Redis-backed structures: a client, and Lua scripts on it."""

    def __init__(self, redis: Redis | None = None) -> None:
        """Use `redis`, or the process-wide client when omitted (tests pass their own)."""
        self._redis = redis
        self._scripts: dict[str, AsyncScript] = {}

    def _client(self) -> Redis:
        return self._redis if self._redis is not None else client()

    def _script(self, source: str) -> AsyncScript:
        """A registered Lua script: it runs atomically, whatever the other workers do."""
        if source not in self._scripts:
            self._scripts[source] = self._client().register_script(source)
        return self._scripts[source]
