"""The per-message work every peer does: one SQLite insert, committed, as durable as the app's.

WAL with synchronous=FULL is what the app uses; a peer with weaker settings would be
measured doing less work than the app.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
    id INTEGER PRIMARY KEY,
    user_low INTEGER NOT NULL,
    user_high INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS message_pair ON message (user_low, user_high, id);
"""
PAGE_SIZE = 50


def open_store(path: str) -> sqlite3.Connection:
    """Open (and create) the peer's database with the app's durability settings."""
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=5000")
    connection.executescript(SCHEMA)
    return connection


def store_message(
    connection: sqlite3.Connection, sender: int, recipient: int, client_id: str, body: str
) -> dict:
    """Insert one message in its own committed transaction; returns what is pushed."""
    low, high = sorted((sender, recipient))
    sent_at = datetime.now(UTC).isoformat()
    connection.execute("BEGIN")
    cursor = connection.execute(
        "INSERT INTO message (user_low, user_high, sender, client_id, body, sent_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (low, high, sender, client_id, body, sent_at),
    )
    connection.execute("COMMIT")
    return {
        "id": cursor.lastrowid,
        "sender": sender,
        "client_id": client_id,
        "body": body,
        "sent_at": sent_at,
    }


def newest_page(connection: sqlite3.Connection, user: int, friend: int) -> list[dict]:
    """The newest PAGE_SIZE messages of a pair, oldest first (what opening a chat shows)."""
    low, high = sorted((user, friend))
    rows = connection.execute(
        "SELECT id, sender, client_id, body, sent_at FROM message"
        " WHERE user_low = ? AND user_high = ? ORDER BY id DESC LIMIT ?",
        (low, high, PAGE_SIZE),
    ).fetchall()
    keys = ("id", "sender", "client_id", "body", "sent_at")
    return [dict(zip(keys, row, strict=True)) for row in reversed(rows)]
