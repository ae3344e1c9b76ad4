"""Engine and session factory, with the SQLite settings that make commits durable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from chat_app.settings import SETTINGS

SQLITE_BUSY_TIMEOUT_MS = 5000


def _configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # synchronous=FULL makes an acknowledged commit survive a power cut (about 0.3 ms per
    # commit on this kind of machine). It holds per connection; WAL is the file's own
    # setting, made once (`use_wal`).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def use_wal(connection: sa.Connection) -> None:
    """Put an SQLite file in WAL mode, which it keeps (readers then run beside the writer).

    The switch needs the file to itself: done lazily by each new connection, two requests
    at once could fail with "database is locked". So the migration makes it (0010), and
    every engine checks once, before it serves anything; on a WAL file that is one read.

    Args:
        connection: A connection to the SQLite file, outside any transaction.
    """
    if connection.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal":
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def create_db_engine(url: str) -> sa.Engine:
    """Create an engine for `url`; for SQLite, the file in WAL mode and every connection set up.

    Args:
        url: An SQLAlchemy database URL.

    Returns:
        The engine.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        with engine.connect() as connection:
            use_wal(connection)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


@cache
def get_engine(url: str | None = None) -> sa.Engine:
    """The process-wide engine for `url` (the configured database by default).

    Args:
        url: An SQLAlchemy database URL; `SETTINGS.database_url` when omitted.

    Returns:
        The shared engine.
    """
    return create_db_engine(url or SETTINGS.database_url)


def open_database() -> None:
    """Lifespan task, in every worker before it serves: the engine, and WAL checked once."""
    get_engine()


@contextmanager
def session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """A session that rolls back on error and is closed afterwards.

    Args:
        engine: The engine to use; the configured one when omitted.

    Yields:
        An open session. Services commit it themselves.
    """
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
