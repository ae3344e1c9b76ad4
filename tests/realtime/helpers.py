"""Shared steps for raw-client tests: register users, open tabs, read pushed state."""

from __future__ import annotations

import itertools
from typing import Any

from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState
from tests.support.event_client import EventClient

AUTH = AuthState.get_full_name()
FRIENDS = FriendsState.get_full_name()
TOKEN_KEY = f"{AUTH}.session_token_rx_state_"
PASSWORD = "correct horse"
_names = itertools.count()


def unique_username(prefix: str) -> str:
    return f"{prefix}_{next(_names)}"


async def register(backend_url: str, username: str) -> EventClient:
    """A tab on /auth that registers `username` (and is then logged in)."""
    tab = EventClient(backend_url)
    await tab.connect("/auth")
    form = {
        "username": username,
        "nickname": username.title(),
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    await tab.call(AUTH, "register", {"form_data": form})
    await tab.wait_for(lambda c: c.var(AUTH, "username") == username)
    # The browser follows the redirect to "/", whose on_load fills the friend pane.
    await tab.call(FRIENDS, "load", {})
    await tab.wait_for(lambda c: c.var(FRIENDS, "friends") is not None)
    return tab


async def open_chat(backend_url: str, token: str) -> EventClient:
    """Another tab of the same browser: hydrates `/` with the stored session token."""
    tab = EventClient(backend_url, local_storage={TOKEN_KEY: token})
    await tab.connect("/")
    await tab.wait_for(lambda c: c.var(AUTH, "username") not in (None, ""))
    await tab.wait_for(lambda c: c.var(FRIENDS, "friends") is not None)
    return tab


def usernames(client: EventClient, list_name: str) -> list[str]:
    return [item["username"] for item in client.var(FRIENDS, list_name) or []]


def request_id_from(client: EventClient, username: str) -> int:
    incoming: list[dict[str, Any]] = client.var(FRIENDS, "incoming") or []
    return next(item["request_id"] for item in incoming if item["username"] == username)


def toasts(client: EventClient) -> list[str]:
    return [
        event["payload"]["function"]
        for event in client.events
        if event.get("name") == "_call_function" and "__toast" in event["payload"]["function"]
    ]


def session_token(client: EventClient) -> str:
    return client.var(AUTH, "session_token")


async def find_user_id(client: EventClient, username: str) -> int:
    """Search by exact username, as the search box does, and return the result's id."""
    await client.call(FRIENDS, "search", {"form_data": {"username": username}})
    await client.wait_for(
        lambda c: (c.var(FRIENDS, "search_result") or {}).get("username") == username
    )
    return client.var(FRIENDS, "search_result")["user_id"]
