"""message search: the database's own index of message text (ARCHITECTURE §10)

SQLite: an FTS5 table with the trigram tokenizer over `message.body` (external content: the
view `message_searchable` of the kinds searched), kept by triggers in the writing
transaction, filled from the messages already stored.
PostgreSQL: the `pg_trgm` extension (trusted: the database's owner may create it) and a
GIN trigram index on the body. Searched kinds: text, file, image (not system records).

Neither is in the SQLModel metadata: `reflex db makemigrations` would offer to drop the
SQLite tables; leave them out of any generated migration
(chat_app/services/search_index.py says which they are).

Revision ID: 3e8b5d1c7f62
Revises: 7a3c9e1d4b20
Create Date: 2026-12-06 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '3e8b5d1c7f62'
down_revision: Union[str, Sequence[str], None] = '7a3c9e1d4b20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KINDS = "('text', 'file', 'image')"

SQLITE_UP = (
    "CREATE VIEW message_searchable AS SELECT id, body FROM message "
    f"WHERE kind IN {KINDS}",
    "CREATE VIRTUAL TABLE message_search USING fts5("
    "body, content='message_searchable', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER message_search_insert AFTER INSERT ON message "
    f"WHEN new.kind IN {KINDS} BEGIN "
    "INSERT INTO message_search(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER message_search_delete AFTER DELETE ON message "
    f"WHEN old.kind IN {KINDS} BEGIN "
    "INSERT INTO message_search(message_search, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER message_search_update AFTER UPDATE OF body, kind ON message BEGIN "
    "INSERT INTO message_search(message_search, rowid, body) "
    f"SELECT 'delete', old.id, old.body WHERE old.kind IN {KINDS}; "
    "INSERT INTO message_search(rowid, body) "
    f"SELECT new.id, new.body WHERE new.kind IN {KINDS}; END",
    f"INSERT INTO message_search(rowid, body) SELECT id, body FROM message WHERE kind IN {KINDS}",
)
SQLITE_DOWN = (
    "DROP TRIGGER message_search_update",
    "DROP TRIGGER message_search_delete",
    "DROP TRIGGER message_search_insert",
    "DROP TABLE message_search",
    "DROP VIEW message_searchable",
)
POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_message_body_trgm ON message USING gin (body gin_trgm_ops) "
    f"WHERE kind IN {KINDS}",
)
POSTGRES_DOWN = ("DROP INDEX ix_message_body_trgm",)


def _run(sqlite: tuple[str, ...], postgres: tuple[str, ...]) -> None:
    statements = sqlite if op.get_bind().dialect.name == "sqlite" else postgres
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    """Upgrade schema."""
    _run(SQLITE_UP, POSTGRES_UP)


def downgrade() -> None:
    """Downgrade schema."""
    _run(SQLITE_DOWN, POSTGRES_DOWN)
