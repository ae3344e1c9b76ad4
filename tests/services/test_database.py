"""The connection settings that make acknowledged writes durable, and how connections are reused."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chat_app.models import User, utc_now
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


def test_a_failed_call_on_the_kept_connection_leaves_nothing_behind(engine: sa.Engine):
    with database.kept_session_scope() as session:
        session.connection().exec_driver_sql("CREATE TABLE kept (x INTEGER)")
        session.commit()

    def failing_service() -> None:
        with database.kept_session_scope() as session:
            session.connection().exec_driver_sql("INSERT INTO kept VALUES (1)")
            raise RuntimeError("the service failed")

    with pytest.raises(RuntimeError):
        failing_service()
    with database.kept_session_scope() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM kept").scalar() == 0


def _users(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT username FROM user ORDER BY id").scalars())


def _user(username: str) -> User:
    return User(
        username=username,
        username_key=username,
        nickname=username,
        password_hash="x",
        created_at=utc_now(),
    )


def _insert_user(session: Session, username: str) -> None:
    """A user row through Core, on the session's connection (as the hot path's SQL runs)."""
    row = _user(username).model_dump(exclude={"id"})
    session.connection().execute(sa.insert(User).values(**row))


def test_orm_work_after_core_work_in_one_call_commits_with_it(engine: sa.Engine):
    """A file message: the checks in SQL, the file's row through the ORM, one commit."""
    with database.kept_session_scope() as session:
        _insert_user(session, "core")
        session.add(_user("orm"))
        session.flush()
        _insert_user(session, "core_after")
        session.commit()
    assert _users(engine) == ["core", "orm", "core_after"]


def test_a_rollback_undoes_core_and_orm_work_in_either_order(engine: sa.Engine):
    with database.kept_session_scope() as session:
        session.add(_user("orm"))
        session.flush()
        _insert_user(session, "core")
        session.rollback()
        _insert_user(session, "kept")
        session.commit()
    with database.kept_session_scope() as session:
        _insert_user(session, "core_first")
        session.add(_user("orm_second"))
        session.flush()
        session.rollback()
    assert _users(engine) == ["kept"]


def test_an_object_changed_or_deleted_after_a_commit_is_saved_by_the_next(engine: sa.Engine):
    with database.kept_session_scope() as session:
        user = _user("ann")
        session.add(user)
        session.commit()
        user.nickname = "Ann"  # the ORM begins its transaction again for the change
        session.commit()
        assert _users(engine) == ["ann"]
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT nickname FROM user").scalar_one() == "Ann"
        session.delete(user)
        session.commit()
    assert _users(engine) == []


def test_after_a_refused_insert_the_call_reads_and_commits_again(engine: sa.Engine):
    """As a send does when a concurrent retry stored its client id first."""
    with database.kept_session_scope() as session:
        _insert_user(session, "ann")
        session.commit()
        with pytest.raises(IntegrityError):
            _insert_user(session, "ann")
        session.rollback()
        assert session.get(User, 1) is not None
        _insert_user(session, "bob")
        session.commit()
    assert _users(engine) == ["ann", "bob"]


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
