"""The SQLite connection settings that make acknowledged writes durable."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from chat_app.services import database


def test_sqlite_connections_use_wal_full_sync_busy_timeout_and_foreign_keys(engine: sa.Engine):
    with engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") == 5000
        assert pragma("foreign_keys") == 1


def _journal_mode(path: Path) -> str:
    # A plain connection, without the app's connection settings: the file's own mode.
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]


def test_an_engine_puts_its_file_in_wal_mode_when_created(tmp_path: Path):
    """At start-up, before any request: a file the migration did not switch (a restored copy)."""
    path = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
    assert _journal_mode(path) == "delete"
    engine = database.create_db_engine(f"sqlite:///{path}")
    assert _journal_mode(path) == "wal"
    engine.dispose()
