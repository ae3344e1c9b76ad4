"""The session check's call: no transaction around its statements, none left behind.

`autocommit_session_scope` (services/database.py) spares PostgreSQL a BEGIN and a ROLLBACK
round trip per event; its writes commit one statement at a time, and the pooled connection
it used is transactional again for the next call. On both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from chat_app.models import AuthSession
from chat_app.services import database, sessions
from tests.support.users import log_in, make_user

pytestmark = pytest.mark.both_databases


def _in_transaction(session: Session) -> bool:
    """Whether the database connection under `session` is inside a transaction."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    if isinstance(driver, psycopg.Connection):
        return driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
    return driver.in_transaction  # sqlite3


@pytest.fixture
def one_connection(engine: sa.Engine) -> Iterator[sa.Engine]:
    """The test database behind a pool of exactly one connection (every call reuses it)."""
    single = sa.create_engine(engine.url, pool_size=1, max_overflow=0)
    yield single
    single.dispose()


def test_the_check_runs_outside_a_transaction_and_the_next_call_inside_one(
    one_connection: sa.Engine,
):
    with database.autocommit_session_scope(one_connection) as session:
        session.connection().exec_driver_sql("CREATE TABLE rows (x INTEGER)")
        assert not _in_transaction(session)
        used = session.connection().connection.driver_connection

    def failing_call() -> None:
        with database.connection_session_scope(one_connection) as session:
            assert session.connection().connection.driver_connection is used
            session.connection().exec_driver_sql("INSERT INTO rows VALUES (1)")
            assert _in_transaction(session)
            raise RuntimeError("the service failed")

    with pytest.raises(RuntimeError):
        failing_call()
    with database.connection_session_scope(one_connection) as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM rows").scalar() == 0


@pytest.fixture
def token(session: Session) -> str:
    return log_in(session, make_user(session, "alice"))[0]


def _stored(engine: sa.Engine, token_hash: str) -> AuthSession | None:
    with Session(engine) as session:
        return session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash)).first()


def test_the_check_s_writes_are_kept_without_a_transaction(engine: sa.Engine, token: str):
    token_hash = sessions.hash_token(token)
    row = _stored(engine, token_hash)
    assert row is not None
    later = row.last_seen_at + timedelta(minutes=10)
    with database.autocommit_session_scope(engine) as session:
        user = sessions.resolve_session_by_hash(
            session=session, token_hash=token_hash, client_address="10.0.0.9", now=later
        )
    assert user is not None
    touched = _stored(engine, token_hash)
    assert touched is not None
    assert (touched.last_seen_at, touched.client_address) == (later, "10.0.0.9")

    with database.autocommit_session_scope(engine) as session:
        expired = row.expires_at + timedelta(seconds=1)
        assert (
            sessions.resolve_session_by_hash(session=session, token_hash=token_hash, now=expired)
            is None
        )
    assert _stored(engine, token_hash) is None
