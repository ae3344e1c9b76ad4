"""Forged error reports, mistyped events and forged browser storage over a real socket.

What a client can make the server log is bounded and never holds an event payload
(chat_app/log_guard.py); forged browser storage values are treated as absent, with no
traceback, and the app keeps serving (chat_app/states/client_input.py).
"""

from __future__ import annotations

import urllib.request
import uuid
from pathlib import Path
from typing import Any

import websockets

from chat_app.states.ui import UiState
from tests.realtime.helpers import (
    AUTH,
    CONVERSATION,
    OPEN_FRIEND_KEY,
    TOKEN_KEY,
    UNREAD,
    open_chat,
    register,
    session_token,
    unique_username,
)
from tests.support.event_client import ROOT_STATE, EventClient

UI = UiState.get_full_name()
LANGUAGE_KEY = f"{UI}.language_rx_state_"
FRONTEND = f"{ROOT_STATE}.reflex___state____frontend_event_exception_state"
UPDATE_VARS = f"{ROOT_STATE}.reflex___state____update_vars_internal_state"
# Just under the 1,000,000-byte frame limit, over which the server drops the socket.
NEAR_MEGABYTE = 950_000
FORGED: list[Any] = [{"a": 1}, [1, 2], 7, 3.5, None, True, False, "²", "-1", "zh\n"]
FAILURES = ("Traceback", "TypeError", "ValueError", "KeyError", "AttributeError", "Expected field")


def log_size(log: Path) -> int:
    return log.stat().st_size


def added_log(log: Path, start: int) -> str:
    return log.read_bytes()[start:].decode("utf-8", "replace")


async def settle(tab: EventClient) -> None:
    """Wait until the server has handled everything this tab sent so far.

    A tab's events run one after the other, and the worker writes its log straight to
    the file: once a later event's change arrives, what the earlier ones logged is there.
    """
    target = "zh" if tab.var(UI, "language") != "zh" else "en"
    await tab.call(UI, "set_language", {"language": target})
    await tab.wait_for(lambda c: c.var(UI, "language") == target, timeout=60)


def ping(backend_url: str) -> None:
    with urllib.request.urlopen(f"{backend_url}/ping", timeout=2) as response:  # noqa: S310
        assert response.status == 200


async def test_clients_cannot_flood_the_log_nor_get_a_payload_logged(backend):
    tab = EventClient(backend.url)
    await tab.connect("/auth")
    await tab.wait_for(lambda c: c.var(UI, "language") in ("en", "zh"))
    await settle(tab)
    start = log_size(backend.log)
    password = f"Pw-{uuid.uuid4().hex}"
    forged_line = f"FORGED{uuid.uuid4().hex[:8]}"

    # 50 error reports, each a forged log record followed by almost a megabyte.
    report = f"boom\nERROR {forged_line} admin logged in\n\x1b[2K" + "A" * NEAR_MEGABYTE
    for _ in range(50):
        await tab.call(
            FRONTEND, "handle_frontend_exception", {"info": report, "component_stack": ""}
        )
    # A login event with a typo in its name, carrying a password.
    form = {"username": "ann", "password": password}
    await tab.call(AUTH, "logn", {"form_data": form})
    # A login event whose payload does not fit (a password where a dict belongs).
    await tab.call(AUTH, "login", {"form_data": password})
    await settle(tab)
    # Logged by name (Reflex) or dropped unlogged (ArgumentGuard), never with its payload.
    text = added_log(backend.log, start)

    assert len(text.encode()) < 20_000, text[:3000]
    assert password not in text
    assert "A" * 600 not in text
    # Nothing the client sent starts a line of the log.
    forged_starts = ("ERROR " + forged_line, forged_line)
    assert not [line for line in text.splitlines() if line.startswith(forged_starts)]
    ping(backend.url)
    await tab.close()


async def test_forged_browser_storage_is_absent_and_logs_no_traceback(backend):
    owner = await register(backend.url, unique_username("storage"))
    await settle(owner)
    token = session_token(owner)
    start = log_size(backend.log)

    # At connect: every storage var forged at once, in the hydrate payload.
    for forged in [*FORGED, "x" * 300_000]:
        forged_keys = {TOKEN_KEY: forged, OPEN_FRIEND_KEY: forged, LANGUAGE_KEY: forged}
        tab = EventClient(backend.url, local_storage=forged_keys)
        await tab.connect("/")
        # Treated as logged out and sent to /auth, in a language of its own choosing.
        await tab.wait_for(lambda c: "_redirect" in c.event_names(), timeout=20)
        await tab.wait_for(lambda c: c.var(UI, "language") in ("en", "zh"))
        await settle(tab)
        await tab.close()

    # Later: through update_vars_internal on a logged-in tab, then the handlers that read them.
    tab = await open_chat(backend.url, token)
    for forged in [*FORGED, "x" * NEAR_MEGABYTE]:
        vars_ = {OPEN_FRIEND_KEY: forged, LANGUAGE_KEY: forged if len(str(forged)) < 100 else "en"}
        await tab.call(UPDATE_VARS, "update_vars_internal", {"vars": vars_})
        await tab.call(UI, "detect_language", {})
        await tab.call(UNREAD, "load", {})
        await tab.call(CONVERSATION, "load", {})
        await settle(tab)
        assert tab.var(AUTH, "username") == owner.var(AUTH, "username")
    # A well-formed value still goes through.
    await tab.call(UPDATE_VARS, "update_vars_internal", {"vars": {LANGUAGE_KEY: "zh"}})
    await tab.wait_for(lambda c: c.var(UI, "language") == "zh")
    # A forged token is an absent token (the browser's copy is blanked too).
    await tab.call(UPDATE_VARS, "update_vars_internal", {"vars": {TOKEN_KEY: {"a": 1}}})
    await tab.wait_for(lambda c: c.var(AUTH, "session_token") == "")
    await tab.call(UNREAD, "load", {})
    await tab.call(CONVERSATION, "load", {})
    await settle(tab)

    text = added_log(backend.log, start)
    for failure in FAILURES:
        assert failure not in text, text[-3000:]
    ping(backend.url)
    again = await open_chat(backend.url, token)
    await again.close()
    await tab.close()
    await owner.close()


async def send_raw(backend_url: str, frame: str) -> None:
    """One connection that sends a frame the server cannot decode, then goes away."""
    ws_url = backend_url.replace("http", "ws", 1)
    async with websockets.connect(
        f"{ws_url}/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}", compression=None
    ) as socket:
        await socket.recv()
        await socket.send("40/_event,")
        await socket.send(frame)
        # The server answers the CONNECT packet: the bad frame after it is being read.
        await socket.recv()


async def test_malformed_frames_log_a_few_tracebacks_then_a_count(backend):
    """Every undecodable frame makes python-socketio log a traceback: paced per call site."""
    start = log_size(backend.log)
    password = f"Pw-{uuid.uuid4().hex}"
    sent = 0
    paced = ("suppressing them", "similar records suppressed")
    while not any(mark in added_log(backend.log, start) for mark in paced):
        assert sent < 60, added_log(backend.log, start)[-3000:]
        await send_raw(backend.url, f'42/_event,["event",{{bad json "{password}"')
        sent += 1
    await send_raw(backend.url, f'42/_event,["event",{{bad json "{password}"')
    text = added_log(backend.log, start)
    assert password not in text
    # At most each worker's burst of tracebacks (10 of about 2 KB) and its notice: the
    # pacing is per process, and the scaled backend runs two workers.
    workers = 2 if backend.profile == "scaled" else 1
    assert len(text.encode()) < workers * 25_000
    ping(backend.url)
