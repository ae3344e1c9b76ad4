"""A user's file calls take turns on the event loop; other users' go on meanwhile."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from chat_app.states import service_call
from chat_app.states.service_call import call_file_service

# The calls open sessions: on the per-test database. On the project's chat.db (shared with
# whatever else runs) the first two calls once waited past the test's 5 s in CI.
pytestmark = pytest.mark.usefixtures("engine")


class _Calls:
    """Stands in for a file service: each call holds its thread until the gate opens."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started: dict[str, float] = {}
        self.ended: dict[str, float] = {}

    def service(self, *, session, name: str) -> str:
        del session
        self.started[name] = time.monotonic()
        self.gate.wait(5)
        self.ended[name] = time.monotonic()
        return name


async def test_a_users_file_calls_run_one_at_a_time_and_others_do_not_wait():
    calls = _Calls()
    tasks = [
        asyncio.create_task(call_file_service(user, calls.service, name=name))
        for user, name in ((1, "ann 1"), (1, "ann 2"), (1, "ann 3"), (2, "bob"))
    ]
    async with asyncio.timeout(5):
        while {"ann 1", "bob"} - set(calls.started):
            await asyncio.sleep(0.01)
    # Ann's first and Bob's hold a thread each; Ann's others wait on the loop, not in one.
    assert set(calls.started) == {"ann 1", "bob"}
    assert service_call._file_turns[1].calls == 3
    calls.gate.set()
    assert await asyncio.gather(*tasks) == ["ann 1", "ann 2", "ann 3", "bob"]
    assert calls.ended["ann 1"] <= calls.started["ann 2"]
    assert calls.ended["ann 2"] <= calls.started["ann 3"]
    assert service_call._file_turns == {}


async def test_a_refused_file_call_gives_the_next_one_its_turn():
    def refused(*, session):
        del session
        raise ValueError("refused")

    def fine(*, session):
        del session
        return "sent"

    first = asyncio.create_task(call_file_service(1, refused))
    second = asyncio.create_task(call_file_service(1, fine))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(results[0], ValueError)
    assert results[1] == "sent"
    assert service_call._file_turns == {}
