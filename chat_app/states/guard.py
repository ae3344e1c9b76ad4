"""The wrapper behind the session guard: run a handler with its user's id, or go to /auth.

Features use `viewer.signed_in`. The wrapper lives here, below `auth.py`, so that AuthState's
own privileged handlers (change password, log out everywhere) use the same one with the
session they hold: `viewer.py` imports AuthState, so `auth.py` cannot import it.

The id is not part of the event's payload: the wrapper's signature (what Reflex and the
argument guard read) leaves it out, so a client cannot send one.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import reflex as rx

from chat_app import routes

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound=rx.State)


def _public_signature(handler: Callable[..., Any]) -> inspect.Signature:
    """The handler's signature without the injected user id (what a client may send)."""
    signature = inspect.signature(handler)
    parameters = list(signature.parameters.values())
    return signature.replace(parameters=[parameters[0], *parameters[2:]])


def guarded(
    handler: Callable[Concatenate[S, int, P], R],
    resolve: Callable[[S], Awaitable[int | None]],
) -> Callable[Concatenate[S, P], R]:
    """Wrap a handler so it runs with the id `resolve` finds, or redirects the tab to /auth.

    Args:
        handler: `async def handler(self, viewer_id: int, ...)`, a coroutine or an async
            generator.
        resolve: The tab's signed-in user's id, None without a valid session.

    Returns:
        The handler as Reflex registers it: without the id in its signature.
    """
    injected = list(inspect.signature(handler).parameters)[1]
    if inspect.isasyncgenfunction(handler):

        @functools.wraps(handler)
        async def stream(self: S, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[Any]:
            viewer_id = await resolve(self)
            if viewer_id is None:
                yield rx.redirect(routes.AUTH, replace=True)
                return
            async for update in handler(self, viewer_id, *args, **kwargs):  # type: ignore[attr-defined]
                yield update

        wrapper: Any = stream
    else:

        @functools.wraps(handler)
        async def call(self: S, *args: P.args, **kwargs: P.kwargs) -> Any:
            viewer_id = await resolve(self)
            if viewer_id is None:
                return rx.redirect(routes.AUTH, replace=True)
            return await _awaited(handler(self, viewer_id, *args, **kwargs))

        wrapper = call
    wrapper.__signature__ = _public_signature(handler)
    wrapper.__annotations__ = {
        name: hint for name, hint in handler.__annotations__.items() if name != injected
    }
    return wrapper


async def _awaited(result: Any) -> Any:
    return await result if isinstance(result, Awaitable) else result
