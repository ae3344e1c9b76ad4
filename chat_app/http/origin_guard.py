"""Refuse browsers on foreign sites: an `Origin` must be the request's own host or listed.

A page on any other site can open a websocket to the backend (browsers apply no CORS to
websockets) or post to it; only the `Origin` header tells such a request apart. Accepted:

- an Origin whose host and port equal the request's `Host` header: the page was loaded
  from this very server, under whatever name reached it (a LAN address, a `.local` name,
  a new DHCP lease), so nothing has to be configured for `make run`;
- an Origin in the configured list (`REFLEX_CORS_ALLOWED_ORIGINS`: a static export on
  another host, the dev server's page); a `*` entry is ignored, never "any origin";
- no Origin at all: not a browser page (curl, the tests' raw clients, an `<img>` or a
  link opened in a new tab), which a foreign site cannot make carry the user's login,
  since that lives in the browser storage of our origin, not in a cookie.

Refused: websocket handshakes with 403, HTTP requests with 403. Trade-off: a DNS-rebinding
page (an attacker's name resolving to this server) is "its own host" here; it still never
sees a login token, which stays in our origin's storage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from chat_app.http.asgi import ASGIApp, Receive, Scope, Send, reply

logger = logging.getLogger(__name__)


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalise_origin(origin: str) -> str | None:
    """`scheme://host[:port]` in lowercase, default port left out; None if not an origin.

    Args:
        origin: An Origin header value or a configured entry.

    Returns:
        The comparable form, or None for `null`, `*`, paths and other non-origins.
    """
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def _same_host(origin: str, host_header: str) -> bool:
    """Whether a normalised origin names the host and port the request was sent to."""
    try:
        target = urlsplit("//" + host_header.strip().lower())
        target_port = target.port
    except ValueError:
        return False
    origin_parts = urlsplit(origin)
    if not target.hostname or origin_parts.hostname != target.hostname:
        return False
    origin_port = origin_parts.port or _DEFAULT_PORTS[origin_parts.scheme]
    if target_port is None:
        # The browser left out the port: the scheme's default, which a proxy may have
        # changed (TLS ends at nginx), so either default port is this host.
        return origin_parts.port is None
    return origin_port == target_port


# Refused origins are logged once each (a misconfigured list shows in the log), up to this
# many: a flood of made-up origins cannot flood the log.
_LOGGED_REFUSALS = 100


class OriginPolicy:
    """Which Origins may talk to the backend: the request's own host, plus a list."""

    def __init__(self, configured: Iterable[str]) -> None:
        self.allowed: set[str] = set()
        self._logged: set[str] = set()
        for entry in configured:
            normalised = normalise_origin(entry)
            if normalised is None:
                if entry.strip():
                    logger.warning(
                        "Ignored %r in REFLEX_CORS_ALLOWED_ORIGINS: only scheme://host[:port] "
                        "entries are accepted (the page's own host always is).",
                        entry,
                    )
                continue
            self.allowed.add(normalised)

    def allows(self, origin: str | None, host_header: str | None) -> bool:
        """Decide one request.

        Args:
            origin: The Origin header, None when absent.
            host_header: The Host header, None when absent.

        Returns:
            True when the request may go on.
        """
        if origin is None:
            return True
        normalised = normalise_origin(origin)
        if normalised is None:
            return False  # "null" (sandboxed frames, file://) and garbage
        if normalised in self.allowed:
            return True
        return host_header is not None and _same_host(normalised, host_header)

    def note_refusal(self, origin: str | None, host_header: str | None) -> None:
        """Log a refused origin the first time it is seen (bounded, truncated)."""
        key = (origin or "")[:100]
        if key in self._logged or len(self._logged) >= _LOGGED_REFUSALS:
            return
        self._logged.add(key)
        logger.warning(
            "Refused a request from Origin %r to Host %r: not this host and not in "
            "REFLEX_CORS_ALLOWED_ORIGINS.",
            key,
            (host_header or "")[:100],
        )

    def engineio_check(self, origin: str | None, environ: dict[str, Any]) -> bool:
        """The same decision in python-engineio's `cors_allowed_origins` callable form."""
        return self.allows(origin, environ.get("HTTP_HOST"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _refuse(scope: Scope, send: Send) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting: the server answers the handshake with 403.
        await send({"type": "websocket.close", "code": 1008})
        return
    await reply(send, 403, b"Forbidden origin", "text/plain")


def origin_guard(policy: OriginPolicy) -> Callable[[ASGIApp], ASGIApp]:
    """Make the transformer that refuses requests from foreign Origins.

    Args:
        policy: What is allowed.

    Returns:
        A function from the ASGI app to the guarded ASGI app.
    """

    def wrap(app: ASGIApp) -> ASGIApp:
        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] in ("http", "websocket"):
                origin = _header(scope, b"origin")
                host = _header(scope, b"host")
                if not policy.allows(origin, host):
                    policy.note_refusal(origin, host)
                    if scope["type"] == "websocket":
                        await receive()  # the websocket.connect message
                    await _refuse(scope, send)
                    return
            await app(scope, receive, send)

        return guarded

    return wrap
