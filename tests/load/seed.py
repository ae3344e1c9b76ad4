"""Users, friendships, sessions and history written straight into the databases.

Registering 1,500 users through the app would spend minutes in argon2; the benchmark
measures chatting, so accounts and logged-in sessions are inserted directly (one password
hash reused) and tabs connect with their session token, as a returning browser does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.models import Conversation, ConversationMember, Friendship, Message, User, utc_now
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


def seed_app_users(database_url: str, count: int, first: int = 0) -> list[Seeded]:
    """`count` users (an even number) in friend pairs (0,1), (2,3)…, each logged in once.

    A later group starts at index `first` (its names and indexes follow the earlier ones).
    """
    engine = sa.create_engine(database_url)
    now = utc_now()
    password_hash = hash_password("bench password")
    with Session(engine) as session:
        users = [
            User(
                username=f"bench{first + n}",
                username_key=f"bench{first + n}",
                nickname=f"Bench {first + n}",
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
        # Every friendship has its conversation, with the two as members, as accepting a
        # request makes it (who may read and write a conversation is in its members).
        conversations = [
            Conversation(user_low_id=ids[n], user_high_id=ids[n + 1], created_at=now)
            for n in range(0, count, 2)
        ]
        session.add_all(conversations)
        session.flush()
        session.add_all(
            ConversationMember(conversation_id=found.id or 0, user_id=user_id, joined_at=now)
            for found in conversations
            for user_id in (found.user_low_id, found.user_high_id)
            if user_id is not None
        )
        session.commit()
    engine.dispose()
    return [Seeded(first + n, ids[n], ids[n ^ 1], tokens[n]) for n in range(count)]


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


def seed_app_contacts(database_url: str, users: list[Seeded], messages: int) -> dict[int, int]:
    """Make every two of `users` friends, each conversation with `messages` read messages.

    Bulk inserts with the migration head's table shapes (friendship, conversation and its
    two members, message, read cursor): a hundred users with 99 friends each are seeded in
    a second or two. Each conversation's last message has its own time, so every friend
    list has a defined order.
    The pairs `seed_app_users` made friends keep their rows and get the same history.

    Returns:
        The conversation id of every pair of `users`, keyed by `pair_key`.
    """
    ids = sorted(user.user_id for user in users)
    now = utc_now()
    start = now - timedelta(days=30)
    tables = statements.TABLES
    friendship, conversation = tables["friendship"], tables["conversation"]
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        known = set(
            connection.execute(
                sa.select(friendship.c.user_low_id, friendship.c.user_high_id).where(
                    friendship.c.user_low_id.in_(ids)
                )
            ).tuples()
        )
        pairs = [(low, high) for at, low in enumerate(ids) for high in ids[at + 1 :]]
        new = [
            {"user_low_id": low, "user_high_id": high, "created_at": now}
            for low, high in pairs
            if (low, high) not in known
        ]
        if new:
            connection.execute(sa.insert(friendship), new)
            connection.execute(sa.insert(conversation), [{**row, "last_seq": 0} for row in new])
        found = connection.execute(
            sa.select(conversation.c.id, conversation.c.user_low_id, conversation.c.user_high_id)
            .where(conversation.c.user_low_id.in_(ids), conversation.c.user_high_id.in_(ids))
            .order_by(conversation.c.id)
        ).all()
        added = {(row["user_low_id"], row["user_high_id"]) for row in new}
        members = [
            {"conversation_id": row.id, "user_id": user_id, "joined_at": now}
            for row in found
            if (row.user_low_id, row.user_high_id) in added
            for user_id in (row.user_low_id, row.user_high_id)
        ]
        if members:
            connection.execute(sa.insert(tables["conversationmember"]), members)
        if messages:
            _seed_read_history(connection, found, messages, start)
    engine.dispose()
    return {pair_key(row.user_low_id, row.user_high_id): row.id for row in found}


def _seed_read_history(
    connection: sa.Connection, conversations: Sequence[Any], messages: int, start: datetime
) -> None:
    """`messages` per conversation, alternating senders, all read by both sides."""
    tables = statements.TABLES
    rows, cursors, lasts = [], [], []
    for number, found in enumerate(conversations):
        members = (found.user_low_id, found.user_high_id)
        for n in range(messages):
            rows.append(
                {
                    "conversation_id": found.id,
                    "seq": n + 1,
                    "sender_id": members[n % 2],
                    "client_id": uuid.uuid4().hex,
                    "kind": "text",
                    "body": f"an older message, number {n}",
                    "created_at": start + timedelta(seconds=number * messages + n),
                }
            )
        lasts.append({"cid": found.id, "at": start + timedelta(seconds=(number + 1) * messages)})
        cursors += [
            {
                "user_id": member,
                "conversation_id": found.id,
                "last_read_seq": messages,
                "shared_seq": messages,
            }
            for member in members
        ]
    connection.execute(sa.insert(tables["message"]), rows)
    connection.execute(sa.insert(tables["readcursor"]), cursors)
    conversation = tables["conversation"]
    connection.execute(
        sa.update(conversation)
        .where(conversation.c.id == sa.bindparam("cid"))
        .values(last_seq=messages, last_message_at=sa.bindparam("at")),
        lasts,
    )


def seed_app_group(database_url: str, members: Sequence[Seeded], name: str = "") -> int:
    """A group of `members` (seeded by `seed_app_users`) with the rows `groups.create_group`
    writes, minus its "created" line (the group starts empty, at seq 0): the first member
    its creator and owner, the others members, all joined at seq 0; and a read cursor at 0
    per member. Friendships among them are not needed: only adding a member checks them.

    Args:
        database_url: The app's database.
        members: Its members, the first one the owner.
        name: The group's name (default: "Bench group of N").

    Returns:
        The group's conversation id.
    """
    now = utc_now()
    tables = statements.TABLES
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        conversation_id = connection.execute(
            sa.insert(tables["conversation"])
            .values(
                kind="group",
                name=name or f"Bench group of {len(members)}",
                creator_id=members[0].user_id,
                last_seq=0,
                created_at=now,
            )
            .returning(tables["conversation"].c.id)
        ).scalar_one()
        connection.execute(
            sa.insert(tables["conversationmember"]),
            [
                {
                    "conversation_id": conversation_id,
                    "user_id": member.user_id,
                    "role": "owner" if number == 0 else "member",
                    "joined_at": now,
                    "joined_seq": 0,
                    "muted": False,
                    "hidden": False,
                }
                for number, member in enumerate(members)
            ],
        )
        connection.execute(
            sa.insert(tables["readcursor"]),
            [
                {
                    "user_id": member.user_id,
                    "conversation_id": conversation_id,
                    "last_read_seq": 0,
                    "shared_seq": 0,
                }
                for member in members
            ],
        )
    engine.dispose()
    return conversation_id


def pair_key(user_a: int, user_b: int) -> int:
    """The key of a pair of users in `seed_app_contacts`' answer (either order)."""
    low, high = sorted((user_a, user_b))
    return low * 2**32 + high


def peer_users(count: int, first: int = 0) -> list[Seeded]:
    """The same pairs for a peer, whose users are just numbers (`first`: see seed_app_users)."""
    return [Seeded(first + n, first + n + 1, first + (n ^ 1) + 1) for n in range(count)]


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


__all__ = [
    "Seeded",
    "pair_key",
    "peer_users",
    "seed_app_contacts",
    "seed_app_group",
    "seed_app_history",
    "seed_app_users",
    "seed_peer_history",
]
