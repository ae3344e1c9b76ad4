"""A quick call's session: Core work in its connection's own transaction, the ORM joining it.

Both ways a quick service call gets its session (`services/database.py`): on the connection
the event loop's thread keeps (embedded) and on a pooled connection (a worker thread), on
both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chat_app.models import User, utc_now
from chat_app.services import database

pytestmark = pytest.mark.both_databases

Scope = Callable[[], AbstractContextManager[Session]]


@pytest.fixture(params=["kept", "pooled"])
def quick_scope(request: pytest.FixtureRequest, engine: sa.Engine) -> Scope:
    """`kept_session_scope` (the loop's own SQLite connection) or `connection_session_scope`."""
    if request.param == "kept":
        return database.kept_session_scope
    return database.connection_session_scope


def test_a_failed_call_leaves_nothing_behind(engine: sa.Engine, quick_scope: Scope):
    with quick_scope() as session:
        session.connection().exec_driver_sql("CREATE TABLE kept (x INTEGER)")
        session.commit()

    def failing_service() -> None:
        with quick_scope() as session:
            session.connection().exec_driver_sql("INSERT INTO kept VALUES (1)")
            raise RuntimeError("the service failed")

    with pytest.raises(RuntimeError):
        failing_service()
    with quick_scope() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM kept").scalar() == 0


def _users(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.exec_driver_sql('SELECT username FROM "user" ORDER BY id').scalars())


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


def test_orm_work_after_core_work_in_one_call_commits_with_it(
    engine: sa.Engine, quick_scope: Scope
):
    """A file message: the checks in SQL, the file's row through the ORM, one commit."""
    with quick_scope() as session:
        _insert_user(session, "core")
        session.add(_user("orm"))
        session.flush()
        _insert_user(session, "core_after")
        session.commit()
    assert _users(engine) == ["core", "orm", "core_after"]


def test_a_rollback_undoes_core_and_orm_work_in_either_order(engine: sa.Engine, quick_scope: Scope):
    with quick_scope() as session:
        session.add(_user("orm"))
        session.flush()
        _insert_user(session, "core")
        session.rollback()
        _insert_user(session, "kept")
        session.commit()
    with quick_scope() as session:
        _insert_user(session, "core_first")
        session.add(_user("orm_second"))
        session.flush()
        session.rollback()
    assert _users(engine) == ["kept"]


def test_an_object_changed_or_deleted_after_a_commit_is_saved_by_the_next(
    engine: sa.Engine, quick_scope: Scope
):
    with quick_scope() as session:
        user = _user("ann")
        session.add(user)
        session.commit()
        user.nickname = "Ann"  # the ORM begins its transaction again for the change
        session.commit()
        assert _users(engine) == ["ann"]
        with engine.connect() as connection:
            assert connection.exec_driver_sql('SELECT nickname FROM "user"').scalar_one() == "Ann"
        session.delete(user)
        session.commit()
    assert _users(engine) == []


def test_after_a_refused_insert_the_call_reads_and_commits_again(
    engine: sa.Engine, quick_scope: Scope
):
    """As a send does when a concurrent retry stored its client id first."""
    with quick_scope() as session:
        _insert_user(session, "ann")
        session.commit()
        with pytest.raises(IntegrityError):
            _insert_user(session, "ann")
        session.rollback()
        assert session.get(User, 1) is not None
        _insert_user(session, "bob")
        session.commit()
    assert _users(engine) == ["ann", "bob"]


def test_objects_a_call_loaded_or_added_are_detached_when_it_ends(
    engine: sa.Engine, quick_scope: Scope
):
    """The session's close skips only a Core-only call's ORM bookkeeping, never an object's."""
    with quick_scope() as session:  # a Core-only call: its transaction ends all the same
        _insert_user(session, "core")
    assert _users(engine) == []
    with quick_scope() as session:
        _insert_user(session, "stored")
        session.commit()
        user_id = session.connection().exec_driver_sql('SELECT id FROM "user"').scalar_one()
        loaded = session.get(User, user_id)
        added = _user("never_stored")
        session.add(added)
        session.rollback()
        read_again = session.get(User, user_id)
    assert sa.inspect(loaded).detached
    assert sa.inspect(read_again).detached
    assert sa.inspect(added).transient
    assert _users(engine) == ["stored"]
