"""Shared steps for raw-client group tests: seed a big group, open a tab per member.

Registering a hundred users through the app would spend most of a test in argon2, so the
members, their login sessions and the group are written straight into the database
(tests/load/seed.py, as the benchmark does) and each member's tab connects with its
session token, as a returning browser does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Sequence

from sqlmodel import Session

from chat_app.services import database, group_members
from chat_app.services.sessions import SessionKey, hash_token, session_key_of
from tests.load.seed import Seeded, seed_app_group, seed_app_users
from tests.realtime.helpers import AUTH, STORAGE_KEYS, TOKEN_KEY, open_conversation
from tests.realtime.test_files_live import upload
from tests.support.event_client import EventClient

# Tabs that hydrate at once: a browser crowd arrives over time, not in one instant.
TABS_AT_ONCE = 25
# Seeded usernames are bench<n>: each group of a test database takes the next numbers.
_next_index = itertools.count(0, 1000)


def seed_group(database_url: str, size: int) -> tuple[list[Seeded], int]:
    """`size` new users (an even number), each logged in once, in a new group of them all.

    The first one owns the group; every other is a plain member, all joined at seq 0.

    Returns:
        The members (in that order) and the group's conversation id.
    """
    members = seed_app_users(database_url, size, first=next(_next_index))
    return members, seed_app_group(database_url, members)


async def group_tab(backend_url: str, member: Seeded, group_id: int) -> EventClient:
    """A member's tab on the chat page with the group open (its browser storage kept)."""
    tab = EventClient(backend_url, local_storage={TOKEN_KEY: member.token})
    tab.storage_keys |= STORAGE_KEYS
    await tab.connect("/")
    await tab.wait_for(lambda c: c.var(AUTH, "username") not in (None, ""), timeout=60)
    await open_conversation(tab, conversation_id=group_id)
    return tab


async def group_tabs(
    backend_url: str, members: Sequence[Seeded], group_id: int
) -> list[EventClient]:
    """One tab per member, each with the group open, in the members' order."""
    tabs: list[EventClient] = []
    for first in range(0, len(members), TABS_AT_ONCE):
        batch = members[first : first + TABS_AT_ONCE]
        tabs += await asyncio.gather(*(group_tab(backend_url, m, group_id) for m in batch))
    return tabs


CONNECTED = '40/_event,{"sid"'
NEW_TOKEN = '42/_event,["new_token",'
HYDRATED = '"is_hydrated_rx_state_":true'


async def reconnect(tab: EventClient) -> None:
    """The browser's reconnect: the same tab token and storage, a hydrate, the page's load;
    returns once that load has run.

    Like socket.io's client, the tab sends nothing else until the server has accepted the
    connection (its CONNECT answer): a raw event sent earlier may be handled before the
    hydrate, on a state not logged in yet. A token Reflex replaces ("new_token", when it
    takes the tab for a duplicate of one it still believes connected) is kept for the next
    reconnect, as the page keeps it in its session storage.
    """
    seen = len(tab.frames)
    await tab.reconnect()
    await tab.wait_for(lambda c: any(f.startswith(CONNECTED) for f in c.frames[seen:]), 60)
    replaced = [f for f in tab.frames[seen:] if f.startswith(NEW_TOKEN)]
    if replaced:
        _name, tab.token = json.loads(replaced[-1].removeprefix("42/_event,"))
    # The page's load handlers have run once the hydrated flag, queued after them, is set.
    await tab.wait_for(lambda c: any(HYDRATED in f for f in c.frames[seen:]), 60)


async def close_all(tabs: Sequence[EventClient]) -> None:
    await asyncio.gather(*(tab.close() for tab in tabs))


def remove_member(database_url: str, owner_id: int, group_id: int, user_id: int) -> int:
    """The owner removes a member, through the service, committed; returns their left_seq.

    No state handler for it exists yet: nothing is pushed to anyone, as the service alone
    pushes nothing.
    """
    engine = database.create_db_engine(database_url)
    try:
        with Session(engine) as session:
            change = group_members.remove_member(
                session=session, actor_id=owner_id, conversation_id=group_id, user_id=user_id
            )
    finally:
        engine.dispose()
    (line,) = change.messages
    return line.seq


def login_key(database_url: str, token: str) -> SessionKey:
    """The login session a member's download links are bound to (from their token)."""
    engine = database.create_db_engine(database_url)
    try:
        with Session(engine) as session:
            key = session_key_of(session=session, token_hash=hash_token(token))
    finally:
        engine.dispose()
    assert key is not None
    return key


async def upload_from(tab: EventClient, name: str, data: bytes) -> None:
    """Send a file from a tab's open conversation, as its upload button does.

    Reflex answers an upload with the uploader's own updates (one JSON line each) in the
    HTTP response, not over the socket: the browser applies them, and so does this. The
    file's message is not among them: it comes over the socket, in turn with the others.
    """
    response = await upload(tab.backend_url, tab.token, name, data)
    assert response.status_code == 200
    for line in response.text.splitlines():
        if line.strip():
            tab._merge(json.loads(line))
