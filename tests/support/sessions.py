"""Event chains and session resolutions, for tests of "who is asking" (no server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from reflex_base.event.context import EventContext

from chat_app.services import sessions


def top_level(token: str) -> EventContext:
    """What Reflex's event processor starts from for a tab: its forks are top-level events.

    A context with no event id (reflex_base/event/processor/event_processor.py, `enqueue`):
    `top_level(token).fork()` is one click or one page load, and that fork's own forks
    are the events it queues.

    Args:
        token: The tab's client token.

    Returns:
        The context.
    """
    return EventContext(
        token=token,
        state_manager=cast(Any, None),
        enqueue_impl=cast(Any, None),
        txid="",
    )


def count_resolutions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each time a session token is resolved against the database.

    Args:
        monkeypatch: The test's monkeypatch.

    Returns:
        The token hashes resolved, in order (appended to as the test runs).
    """
    calls: list[str] = []
    real: Callable[..., Any] = sessions.resolve_session_by_hash

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["token_hash"])
        return real(**kwargs)

    monkeypatch.setattr(sessions, "resolve_session_by_hash", counting)
    return calls
