"""A raw client of Reflex's `/_event` websocket protocol (Engine.IO 4 / Socket.IO 5).

It behaves like one browser tab: hydrates with its storage values, calls handlers, answers
the server's pings from a background reader (as a browser does, even while idle), and
merges the deltas it receives so tests can wait for what a user would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import websockets

ROOT_STATE = "reflex___state____state"


class EventClient:
    """One tab: a websocket, a Reflex client token and the state it has been sent."""

    def __init__(
        self,
        backend_url: str,
        *,
        local_storage: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.backend_url = backend_url
        # Extra HTTP headers of the websocket handshake (e.g. a forged X-Forwarded-For).
        self.headers = dict(headers or {})
        self.token = str(uuid.uuid4())
        self.local_storage = dict(local_storage or {})
        self.state: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.frames: list[str] = []
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._pathname = "/"
        # Called after every update frame (tests use it to see every intermediate state).
        self.observers: list[Callable[[EventClient], None]] = []
        # "<state>.<var>_rx_state_" keys kept in browser storage: the server's writes to
        # them are remembered and sent again on the next hydrate, as a browser does.
        self.storage_keys: set[str] = set(self.local_storage)

    def _router_data(self) -> dict[str, Any]:
        pathname = self._pathname.partition("#")[0]
        return {"pathname": pathname, "asPath": self._pathname, "query": {}}

    async def connect(self, pathname: str = "/") -> None:
        """Open the socket and hydrate (which runs the page's on_load handlers)."""
        self._pathname = pathname
        ws_url = self.backend_url.replace("http", "ws", 1)
        self._socket = await websockets.connect(
            f"{ws_url}/_event/?EIO=4&transport=websocket&token={self.token}",
            max_size=None,
            compression=None,
            additional_headers=self.headers or None,
        )
        opening = await self._socket.recv()
        assert opening.startswith("0"), opening
        hydrate = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {"vars": self.local_storage} if self.local_storage else {},
            "router_data": self._router_data(),
        }
        await self._socket.send("40/_event," + json.dumps({"event": hydrate}))
        self._reader = asyncio.create_task(self._read(self._socket))

    @property
    def local_port(self) -> int | None:
        """The client side's TCP port of the open socket (None when not connected)."""
        return self._socket.local_address[1] if self._socket is not None else None

    @property
    def closed(self) -> bool:
        """Whether the socket has ended: closed by the server, dropped or never opened."""
        return self._reader is None or self._reader.done()

    async def _read(self, socket: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed, OSError):
            async for frame in socket:
                await self._handle(socket, frame)
        self._changed.set()

    async def call(self, state_name: str, handler: str, payload: dict[str, Any]) -> None:
        """Send an event, as a click or a form submit would (no answer is awaited)."""
        event = {
            "name": f"{state_name}.{handler}",
            "payload": payload,
            "router_data": self._router_data(),
        }
        await self._send_frame("42/_event," + json.dumps(["event", event]))

    async def _send_frame(self, frame: str) -> None:
        await self._socket.send(frame)

    def var(self, state_name: str, name: str, default: Any = None) -> Any:
        """The last value the server sent for a var."""
        return self.state.get(state_name, {}).get(f"{name}_rx_state_", default)

    async def wait_for(
        self, condition: Callable[[EventClient], bool], timeout: float = 10.0
    ) -> None:
        """Wait until `condition(self)` holds; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not condition(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; last frames: {self.frames[-5:]}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def _handle(self, socket: Any, frame: str) -> None:
        if frame == "2":
            await socket.send("3")
            return
        self.frames.append(frame)
        if frame.startswith("42/_event,"):
            name, update = json.loads(frame[len("42/_event,") :])
            if name == "event":
                self._merge(update)
                await self._dispatch_backend_events(socket, update.get("events") or [])
        self._changed.set()

    async def _dispatch_backend_events(self, socket: Any, events: list[dict[str, Any]]) -> None:
        # Events naming a state handler come back to the server, as the browser sends them.
        for event in events:
            if event.get("name", "").startswith(f"{ROOT_STATE}."):
                message = {**event, "router_data": self._router_data()}
                await socket.send("42/_event," + json.dumps(["event", message]))

    def _merge(self, update: dict[str, Any]) -> None:
        for state_name, delta in (update.get("delta") or {}).items():
            self.state.setdefault(state_name, {}).update(delta)
            for var_name, value in delta.items():
                if f"{state_name}.{var_name}" in self.storage_keys:
                    self.local_storage[f"{state_name}.{var_name}"] = value
        self.events.extend(update.get("events") or [])
        for event in update.get("events") or []:
            # A move to a fragment of this page (an open conversation's history entry) is
            # followed as a browser does: no page load, later events carry the address.
            path = (event.get("payload") or {}).get("path") or ""
            here = self._pathname.partition("#")[0]
            if event.get("name") == "_redirect" and path.startswith(f"{here}#"):
                self._pathname = path
        for observer in self.observers:
            observer(self)

    def event_names(self) -> list[str]:
        """Names of the frontend events the server sent (redirects, toasts...)."""
        return [event.get("name", "") for event in self.events]

    async def _stop_reader(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def drop(self) -> None:
        """Cut the connection without a close frame and stop answering pings (network loss)."""
        await self._stop_reader()
        if self._socket is not None:
            self._socket.transport.abort()
            self._socket = None

    async def go_silent(self) -> None:
        """Stop answering and reading, but keep the TCP connection open: a silent drop
        (a phone losing coverage), noticed by the server only through missed pongs."""
        await self._stop_reader()

    @property
    def address(self) -> str:
        """Where the tab is: its path, and the fragment of an open conversation's entry."""
        return self._pathname

    def navigate(self, pathname: str) -> None:
        """Follow a client-side redirect: later events carry the new path."""
        self._pathname = pathname

    async def reconnect(self, pathname: str | None = None) -> None:
        """Connect again with the same tab token (the browser's reconnect) and hydrate."""
        if self._socket is not None:
            await self.drop()
        await self.connect(pathname or self._pathname)

    async def close(self) -> None:
        """Close the socket cleanly, like closing a tab."""
        await self._stop_reader()
        if self._socket is not None:
            await self._socket.close()
            self._socket = None
