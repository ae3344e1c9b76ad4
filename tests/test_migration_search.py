"""Migration 0014: the search index, built over the messages already stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from alembic import command
from chat_app.services import search
from tests.support.migrations import database_at

BEFORE = "7a3c9e1d4b20"


def _old_rows(connection: sa.Connection) -> None:
    """Two friends' conversation with a text, a file, and a group's system record."""
    now = "2026-12-01 10:00:00"
    for user_id, name in ((1, "ann"), (2, "bob")):
        connection.execute(
            sa.text(
                'INSERT INTO "user" (id, username, username_key, nickname, password_hash, '
                "created_at, chime_enabled, role) "
                "VALUES (:id, :name, :name, :name, 'x', :now, true, 'user')"
            ),
            {"id": user_id, "name": name, "now": now},
        )
    connection.execute(
        sa.text(
            "INSERT INTO conversation (id, kind, user_low_id, user_high_id, last_seq, "
            "created_at) VALUES (1, 'direct', 1, 2, 3, :now)"
        ),
        {"now": now},
    )
    for user_id in (1, 2):
        connection.execute(
            sa.text(
                "INSERT INTO conversationmember (conversation_id, user_id, role, joined_at, "
                "joined_seq, muted, hidden) VALUES (1, :user, 'member', :now, 0, false, false)"
            ),
            {"user": user_id, "now": now},
        )
    for seq, kind, body in ((1, "text", "old 学习小组 notes"), (2, "system", '{"x": "old"}')):
        connection.execute(
            sa.text(
                "INSERT INTO message (conversation_id, seq, sender_id, client_id, kind, body, "
                "created_at) VALUES (1, :seq, 1, :client, :kind, :body, :now)"
            ),
            {"seq": seq, "client": f"c{seq}", "kind": kind, "body": body, "now": now},
        )


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_messages_stored_before_the_migration_are_found_after_it(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
):
    config, url = database_at(BEFORE, database, tmp_path, request)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        _old_rows(connection)
    command.upgrade(config, "head")
    with Session(engine) as session:
        hits = search.search_messages(session=session, viewer_id=2, query="学习小组").hits
        assert [hit.seq for hit in hits] == [1]
        old = search.search_messages(session=session, viewer_id=2, query="old").hits
        assert [hit.seq for hit in old] == [1]
        if database == "sqlite":  # the backfill agrees with the messages, row for row
            session.connection().exec_driver_sql(
                "INSERT INTO message_search(message_search, rank) VALUES ('integrity-check', 1)"
            )
    command.downgrade(config, BEFORE)
    command.upgrade(config, "head")
    engine.dispose()


def _search_schema(engine: sa.Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'message_search%' "
            "ORDER BY name"
        )
        return [tuple(row) for row in rows]


def test_the_migration_and_the_tests_build_the_same_sqlite_index(tmp_path: Path, request):
    _config, url = database_at("head", "sqlite", tmp_path, request)
    migrated = sa.create_engine(url)
    made = sa.create_engine(f"sqlite:///{tmp_path / 'made.db'}")
    SQLModel.metadata.create_all(made)
    assert _search_schema(migrated) == _search_schema(made)
    # The view, the table, its 4 shadow tables, 3 triggers.
    assert len(_search_schema(made)) == 9
    migrated.dispose()
    made.dispose()
