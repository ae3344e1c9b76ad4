"""Migration 0012 turns every conversation into a direct one with its two members.

On SQLite and PostgreSQL, from a database at revision 0011 holding rows of every table:
every row comes through with the same values, each conversation gets its two members
(departed where the pair stopped being friends), and the downgrade gives back the old
database exactly, dropping the groups created since, before the upgrade runs again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from alembic import command
from tests.support.migrations import database_at

BEFORE = "5c1d2e7a9b40"  # 0011_chime_setting
GROUPS = "ffed8df9b355"  # 0012_group_conversations
T0 = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def users() -> list[dict[str, Any]]:
    return [
        {
            "id": user_id,
            "username": f"User{user_id}",
            "username_key": f"user{user_id}",
            "nickname": f"Nick {user_id} 名",
            "password_hash": f"$argon2id$hash{user_id}",
            "avatar_file_id": "avatar1" if user_id == 1 else None,
            "created_at": at(user_id),
            "last_seen_at": at(100 + user_id) if user_id % 2 else None,
            "chime_enabled": user_id != 3,
        }
        for user_id in range(1, 6)
    ]


def conversation(id_: int, low: int, high: int, last_seq: int, minutes: int) -> dict[str, Any]:
    last_message_at = at(minutes + last_seq) if last_seq else None
    return {
        "id": id_,
        "user_low_id": low,
        "user_high_id": high,
        "last_seq": last_seq,
        "last_message_at": last_message_at,
        "created_at": at(minutes),
    }


def stored_file(id_: str, owner: int, conversation_id: int | None, mime: str) -> dict[str, Any]:
    image = mime.startswith("image/")
    return {
        "id": id_,
        "owner_id": owner,
        "conversation_id": conversation_id,
        "original_name": f"{id_} «name».bin",
        "size": 1234,
        "mime": mime,
        "sha256": id_ * 4,
        "storage_key": f"key/{id_}",
        "thumbnail_key": f"thumb/{id_}" if image else None,
        "width": 640 if image else None,
        "height": 480 if image else None,
        "created_at": at(30),
    }


def message(id_: int, conversation_id: int, seq: int, sender: int, kind: str) -> dict[str, Any]:
    file_id = {"file": "file1", "image": "image1"}.get(kind)
    return {
        "id": id_,
        "conversation_id": conversation_id,
        "seq": seq,
        "sender_id": sender,
        "client_id": f"client-{id_}",
        "kind": kind,
        "body": f"body {id_} <b>not html</b> 😀",
        "file_id": file_id,
        "created_at": at(40 + id_),
    }


# Every table at 0011, in an order foreign keys accept. Users 1-2 and 1-3 are friends;
# 2-3 were (their conversation holds messages) until 3 blocked 2; 4 asked 5.
ROWS: dict[str, list[dict[str, Any]]] = {
    "user": users(),
    "authsession": [
        {
            "id": 1,
            "token_hash": "t" * 64,
            "user_id": 1,
            "created_at": at(10),
            "last_seen_at": at(11),
            "expires_at": at(10_000),
            "user_agent": "Firefox",
        }
    ],
    "loginfailure": [
        {
            "id": 1,
            "username_key": "user2",
            "client_address": "192.0.2.7",
            "device": "",
            "created_at": at(12),
        }
    ],
    "registrationrecord": [{"id": 1, "client_address": "192.0.2.8", "created_at": at(13)}],
    "friendrequest": [
        {
            "id": id_,
            "from_user_id": sender,
            "to_user_id": target,
            "pair_low": min(sender, target),
            "pair_high": max(sender, target),
            "status": status,
            "created_at": at(14 + id_),
            "responded_at": at(20 + id_) if status != "pending" else None,
        }
        for id_, sender, target, status in (
            (1, 1, 2, "accepted"),
            (2, 3, 1, "accepted"),
            (3, 2, 3, "accepted"),
            (4, 4, 5, "pending"),
        )
    ],
    "friendship": [
        {"id": 1, "user_low_id": 1, "user_high_id": 2, "created_at": at(21)},
        {"id": 2, "user_low_id": 1, "user_high_id": 3, "created_at": at(22)},
    ],
    "block": [{"id": 1, "blocker_id": 3, "blocked_id": 2, "created_at": at(25)}],
    "conversation": [
        conversation(1, 1, 2, 3, 21),
        conversation(2, 1, 3, 0, 22),
        conversation(3, 2, 3, 2, 23),
    ],
    "storedfile": [
        stored_file("file1", 1, 1, "application/pdf"),
        stored_file("image1", 2, 1, "image/png"),
        stored_file("avatar1", 1, None, "image/webp"),
    ],
    "message": [
        message(1, 1, 1, 1, "text"),
        message(2, 1, 2, 1, "file"),
        message(3, 1, 3, 2, "image"),
        message(4, 3, 1, 2, "text"),
        message(5, 3, 2, 3, "text"),
    ],
    "readcursor": [
        {"id": 1, "user_id": 2, "conversation_id": 1, "last_read_seq": 3, "shared_seq": 3},
        {"id": 2, "user_id": 1, "conversation_id": 1, "last_read_seq": 1, "shared_seq": 1},
        {"id": 3, "user_id": 3, "conversation_id": 3, "last_read_seq": 2, "shared_seq": 1},
    ],
    "founduser": [{"id": 1, "viewer_id": 4, "user_id": 5, "found_at": at(14)}],
    "useraction": [{"id": 1, "user_id": 3, "action": "blocks", "created_at": at(25)}],
}
# (conversation, user) → (joined at, left seq); a left seq means the member has left.
MEMBERS = {
    (1, 1): (at(21), None),
    (1, 2): (at(21), None),
    (2, 1): (at(22), None),
    (2, 3): (at(22), None),
    (3, 2): (at(23), 2),
    (3, 3): (at(23), 2),
}


def aware(value: Any) -> Any:
    """A timestamp read without the app's column type (SQLite gives it back naive UTC)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def tables(engine: sa.Engine) -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    return metadata


def fill(engine: sa.Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    schema = tables(engine)
    with engine.begin() as connection:
        for name, table_rows in rows.items():
            connection.execute(schema.tables[name].insert(), table_rows)


def contents(engine: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of the 0011 tables, with only the columns they had at 0011, by id.

    On SQLite (foreign keys are not enforced while migrating) every reference must hold.
    """
    schema = tables(engine)
    found = {}
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        for name in ROWS:
            columns = [schema.tables[name].c[column] for column in ROWS[name][0]]
            rows = connection.execute(sa.select(*columns).order_by(columns[0])).mappings()
            found[name] = [{key: aware(value) for key, value in row.items()} for row in rows]
    return found


def members(engine: sa.Engine) -> dict[tuple[int, int], dict[str, Any]]:
    table = tables(engine).tables["conversationmember"]
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table)).mappings().all()
    return {
        (row["conversation_id"], row["user_id"]): {k: aware(v) for k, v in row.items()}
        for row in rows
    }


def expected_rows() -> dict[str, list[dict[str, Any]]]:
    return {name: sorted(rows, key=lambda row: row["id"]) for name, rows in ROWS.items()}


def assert_direct_members(engine: sa.Engine, migrated_after: datetime) -> None:
    found = members(engine)
    assert set(found) == set(MEMBERS)
    for key, (joined_at, left_seq) in MEMBERS.items():
        member = found[key]
        assert (member["role"], member["joined_at"], member["joined_seq"]) == (
            "member",
            joined_at,
            0,
        )
        assert (member["muted"], member["hidden"], member["left_seq"]) == (False, False, left_seq)
        if left_seq is None:
            assert member["left_at"] is None
        else:
            assert migrated_after <= member["left_at"] <= datetime.now(UTC)
    with engine.connect() as connection:
        kinds = connection.execute(
            sa.text("SELECT kind, name, avatar_file_id, creator_id FROM conversation ORDER BY id")
        ).all()
    assert [tuple(row) for row in kinds] == [("direct", None, None, None)] * 3


def add_group(engine: sa.Engine) -> None:
    """A group of users 1, 2 and 4 with messages of every kind, a file, a cursor, a mention."""
    group = {
        "id": 4,
        "kind": "group",
        "user_low_id": None,
        "user_high_id": None,
        "name": "Family 家",
        "avatar_file_id": "avatar1",
        "creator_id": 1,
        "last_seq": 3,
        "last_message_at": at(60),
        "created_at": at(50),
    }
    fill(
        engine,
        {
            "conversation": [group],
            "conversationmember": [
                {
                    "id": 10 + user_id,
                    "conversation_id": 4,
                    "user_id": user_id,
                    "role": role,
                    "joined_at": at(50),
                    "joined_seq": 0,
                    "muted": False,
                    "hidden": False,
                }
                for user_id, role in ((1, "owner"), (2, "admin"), (4, "member"))
            ],
            "storedfile": [stored_file("groupfile", 2, 4, "image/png")],
            "message": [
                message(10, 4, 1, 1, "system") | {"body": '{"event": "created"}'},
                message(11, 4, 2, 2, "text"),
                message(12, 4, 3, 2, "image") | {"file_id": "groupfile"},
            ],
            "readcursor": [
                {"id": 10, "user_id": 4, "conversation_id": 4, "last_read_seq": 3, "shared_seq": 3}
            ],
            "mention": [{"id": 1, "message_id": 11, "user_id": 4}],
        },
    )


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_every_row_survives_and_every_conversation_gets_its_members(
    database: str, tmp_path: Path, request
):
    config, url = database_at(BEFORE, database, tmp_path, request)
    engine = sa.create_engine(url)
    try:
        fill(engine, ROWS)
        before = contents(engine)
        assert before == expected_rows()

        started = datetime.now(UTC)
        command.upgrade(config, GROUPS)
        assert contents(engine) == before
        assert_direct_members(engine, started)

        # Down again: the group made since goes, with everything of it; the rest is as it was.
        add_group(engine)
        command.downgrade(config, BEFORE)
        assert contents(engine) == before
        assert not {"conversationmember", "mention"} & set(tables(engine).tables)
        assert "kind" not in tables(engine).tables["conversation"].c

        started = datetime.now(UTC)
        command.upgrade(config, GROUPS)
        assert contents(engine) == before
        assert_direct_members(engine, started)
    finally:
        engine.dispose()


def test_an_sqlite_connection_enforcing_foreign_keys_is_refused_before_any_change(
    tmp_path: Path, request
):
    """Copying `conversation` with foreign keys on would delete every message through CASCADE."""
    config, url = database_at(BEFORE, "sqlite", tmp_path, request)
    engine = sa.create_engine(url)
    fill(engine, ROWS)
    before = contents(engine)

    def enforce_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    event.listen(sa.Engine, "connect", enforce_foreign_keys)
    try:
        with pytest.raises(RuntimeError, match="foreign keys off"):
            command.upgrade(config, GROUPS)
    finally:
        event.remove(sa.Engine, "connect", enforce_foreign_keys)
    assert contents(engine) == before
    assert "conversationmember" not in tables(engine).tables
    engine.dispose()
