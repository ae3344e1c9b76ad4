"""Of two first registrations, or two claims, at the same moment only one makes an administrator."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from chat_app.models import User
from chat_app.services import auth, setup_code
from chat_app.services.errors import DomainError
from chat_app.settings import load_settings
from tests.support.users import make_user

pytestmark = pytest.mark.both_databases

PUBLIC = {"REFLEX_BACKEND_HOST": "::", "CHAT_SECRET_KEY": "race-key-" + "x" * 24}


def run_together(engine, actions: list[Callable[[Session], object]]) -> list[object]:
    """Run each action in its own thread and session, all released at once."""
    start = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait(10)
            try:
                outcomes[index] = actions[index](session)
            except DomainError as error:
                outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def roles(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {user.username: user.role for user in session.exec(select(User)).all()}


def test_two_first_registrations_make_one_administrator(engine):
    settings = load_settings(PUBLIC)
    code = setup_code.code(settings)

    def registering(name: str) -> Callable[[Session], object]:
        return lambda session: auth.register(
            session=session,
            username=name,
            nickname=name,
            password="correct horse",
            password_confirm="correct horse",
            client_address=f"198.51.100.{len(name)}",
            setup_code=code,
            settings=settings,
        )

    outcomes = run_together(engine, [registering("first"), registering("second")])
    assert not any(isinstance(outcome, DomainError) for outcome in outcomes), outcomes
    assert sorted(roles(engine).values()) == ["admin", "user"]


def test_two_claims_make_one_administrator(engine):
    settings = load_settings(PUBLIC)
    code = setup_code.code(settings)
    with Session(engine) as session:
        ids = [make_user(session, "alice"), make_user(session, "bob")]

    def claiming(user_id: int) -> Callable[[Session], object]:
        return lambda session: setup_code.claim(
            session=session, user_id=user_id, code=code, client_address="", settings=settings
        )

    outcomes = run_together(engine, [claiming(user_id) for user_id in ids])
    refusals = [o.code for o in outcomes if isinstance(o, DomainError)]
    assert refusals == ["setup_admin_exists"]
    assert sorted(roles(engine).values()) == ["admin", "user"]
