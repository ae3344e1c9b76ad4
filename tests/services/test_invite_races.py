"""The last use of an invite goes to one person, whatever races for it, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Invite, User
from chat_app.services import invite_use
from chat_app.services.errors import DomainError, NotFound
from tests.support.groups import events, make_group, make_people, roles
from tests.support.invites import ADDRESS, make_invite, register
from tests.support.users import make_user

pytestmark = pytest.mark.both_databases
RACERS = 4


def race(engine, attempt: Callable[[Session, int], object]) -> list[object]:
    """Run `attempt(session, n)` in RACERS threads at once; each outcome or its error."""
    start = threading.Barrier(RACERS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(number: int) -> None:
        with Session(engine) as session:
            start.wait(10)
            try:
                outcome: object = attempt(session, number)
            except DomainError as error:
                outcome = error
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == RACERS
    return outcomes


def test_registrations_racing_for_the_last_use_of_a_group_invite(engine, session):
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    token = make_invite(session, people["ann"], group, uses=1)

    outcomes = race(engine, lambda db, n: register(db, token, f"racer_{n}"))

    winners = [o for o in outcomes if isinstance(o, invite_use.InviteRegistration)]
    assert len(winners) == 1
    assert all(
        isinstance(o, NotFound) and o.code == "invite_invalid" for o in outcomes if o not in winners
    )
    session.rollback()
    assert session.exec(select(func.count()).select_from(User)).one() == 3
    assert session.exec(select(Invite.used_count)).one() == 1
    assert set(roles(session, group)) == {people["ann"], people["bob"], winners[0].login.user.id}
    assert [e["event"] for e in events(session, group)].count("added") == 1


def test_signed_in_users_racing_for_the_last_uses_of_a_group_invite(engine, session):
    people = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, people["ann"], people["bob"])
    token = make_invite(session, people["ann"], group, uses=2)
    joiners = [make_user(session, f"joiner_{n}") for n in range(RACERS)]

    outcomes = race(
        engine,
        lambda db, n: invite_use.join_with_invite(
            session=db, user_id=joiners[n], token=token, client_address=ADDRESS
        ),
    )

    joined = [o for o in outcomes if isinstance(o, invite_use.InviteJoin)]
    assert len(joined) == 2
    assert all(o.change is not None for o in joined)
    session.rollback()
    assert session.exec(select(Invite.used_count)).one() == 2
    assert len(roles(session, group)) == 4
