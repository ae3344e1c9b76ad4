"""Group changes racing each other: roles are read under the group's lock, one change wins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from chat_app.models import ReadCursor
from chat_app.services import database, group_events, group_members
from chat_app.services.errors import DomainError, Forbidden, NotFound, Refused
from tests.support.groups import (
    events,
    make_admin,
    make_group,
    make_people,
    refused_for,
    roles,
    stored,
)

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    return make_people(session, "ann bob cat dan", "ann-bob ann-cat ann-dan")


def at_once(engine: sa.Engine, *calls: Callable[[Session], Any]) -> list[Any]:
    """Run each call in its own thread and session, released together; results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Session], Any]) -> None:
        with database.session_scope(engine) as own:
            barrier.wait(timeout=10)
            try:
                results[index] = call(own)
            except DomainError as error:
                results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_a_role_lost_between_the_first_check_and_the_lock_refuses_the_change(
    session, engine, users, monkeypatch
):
    """The owner demotes bob after bob's request passed its first check: bob is refused."""
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    make_admin(session, group, ann, bob)
    take_lock = group_events.next_seq
    interleaved = []

    def owner_acts_first(own: Session, conversation_id: int, now):
        if not interleaved:
            interleaved.append(True)
            with database.session_scope(engine) as other:
                group_members.set_role(
                    session=other, actor_id=ann, conversation_id=group, user_id=bob, role="member"
                )
        return take_lock(own, conversation_id, now)

    monkeypatch.setattr(group_events, "next_seq", owner_acts_first)
    before = events(session, group)
    with pytest.raises(Forbidden) as raised:
        group_members.remove_member(
            session=session, actor_id=bob, conversation_id=group, user_id=cat
        )
    assert raised.value.code == "group_admins_only"
    assert roles(session, group) == {ann: "owner", bob: "member", cat: "member"}
    assert [e["event"] for e in events(session, group)] == [e["event"] for e in before] + ["role"]


def test_two_admins_removing_the_same_member_at_once_one_wins(session, engine, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    group = make_group(session, ann, bob, cat, dan)
    make_admin(session, group, ann, bob)
    make_admin(session, group, ann, cat)

    def removes(actor: int):
        return lambda own: group_members.remove_member(
            session=own, actor_id=actor, conversation_id=group, user_id=dan
        )

    results = at_once(engine, removes(bob), removes(cat))
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1
    assert isinstance(errors[0], NotFound)
    assert errors[0].code == "group_member_gone"
    assert [e["event"] for e in events(session, group)].count("removed") == 1
    assert dan not in roles(session, group)


def test_two_admins_removing_each_other_are_both_refused(session, engine, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    make_admin(session, group, ann, bob)
    make_admin(session, group, ann, cat)
    before = stored(session)
    results = at_once(
        engine,
        lambda own: group_members.remove_member(
            session=own, actor_id=bob, conversation_id=group, user_id=cat
        ),
        lambda own: group_members.remove_member(
            session=own, actor_id=cat, conversation_id=group, user_id=bob
        ),
    )
    assert [getattr(r, "code", None) for r in results] == ["group_owner_only"] * 2
    assert stored(session) == before


def test_the_owner_and_an_admin_removing_each_other_the_owner_stays(session, engine, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    make_admin(session, group, ann, bob)
    results = at_once(
        engine,
        lambda own: group_members.remove_member(
            session=own, actor_id=ann, conversation_id=group, user_id=bob
        ),
        lambda own: group_members.remove_member(
            session=own, actor_id=bob, conversation_id=group, user_id=ann
        ),
    )
    assert not isinstance(results[0], DomainError)
    assert isinstance(results[1], DomainError)
    # Refused for its rule, or because bob was no longer a member once he had the lock.
    assert results[1].code in {"group_cannot_remove_owner", "conversation_gone"}
    assert roles(session, group) == {ann: "owner", cat: "member"}


def test_handing_over_twice_at_once_gives_one_owner(session, engine, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)

    def hands_to(heir: int):
        return lambda own: group_members.hand_over(
            session=own, actor_id=ann, conversation_id=group, user_id=heir
        )

    results = at_once(engine, hands_to(bob), hands_to(cat))
    errors = [r for r in results if isinstance(r, DomainError)]
    assert [e.code for e in errors] == ["group_owner_only"]
    assert list(roles(session, group).values()).count("owner") == 1
    assert [e["event"] for e in events(session, group)].count("owner") == 1


def test_a_refusal_inside_the_lock_leaves_the_group_usable(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    refused_for(
        session,
        Forbidden,
        "group_admins_only",
        group_members.remove_member,
        bob,
        group,
        user_id=ann,
    )
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    assert roles(session, group) == {ann: "owner"}


def test_a_read_cursor_written_while_a_member_is_added_back_refuses_cleanly(
    session, engine, users, monkeypatch
):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite's database-wide write lock keeps any cursor write out meanwhile")
    group = make_group(session, ann, bob, cat)
    group_members.leave(session=session, actor_id=cat, conversation_id=group)
    write_line = group_events.write_event

    def cursor_lands_first(own: Session, *args, **kwargs):
        with database.session_scope(engine) as other:
            other.add(ReadCursor(user_id=cat, conversation_id=group, last_read_seq=1))
            other.commit()
        return write_line(own, *args, **kwargs)

    monkeypatch.setattr(group_events, "write_event", cursor_lands_first)
    refused_for(
        session, Refused, "try_again", group_members.add_members, ann, group, user_ids=[cat]
    )
