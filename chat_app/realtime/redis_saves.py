"""Save a tab's touched states and release its lock in one Redis round trip (scaled profile).

Reflex 0.10.1's `StateManagerRedis` ends every locked state change with two round trips:
a script that writes the touched states while the event's lock is still held, then a
GETDEL that releases the lock. Four changes per delivered message (the send, the push, the
read, the receipt) make that eight. `SavingStateManagerRedis` does both in one script: it
writes and deletes the lock only while the lock is the event's own, as Reflex's script
checks, and Reflex's release is skipped for a lock already released so.

Only the plain locked change (no opportunistic lease, `REFLEX_OPLOCK_ENABLED` off) saves
this way: a lease keeps its lock after saving. The scaled profile runs with leases
(rxconfig.py), so this serves a deployment that turns them off.

Private parts of Reflex used (pinned by tests/realtime/test_redis_saves.py): `_lock`, which
releases the lock with GETDEL after `_try_modify_state` has saved under it, and
`_notify_next_waiter`, which wakes this worker's next waiter for the lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

from reflex.istate.manager import StateModificationContext
from reflex.istate.manager.token import BaseStateToken, StateToken
from reflex.state import BaseState
from reflex_base.utils.exceptions import LockExpiredError
from typing_extensions import Unpack, override

from chat_app.realtime.lock_waits import RecheckedLockWaitsStateManagerRedis

logger = logging.getLogger(__name__)

# KEYS: the lock, its "saved" marker, then the state keys. ARGV: the lock id, the expiry
# in seconds, the lock's expiry in ms, then the pickled states in KEYS order. Writes and
# releases only while ARGV[1] holds the lock, and marks the lock id saved: an attempt
# retried after its reply was lost finds the mark instead of a missing lock. Returns the
# lock's remaining PTTL before the release, -3 for an attempt already saved, or nil when
# the lock is not ARGV[1]'s (nothing written).
_SAVE_AND_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
    return -3
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
    return nil
end
for i = 3, #KEYS do
    redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[2])
end
local pttl = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
return pttl
"""
ALREADY_SAVED = -3


@dataclasses.dataclass
class SavingStateManagerRedis(RecheckedLockWaitsStateManagerRedis):
    """Reflex's Redis state manager, saving and releasing a tab's lock in one round trip."""

    # Locks this worker released with their save; `_lock` does not release them again.
    _released_with_save: set[bytes] = dataclasses.field(default_factory=set, init=False)

    @override
    async def set_state(
        self,
        token: StateToken[Any],
        state: Any,
        *,
        lock_id: bytes | None = None,
        **context: Unpack[StateModificationContext],
    ) -> None:
        """Save the touched states, releasing the lock in the same script.

        Only for a save under a lock Reflex releases right after (no lease).

        Args:
            token: The token to set the state for.
            state: The state to set.
            lock_id: The lock the caller holds, if any.
            context: The state modification context.

        Raises:
            LockExpiredError: The lock is no longer `lock_id`'s (nothing was written).
        """
        token = self._coerce_token(token)
        if lock_id is None or self._oplock_enabled or not isinstance(token, BaseStateToken):
            await super().set_state(token, state, lock_id=lock_id, **context)
            return
        writes = self._collect_state_writes(token, cast(BaseState, state))
        lock_key = self._lock_key(token)
        save = cast("Callable[..., Awaitable[int | None]]", self.redis.eval)
        pttl = await save(
            _SAVE_AND_RELEASE_SCRIPT,
            2 + len(writes),
            lock_key,
            lock_key + b":saved",
            *(key for key, _ in writes),
            lock_id,
            self.token_expiration,
            self.lock_expiration,
            *(pickled for _, pickled in writes),
        )
        if pttl is None:
            event = context.get("event")
            message = (
                f"Lock expired for token {token} while processing"
                f"{f' event {event.name}' if event is not None else ''}; "
                f"expected lock id {lock_id!r}."
            )
            raise LockExpiredError(message)
        self._released_with_save.add(lock_id)
        if pttl == ALREADY_SAVED:
            return
        held_seconds = (self.lock_expiration - pttl) / 1000
        if held_seconds > self.lock_warning_threshold / 1000:
            logger.warning("Lock for token %s was held too long (%.1f s)", token, held_seconds)

    @override
    @contextlib.asynccontextmanager
    async def _lock(
        self, token: StateToken[Any], event_name: str | None = None
    ) -> AsyncIterator[bytes]:
        """Reflex's lock, not released again when its save has released it.

        Args:
            token: The token to obtain a lock for.
            event_name: The name of the event associated with the lock.

        Yields:
            The ID of the lock (to be passed to set_state).
        """
        lock_id: bytes | None = None
        try:
            async with super()._lock(token, event_name=event_name) as lock_id:
                yield lock_id
                if lock_id in self._released_with_save:
                    # Released by the save: tell Reflex's release there is nothing left.
                    raise _AlreadyReleased
        except _AlreadyReleased:
            self._notify_next_waiter(self._lock_key(token))
        finally:
            if lock_id is not None:
                self._released_with_save.discard(lock_id)


class _AlreadyReleased(LockExpiredError):
    """Leaves Reflex's `_lock` without its GETDEL: the save released the lock already.

    Reflex's `_lock` skips the release for a `LockExpiredError` (the lock is not held) and
    re-raises it; `SavingStateManagerRedis._lock` catches it right there.
    """
