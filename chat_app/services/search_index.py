"""The database's own full-text index of messages (ARCHITECTURE §10), kept by the database.

SQLite: an FTS5 table with the trigram tokenizer over the message bodies (external content:
the text stays in `message` only, seen through the view `message_searchable` of the kinds
searched), filled by triggers, so every write path (a send, an
import, a future edit or delete, an account's messages deleted by cascade) keeps it in
step in its own transaction. PostgreSQL: a `pg_trgm` GIN index on the body. Both find any
substring of three characters or more, whatever the language: Chinese has no spaces.

Neither object is in the SQLModel metadata (SQLAlchemy cannot describe them); migration
0014 makes them on a deployed database and `install` attaches them to `create_all` (tests).
`outside_search_index` tells schema comparisons to leave them alone.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from chat_app.models import Message

# What a search finds: the text of messages and the names of files (system lines are
# records, not text anyone wrote).
SEARCHED_KINDS = ("text", "file", "image")
SQLITE_TABLE = "message_search"
POSTGRES_INDEX = "ix_message_body_trgm"

SQLITE_STATEMENTS = (
    # The index's content is this view: what it holds row for row (FTS5 checks against it).
    "CREATE VIEW message_searchable AS SELECT id, body FROM message "
    "WHERE kind IN ('text', 'file', 'image')",
    "CREATE VIRTUAL TABLE message_search USING fts5("
    "body, content='message_searchable', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER message_search_insert AFTER INSERT ON message "
    "WHEN new.kind IN ('text', 'file', 'image') BEGIN "
    "INSERT INTO message_search(rowid, body) VALUES (new.id, new.body); END",
    # External content: the index forgets a row only when told its old text.
    "CREATE TRIGGER message_search_delete AFTER DELETE ON message "
    "WHEN old.kind IN ('text', 'file', 'image') BEGIN "
    "INSERT INTO message_search(message_search, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER message_search_update AFTER UPDATE OF body, kind ON message BEGIN "
    "INSERT INTO message_search(message_search, rowid, body) "
    "SELECT 'delete', old.id, old.body WHERE old.kind IN ('text', 'file', 'image'); "
    "INSERT INTO message_search(rowid, body) "
    "SELECT new.id, new.body WHERE new.kind IN ('text', 'file', 'image'); END",
)
POSTGRES_STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_message_body_trgm ON message USING gin (body gin_trgm_ops) "
    "WHERE kind IN ('text', 'file', 'image')",
)


def outside_search_index(name: str | None, kind: str, *_: Any) -> bool:
    """Whether a schema object is not the search index's (Alembic's `include_name`).

    Args:
        name: The object's name.
        kind: "table", "index", "column", ...

    Returns:
        True for objects to compare, False for the index's own (its FTS5 table and the
        shadow tables SQLite keeps for it, the PostgreSQL trigram index).
    """
    if name is None:
        return True
    if kind in ("table", "view") and name.startswith(SQLITE_TABLE):
        return False
    return not (kind == "index" and name == POSTGRES_INDEX)


def _create(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
    dialect = connection.dialect.name
    statements = SQLITE_STATEMENTS if dialect == "sqlite" else POSTGRES_STATEMENTS
    for statement in statements:
        connection.exec_driver_sql(statement)


def install() -> None:
    """Make `create_all` build the index with the `message` table (once per process)."""
    table = Message.__table__  # type: ignore[attr-defined]
    if not event.contains(table, "after_create", _create):
        event.listen(table, "after_create", _create)


install()
