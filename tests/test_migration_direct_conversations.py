"""Migration 0009 gives every friendship made before it its conversation.

On SQLite and PostgreSQL, starting from a database at revision 0008 where only some
friends had written (so had a conversation), and run twice (it must be idempotent).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic import command
from tests.support.migrations import database_at

BEFORE = "3c7e2a91b5d4"  # 0008_relations
BACKFILLING = "354ae6a1e856"  # 0009_direct_conversations
FRIENDSHIPS = [(1, 2), (3, 4), (2, 3)]
# (1, 2) wrote before; (1, 5) wrote, then stopped being friends.
WRITTEN = {(1, 2): 7, (1, 5): 3}


def fill(engine: sa.Engine) -> None:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for user_id in range(1, 6):
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (id, username, username_key, nickname, password_hash,'
                    " created_at) VALUES (:id, :name, :name, :name, 'x', :now)"
                ),
                {"id": user_id, "name": f"user{user_id}", "now": now},
            )
        for low, high in FRIENDSHIPS:
            connection.execute(
                sa.text(
                    "INSERT INTO friendship (user_low_id, user_high_id, created_at)"
                    " VALUES (:low, :high, :now)"
                ),
                {"low": low, "high": high, "now": now},
            )
        for (low, high), last_seq in WRITTEN.items():
            connection.execute(
                sa.text(
                    "INSERT INTO conversation (user_low_id, user_high_id, last_seq, created_at)"
                    " VALUES (:low, :high, :seq, :now)"
                ),
                {"low": low, "high": high, "seq": last_seq, "now": now},
            )


def conversations(engine: sa.Engine) -> dict[tuple[int, int], tuple[int, int]]:
    """Each stored pair's (conversation id, last seq)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, user_low_id, user_high_id, last_seq FROM conversation")
        ).all()
    return {(row.user_low_id, row.user_high_id): (row.id, row.last_seq) for row in rows}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_every_friendship_gets_its_conversation_once(database: str, tmp_path: Path, request):
    config, url = database_at(BEFORE, database, tmp_path, request)
    engine = sa.create_engine(url)
    fill(engine)
    before = conversations(engine)

    command.upgrade(config, BACKFILLING)
    after = conversations(engine)
    assert set(after) == set(FRIENDSHIPS) | set(WRITTEN)
    # The conversations that held messages are kept as they were (same ids, same seqs).
    assert {pair: after[pair] for pair in WRITTEN} == before
    assert {after[pair][1] for pair in set(FRIENDSHIPS) - set(WRITTEN)} == {0}

    # Run again (as after a downgrade): nothing is added twice.
    command.downgrade(config, BEFORE)
    command.upgrade(config, BACKFILLING)
    assert conversations(engine) == after
    engine.dispose()
