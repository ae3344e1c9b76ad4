"""Run a service function with its own database session.

Quick services run inline or on a worker thread as the profile says
(`PROFILE.database_calls_inline`, realtime/profile.py: inline on SQLite, on a thread over
the network). Slow work (password hashing, copying uploads) always runs on a thread:
`call_slow_service`; a user's file work takes turns first (`call_file_service`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session

from chat_app.realtime.profile import PROFILE
from chat_app.services.database import (
    autocommit_session_scope,
    connection_session_scope,
    kept_session_scope,
    session_scope,
)

T = TypeVar("T")


def _in_scope(
    scope: Callable[[], AbstractContextManager[Session]],
    function: Callable[..., T],
    kwargs: dict[str, Any],
) -> T:
    with scope() as session:
        return function(session=session, **kwargs)


async def _call_quick(
    pooled_scope: Callable[[], AbstractContextManager[Session]],
    function: Callable[..., T],
    kwargs: dict[str, Any],
) -> T:
    if PROFILE.database_calls_inline:
        # One call at a time on the event loop's thread: its SQLite connection is kept.
        return _in_scope(kept_session_scope, function, kwargs)
    return await asyncio.to_thread(_in_scope, pooled_scope, function, kwargs)


async def call_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Call `function(session=..., **kwargs)`: inline or on a thread, as the profile says.

    Args:
        function: A quick service function taking a keyword-only `session`.
        **kwargs: Its other arguments.

    Returns:
        What the service returned; its exceptions propagate.
    """
    return await _call_quick(connection_session_scope, function, kwargs)


async def call_autocommit_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """`call_service` for a function whose statements each stand alone (the session check).

    On a database server it runs without a transaction around it: the session check runs
    for every event, and a BEGIN and a ROLLBACK around its one SELECT cost two PostgreSQL
    round trips each time. SQLite's transactions cost no round trip: as `call_service`.

    Args:
        function: A quick service function taking a keyword-only `session`.
        **kwargs: Its other arguments.

    Returns:
        What the service returned; its exceptions propagate.
    """
    return await _call_quick(autocommit_session_scope, function, kwargs)


async def call_slow_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Call a slow service (password hashing, file copies) on a worker thread.

    Args:
        function: A service function taking a keyword-only `session`.
        **kwargs: Its other arguments.

    Returns:
        What the service returned; its exceptions propagate.
    """
    return await asyncio.to_thread(_in_scope, session_scope, function, kwargs)


@dataclass
class _FileTurns:
    """A user's file calls waiting or running in this process, in turn."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    calls: int = 0


_file_turns: dict[int, _FileTurns] = {}


async def call_file_service(user_id: int, function: Callable[..., T], /, **kwargs: Any) -> T:
    """`call_slow_service` for a file (an upload, a picture, a forwarded file): one at a time.

    A file is copied and a picture decoded on one of the few threads of the loop's default
    pool, where a large picture may wait up to 20 s for its share of the decode budget
    (services/images.py). One user uploading from many tabs at once could hold them all
    while logins and everyone else's files queue; a user's file calls wait for their turn
    here, on the event loop, before a thread is taken.

    Args:
        user_id: Whose turn it is (the signed-in user).
        function: A service function taking a keyword-only `session`.
        **kwargs: Its other arguments.

    Returns:
        What the service returned; its exceptions propagate.
    """
    turns = _file_turns.setdefault(user_id, _FileTurns())
    turns.calls += 1
    try:
        async with turns.lock:
            return await call_slow_service(function, **kwargs)
    finally:
        turns.calls -= 1
        if not turns.calls:
            del _file_turns[user_id]


def form_text(form_data: Any, name: str) -> str:
    """A form field as text; anything that is not a string (forged input) becomes "".

    Args:
        form_data: The submitted form, as sent by the client (untrusted).
        name: The field name.

    Returns:
        The field's string value, or "".
    """
    if not isinstance(form_data, dict):
        return ""
    value = form_data.get(name)
    return value if isinstance(value, str) else ""


def form_id(form_data: Any, name: str) -> int:
    """A form's hidden id field (a conversation, a message's seq) as a number.

    Args:
        form_data: The submitted form (untrusted).
        name: The field name.

    Returns:
        The id, or 0 when absent or malformed (more than 18 ASCII digits, or not digits).
    """
    named = form_text(form_data, name)
    return int(named) if named.isascii() and named.isdigit() and len(named) <= 18 else 0
