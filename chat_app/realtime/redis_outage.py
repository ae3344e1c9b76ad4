"""Events wait out a short Redis outage instead of being dropped (scaled profile).

Reflex 0.10.1's `StateManagerRedis` locks and loads a tab's state in Redis before every
event. While Redis is away, redis-py retries each command 3 times, then raises
`ConnectionError`: the event's task fails before its handler runs, the tab gets the
generic error toast and the event is gone (the socket stays; the tab's next events run).
A send during a restart was lost that way, its text already replaced in the composer by
the next one typed.

`PatientStateManagerRedis` retries taking the lock and loading the state, with backoff, for
up to `OUTAGE_WAIT_SECONDS` from the first failure, and retries saving the state the same
way. The event task simply waits: Reflex runs a tab's events one after another (a task
per event, the next one started when it ends), so a waiting event holds back the tab's
later ones and nothing overtakes it. Past the bound, `RedisStateUnavailable` fails the
event as before (the toast, the text left in the composer).

A handler's first `get_state` of another state of its tab (one its event did not load:
the send asks for the session, conversation and outbox states) reads Redis in the middle
of the handler, and is retried the same way. Failing there, a send stopped before it had
put its text in the outbox, and the next text typed replaced it in the composer.

Private parts of Reflex used (pinned by tests/realtime/test_redis_outage.py): the app's
`_state_manager`, and `_try_get_lock` / `_lock_key` to release a lock that a failed
attempt left behind.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import RedisError
from reflex.istate.manager import StateModificationContext
from reflex.istate.manager.redis import StateManagerRedis, enable_keyspace_notifications
from reflex.istate.manager.token import TOKEN_TYPE, StateToken
from reflex.state import BaseState
from typing_extensions import Unpack, override

from chat_app.realtime import redis_link
from chat_app.realtime.lease_keepalive import KeptLeasesStateManagerRedis, lease_hold_ms
from chat_app.realtime.redis_link import Patience, is_transient

logger = logging.getLogger(__name__)

# A restart of a few seconds fits; a longer outage fails the event visibly instead of
# holding the tab's queue (and the user's text) indefinitely.
OUTAGE_WAIT_SECONDS = redis_link.OUTAGE_WAIT_SECONDS
# redis-py's default retry backs off up to 1, 2 and 4 s between its 3 attempts: a command
# in flight when Redis comes back would sleep seconds more. The loop here does the
# waiting, so the client's own retries stay short.
CLIENT_RETRY = Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=3)
# Reflex releases the lock with GETDEL after the state is saved; when that fails, the
# lock is released here, and only if it is still the event's own.
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""
# The lock (key, id) the current event saved its state under (set by `set_state`, which
# Reflex calls inside `modify_state`, in the same task).
# The lock the current event's last attempt asked for (set by `_try_get_lock`).
_lock_tried: contextvars.ContextVar[tuple[bytes, bytes] | None] = contextvars.ContextVar(
    "chat_redis_lock_tried", default=None
)
_saved_under: contextvars.ContextVar[tuple[bytes, bytes] | None] = contextvars.ContextVar(
    "chat_redis_saved_under", default=None
)


T = TypeVar("T")


class RedisStateUnavailable(RedisError):
    """Redis stayed away longer than an event may wait for it."""


async def wait_out_outage(
    attempt: Callable[[], Awaitable[T]],
    doing: str,
    limit: float | None = None,
    on_outage: Callable[[], None] | None = None,
) -> T:
    """Run a Redis call again, with backoff, until Redis answers (bounded).

    Only for a call that is safe to repeat (a read, or a write that checks itself).

    Args:
        attempt: Makes the call afresh.
        doing: What the call is for, for the log line.
        limit: How long to wait from the first failure (`OUTAGE_WAIT_SECONDS` if None).
        on_outage: Told after each wait.

    Returns:
        What the call returned.
    """
    patience = Patience(
        OUTAGE_WAIT_SECONDS if limit is None else limit, doing, RedisStateUnavailable
    )
    while True:
        try:
            return await attempt()
        except RedisError as error:
            await patience.wait_after(error)
            if on_outage is not None:
                on_outage()


@dataclasses.dataclass
class PatientStateManagerRedis(KeptLeasesStateManagerRedis):
    """Reflex's Redis state manager, waiting out a short Redis outage in every event.

    Its saves also release the lock in the same round trip (redis_saves.py).
    """

    outage_wait_seconds: float = OUTAGE_WAIT_SECONDS
    # An outage was noticed: keyspace notifications are turned on again once Redis is back.
    _outage_seen: bool = dataclasses.field(default=False, init=False)

    @override
    @contextlib.asynccontextmanager
    async def modify_state(
        self, token: StateToken[Any], **context: Unpack[StateModificationContext]
    ) -> AsyncIterator[Any]:
        """Reflex's `modify_state`, entered again until Redis answers (bounded).

        Args:
            token: The token to modify the state for.
            context: The state modification context.

        Yields:
            The state for the token, locked.
        """
        patience = Patience(
            self.outage_wait_seconds, "loading a tab's state", RedisStateUnavailable
        )
        while True:
            _lock_tried.set(None)
            stack = contextlib.AsyncExitStack()
            try:
                # A failure here happens before the handler runs: entering again is safe.
                state = await stack.enter_async_context(super().modify_state(token, **context))
                break
            except RedisError as error:
                await patience.wait_after(error)
                self._outage_seen = True
            # The failed attempt may hold the lock (kept across a restart by Redis's dump):
            # release it, or the next attempt waits for it to expire (lock_expiration).
            while (tried := _lock_tried.get()) is not None:
                try:
                    await self.redis.eval(_RELEASE_SCRIPT, 1, *tried)  # pyright: ignore[reportGeneralTypeIssues]
                    _lock_tried.set(None)
                except RedisError as error:
                    await patience.wait_after(error)
        if self._outage_seen:
            await self._restore_notifications()
        _saved_under.set(None)
        handled = False
        try:
            async with stack:
                yield state
                handled = True
        except RedisError as error:
            # After a handler that succeeded, `set_state` has saved the state (it waits
            # out an outage itself); only releasing the lock can have failed.
            if not handled or not is_transient(error):
                raise
            await self._release_lock(error)

    @override
    async def get_state(
        self,
        token: StateToken[TOKEN_TYPE],
        top_level: bool = True,
        for_state_instance: BaseState | None = None,
    ) -> TOKEN_TYPE:
        """Reflex's `get_state`, read again until Redis answers (bounded).

        Reading (one MGET) is safe to repeat. Besides loading an event's state, it serves
        a handler's first `self.get_state(Other)` of a state not loaded yet, in the middle
        of the handler, under the event's lock.

        Args:
            token: The token to get the state for.
            top_level: If true, return the top-level root state.
            for_state_instance: The loaded tree to attach the read states to, if any.

        Returns:
            The state for the token.
        """
        return await wait_out_outage(
            lambda: super(PatientStateManagerRedis, self).get_state(
                token, top_level=top_level, for_state_instance=for_state_instance
            ),
            "loading a tab's state",
            self.outage_wait_seconds,
            self._note_outage,
        )

    @override
    async def set_state(
        self,
        token: StateToken[Any],
        state: Any,
        *,
        lock_id: bytes | None = None,
        **context: Unpack[StateModificationContext],
    ) -> None:
        """Reflex's `set_state`, tried again until Redis answers (bounded).

        The save is idempotent: Reflex's script writes only while `lock_id` still holds
        the lock, and raises `LockExpiredError` (no retry) once it does not.

        Args:
            token: The token to set the state for.
            state: The state to set.
            lock_id: The lock the caller holds, if any.
            context: The state modification context.
        """
        if lock_id is not None:
            _saved_under.set((self._lock_key(self._coerce_token(token)), lock_id))
        await wait_out_outage(
            lambda: super(PatientStateManagerRedis, self).set_state(
                token, state, lock_id=lock_id, **context
            ),
            "saving a tab's state",
            self.outage_wait_seconds,
            self._note_outage,
        )

    def _note_outage(self) -> None:
        # Keyspace notifications are turned on again once Redis is back.
        self._outage_seen = True

    @override
    async def _try_get_lock(self, lock_key: bytes, lock_id: bytes) -> bool | None:
        """Reflex's lock attempt, remembered: the event may have to release it.

        Args:
            lock_key: The redis key for the lock.
            lock_id: The ID of the lock.

        Returns:
            True if the lock was obtained.
        """
        # Before the attempt: a SET that reached Redis may still fail on the way back.
        _lock_tried.set((lock_key, lock_id))
        return await super()._try_get_lock(lock_key, lock_id)

    async def _restore_notifications(self) -> None:
        """Turn Redis's keyspace notifications on again after an outage.

        Reflex turns them on once (CONFIG SET, which a restarted Redis has forgotten); its
        lock waiters rely on them to learn that another worker released a lock, and wait
        out lock_expiration without them.
        """
        self._outage_seen = False
        try:
            await enable_keyspace_notifications(self.redis)
        except RedisError as error:
            self._outage_seen = is_transient(error)  # a refusal (CONFIG disabled) stays one
            logger.warning("Redis keyspace notifications could not be turned on: %s", error)

    async def _release_lock(self, error: RedisError) -> None:
        """Release the lock Reflex failed to release, if it is still this event's own.

        Left alone, it would hold the tab's next event until it expires.
        """
        saved_under = _saved_under.get()
        if saved_under is None:
            raise error
        lock_key, lock_id = saved_under
        patience = Patience(
            self.outage_wait_seconds, "releasing a tab's state lock", RedisStateUnavailable
        )
        while True:
            try:
                await self.redis.eval(_RELEASE_SCRIPT, 1, lock_key, lock_id)  # pyright: ignore[reportGeneralTypeIssues]
                return
            except RedisError as retry_error:
                try:
                    await patience.wait_after(retry_error)
                except RedisError:
                    # The lock expires by itself (Reflex's lock_expiration).
                    logger.warning("a state lock was left to expire: Redis did not answer")
                    return


def wait_out_redis_outages(app: Any) -> None:
    """Make the app's Redis state manager (if it uses one) wait out short outages.

    The replacement also holds its leases for `lease_hold_ms()`, renewing their locks
    (lease_keepalive.py).

    Reflex 0.10.1 has no option or hook to choose the state manager: `rx.App` creates it
    in `_setup_state` (private `_state_manager`) and hands `app.state_manager` to the
    event processor when the server starts, after this runs. tests/realtime/
    test_redis_outage.py pins both facts, so an upgrade that moves them fails a test.

    Args:
        app: The `rx.App`, just created.
    """
    current = getattr(app, "_state_manager", None)
    if type(current) is not StateManagerRedis:
        return
    current.redis.set_retry(CLIENT_RETRY)
    patient = PatientStateManagerRedis(
        redis=current.redis,
        token_expiration=current.token_expiration,
        lock_expiration=current.lock_expiration,
        lock_warning_threshold=current.lock_warning_threshold,
        oplock_hold_time_ms=current.oplock_hold_time_ms,
    )
    patient.hold_leases_for(lease_hold_ms())
    app._state_manager = patient
