"""Peer 3: the least a Reflex app does per chat message, the floor under the app's figures.

The same store as the other peers (one durable SQLite insert per message), and only what
Reflex's model adds on top of the relay: the sender's event runs as a state transaction
whose update acknowledges the message, the message is pushed into the recipient tab's
state (`App.modify_state`, whose update delivers it), and, as the app's read receipts do,
the recipient's tab reads at most once a second: one transaction in its state and one in
the sender's (the receipt). No session, friendship or rate-limit check, no outbox, no chat
list, no window of messages: each tab holds the last message sent and received, and the
friend's read position.

With `FLOOR_CHECKS=1` it also does, in SQL as plain as the store's, the per-message work
issue 18 forbids dropping: every send re-derives its user from a session row (by the token
hash the tab holds), checks the friendship, the sender's rate over the last 10 s and the
client id (a retry is not stored twice: a unique index as well), and every read stores the
reader's cursor, committed.

Its users (`tests/load/message_floor.py`) name themselves with `join` and send with `send`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from tests.load.peers.store import open_store, store_message

READ_DELAY = 1.0  # the app's: a tab reads what it shows at most once a second
_connection = open_store(os.environ.get("FLOOR_DB", "floor.db"))
_tabs: dict[int, str] = {}  # user → their tab's client token (one tab each)
_tasks: set[asyncio.Task] = set()
CHECKS = os.environ.get("FLOOR_CHECKS") == "1"
RATE_WINDOW = timedelta(seconds=10)
CHECKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS device_session (token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL,
    expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS friendship (user_low INTEGER NOT NULL, user_high INTEGER NOT NULL,
    PRIMARY KEY (user_low, user_high));
CREATE TABLE IF NOT EXISTS read_cursor (reader INTEGER NOT NULL, friend INTEGER NOT NULL,
    upto INTEGER NOT NULL, PRIMARY KEY (reader, friend));
CREATE UNIQUE INDEX IF NOT EXISTS message_client_id ON message (sender, client_id);
CREATE INDEX IF NOT EXISTS message_sender_time ON message (sender, sent_at);
"""
SEND_CHECKS = """
SELECT EXISTS (SELECT 1 FROM friendship WHERE user_low = :low AND user_high = :high),
       (SELECT count(*) FROM message WHERE sender = :sender AND sent_at >= :since),
       EXISTS (SELECT 1 FROM message WHERE sender = :sender AND client_id = :client_id)
"""
if CHECKS:
    _connection.executescript(CHECKS_SCHEMA)


class Tab(rx.State):
    """One user's tab: the last message each way and how far the friend has read."""

    user: int = 0
    sent: dict[str, Any] = {}
    received: dict[str, Any] = {}
    friend_read: int = 0
    _unread_from: int = 0
    _unread_upto: int = 0
    _token_hash: str = ""  # the checked floor's session, as the app's auth state keeps it

    @rx.event
    def join(self, user: int, friend: int) -> None:
        """Name the tab's user (the bench's users are seeded, not signed in)."""
        self.user = int(user)
        _tabs[self.user] = self.router.session.client_token
        if CHECKS:
            self._token_hash = _seed_session(self.user, int(friend))

    @rx.event
    def send(self, to: int, client_id: str, body: str) -> None:
        """Store the message, acknowledge it in this tab, push it to the friend's tab."""
        if CHECKS and not _send_allowed(self._token_hash, int(to), str(client_id)):
            return
        message = store_message(_connection, self.user, int(to), str(client_id), str(body))
        self.sent = {**message, "status": "sent"}
        if (token := _tabs.get(int(to))) is not None:
            _start(_deliver(token, message))


def _seed_session(user: int, friend: int) -> str:
    token_hash = hashlib.sha256(os.urandom(32)).hexdigest()
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    with _connection:
        _connection.execute(
            "INSERT INTO device_session VALUES (?, ?, ?)", (token_hash, user, expires)
        )
        low, high = sorted((user, friend))
        _connection.execute("INSERT OR IGNORE INTO friendship VALUES (?, ?)", (low, high))
    return token_hash


def _send_allowed(token_hash: str, to: int, client_id: str) -> bool:
    """The session's user, their friendship, rate and client id, as the app checks them."""
    now = datetime.now(UTC)
    row = _connection.execute(
        "SELECT user_id FROM device_session WHERE token_hash = ? AND expires_at > ?",
        (token_hash, now.isoformat()),
    ).fetchone()
    if row is None:
        return False
    low, high = sorted((int(row[0]), to))
    checks = {"low": low, "high": high, "sender": row[0], "client_id": client_id}
    checks["since"] = (now - RATE_WINDOW).isoformat()
    friends, recent, stored = _connection.execute(SEND_CHECKS, checks).fetchone()
    return bool(friends) and recent < 1_000_000 and not stored


def _store_cursor(reader: int, friend: int, upto: int) -> None:
    _connection.execute(
        "INSERT INTO read_cursor VALUES (?, ?, ?) ON CONFLICT (reader, friend)"
        " DO UPDATE SET upto = excluded.upto WHERE excluded.upto > upto",
        (reader, friend, upto),
    )


def _start(work: Any) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _deliver(token: str, message: dict[str, Any]) -> None:
    """Push into the recipient's tab; its read follows within a second."""
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=Tab)) as root:
        tab = await root.get_state(Tab)
        tab.received = message
        first_unread = tab._unread_upto == 0
        tab._unread_from, tab._unread_upto = int(message["sender"]), int(message["id"])
    if first_unread:
        asyncio.get_running_loop().call_later(READ_DELAY, _start, _read(token))


async def _read(token: str) -> None:
    """The recipient's tab reads what it shows; the sender's tab hears of it."""
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=Tab)) as root:
        tab = await root.get_state(Tab)
        sender, upto = tab._unread_from, tab._unread_upto
        tab._unread_upto = 0
        if CHECKS:
            _store_cursor(tab.user, sender, upto)
    if (sender_token := _tabs.get(sender)) is None:
        return
    async with app.modify_state(rx.BaseStateToken(ident=sender_token, cls=Tab)) as root:
        (await root.get_state(Tab)).friend_read = upto


def index() -> rx.Component:
    return rx.text("Reflex floor peer")


app = rx.App()
app.add_page(index, route="/")
