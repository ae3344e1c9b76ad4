"""Leases that outlive a tab's lock expiry, their locks renewed while held (scaled profile).

Reflex's lease (`REFLEX_OPLOCK_ENABLED`) keeps a tab's Redis lock and an in-memory copy
of its state for `oplock_hold_time_ms`, which Reflex requires to be shorter than the lock's
expiry (by default half of it: 5 of 10 s), because the lock is never renewed: a worker
that dies holding it blocks the tab until it expires. When the lease ends the copy is
saved, and the tab's next change locks and loads it again. Into a group of 100 at 1
message a second that renewal was about 14 % of the worker's time (py-spy), and a lease
held 25 s cut the CPU per delivered copy by 17 % (docs/performance.md).

`KeptLeasesStateManagerRedis` holds a lease for `LEASE_HOLD_MS` and, while it does, renews
the expiry of the locks it holds every third of the expiry, one script per
`RENEWED_PER_CALL` of them (only a lock that is still the lease's own). A dead worker
renews nothing, so its locks still free its tabs within the expiry, as before.

Private parts of Reflex used (pinned by tests/realtime/test_lease_keepalive.py):
`_create_lease_break_task`, which starts a lease and returns its task (None when no lease
was taken), `_lock_key`, and the lease's reading of `oplock_hold_time_ms` when it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, cast

from redis.exceptions import RedisError
from reflex.istate.manager import StateModificationContext
from reflex.istate.manager.token import StateToken
from reflex_base.environment import oplock_hold_time
from typing_extensions import Unpack, override

from chat_app.realtime import redis_link
from chat_app.realtime.redis_saves import SavingStateManagerRedis

# How long a lease lasts unless REFLEX_OPLOCK_HOLD_TIME(_MS) says otherwise: at 1 message
# a second, 25 changes share each save and reload instead of 5. Another worker asking for
# the tab still ends it at once (Reflex's contention notice).
LEASE_HOLD_MS = 25_000
RENEWED_PER_CALL = 500

# KEYS: the held locks; ARGV: their lock ids in the same order, then the expiry in ms.
# Renews a lock only while it is still that lease's own; returns how many were.
_RENEW_SCRIPT = """
local renewed = 0
for i = 1, #KEYS do
    if redis.call('GET', KEYS[i]) == ARGV[i] then
        redis.call('PEXPIRE', KEYS[i], ARGV[#KEYS + 1])
        renewed = renewed + 1
    end
end
return renewed
"""


def lease_hold_ms() -> int:
    """How long a lease lasts: REFLEX_OPLOCK_HOLD_TIME(_MS) if set, else `LEASE_HOLD_MS`.

    Returns:
        Milliseconds.
    """
    configured = oplock_hold_time()
    return max(int(configured.total_seconds() * 1000), 1) if configured else LEASE_HOLD_MS


@dataclasses.dataclass
class KeptLeasesStateManagerRedis(SavingStateManagerRedis):
    """Reflex's Redis state manager whose leases renew their locks while they last."""

    # Leases held by this worker: the lease's key → (its Redis lock key, its lock id).
    _held_locks: dict[str, tuple[bytes, bytes]] = dataclasses.field(
        default_factory=dict, init=False
    )
    _renewer: asyncio.Task[None] | None = dataclasses.field(default=None, init=False)

    def hold_leases_for(self, milliseconds: int) -> None:
        """Hold each lease this long, however long the lock's expiry (renewed meanwhile).

        Set after construction: Reflex's own check refuses a hold time at or above the
        expiry, which is right only for a lock nobody renews.

        Args:
            milliseconds: The hold time of each new lease.
        """
        self.oplock_hold_time_ms = milliseconds

    @override
    async def _create_lease_break_task(
        self,
        token: StateToken[Any],
        lock_id: bytes,
        cleanup_ctx: contextlib.AsyncExitStack,
        **context: Unpack[StateModificationContext],
    ) -> asyncio.Task | None:
        """Start Reflex's lease, and renew its lock until it ends.

        Args:
            token: The tab's token.
            lock_id: The lock the lease holds.
            cleanup_ctx: Releases the lock when the lease ends.
            context: The state modification context.

        Returns:
            The lease's task, or None when no lease was taken.
        """
        task = await super()._create_lease_break_task(token, lock_id, cleanup_ctx, **context)
        if task is not None and not task.done():
            key = token.lock_key
            self._held_locks[key] = (self._lock_key(token), lock_id)
            task.add_done_callback(lambda _: self._forget_lock(key, lock_id))
            if self._renewer is None or self._renewer.done():
                self._renewer = asyncio.create_task(self._renew_held_locks())
        return task

    def _forget_lock(self, key: str, lock_id: bytes) -> None:
        held = self._held_locks.get(key)
        if held is not None and held[1] == lock_id:
            del self._held_locks[key]

    async def _renew_held_locks(self) -> None:
        """Every third of the expiry, renew every lock a lease holds; stop when none is."""
        renew = cast("Callable[..., Awaitable[int]]", self.redis.eval)
        while self._held_locks:
            await asyncio.sleep(self.lock_expiration / 3 / 1000)
            held = list(self._held_locks.values())
            try:
                # In slices, so that thousands of leased tabs never hold Redis up for long.
                for start in range(0, len(held), RENEWED_PER_CALL):
                    part = held[start : start + RENEWED_PER_CALL]
                    await renew(
                        _RENEW_SCRIPT,
                        len(part),
                        *(lock_key for lock_key, _ in part),
                        *(lock_id for _, lock_id in part),
                        self.lock_expiration,
                    )
            except RedisError as error:
                # Tried again a third of the expiry later; a lock that expires meanwhile
                # makes the lease's save fail as Reflex's own does (LockExpiredError).
                redis_link.report_outage(error, "renewing the locks of this worker's leases")

    @override
    async def close(self) -> None:
        """Stop renewing, then Reflex's close (which saves and ends every lease)."""
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        await super().close()
