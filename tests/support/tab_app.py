"""A stand-in rx.App for server-less tabs: pushes run through `realtime.push` for real.

It holds the tabs' root states (every one connected) and records what each tab's browser
is sent. Used by state tests that follow a push from tab to tab (tests/states/test_chime.py)
and by the message meter (tests/load/message_phases.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import reflex as rx
from reflex.state import BaseState

from chat_app.realtime import push


class TabsApp:
    """What `realtime.push` needs of an rx.App: the tabs' states, and what each was sent."""

    def __init__(self) -> None:
        self.roots: dict[str, BaseState] = {}
        self.sent: dict[str, list[str]] = {}

        async def connected(token: str) -> bool:
            return token in self.roots

        async def emit_update(update: Any, token: str) -> None:
            self.sent.setdefault(token, []).extend(event.name for event in update.events)

        self.event_namespace = SimpleNamespace(
            # No socket ids: a read checks that its tab's socket is still the same one.
            _token_manager=SimpleNamespace(is_token_connected=connected, token_to_socket={}),
            emit_update=emit_update,
        )

    def connect(self, *tabs: rx.State) -> None:
        """Connect these tabs and push to them (a push to a tab not connected forgets it)."""
        for tab in tabs:
            root = tab.parent_state
            assert root is not None
            self.roots[tab.router.session.client_token] = root
        push.bind_app(self)

    @contextlib.asynccontextmanager
    async def modify_state(self, token: Any) -> AsyncIterator[BaseState]:
        """The tab's root state (one task at a time touches it in these tests)."""
        yield self.roots[token.ident]
