"""Migration 0006 neutralises Reflex's Var marker in names stored before it was refused.

On SQLite and PostgreSQL, starting from a database at revision 0005 with such names, and
run twice (it must be idempotent). Text messages are left as written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic import command
from chat_app.services.validation import neutralize_var_markers
from tests.support.migrations import database_at

BEFORE = "d15dde59dd59"  # 0005_files
NEUTRALISING = "fb5a8cc4ac8d"  # 0006_neutral_var_markers
NICKNAMES = {
    1: "<reflex.Var>x</reflex.Var>",
    2: "<reflex.Var>1</reflex.Var>",
    3: "Plain <b>name</b>",
    4: "a<reflex.Var>y",
}
FILE_NAME = "pic<reflex.Var>2</reflex.Var>.png"
TEXT_BODY = "quoting <reflex.Var>x</reflex.Var> in a message is fine"


def fill(engine: sa.Engine) -> None:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for user_id, nickname in NICKNAMES.items():
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (id, username, username_key, nickname, password_hash,'
                    " created_at) VALUES (:id, :name, :name, :nickname, 'x', :now)"
                ),
                {"id": user_id, "name": f"user{user_id}", "nickname": nickname, "now": now},
            )
        connection.execute(
            sa.text(
                "INSERT INTO conversation (id, user_low_id, user_high_id, last_seq, created_at)"
                " VALUES (1, 1, 2, 2, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO storedfile (id, owner_id, conversation_id, original_name, size,"
                " mime, sha256, storage_key, created_at)"
                " VALUES ('f1', 1, 1, :name, 1, 'image/png', 'h', 'k', :now)"
            ),
            {"name": FILE_NAME, "now": now},
        )
        for seq, kind, body, file_id in (
            (1, "image", FILE_NAME, "f1"),
            (2, "text", TEXT_BODY, None),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO message (conversation_id, seq, sender_id, client_id, kind, body,"
                    " created_at, file_id) VALUES (1, :seq, 1, :client, :kind, :body, :now, :file)"
                ),
                {
                    "seq": seq,
                    "client": f"c{seq}",
                    "kind": kind,
                    "body": body,
                    "now": now,
                    "file": file_id,
                },
            )


def stored(engine: sa.Engine) -> tuple[dict[int, str], str, list[str]]:
    with engine.connect() as connection:
        nicknames = dict(connection.execute(sa.text('SELECT id, nickname FROM "user"')).all())
        name = connection.execute(sa.text("SELECT original_name FROM storedfile")).scalar_one()
        bodies = list(
            connection.execute(sa.text("SELECT body FROM message ORDER BY seq")).scalars()
        )
    return nicknames, name, bodies


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_stored_names_lose_the_marker_once_and_for_all(database: str, tmp_path: Path, request):
    config, url = database_at(BEFORE, database, tmp_path, request)
    engine = sa.create_engine(url)
    fill(engine)

    command.upgrade(config, NEUTRALISING)
    expected_nicknames = {user_id: neutralize_var_markers(n) for user_id, n in NICKNAMES.items()}
    expected = (
        expected_nicknames,
        neutralize_var_markers(FILE_NAME),
        [neutralize_var_markers(FILE_NAME), TEXT_BODY],
    )
    assert stored(engine) == expected
    assert "<reflex.Var>" not in "".join(expected_nicknames.values())
    assert expected_nicknames[3] == NICKNAMES[3]  # other angle brackets stay

    # Run again (as after a downgrade): nothing changes.
    command.downgrade(config, BEFORE)
    command.upgrade(config, NEUTRALISING)
    assert stored(engine) == expected
    engine.dispose()
