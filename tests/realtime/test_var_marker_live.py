"""A nickname holding Reflex's Var marker reaches other tabs as plain text; the server lives.

Before the fix, such a nickname in a toast built on the server froze the backend (non-numeric
content: Reflex's parser never left its loop) or dropped the push (numeric: KeyError). The
nickname is written into the database directly: registration now refuses it, but names
stored earlier, or by a later path, must be just as harmless.
"""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from chat_app.services import text_rules
from tests.realtime.conftest import Backend
from tests.realtime.helpers import (
    AUTH,
    CONVERSATION,
    FRIENDS,
    PASSWORD,
    STORAGE_KEYS,
    UNREAD,
    find_user_id,
    open_conversation,
    register,
    request_id_from,
    send_text,
    toasts,
    unique_username,
    usernames,
)
from tests.support.event_client import EventClient
from tests.support.toasts import toast_text


def set_nickname(database_url: str, username: str, nickname: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text('UPDATE "user" SET nickname = :nickname WHERE username = :username'),
            {"nickname": nickname, "username": username},
        )
    engine.dispose()


async def log_in(backend_url: str, username: str) -> EventClient:
    """A new tab that logs in with the password (and so reads the profile from the database)."""
    tab = EventClient(backend_url)
    tab.storage_keys |= STORAGE_KEYS
    await tab.connect("/auth")
    await tab.call(AUTH, "login", {"form_data": {"username": username, "password": PASSWORD}})
    await tab.wait_for(lambda c: c.var(AUTH, "username") == username)
    tab.navigate("/")
    await tab.call(FRIENDS, "load", {})
    await tab.call(UNREAD, "load", {})
    await tab.call(CONVERSATION, "load", {})
    await tab.wait_for(lambda c: c.var(FRIENDS, "friends") is not None)
    return tab


def shown_toasts(tab: EventClient) -> list[str]:
    """The texts the tab's toasts display (decoded from the JavaScript it was sent)."""
    return [toast_text(function) for function in toasts(tab)]


async def answers_ping(backend_url: str) -> bool:
    """Whether GET /ping answers 200 within 2 s (a frozen event loop never does)."""
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{backend_url}/ping", timeout=2)).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("marker", ["<reflex.Var>x</reflex.Var>", "<reflex.Var>1</reflex.Var>"])
async def test_a_marker_nickname_shows_literally_in_request_and_message_toasts(
    backend: Backend, marker: str
):
    ann_name, mal_name = unique_username("ann"), unique_username("mal")
    ann = await register(backend.url, ann_name)
    mal_first = await register(backend.url, mal_name)
    set_nickname(backend.database_url, mal_name, marker)
    # A tab logged in now takes Mal's profile from the database.
    mal = await log_in(backend.url, mal_name)
    await mal.wait_for(lambda c: c.var(AUTH, "nickname") == marker)

    ann_id = await find_user_id(mal, ann_name)
    await mal.call(FRIENDS, "send_request", {"user_id": ann_id})
    # Toasts cut a long name (text_rules.clip_name), so the 26-character marker arrives cut,
    # still as literal text; tests/states/test_safe_text.py sends the whole marker through
    # the same toast builders with the cut lifted.
    in_toast = text_rules.clip_name(marker)
    await ann.wait_for(lambda c: f"{in_toast} sent you a friend request." in shown_toasts(c))
    assert await answers_ping(backend.url)
    await ann.wait_for(lambda c: mal_name in usernames(c, "incoming"))
    # The state var holding the name is JSON: the pane shows it as is.
    assert [c["nickname"] for c in ann.var(FRIENDS, "incoming")] == [marker]

    await ann.call(FRIENDS, "accept", {"request_id": request_id_from(ann, mal_name)})
    await mal.wait_for(lambda c: ann_name in usernames(c, "friends"))
    await open_conversation(mal, ann_id)
    await send_text(mal, "hello")
    # Ann's conversation with Mal is not open: she gets a toast naming the sender.
    await ann.wait_for(lambda c: f"New message from {in_toast}" in shown_toasts(c))
    assert await answers_ping(backend.url)

    for tab in (ann, mal_first, mal):
        await tab.close()
