"""A read cursor's commit skips the fsync; every other commit, the message's first, keeps it.

A read position may fall back a few seconds after a power cut; an acknowledged message may
not. So only the read cursor's transaction runs with SQLite's `synchronous=NORMAL`
(PostgreSQL: `synchronous_commit = off` for that transaction), and the pooled connection is
FULL again for whoever uses it next.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from chat_app.services import conversations, database, read_cursors
from tests.support.users import make_friends, make_user, send_text

pytestmark = pytest.mark.both_databases


def _durability(dbapi_connection: Any, dialect: str) -> str:
    """How durable a commit on this connection is now: "full" or "relaxed"."""
    cursor = dbapi_connection.cursor()
    try:
        if dialect == "sqlite":
            cursor.execute("PRAGMA synchronous")
            return {2: "full", 1: "relaxed"}[cursor.fetchone()[0]]
        cursor.execute("SHOW synchronous_commit")
        return {"on": "full", "off": "relaxed"}[cursor.fetchone()[0]]
    finally:
        cursor.close()


class Commits:
    """Each commit on the engine: its connection and how durable it was."""

    def __init__(self, engine: sa.Engine) -> None:
        self.seen: list[tuple[Any, str]] = []
        self.dialect = engine.dialect.name

        @event.listens_for(engine, "commit")
        def on_commit(connection: sa.Connection) -> None:
            raw = connection.connection.dbapi_connection
            self.seen.append((raw, _durability(raw, self.dialect)))

    def levels(self) -> list[str]:
        return [level for _raw, level in self.seen]


@pytest.fixture
def chat(engine: sa.Engine) -> tuple[int, int, int]:
    with database.session_scope(engine) as session:
        ann, bob = make_user(session, "ann"), make_user(session, "bob")
        make_friends(session, ann, bob)
        chat_id = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    return ann, bob, chat_id


def _send(engine: sa.Engine, sender: int, chat_id: int) -> int:
    with database.session_scope(engine) as session:
        return send_text(session, sender, chat_id).message.seq


def _read(engine: sa.Engine, reader: int, chat_id: int, seq: int) -> None:
    with database.session_scope(engine) as session:
        receipt = read_cursors.mark_read(
            session=session, viewer_id=reader, conversation_id=chat_id, up_to_seq=seq
        )
    assert receipt is not None
    assert receipt.seq == seq


def test_only_the_read_cursor_commits_without_waiting_for_the_disk(engine, chat):
    ann, bob, chat_id = chat
    commits = Commits(engine)
    first = _send(engine, ann, chat_id)
    _read(engine, bob, chat_id, first)  # creates bob's cursor
    second = _send(engine, ann, chat_id)
    _read(engine, bob, chat_id, second)  # moves it
    _send(engine, bob, chat_id)
    assert commits.levels() == ["full", "relaxed", "full", "relaxed", "full"]
    # One pooled connection served them all: the message after each read got it back FULL.
    assert len({id(raw) for raw, _level in commits.seen}) == 1


def test_the_next_user_of_the_connection_gets_it_durable_again(engine, chat):
    ann, bob, chat_id = chat
    _read(engine, bob, chat_id, _send(engine, ann, chat_id))
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert _durability(raw, engine.dialect.name) == "full"


def test_a_read_that_fails_after_relaxing_leaves_the_connection_durable(
    engine, chat, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, chat_id = chat
    seq = _send(engine, ann, chat_id)
    commits = Commits(engine)

    def broken_commit(self: Session) -> None:
        raise RuntimeError("disk gone")

    with monkeypatch.context() as patched:
        patched.setattr(Session, "commit", broken_commit)
        with pytest.raises(RuntimeError):
            _read(engine, bob, chat_id, seq)
    _send(engine, ann, chat_id)
    assert commits.levels() == ["full"]
    with engine.connect() as connection:
        assert _durability(connection.connection.dbapi_connection, engine.dialect.name) == "full"


def test_a_transaction_that_wrote_already_stays_durable(engine, chat):
    """SQLite cannot relax inside a transaction: the write keeps its fsync (never fails)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL relaxes the transaction itself, at any point")
    ann, _bob, chat_id = chat
    commits = Commits(engine)
    with database.session_scope(engine) as session:
        session.connection().exec_driver_sql("UPDATE conversation SET last_seq = last_seq")
        database.relax_durability(session)
        session.commit()
    _send(engine, ann, chat_id)
    assert commits.levels() == ["full", "full"]
