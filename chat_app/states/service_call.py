"""Run a service function with its own database session.

On SQLite a query takes well under a millisecond, less than handing it to a thread and
waking the event loop again (the benchmark measured ~10 % of the server's CPU per message
in that hand-off), so SQLite services run inline. Over the network (PostgreSQL) every
query waits for a round trip: there they run on a worker thread, keeping the event loop
free for the other tabs. Slow work (password hashing, copying uploads) always runs on a
thread: `call_slow_service`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from chat_app.services.database import get_engine, session_scope

T = TypeVar("T")


def _in_session(function: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with session_scope() as session:
        return function(session=session, **kwargs)


@functools.cache
def database_is_local() -> bool:
    """Whether the database is SQLite (a local file, queried inline).

    Returns:
        True for SQLite.
    """
    return get_engine().dialect.name == "sqlite"


async def call_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Call `function(session=..., **kwargs)`: inline on SQLite, on a thread otherwise.

    Args:
        function: A quick service function taking a keyword-only `session`.
        **kwargs: Its other arguments.

    Returns:
        What the service returned; its exceptions propagate.
    """
    if database_is_local():
        return _in_session(function, kwargs)
    return await asyncio.to_thread(_in_session, function, kwargs)


async def call_slow_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Call a slow service (password hashing, file copies) on a worker thread.

    Args:
        function: A service function taking a keyword-only `session`.
        **kwargs: Its other arguments.

    Returns:
        What the service returned; its exceptions propagate.
    """
    return await asyncio.to_thread(_in_session, function, kwargs)


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
