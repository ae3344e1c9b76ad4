"""The connection settings that make acknowledged writes durable, and how connections are reused."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

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


def _raw(session: Session) -> Any:
    """The driver's connection under a session's transaction."""
    return session.connection().connection.dbapi_connection


def _synchronous(session: Session) -> int:
    return session.connection().exec_driver_sql("PRAGMA synchronous").scalar_one()


def test_quick_calls_on_one_thread_share_one_kept_sqlite_connection(engine: sa.Engine):
    with database.kept_session_scope() as session:
        first = _raw(session)
        session.connection().exec_driver_sql("CREATE TABLE kept (x INTEGER)")
        session.commit()
    checkouts: list[Any] = []
    event.listen(engine, "checkout", lambda *_: checkouts.append(1))
    with database.kept_session_scope() as session:
        assert _raw(session) is first
        session.connection().exec_driver_sql("INSERT INTO kept VALUES (1)")
        # Not committed: the scope rolls it back, and no transaction stays open.
    assert checkouts == []  # the pool was not asked
    with engine.connect() as other:
        assert other.exec_driver_sql("SELECT count(*) FROM kept").scalar_one() == 0
        other.exec_driver_sql("INSERT INTO kept VALUES (2)")  # no lock held elsewhere
        other.commit()
    assert not first.in_transaction


def test_a_relaxed_commit_leaves_the_kept_connection_durable_for_the_next_call(
    engine: sa.Engine,
):
    with database.kept_session_scope() as session:
        database.relax_durability(session)
        assert _synchronous(session) == 1  # NORMAL, for this transaction
        session.commit()
    with database.kept_session_scope() as session:
        assert _synchronous(session) == 2  # FULL again, as a pooled connection's check-in does


def test_a_disposed_or_replaced_engine_gets_a_new_kept_connection(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    with database.kept_session_scope() as session:
        first = _raw(session)
    engine.dispose()  # tests and restores do this before they replace the file
    with database.kept_session_scope() as session:
        second = _raw(session)
    assert second is not first
    other = database.create_db_engine(f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setattr(database, "get_engine", lambda url=None: other)
    with database.kept_session_scope() as session:
        assert _raw(session) is not second
        files = session.connection().exec_driver_sql("PRAGMA database_list").all()
        assert files[0][2].endswith("other.db")
    other.dispose()
