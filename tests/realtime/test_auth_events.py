"""Auth over the real `/_event` protocol: forged events, and live end of other sessions."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from chat_app.states.auth import AuthState
from chat_app.states.password_change import PasswordChangeState
from tests.support.event_client import EventClient

AUTH = AuthState.get_full_name()
PASSWORD_CHANGE = PasswordChangeState.get_full_name()
TOKEN_KEY = f"{AUTH}.session_token_rx_state_"
PASSWORD = "correct horse"
_names = itertools.count()


def registration(username: str) -> dict[str, Any]:
    return {
        "form_data": {
            "username": username,
            "nickname": username.title(),
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        }
    }


def redirected_to(client: EventClient, path: str) -> bool:
    return any(
        event.get("name") == "_redirect" and event.get("payload", {}).get("path") == path
        for event in client.events
    )


async def registered_tab(backend_url: str) -> tuple[EventClient, str]:
    username = f"rt_{next(_names)}"
    tab = EventClient(backend_url)
    await tab.connect("/auth")
    await tab.call(AUTH, "register", registration(username))
    await tab.wait_for(lambda c: c.var(AUTH, "username") == username)
    return tab, tab.var(AUTH, "session_token")


@pytest.mark.parametrize(
    ("state", "handler", "payload"),
    [
        (AUTH, "login", {}),
        (AUTH, "login", {"form_data": "not a form"}),
        (AUTH, "register", {"form_data": {"username": ["x"], "password": {"a": 1}}}),
        (PASSWORD_CHANGE, "change_password", {"form_data": 12}),
        (AUTH, "no_such_handler", {}),
        (AUTH, "_forget_user", {}),
    ],
)
async def test_forged_events_get_a_generic_answer_and_the_server_keeps_serving(
    backend_url: str, state: str, handler: str, payload: dict[str, Any]
):
    attacker = EventClient(backend_url)
    await attacker.connect("/auth")
    await attacker.wait_for(lambda c: c.var(AUTH, "busy") is not None)
    await attacker.call(state, handler, payload)
    # Whatever came back names no exception, path or trace.
    honest, _ = await registered_tab(backend_url)
    sent = json.dumps(attacker.frames)
    for leak in ("Traceback", "Error:", ".py", "TypeError", "KeyError"):
        assert leak not in sent
    assert attacker.var(AUTH, "session_token") == ""
    await attacker.close()
    await honest.close()


async def test_a_forged_token_on_the_chat_page_is_sent_to_auth(backend_url: str):
    # Well-formed (a malformed token counts as absent: tests/states/test_client_input.py).
    tab = EventClient(backend_url, local_storage={TOKEN_KEY: "f" * 43})
    await tab.connect("/")
    await tab.wait_for(lambda c: redirected_to(c, "/auth"))
    assert tab.var(AUTH, "username") == ""
    assert tab.var(AUTH, "notice") == "Your session has ended. Please log in again."
    await tab.close()


async def test_logout_everywhere_reaches_the_other_devices_without_their_action(
    backend_url: str,
):
    laptop, token = await registered_tab(backend_url)
    username = laptop.var(AUTH, "username")
    phone = EventClient(backend_url)
    await phone.connect("/auth")
    await phone.call(AUTH, "login", {"form_data": {"username": username, "password": PASSWORD}})
    await phone.wait_for(lambda c: c.var(AUTH, "username") == username)
    # A second tab of the laptop's browser shares the laptop's token.
    laptop_tab2 = EventClient(backend_url, local_storage={TOKEN_KEY: token})
    await laptop_tab2.connect("/")
    await laptop_tab2.wait_for(lambda c: c.var(AUTH, "username") == username)
    phone.events.clear()

    await laptop.call(AUTH, "logout_everywhere", {})
    await laptop.wait_for(lambda c: redirected_to(c, "/auth"))

    for other in (phone, laptop_tab2):
        await other.wait_for(lambda c: redirected_to(c, "/auth"))
        assert other.var(AUTH, "session_token") == ""
        assert other.var(AUTH, "username") == ""
    for tab in (laptop, phone, laptop_tab2):
        await tab.close()
