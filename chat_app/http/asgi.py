"""The ASGI types the HTTP guards share, and the one way they answer a request themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def reply(
    send: Send, status: int, body: bytes, content_type: str, *, close: bool = False
) -> None:
    """Answer with a small complete response.

    Args:
        send: The ASGI send callable.
        status: The HTTP status.
        body: The whole body.
        content_type: Its media type.
        close: Ask the client to close the connection (the request's body is left unread).
    """
    headers = [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body))]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
