"""Keep garbage-collector pauses out of message delivery.

A full collection walks every object the worker holds, the ~120,000 of its startup heap
(Reflex, SQLAlchemy, the compiled pages) included: 35-50 ms during which no message moves
(measured with gc.callbacks). Freezing what exists once the worker has started moves those
objects out of the collector's sight for good (they live as long as the process anyway):
a full collection then took 5 ms.

The tabs' states cannot be frozen (they come and go): with 1,000 tabs connected a full
collection walks them all, about 0.3 s. What triggers those is churn more than garbage:
with Python's default, a young collection every 700 allocations, the short-lived objects
of a push (coroutines, deltas, frames waiting for their socket) are caught alive, promoted,
and counted towards the next full collection. A message fanned out to 1,000 tabs spent
about a fifth of the worker's CPU in the collector (`make bench PHASES=fanout`, timed with
gc.callbacks: 4.2 s of 24.8 s). Collecting the young generation every `YOUNG_THRESHOLD`
allocations instead lets most of them die first; in the same phase the collector took
0.4-0.9 s (on the scaled profile, whose pushes unpickle states from Redis, 20 s -> 4.6 s).
A young collection then walks more objects: 0.7 ms on average at 100 msg/s one-to-one
(`PHASES=latency`), 20 ms on the scaled profile's fan-out.
"""

from __future__ import annotations

import asyncio
import gc

YOUNG_THRESHOLD = 50_000


async def freeze_startup_heap() -> None:
    """Lifespan task: once the worker is up, collect once and freeze what survived.

    From then on the young generation is collected every `YOUNG_THRESHOLD` allocations.
    """
    # Let the other lifespan tasks finish setting up first.
    await asyncio.sleep(1)
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD)
