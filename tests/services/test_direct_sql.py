"""The hot path's statements run on the driver's cursor give what SQLAlchemy gives (direct_sql.py).

On both databases: SQLite's driver and psycopg's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, select

from chat_app.models import Message, utc_now
from chat_app.services import conversations, direct_sql, send_statements, sending, statements
from chat_app.services.sessions import hash_token
from tests.support.sql import statements_run
from tests.support.users import log_in, make_friends, make_user, send_text

pytestmark = pytest.mark.both_databases


def _both(session: Session, statement: sa.Executable, params: dict) -> tuple[list, list]:
    """The rows of one read through SQLAlchemy and directly, in one transaction."""
    connection = session.connection()
    through_sqlalchemy = list(connection.execute(statement, params).all())
    direct = list(direct_sql.run(connection, statement, params).all())
    session.rollback()
    return through_sqlalchemy, direct


def _same_rows(expected: list, got: list) -> None:
    assert [tuple(row) for row in got] == [tuple(row) for row in expected]
    for want, row in zip(expected, got, strict=True):
        assert list(row._fields) == list(want._fields)
        # The same Python types: a bool stays a bool, a time keeps its UTC zone.
        assert [type(value) for value in row] == [type(value) for value in want]
        assert [getattr(value, "tzinfo", None) for value in row] == [
            getattr(value, "tzinfo", None) for value in want
        ]


def test_a_sessions_row_and_a_sends_checks_read_the_same_directly(session: Session):
    """Each side takes the next seq in a transaction of its own, rolled back."""
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    stored = send_text(session, ann, chat)
    token, _key = log_in(session, ann)

    _same_rows(*_both(session, statements.SESSION_BY_HASH, {"token_hash": hash_token(token)}))
    for client_id in (stored.message.client_id, "never-sent"):
        checks = {
            "conversation": chat,
            "viewer": ann,
            "client_id": client_id,
            "since": utc_now() - timedelta(minutes=1),
            "now": utc_now(),
        }
        expected = session.connection().execute(send_statements.NEXT_SEQ_WITH_CHECKS, checks).all()
        session.rollback()
        got = direct_sql.run(
            session.connection(), send_statements.NEXT_SEQ_WITH_CHECKS, checks
        ).all()
        session.rollback()
        _same_rows(list(expected), list(got))
        assert got[0].stored is (client_id == stored.message.client_id)
        assert got[0].recent == 1
        assert got[0].last_seq == stored.message.seq + 1
        assert got[0].departed is False


def test_a_message_stored_directly_reads_back_through_sqlalchemy_as_sent(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)

    sent = [send_text(session, ann, chat, body=f"line {n} ✓") for n in range(3)]

    rows = session.exec(select(Message).where(Message.conversation_id == chat)).all()
    assert [(row.seq, row.body, row.client_id) for row in rows] == [
        (s.message.seq, f"line {n} ✓", s.message.client_id) for n, s in enumerate(sent)
    ]
    assert [s.message.seq for s in sent] == [1, 2, 3]
    assert all(row.created_at.tzinfo is not None for row in rows)
    assert all(s.recipient_ids == (bob,) for s in sent)


def test_a_send_runs_its_statements_on_the_drivers_cursor(
    session: Session, monkeypatch: pytest.MonkeyPatch
):
    """Nothing of a send goes back through SQLAlchemy: a Python-side default on a message
    column did (+35 µs per message), a default in the database does not."""
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    planned = direct_sql._plan_for
    through_sqlalchemy: list[str] = []

    def plan_for(connection, statement, params):
        plan = planned(connection, statement, params)
        if plan is None:
            through_sqlalchemy.append(str(statement).split()[0])
        return plan

    monkeypatch.setattr(direct_sql, "_plan_for", plan_for)
    send_text(session, ann, chat, body="on the cursor")
    assert through_sqlalchemy == []


def test_a_time_is_stored_as_sqlalchemy_stores_it(session: Session):
    """SQLite compares times as text (the rate window): the same text, to the microsecond."""
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    now = utc_now()
    sending.send_message(
        session=session, viewer_id=bob, conversation_id=chat, client_id="c-1", body="x", now=now
    )
    raw = session.connection().exec_driver_sql(
        "SELECT created_at FROM message WHERE client_id = 'c-1'"
    )
    dialect = session.connection().dialect
    to_stored = statements.MESSAGE.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    stored = raw.scalar_one()
    if to_stored is None:  # PostgreSQL: a timestamp, without its zone
        assert stored == now.replace(tzinfo=None)
    else:
        assert stored == to_stored(now)


def test_a_second_row_with_the_same_client_id_is_sqlalchemys_integrity_error(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    first = send_text(session, ann, chat)
    row = {
        "conversation_id": chat,
        "seq": 99,
        "sender_id": ann,
        "client_id": first.message.client_id,
        "kind": "text",
        "body": "again",
        "file_id": None,
        "created_at": utc_now(),
        "reply_to_seq": None,
    }

    with pytest.raises(sa_exc.IntegrityError):
        direct_sql.run(session.connection(), statements.INSERT_IF_MEMBER, row)
    session.rollback()


def test_one_row_or_an_error_like_sqlalchemys(session: Session):
    connection = session.connection()
    lock = {
        "conversation": 12345,
        "viewer": 1,
        "client_id": "c",
        "since": utc_now(),
        "now": utc_now(),
    }

    with pytest.raises(sa_exc.NoResultFound):
        direct_sql.run(connection, send_statements.NEXT_SEQ_WITH_CHECKS, lock).scalar_one()
    assert direct_sql.run(connection, send_statements.NEXT_SEQ_WITH_CHECKS, lock).first() is None
    session.rollback()


def test_a_missing_parameter_is_refused_not_sent_as_null(session: Session):
    with pytest.raises(sa_exc.ArgumentError):
        direct_sql.run(session.connection(), statements.SESSION_BY_HASH, {})


def test_a_list_parameter_of_any_length_reads_what_sqlalchemy_reads(session: Session):
    ann, bob, cid = make_user(session, "ann"), make_user(session, "bob"), make_user(session, "cid")
    make_friends(session, ann, bob)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    send_text(session, ann, chat)

    for viewers in ([], [ann], [ann, bob], [bob, cid, ann], [ann, bob]):
        where = {"conversation": chat, "viewers": viewers, "seq": 1}
        expected, got = _both(session, statements.READ_STATES, where)
        _same_rows(expected, got)
        assert len(got) == len({ann, bob} & set(viewers))


def test_what_it_cannot_run_as_sqlalchemy_would_goes_through_sqlalchemy(
    session: Session, engine: sa.Engine
):
    ann = make_user(session, "ann")
    connection = session.connection()
    # A list too long to keep a plan for.
    where = {"conversation": 1, "viewers": list(range(ann, ann + 65)), "seq": 1}
    assert isinstance(direct_sql.run(connection, statements.READ_STATES, where), sa.CursorResult)
    # Someone listens to the statements (the tests that count them): SQLAlchemy runs them.
    with statements_run(engine) as seen:
        direct_sql.run(connection, statements.SESSION_BY_HASH, {"token_hash": "0" * 64})
    assert len(seen) == 1
    plain = direct_sql.run(connection, statements.SESSION_BY_HASH, {"token_hash": "0" * 64})
    assert not isinstance(plain, sa.CursorResult)
    session.rollback()


def test_a_lost_database_connection_is_sqlalchemys_error_and_not_used_again(
    session: Session, engine: sa.Engine
):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to lose")
    connection = session.connection()
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with engine.connect() as other:
        other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")

    with pytest.raises(sa_exc.OperationalError) as lost:
        direct_sql.run(connection, statements.SESSION_BY_HASH, {"token_hash": "0" * 64})

    assert lost.value.connection_invalidated
    assert connection.invalidated
    session.rollback()
    # The next session gets a working connection from the pool.
    with Session(engine) as fresh:
        query = {"token_hash": "0" * 64}
        assert direct_sql.run(fresh.connection(), statements.SESSION_BY_HASH, query).all() == []


def test_a_statement_built_again_is_compiled_again(session: Session):
    ann = make_user(session, "ann")
    connection = session.connection()
    for name in ("ann", "bob"):
        statement = sa.select(sa.literal(name).label("name"), sa.literal(ann).label("user"))
        (row,) = direct_sql.run(connection, statement, {}).all()
        assert (row.name, row.user) == (name, ann)
    session.rollback()
