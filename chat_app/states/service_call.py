"""Run a service function on a worker thread with its own database session.

Services are synchronous (and password hashing is slow by design); running them here keeps
the event loop free for every other tab of the worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from chat_app.services.database import session_scope

T = TypeVar("T")


def _in_session(function: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with session_scope() as session:
        return function(session=session, **kwargs)


async def call_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Call `function(session=..., **kwargs)` off the event loop.

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
