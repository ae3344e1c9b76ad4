"""Engine and session factory, with the SQLite settings that make commits durable."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from chat_app.services import search_index
from chat_app.settings import SETTINGS

# Every engine's `create_all` (tests, a first run) builds the search index with the tables.
search_index.install()

SQLITE_BUSY_TIMEOUT_MS = 5000
# Marks a pooled SQLite connection whose commits skip the fsync until it is checked in.
_RELAXED = "chat_relaxed_sync"


def _configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # synchronous=FULL makes an acknowledged commit survive a power cut (about 0.3 ms per
    # commit on this kind of machine). It holds per connection; WAL is the file's own
    # setting, made once (`use_wal`).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _restore_full_sync(dbapi_connection: Any, connection_record: Any) -> None:
    """Pool check-in: a connection relaxed for one transaction is FULL again for the next user.

    Runs after the pool's rollback and before the connection can be checked out again (by
    another thread, too), so no other transaction ever commits on it without the fsync.
    """
    _durable_again(connection_record.info, dbapi_connection, connection_record.invalidate)


def _durable_again(
    info: dict[Any, Any], dbapi_connection: Any, invalidate: Callable[[BaseException], None]
) -> None:
    """Make a relaxed SQLite connection's commits FULL again (`relax_durability`).

    Args:
        info: The pooled connection's `info`, which marks it relaxed.
        dbapi_connection: The driver's connection (None: already gone).
        invalidate: Drops the connection when the setting cannot be restored.
    """
    if not info.pop(_RELAXED, False) or dbapi_connection is None:
        return
    try:
        dbapi_connection.execute("PRAGMA synchronous=FULL")
    except Exception as error:
        # Never use a connection again whose commits might not be durable: drop it.
        invalidate(error)


def relax_durability(session: Session) -> None:
    """Let this transaction's commit skip the wait for the disk (never the crash safety).

    For writes that may be lost on a power cut, and only those: a read position may fall
    back a few seconds, an acknowledged message may not. A crash of the process loses
    nothing either way; a power cut may lose this commit and any later one made the same
    way until the next durable commit, which makes everything before it durable too (WAL).

    SQLite: `synchronous=NORMAL` on this connection until it goes back to the pool, where
    it is made FULL again (`_restore_full_sync`). The setting cannot change inside a
    transaction: call this before the transaction's first write (reads may come first; a
    transaction that has written already stays FULL). PostgreSQL: `synchronous_commit` is
    off for this transaction only (`SET LOCAL`).

    Args:
        session: The session whose current transaction is about to write.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        return
    if dialect != "sqlite":
        return
    pooled = connection.connection
    raw = pooled.driver_connection
    if raw is None or raw.in_transaction:
        return
    # The driver's own call: through SQLAlchemy these two statements would cost more CPU
    # than the fsync they save.
    raw.execute("PRAGMA synchronous=NORMAL")
    pooled.info[_RELAXED] = True


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
        event.listen(engine, "checkin", _restore_full_sync)  # codespell:ignore checkin
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
    with _closed_after(Session(engine or get_engine(), expire_on_commit=False)) as session:
        yield session


@contextmanager
def _closed_after(session: Session) -> Iterator[Session]:
    """Roll `session` back if the block raises, and close it afterwards."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# The SQLite connection each thread keeps for quick calls (`kept_session_scope`).
_KEPT = threading.local()


def _kept_connection(engine: sa.Engine) -> sa.Connection:
    """This thread's kept connection to `engine`, opened again if the engine or pool changed."""
    kept: sa.Connection | None = getattr(_KEPT, "connection", None)
    same_pool = kept is not None and kept.engine is engine and _KEPT.pool is engine.pool
    if kept is not None and same_pool and not (kept.closed or kept.invalidated):
        return kept
    if kept is not None and not kept.closed:
        # An engine disposed of or gone may refuse it back: nothing is lost either way.
        with contextlib.suppress(Exception):
            kept.close()
    kept = engine.connect()
    _KEPT.connection, _KEPT.pool = kept, engine.pool
    return kept


def _restore_kept(connection: sa.Connection) -> None:
    """After a call: no transaction left open, and commits durable again (`relax_durability`).

    What the pool's check-in does for a pooled connection (rollback, `_restore_full_sync`).
    """
    if connection.invalidated or connection.closed:
        return
    if connection.in_transaction():
        connection.rollback()
    pooled = connection.connection
    _durable_again(pooled.info, pooled.driver_connection, connection.invalidate)


class _ConnectionSession(Session):
    """A session on one connection whose Core-only work skips the ORM's transaction.

    The hot path's services use `connection()`, `commit()` and `rollback()` and no ORM
    object: their transaction is the connection's own, and the ORM's bookkeeping around it
    cost as much CPU as their statements. A service that does use the ORM (a file message's
    row) gets a session transaction that joins the connection's and commits or rolls back
    all of it (`control_fully`).
    """

    def __init__(self, connection: sa.Connection) -> None:
        super().__init__(
            bind=connection, expire_on_commit=False, join_transaction_mode="control_fully"
        )
        self._own = connection

    def connection(
        self,
        bind_arguments: Any = None,
        execution_options: Any = None,
    ) -> sa.Connection:
        """The session's connection, in a transaction (the ORM's, once the ORM was used)."""
        if self.in_transaction() or bind_arguments or execution_options:
            return super().connection(bind_arguments, execution_options)
        if not self._own.in_transaction():
            self._own.begin()
        return self._own

    def commit(self) -> None:
        """Flush and commit what the ORM holds, and commit the connection's transaction."""
        if self.in_transaction():
            super().commit()
        if self._own.in_transaction():
            self._own.commit()

    def rollback(self) -> None:
        """Roll back the ORM's transaction and the connection's."""
        if self.in_transaction():
            super().rollback()
        if self._own.in_transaction():
            self._own.rollback()

    def close(self) -> None:
        """End the ORM's part, if the ORM was used (the scope then drops the session).

        A Core-only call leaves no ORM transaction and no object behind, and the ORM's
        close would still rebuild its identity map and dispatch the detach of nothing:
        7 of the 34 µs of CPU a trivial quick call cost on the kept SQLite connection.
        """
        if self._transaction is None and not self.identity_map and not self._new:
            return
        super().close()


@contextmanager
def connection_session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """`session_scope` on one pooled connection, for a quick call on a worker thread.

    Its Core-only work runs in the connection's own transaction (`_ConnectionSession`); the
    pool checks the connection out (with its ping) and back in as for any session.

    Args:
        engine: The engine to use; the configured one when omitted.

    Yields:
        An open session. Services commit it themselves.
    """
    with (
        (engine or get_engine()).connect() as connection,
        _closed_after(_ConnectionSession(connection)) as session,
    ):
        yield session


@contextmanager
def autocommit_session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """`connection_session_scope` without a transaction: each statement commits alone.

    For a quick call whose statements each stand alone (the session check: one SELECT,
    rarely one write after it). On PostgreSQL a transaction around one SELECT costs a BEGIN
    and a ROLLBACK, each a round trip; the pool restores the connection's transactions when
    it takes the connection back.

    Args:
        engine: The engine to use; the configured one when omitted.

    Yields:
        An open session. A commit has nothing left to commit.
    """
    with (engine or get_engine()).connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        with _closed_after(_ConnectionSession(connection)) as session:
            yield session


@contextmanager
def kept_session_scope() -> Iterator[Session]:
    """`session_scope` on an SQLite connection this thread keeps between calls.

    For the quick calls of the embedded profile, made one at a time on the event loop's
    thread: a pool check-out and check-in per call (several calls per message) cost more
    CPU than the session look-up's statement. Connections to other databases are not kept
    (a server may close them; the pool pings each one it hands out):
    `connection_session_scope`.

    Yields:
        An open session on the kept connection. Services commit it themselves.
    """
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        with connection_session_scope(engine) as session:
            yield session
        return
    connection = _kept_connection(engine)
    try:
        with _closed_after(_ConnectionSession(connection)) as session:
            yield session
    finally:
        _restore_kept(connection)
