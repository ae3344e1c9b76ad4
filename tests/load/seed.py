"""Users, friendships, sessions and history written straight into the databases.

Registering 1,500 users through the app would spend minutes in argon2; the benchmark
measures chatting, so accounts and logged-in sessions are inserted directly (one password
hash reused) and tabs connect with their session token, as a returning browser does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.models import Conversation, Friendship, Message, User, utc_now
from chat_app.services import statements
from chat_app.services.passwords import hash_password
from chat_app.services.sessions import create_session
from tests.load.peers.store import open_store


@dataclass(frozen=True)
class Seeded:
    """One simulated user: its index in the run, its id, its friend's id and session token."""

    index: int
    user_id: int
    friend_id: int
    token: str = ""


def seed_app_users(database_url: str, count: int) -> list[Seeded]:
    """`count` users (an even number) in friend pairs (0,1), (2,3)…, each logged in once."""
    engine = sa.create_engine(database_url)
    now = utc_now()
    password_hash = hash_password("bench password")
    with Session(engine) as session:
        users = [
            User(
                username=f"bench{n}",
                username_key=f"bench{n}",
                nickname=f"Bench {n}",
                password_hash=password_hash,
                created_at=now,
            )
            for n in range(count)
        ]
        session.add_all(users)
        session.commit()
        ids = [user.id or 0 for user in users]
        tokens = [create_session(session=session, user_id=user_id) for user_id in ids]
        session.add_all(
            Friendship(user_low_id=ids[n], user_high_id=ids[n + 1], created_at=now)
            for n in range(0, count, 2)
        )
        # Every friendship has its conversation, as accepting a request makes it.
        session.add_all(
            Conversation(user_low_id=ids[n], user_high_id=ids[n + 1], created_at=now)
            for n in range(0, count, 2)
        )
        session.commit()
    engine.dispose()
    return [Seeded(n, ids[n], ids[n ^ 1], tokens[n]) for n in range(count)]


def seed_app_history(database_url: str, pair: tuple[Seeded, Seeded], count: int) -> None:
    """`count` older messages in a pair's (empty) conversation, alternating senders."""
    if count == 0:
        return
    low, high = sorted((pair[0].user_id, pair[1].user_id))
    start = utc_now() - timedelta(days=30)
    engine = sa.create_engine(database_url)
    table = statements.CONVERSATION
    with engine.begin() as connection:
        conversation_id = connection.execute(
            sa.update(table)
            .where(table.c.user_low_id == low, table.c.user_high_id == high)
            .values(last_seq=count, last_message_at=start + timedelta(seconds=count))
            .returning(table.c.id)
        ).scalar_one()
        for first in range(0, count, 10_000):
            connection.execute(
                sa.insert(Message),
                [
                    {
                        "conversation_id": conversation_id,
                        "seq": n + 1,
                        "sender_id": pair[n % 2].user_id,
                        "client_id": uuid.uuid4().hex,
                        "kind": "text",
                        "body": f"an older message, number {n}",
                        "created_at": start + timedelta(seconds=n),
                    }
                    for n in range(first, min(count, first + 10_000))
                ],
            )
    engine.dispose()


def peer_users(count: int) -> list[Seeded]:
    """The same pairs for a peer, whose users are just numbers."""
    return [Seeded(n, n + 1, (n ^ 1) + 1) for n in range(count)]


def seed_peer_history(database: str, pair: tuple[Seeded, Seeded], count: int) -> None:
    """`count` older messages in a peer's table for a pair."""
    low, high = sorted((pair[0].user_id, pair[1].user_id))
    connection = open_store(database)
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO message (user_low, user_high, sender, client_id, body, sent_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            (low, high, pair[n % 2].user_id, uuid.uuid4().hex, f"an older message, number {n}", "")
            for n in range(count)
        ),
    )
    connection.execute("COMMIT")
    connection.close()


__all__ = ["Seeded", "peer_users", "seed_app_history", "seed_app_users", "seed_peer_history"]
