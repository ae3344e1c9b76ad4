"""The realtime hub's connection to Redis (scaled profile), and how its failures are told.

Reflex reads `REFLEX_REDIS_URL` for its own state and token managers; the hub's tab
registry and presence use the same server so every worker sees every tab.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import AuthenticationError, AuthorizationError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from reflex_base.config import get_config

logger = logging.getLogger(__name__)

KEY_PREFIX = "chat:"
# How long a call waits out a Redis outage (a restart of a few seconds fits), the same
# bound as an event's wait for its tab's state (redis_outage.py).
OUTAGE_WAIT_SECONDS = 20.0
# The first wait after a failure, doubled after each one up to the last.
FIRST_DELAY = 0.05
MAX_DELAY = 1.0
# One warning per outage, not one per failed call: a lost Redis fails every event.
_REPORT_EVERY_SECONDS = 10.0
_last_report = 0.0
_client: Redis | None = None

T = TypeVar("T")


def is_transient(error: BaseException) -> bool:
    """Whether a Redis error is an outage worth waiting out (not a refusal).

    Args:
        error: Any exception.

    Returns:
        True for connection losses, timeouts and "loading the dataset" after a restart.
    """
    if isinstance(error, (AuthenticationError, AuthorizationError)):
        return False
    return isinstance(error, (RedisConnectionError, RedisTimeoutError))


class Patience:
    """The backoff and the deadline of one wait for Redis, counted from its first failure."""

    def __init__(self, limit: float, doing: str, give_up: type[Exception] | None = None) -> None:
        """Wait up to `limit` seconds for Redis while `doing` something.

        Args:
            limit: How long to wait from the first failure.
            doing: What the waiting call is for, for the log line and the error.
            give_up: The error raised (from the last failure) once the wait is over;
                without it, the last failure itself is raised.
        """
        self._limit = limit
        self._doing = doing
        self._give_up = give_up
        self._give_up_at: float | None = None
        self._delay = FIRST_DELAY

    async def wait_after(self, error: Exception) -> None:
        """Sleep before the next attempt, or raise when the wait is over.

        Args:
            error: What the last attempt raised.

        Raises:
            Exception: `error` itself when it is no outage, or when Redis stayed away for
                the whole wait and there is no `give_up`; else a `give_up`.
        """
        if not is_transient(error):
            raise error
        now = time.monotonic()
        if self._give_up_at is None:
            self._give_up_at = now + self._limit
        elif now >= self._give_up_at:
            if self._give_up is None:
                raise error
            message = f"Redis was unreachable for {self._limit:.0f} s while {self._doing}"
            raise self._give_up(message) from error
        report_outage(error, self._doing)
        await asyncio.sleep(self._delay)
        self._delay = min(self._delay * 2, MAX_DELAY)


class PatientRetry(Retry):
    """redis-py's retry of a failed connection, bounded by time instead of a count.

    With Reflex's leases a tab's events run from the worker's copy of its state while Redis
    is away, so the hub's own calls in a handler (the tab registry, the sound's seat) are
    what meets the outage: they wait for Redis as the state would, not fail the event.
    """

    def __init__(self, limit: float = OUTAGE_WAIT_SECONDS) -> None:
        """Wait up to `limit` seconds from the first failure (`Patience`)."""
        super().__init__(ExponentialBackoff(cap=MAX_DELAY, base=FIRST_DELAY), retries=-1)
        self.limit = limit

    async def call_with_retry(
        self,
        do: Callable[[], Awaitable[T]],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        """Run `do` until it succeeds, Redis stays away past the limit, or it is no outage.

        Args:
            do: The command (redis-py's).
            fail: Told of each failure (redis-py disconnects the connection there).
            is_retryable: Whether an error may be retried (redis-py's).
            with_failure_count: Whether `fail` also gets the failure count.

        Returns:
            What `do` returned.
        """
        patience = Patience(self.limit, "running a command")
        failures = 0
        while True:
            try:
                return await do()
            except self._supported_errors as error:
                if is_retryable is not None and not is_retryable(error):
                    raise
                failures += 1
                await (fail(error, failures) if with_failure_count else fail(error))
                await patience.wait_after(error)


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
            redis_url(),
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=10,
            retry=PatientRetry(),
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
