"""Reads moved together (`read_cursors.mark_reads`): one transaction, an outcome each."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from chat_app.models import ReadCursor
from chat_app.services import conversations, database, read_cursors
from chat_app.services.errors import NotFound
from chat_app.services.read_cursors import ReadRequest
from chat_app.services.read_views import ReadReceipt
from tests.services.test_read_durability import Commits
from tests.support.users import make_friends, make_user, send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def people(engine: sa.Engine) -> dict[str, int]:
    """Ann and Bob in a chat with three of Bob's messages; Cat and Dan in one of their own."""
    with database.session_scope(engine) as session:
        found = {name: make_user(session, name) for name in ("ann", "bob", "cat", "dan")}
        make_friends(session, found["ann"], found["bob"])
        make_friends(session, found["cat"], found["dan"])
        for pair, key in (("ann", "bob"), ("cat", "dan")):
            chat = conversations.direct_with(
                session=session, viewer_id=found[pair], friend_id=found[key]
            )
            found[f"{pair}+{key}"] = chat
            for _ in range(3):
                send_text(session, found[key], chat)
    return found


def receipt(outcome: ReadReceipt | NotFound | None) -> ReadReceipt:
    """The outcome as a receipt (any other outcome is a stand-in that fails to compare)."""
    return outcome if isinstance(outcome, ReadReceipt) else ReadReceipt(0, 0, 0, 0)


def _cursor(engine: sa.Engine, user: int, chat: int) -> list[int]:
    with Session(engine) as session:
        rows = session.exec(
            select(ReadCursor).where(ReadCursor.user_id == user, ReadCursor.conversation_id == chat)
        ).all()
        return [row.last_read_seq for row in rows]


def test_each_read_of_a_batch_gets_its_own_outcome_in_one_transaction(
    engine: sa.Engine, people: dict[str, int]
):
    ann, cat, ann_bob, cat_dan = people["ann"], people["cat"], people["ann+bob"], people["cat+dan"]
    commits = Commits(engine)
    requests: list[Any] = [
        ReadRequest(ann, ann_bob, 2),  # a first read: the cursor is created
        ReadRequest(ann, cat_dan, 3),  # someone else's chat
        ReadRequest(cat, cat_dan, 9),  # past the last message: capped at 3
        ReadRequest(ann, ann_bob, 1),  # behind where Ann is now: nothing moves
        ReadRequest(ann, "1", 1),  # forged ids
        ReadRequest(ann, ann_bob, True),
        ReadRequest(ann, 10**30, 1),
        ReadRequest(ann, ann_bob, 3),  # further: the cursor moves again
    ]
    with database.session_scope(engine) as session:
        outcomes = read_cursors.mark_reads(session=session, requests=requests)

    assert [type(outcome).__name__ for outcome in outcomes] == [
        "ReadReceipt",
        "NotFound",
        "ReadReceipt",
        "NoneType",
        "NotFound",
        "NotFound",
        "NotFound",
        "ReadReceipt",
    ]
    first, _, cats, _, _, _, _, last = (receipt(outcome) for outcome in outcomes)
    assert (first.reader_id, first.seq, first.previous_seq) == (ann, 2, 0)
    assert (cats.reader_id, cats.seq, cats.friend_id) == (cat, 3, people["dan"])
    assert (last.seq, last.previous_seq, last.unread_left) == (3, 2, 0)
    assert _cursor(engine, ann, ann_bob) == [3]
    assert _cursor(engine, cat, cat_dan) == [3]
    assert _cursor(engine, ann, cat_dan) == []
    assert commits.levels() == ["relaxed"]  # one commit, without the fsync


def test_a_batch_of_refusals_writes_nothing(engine: sa.Engine, people: dict[str, int]):
    ann, cat_dan = people["ann"], people["cat+dan"]
    with database.session_scope(engine) as session:
        outcomes = read_cursors.mark_reads(
            session=session, requests=[ReadRequest(ann, cat_dan, 1), ReadRequest(ann, -1, 1)]
        )
    assert all(isinstance(outcome, NotFound) for outcome in outcomes)
    assert _cursor(engine, ann, cat_dan) == []


def test_a_cursor_another_tab_created_meanwhile_is_moved_instead(
    engine: sa.Engine, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
):
    """PostgreSQL: two workers' first reads of a chat by one user, at the same moment."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite's database-wide write lock keeps any cursor write out meanwhile")
    ann, bob, ann_bob = people["ann"], people["bob"], people["ann+bob"]
    relax = database.relax_durability
    raced: list[bool] = []

    def other_tab_first(session: Session) -> None:
        # Between the batch's look at Ann's cursor (none yet) and its insert.
        if not raced:
            raced.append(True)
            with database.session_scope(engine) as other:
                read_cursors.mark_read(
                    session=other, viewer_id=ann, conversation_id=ann_bob, up_to_seq=1
                )
        relax(session)

    monkeypatch.setattr(database, "relax_durability", other_tab_first)
    requests = [ReadRequest(ann, ann_bob, 2), ReadRequest(bob, ann_bob, 3)]
    with database.session_scope(engine) as session:
        mine, bobs = map(receipt, read_cursors.mark_reads(session=session, requests=requests))
    assert raced
    assert (mine.reader_id, mine.seq, mine.previous_seq) == (ann, 2, 1)
    assert (bobs.reader_id, bobs.seq) == (bob, 3)
    assert _cursor(engine, ann, ann_bob) == [2]
    assert _cursor(engine, bob, ann_bob) == [3]


class _Deadlock(Exception):
    sqlstate = "40P01"  # PostgreSQL's deadlock_detected


def test_a_batch_that_lost_a_deadlock_is_tried_once_more(
    engine: sa.Engine, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
):
    """PostgreSQL aborts one of two batches that took the same cursors in another order."""
    ann, ann_bob = people["ann"], people["ann+bob"]
    move_all = read_cursors._move_all
    failures: list[OperationalError] = []

    def lose_once(*args: Any) -> bool:
        if not failures:
            failures.append(OperationalError("UPDATE", {}, _Deadlock()))
            raise failures[0]
        return move_all(*args)

    monkeypatch.setattr(read_cursors, "_move_all", lose_once)
    with database.session_scope(engine) as session:
        (outcome,) = read_cursors.mark_reads(
            session=session, requests=[ReadRequest(ann, ann_bob, 2)]
        )
    assert receipt(outcome).seq == 2
    assert _cursor(engine, ann, ann_bob) == [2]

    # Any other failure of the database is not retried.
    failures.clear()
    failures.append(OperationalError("UPDATE", {}, Exception("disk I/O error")))

    calls: list[bool] = []

    def fail(*_args: Any) -> bool:
        calls.append(True)
        raise failures[0]

    monkeypatch.setattr(read_cursors, "_move_all", fail)
    with pytest.raises(OperationalError), database.session_scope(engine) as session:
        read_cursors.mark_reads(session=session, requests=[ReadRequest(ann, ann_bob, 3)])
    assert len(calls) == 1
    assert _cursor(engine, ann, ann_bob) == [2]
