"""Hot-path writes on SQLite wait for the disk on a thread of their own, not on the event loop.

A commit waits for SQLite's fsync. Made inline, it held the event loop, so every other tab
waited too: 15 % of the worker's wall time at 100 msg/s (py-spy `--idle`).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from chat_app.realtime.profile import PROFILE
from chat_app.services.errors import NotFound
from chat_app.states.service_call import call_committing_service


def _slow_write(*, session: Session, seconds: float) -> str:
    """A write whose commit takes `seconds` (a slow disk), and the thread it ran on."""
    session.connection().exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    session.connection().exec_driver_sql("INSERT INTO t VALUES (1)")
    time.sleep(seconds)
    session.commit()
    return threading.current_thread().name


def _refused(*, session: Session) -> None:
    raise NotFound("no_such_conversation")


async def test_the_event_loop_runs_on_while_a_write_waits_for_the_disk(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(PROFILE, "database_calls_inline", True)
    ticks = 0

    async def other_tabs() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(other_tabs())
    try:
        thread = await call_committing_service(_slow_write, seconds=0.3)
    finally:
        ticking.cancel()
    assert thread.startswith("sqlite-writer")
    # About 30 ticks while the write waited; inline there would have been none.
    assert ticks >= 10
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 1


async def test_writes_take_turns_and_errors_reach_the_caller(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(PROFILE, "database_calls_inline", True)
    # Ten at once: one writer, so none waits for another's lock (busy_timeout) or fails.
    threads = await asyncio.gather(
        *(call_committing_service(_slow_write, seconds=0.01) for _ in range(10))
    )
    assert len(set(threads)) == 1
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 10
    with pytest.raises(NotFound):
        await call_committing_service(_refused)


async def test_over_the_network_a_write_is_an_ordinary_quick_call(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(PROFILE, "database_calls_inline", False)
    thread = await call_committing_service(_slow_write, seconds=0)
    assert not thread.startswith("sqlite-writer")
