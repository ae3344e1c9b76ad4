"""The client address the login throttle counts is the connection's, whatever a client claims.

Without `REFLEX_TRUSTED_PROXY_HOPS` no proxy is trusted: an `X-Forwarded-For` header sent by
the client itself must not change the address, or a guesser could get a fresh allowance per
attempt. Uvicorn has a rule of its own for this header (trusting peers on 127.0.0.1), which
the backend turns off (chat_app/backend_server.py); these tests connect from 127.0.0.1.
"""

from __future__ import annotations

from tests.realtime.helpers import AUTH, unique_username
from tests.support.event_client import EventClient
from tests.support.sql import query

FORGED = "203.0.113.7"


def failure_addresses(database_url: str, username: str) -> list[str]:
    sql = "SELECT client_address FROM loginfailure WHERE username_key = :name"
    return [row[0] for row in query(database_url, sql, name=username)]


async def test_a_forged_forwarded_for_header_is_not_the_client_address(backend):
    username = unique_username("nobody")
    tab = EventClient(backend.url, headers={"X-Forwarded-For": FORGED})
    await tab.connect("/auth")
    form = {"username": username, "password": "wrong password 123"}
    await tab.call(AUTH, "login", {"form_data": form})
    # The refusal is shown after the failure is recorded.
    await tab.wait_for(lambda c: bool(c.var(AUTH, "login_error")))
    await tab.close()
    assert failure_addresses(backend.database_url, username) == ["127.0.0.1"]
