"""The SQLite connection settings that make acknowledged writes durable."""

from __future__ import annotations

import sqlalchemy as sa


def test_sqlite_connections_use_wal_full_sync_busy_timeout_and_foreign_keys(engine: sa.Engine):
    with engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") == 5000
        assert pragma("foreign_keys") == 1
