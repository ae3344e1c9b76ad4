"""A busy tab keeps its session: the socket's ping timeout is one load cannot trip.

A tab's pong waits behind its own queued frames. With a 5 s timeout python-engineio 4.15.1
ended such sessions without telling the client, and python-socketio then dropped every
following send of the tab unseen; the production timeout (rxconfig.py, at least 20 s) must
let a burst through whole.
"""

from __future__ import annotations

import asyncio
import contextlib

import sqlalchemy as sa

from tests.realtime.conftest import Backend
from tests.realtime.helpers import (
    befriend,
    open_conversation,
    register,
    send_text,
    shown_seqs,
    unique_username,
)
from tests.support.event_client import EventClient

BURST = 300


def rows_starting_with(database_url: str, prefix: str) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM message WHERE body LIKE :prefix")
        count = connection.execute(query, {"prefix": f"{prefix}%"}).scalar_one()
    engine.dispose()
    return int(count)


async def burst(tab: EventClient, prefix: str) -> None:
    """Send as fast as the client can: nothing waits for an answer."""
    for n in range(BURST):
        await send_text(tab, f"{prefix} {n}")


async def test_two_tabs_sending_bursts_keep_their_sessions_and_every_send_is_stored(
    backend: Backend,
):
    ann = await register(backend.url, unique_username("ann"))
    bob = await register(backend.url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann, bob)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    prefix = unique_username("burst")

    await asyncio.gather(burst(ann, f"{prefix} ann"), burst(bob, f"{prefix} bob"))
    total = 2 * BURST
    # A cut session shows as a tab that never sees the last message: its sends are gone.
    with contextlib.suppress(TimeoutError):
        for tab in (ann, bob):
            await tab.wait_for(lambda c: shown_seqs(c)[-1:] == [total], timeout=60)
    stored = rows_starting_with(backend.database_url, prefix)
    assert stored == total, f"{total - stored} of {total} sends were lost"
    assert shown_seqs(ann)[-1:] == shown_seqs(bob)[-1:] == [total]
    for tab in (ann, bob):
        await tab.close()
