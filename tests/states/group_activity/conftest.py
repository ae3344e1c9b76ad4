"""A fake clock for group typing and receipts, and no message pushes (no server here)."""

from __future__ import annotations

import pytest

from chat_app.states import composer as composer_module
from tests.support.fake_pushes import Clock, patched_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return patched_clock(monkeypatch)


@pytest.fixture(autouse=True)
def _no_message_pushes(monkeypatch: pytest.MonkeyPatch) -> None:
    # A message's own push is not what these tests count.
    async def nothing(*_args, **_kwargs):
        return []

    monkeypatch.setattr(composer_module, "notify_users", nothing)
    monkeypatch.setattr("chat_app.states.message_push.notify_users_patiently", nothing)
