"""The `tab_factory` fixture: server-less tabs on the per-test database (tests/support/tabs.py).

And `arrivals`: the pushes a send makes, kept for the test to apply to a tab; `no_pushes`:
none made, for tests that look at something else.
"""

from __future__ import annotations

from typing import Any

import pytest

from chat_app.realtime import push
from chat_app.realtime.profile import PROFILE
from chat_app.states import composer as composer_module
from chat_app.states import message_push, read_receipts
from tests.support.tabs import make_tab


@pytest.fixture
async def tab_factory(engine, monkeypatch):
    """Make tabs bound to the per-test database (via the `engine` fixture).

    No app is bound for pushes, even after a test module imported `chat_app.chat_app`:
    a bound app would find these server-less tabs unconnected and unregister them.
    """
    monkeypatch.setattr(push, "_app", None)
    # Read positions known from an earlier test's database are not this one's.
    monkeypatch.setattr(read_receipts, "_known_read", {})
    await PROFILE.tab_registry.clear()
    await PROFILE.chime_seats.clear()
    yield make_tab
    await PROFILE.tab_registry.clear()
    await PROFILE.chime_seats.clear()


@pytest.fixture
def arrivals(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[int], Any]]:
    """`(user ids, change)` of each push a send makes; the test applies it to a tab."""
    pushed: list[tuple[list[int], Any]] = []

    async def notify(audiences, _cls, **_kwargs):
        pushed.extend((list(user_ids), change) for user_ids, change in audiences)
        return []

    monkeypatch.setattr(message_push, "notify_each_patiently", notify)
    return pushed


@pytest.fixture
def no_pushes(monkeypatch: pytest.MonkeyPatch) -> None:
    """No typing and no message pushes (there is no server here to carry them)."""

    async def nothing(*_args, **_kwargs) -> list[Any]:
        return []

    monkeypatch.setattr(composer_module, "notify_users", nothing)
    monkeypatch.setattr(message_push, "notify_each_patiently", nothing)
