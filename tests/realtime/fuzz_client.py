"""The fuzzing client of tests/realtime/test_handler_fuzz.py: one tab sending forged events.

Each forged event is followed by a barrier (an event whose answer proves every earlier one
was handled), so a handler that hangs, crashes (the app's error toast) or drops the socket
is seen at the call that caused it.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from chat_app.states.emoji_picker import EmojiPickerState
from tests.realtime.helpers import AUTH, PASSWORD, STORAGE_KEYS
from tests.support.event_client import EventClient
from tests.support.handler_fuzz import Handler

EMOJI = EmojiPickerState.get_full_name()
# The id of the toast the app's backend exception handler sends (states/error_handler.py).
BACKEND_ERROR = "backend-error"
# A handler that takes longer than this to answer counts as a hang.
ANSWER_TIMEOUT = 15.0


@dataclass
class Findings:
    """What went wrong, per handler (phase and handler name -> descriptions)."""

    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    log_bytes: dict[str, int] = field(default_factory=dict)
    sessions_ended: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    # The slowest single call and where (a stall of the caller's own tab shows here).
    slowest_call: tuple[float, str] = (0.0, "")

    def add(self, where: str, what: str) -> None:
        if len(self.problems[where]) < 5:
            self.problems[where].append(what[:600])


def _short(payload: Any) -> str:
    text = json.dumps(payload, ensure_ascii=True)
    return text if len(text) < 200 else text[:200] + f"...({len(text)} chars)"


class Fuzzer:
    """One tab that sends forged events, logged in as `username` or anonymous."""

    def __init__(self, url: str, findings: Findings, username: str | None = None):
        self.url = url
        self.findings = findings
        self.username = username
        self.token = ""
        self.tab: EventClient | None = None
        self.nonce = 0
        self.crashed = False

    async def start(self, token: str = "") -> None:
        self.token = token
        await self._new_tab()

    async def _new_tab(self) -> None:
        if self.tab is not None:
            with contextlib.suppress(Exception):
                await self.tab.close()
        storage = {f"{AUTH}.session_token_rx_state_": self.token} if self.token else {}
        self.tab = EventClient(self.url, local_storage=storage)
        self.tab.storage_keys |= STORAGE_KEYS
        await self.tab.connect("/")
        if self.username is not None:
            # The page's on_load resolves the session: logged in, or sent to /auth.
            await self.tab.wait_for(
                lambda t: (
                    t.var(AUTH, "username") == self.username or "_redirect" in t.event_names()
                ),
                ANSWER_TIMEOUT,
            )
            if self.tab.var(AUTH, "username") != self.username:
                await self._login()

    async def _login(self) -> None:
        assert self.tab is not None
        assert self.username is not None
        self.tab.navigate("/auth")
        form = {"username": self.username, "password": PASSWORD}
        await self._send("login", AUTH, {"form_data": form})
        await self.tab.wait_for(lambda t: t.var(AUTH, "username") == self.username, ANSWER_TIMEOUT)
        self.token = self.tab.var(AUTH, "session_token")
        self.tab.navigate("/")

    async def _send(self, handler: str, state: str, payload: Any) -> None:
        assert self.tab is not None
        event = {
            "name": f"{state}.{handler}",
            "payload": payload,
            "router_data": {
                "pathname": self.tab._pathname,
                "asPath": self.tab._pathname,
                "query": {},
            },
        }
        await self.tab._send_frame("42/_event," + json.dumps(["event", event]))

    def _alive(self) -> bool:
        tab = self.tab
        return tab is not None and tab._reader is not None and not tab._reader.done()

    async def _barrier(self) -> bool:
        """Wait until every event sent so far has been handled; False if none came back."""
        assert self.tab is not None
        self.nonce += 1
        nonce = f"fuzz-{self.nonce}"
        mark = len(self.tab.frames)
        if self.username is not None:
            # Re-resolves the session: a session that is no longer valid empties `username`.
            await self._send("require_login", AUTH, {})
        await self._send("set_query", EMOJI, {"value": nonce})

        def answered(tab: EventClient) -> bool:
            return any(nonce in frame for frame in tab.frames[mark:])

        try:
            await self.tab.wait_for(answered, ANSWER_TIMEOUT)
        except TimeoutError:
            return False
        # The app's backend exception handler answers a failed handler with this toast:
        # a crash is seen here even when the log guard rate-limits its traceback.
        self.crashed = any(BACKEND_ERROR in frame for frame in self.tab.frames[mark:])
        return True

    async def ready(self) -> None:
        """Before an example: a live socket, and the session (or none) this phase needs."""
        if not self._alive():
            self.findings.notes.append("socket closed by the server; reconnected")
            await self._new_tab()
        assert self.tab is not None
        shown_name = self.tab.var(AUTH, "username") or ""
        if self.username is None and shown_name:
            # A forged register or login that worked: the anonymous phase goes on anonymous.
            self.findings.notes.append(f"anonymous tab got logged in as {shown_name!r}")
            self.token = ""
            await self._new_tab()
        elif self.username is not None and shown_name != self.username:
            await self._new_tab()
            assert self.tab.var(AUTH, "username") == self.username

    async def call(self, handler: Handler, payload: Any, where: str) -> None:
        """Send one forged event and wait until it has been handled."""
        await self.ready()
        self.findings.calls += 1
        sent = time.monotonic()
        await self._send(handler.name, handler.state, payload)
        answered = await self._barrier()
        took = time.monotonic() - sent
        if took > self.findings.slowest_call[0]:
            self.findings.slowest_call = (took, f"{where} {_short(payload)}")
        if answered and self.crashed:
            self.findings.add(where, f"handler raised (error toast) for {_short(payload)}")
        tab = self.tab
        if answered and self.username and tab and tab.var(AUTH, "username") != self.username:
            # The next example logs in again first (`ready`): say what ended it.
            self.findings.sessions_ended[where] = self.findings.sessions_ended.get(where, 0) + 1
        if not answered:
            if not self._alive():
                self.findings.notes.append(f"{where}: socket dropped after {_short(payload)}")
                return
            self.findings.add(where, f"no answer within {ANSWER_TIMEOUT} s to {_short(payload)}")
            if not await pings(self.url):
                raise AssertionError(f"backend stopped answering /ping after {where}")
            await self._new_tab()

    async def close(self) -> None:
        if self.tab is not None:
            await self.tab.close()


async def pings(url: str, timeout: float = 5.0) -> bool:
    """Whether GET /ping answers 200 within `timeout` seconds."""
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/ping", timeout=timeout)).status_code == 200
    except httpx.HTTPError:
        return False
