"""ASGI wrapper around Reflex's /_upload: size limit, and no public file serving.

Reflex sets no limit of its own on POST /_upload. A declared Content-Length over the limit
is refused at once (413, body unread); a chunked body is counted as it streams and cut off
when it passes the limit. Reflex also serves the upload folder to anyone at GET /_upload/;
chat files are private, so that is closed (downloads go through /files/ only), at
`/_upload/` and under the configured backend path (`REFLEX_BACKEND_PATH=/api` moves
Reflex's routes to `/api/_upload`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from chat_app.http.asgi import ASGIApp, Message, Receive, Scope, Send, reply

# Multipart framing and the form's other fields come on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024


async def _send_413(send: Send, limit: int) -> None:
    body = json.dumps({"detail": "file_too_large", "limit_bytes": limit}).encode()
    await reply(send, 413, body, "application/json", close=True)


async def _send_404(send: Send) -> None:
    await reply(send, 404, b"Not found", "text/plain")


def upload_guard(limit_bytes: int, upload_path: str = "/_upload") -> Callable[[ASGIApp], ASGIApp]:
    """Make the transformer that wraps the backend app.

    Args:
        limit_bytes: The largest file accepted.
        upload_path: Reflex's upload route with the backend path in front
            (`config.prepend_backend_path("/_upload")`).

    Returns:
        A function from the ASGI app to the limited ASGI app.
    """
    allowed = limit_bytes + MULTIPART_OVERHEAD
    # Both: the folder must stay closed whatever backend path a later start configures.
    served_prefixes = tuple({"/_upload/", upload_path.rstrip("/") + "/"})
    upload_routes = {"/_upload", upload_path.rstrip("/")}

    def wrap(app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "") if scope["type"] == "http" else ""
            if (path.startswith(served_prefixes) or path in upload_routes) and scope.get(
                "method"
            ) in ("GET", "HEAD"):
                await _send_404(send)
                return
            if not (
                scope["type"] == "http"
                and scope.get("method") == "POST"
                and path.rstrip("/") in upload_routes
            ):
                await app(scope, receive, send)
                return
            headers = dict(scope.get("headers") or [])
            declared = headers.get(b"content-length", b"")
            if declared.isdigit() and int(declared) > allowed:
                await _send_413(send, limit_bytes)
                return
            received = 0
            too_large = False
            response_started = False

            async def counting_receive() -> Message:
                nonlocal received, too_large
                if too_large:
                    return {"type": "http.disconnect"}
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > allowed:
                        # Stop feeding the app; it sees a disconnect and stores nothing.
                        too_large = True
                        return {"type": "http.disconnect"}
                return message

            async def guarded_send(message: Message) -> None:
                nonlocal response_started
                if too_large:
                    return
                response_started = True
                await send(message)

            try:
                await app(scope, counting_receive, guarded_send)
            except Exception:
                # The app sees the cut-off body as a client disconnect and gives up: expected.
                if not too_large:
                    raise
            if too_large and not response_started:
                await _send_413(send, limit_bytes)

        return limited

    return wrap
