"""The login token is never at rest on the server: Redis holds at most its sha256.

Reflex's Redis state manager pickles every touched state; the token var is blanked in that
copy (states/auth.py). This logs in over the real socket on the scaled profile, uses the
tabs, and then reads every key of every Redis database, whatever its type.
"""

from __future__ import annotations

from typing import Any

import redis

from chat_app.services import sessions
from tests.realtime.conftest import Backend
from tests.realtime.helpers import (
    AUTH,
    CONVERSATION,
    FRIENDS,
    PASSWORD,
    PASSWORD_CHANGE,
    TOKEN_KEY,
    open_chat,
    register,
    session_token,
    unique_username,
)
from tests.support.event_client import EventClient
from tests.support.token_encodings import token_encodings


def _values(client: Any, keys: list[bytes]) -> list[bytes]:
    """The keys' names, their DUMPs and their contents read by type (DUMP may compress).

    Two pipelined round trips for the batch: the types and dumps, then the contents.
    """
    first = client.pipeline(transaction=False)
    for key in keys:
        first.type(key)
        first.dump(key)
    answers = first.execute()
    found: list[bytes] = list(keys)
    found += [dumped for dumped in answers[1::2] if dumped is not None]
    second = client.pipeline(transaction=False)
    for key, kind in zip(keys, answers[0::2], strict=True):
        _read_by_type(second, key, kind.decode())
    for value in second.execute():
        if isinstance(value, dict):  # a hash
            for field, content in value.items():
                found += [field, content]
        elif isinstance(value, list | set):
            found += [_member(item) for item in value]
        elif isinstance(value, bytes):
            found.append(value)
    return found


def _read_by_type(pipeline: Any, key: bytes, kind: str) -> None:
    if kind == "string":
        pipeline.get(key)
    elif kind == "hash":
        pipeline.hgetall(key)
    elif kind == "list":
        pipeline.lrange(key, 0, -1)
    elif kind == "set":
        pipeline.smembers(key)
    elif kind == "zset":
        pipeline.zrange(key, 0, -1)
    elif kind == "stream":
        pipeline.xrange(key)


def _member(item: Any) -> bytes:
    """A list, set or zset member, or a stream entry's fields and values, as bytes."""
    if isinstance(item, tuple):  # a stream entry: (id, {field: value})
        return b"\0".join(b"\0".join(pair) for pair in item[1].items())
    return item


def everything_in_redis(url: str) -> list[bytes]:
    """Every key and value of every database of the Redis server behind `url`."""
    # Any: redis-py's stubs type every reply as "maybe awaitable".
    server: Any = redis.Redis.from_url(url)
    databases = int(server.config_get("databases")["databases"])
    stored: list[bytes] = []
    for db in range(databases):
        client: Any = redis.Redis.from_url(url, db=db)
        batch: list[bytes] = []
        for key in client.scan_iter(count=500):
            batch.append(key)
            if len(batch) == 500:
                stored += _values(client, batch)
                batch = []
        if batch:
            stored += _values(client, batch)
        client.close()
    server.close()
    return stored


def anywhere(needles: list[bytes], stored: list[bytes]) -> list[bytes]:
    # One buffer searched once per needle; the separator (not in any needle) keeps a match
    # from spanning two values.
    everything = b"\0\xff\0".join(stored)
    return [needle for needle in needles if needle in everything]


async def test_redis_holds_no_login_token_in_any_encoding(backend: Backend):
    if backend.profile != "scaled":
        # In-process state is never written anywhere; the database holds only the hash
        # (tests/services/test_auth_login.py).
        return
    url = backend.env["REFLEX_REDIS_URL"]
    username = unique_username("at_rest")
    # Registered on /auth, then the chat page's loads: several events, two states touched.
    first = await register(backend.url, username)
    registered_token = session_token(first)
    # A second tab of the same browser hydrates with the stored token.
    second = await open_chat(backend.url, registered_token)
    # Another device logs in with the password.
    phone = EventClient(backend.url)
    await phone.connect("/auth")
    await phone.call(AUTH, "login", {"form_data": {"username": username, "password": PASSWORD}})
    await phone.wait_for(lambda c: c.var(AUTH, "username") == username)
    login_token = session_token(phone)
    # More events, a reconnect (hydrate again) and a password change, all by hash server-side.
    await first.call(FRIENDS, "load", {})
    await first.call(CONVERSATION, "load", {})
    await second.reconnect("/")
    await second.wait_for(lambda c: c.var(AUTH, "username") == username)
    first.events.clear()
    await first.call(
        PASSWORD_CHANGE,
        "change_password",
        {
            "form_data": {
                "current_password": PASSWORD,
                "new_password": "battery staple",
                "new_password_confirm": "battery staple",
            }
        },
    )
    await first.wait_for(lambda c: any("__toast" in str(event) for event in c.events), timeout=15)
    # The phone's session ended with the password change: it is sent to /auth.
    await phone.wait_for(lambda c: c.var(AUTH, "username") == "", timeout=15)

    assert registered_token
    assert login_token
    assert registered_token != login_token
    # Control: the states were written to this Redis (their hash is there) ...
    hashes = [sessions.hash_token(registered_token).encode()]
    stored = everything_in_redis(url)
    assert len(stored) > 10
    assert anywhere(hashes, stored) == hashes
    # ... and no form of either token is.
    for token in (registered_token, login_token):
        assert anywhere(token_encodings(token), stored) == []
    # The browser still holds its token: the tabs stay logged in.
    assert session_token(first) == registered_token
    assert session_token(second) == registered_token
    for tab in (first, second, phone):
        await tab.close()


async def test_the_reflex_client_token_alone_logs_nobody_in(backend: Backend):
    # The server keeps the session's hash for a tab; a client that reconnects with that
    # tab's Reflex client token (not a secret) but without the login token is nobody.
    victim = await register(backend.url, unique_username("victim"))
    await victim.close()
    thief = EventClient(backend.url)
    thief.token = victim.token
    await thief.connect("/")
    # Same client token as a tab that just closed: on Redis its hydrate may wait for the
    # closed tab's state lock to expire (Reflex's lock expiry, 10 s), as a reload would.
    await thief.wait_for(
        lambda c: c.var("reflex___state____state", "is_hydrated") is True, timeout=30
    )
    assert thief.var(AUTH, "username") in (None, "")
    assert any(
        event.get("name") == "_redirect" and event.get("payload", {}).get("path") == "/auth"
        for event in thief.events
    )
    # The real browser, which sends its token again, is still logged in.
    again = EventClient(backend.url, local_storage={TOKEN_KEY: session_token(victim)})
    again.token = victim.token
    await again.connect("/")
    await again.wait_for(lambda c: c.var(AUTH, "username") not in (None, ""), timeout=30)
    for tab in (thief, again):
        await tab.close()
