"""A worker waiting for a tab's lock looks again every fraction of a second (scaled profile).

Reflex 0.10.1's `StateManagerRedis._wait_lock` queues this worker's waiters for a lock and
wakes the first one when Redis reports the lock released (a keyspace notification). A waiter
that joins behind another waits only for that wake-up, up to the lock's whole expiry. When
the release lands between the moment two waiters found the lock held and the moment they
joined the queue (at a lease's end, a push and the tab's own event arriving together),
nobody is woken: both waited the full expiry (10 s), and the message with them. Measured on
the one-worker scaled profile at 100 messages/s: two pushes of 10.0 s in a minute, each at
a lease's end (docs/performance.md).

`RecheckedLockWaitsStateManagerRedis` wakes every waiter of this worker every
`RECHECK_SECONDS` too, so each tries the lock again (Reflex's loop tries it whenever its
event is set; Redis's `SET NX` still lets only one have it). A lock that is really held
costs a waiter one Redis round trip per recheck.

A waiting worker also announces itself under an id of its own process. Reflex's manager
draws its id (`_instance_id`) when it is created, which is when the app is imported: before
the server forks its workers, so every worker had the same one. A worker that holds a
lease learns that another wants the tab from that id joining the tab's set of waiting
workers; with one id for all, a waiter of the same worker leaving the set took the other's
request with it, the holder leased again, and the other waited out the whole lease (25 s).
Seen as uploads that never answered: the HTTP request landed on the worker not holding the
tab's socket (tests/realtime/test_forked_workers.py). Reflex renews the token manager's id
in each worker (`App._setup_event_processor`), not this one.

Private parts of Reflex used (pinned by tests/realtime/test_lock_waits.py): `_lock_waiter`,
the context that registers a waiter's event, `_wait_lock`, which loops on that event,
`_request_lock_release`, which announces the worker, and `_instance_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator

from reflex.istate.manager.redis import StateManagerRedis
from typing_extensions import override

# A missed wake-up costs at most this long instead of the lock's expiry.
RECHECK_SECONDS = 0.2


async def _wake_every(event: asyncio.Event, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        event.set()


@dataclasses.dataclass
class RecheckedLockWaitsStateManagerRedis(StateManagerRedis):
    """Reflex's Redis state manager whose lock waiters look again every `RECHECK_SECONDS`.

    Its waiters announce themselves under an id drawn in their own process.
    """

    # The process that drew `_instance_id`: a forked worker draws its own.
    _instance_pid: int = dataclasses.field(default_factory=os.getpid, init=False)

    def _own_instance_id(self) -> str:
        """This process's id among the workers, drawn anew in a forked worker."""
        if self._instance_pid != os.getpid():
            self._instance_id = str(uuid.uuid4())
            self._instance_pid = os.getpid()
        return self._instance_id

    @override
    @contextlib.asynccontextmanager
    async def _request_lock_release(self, lock_key: bytes, lock_id: bytes) -> AsyncIterator[None]:
        self._own_instance_id()
        async with super()._request_lock_release(lock_key, lock_id):
            yield

    @override
    @contextlib.asynccontextmanager
    async def _lock_waiter(self, lock_key: bytes) -> AsyncIterator[asyncio.Event]:
        async with super()._lock_waiter(lock_key) as lock_released_event:
            waker = asyncio.create_task(_wake_every(lock_released_event, RECHECK_SECONDS))
            try:
                yield lock_released_event
            finally:
                waker.cancel()
