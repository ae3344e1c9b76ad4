"""A fake clock for group typing and receipts, and no message pushes (no server here)."""

from __future__ import annotations

import pytest

from tests.support.fake_pushes import Clock, patched_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return patched_clock(monkeypatch)


@pytest.fixture(autouse=True)
def _no_message_pushes(no_pushes: None) -> None:
    """A message's own push is not what these tests count."""
