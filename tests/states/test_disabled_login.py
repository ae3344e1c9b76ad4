"""Logging in to a disabled account: the login form says so, nothing is started."""

from __future__ import annotations

from sqlmodel import Session, func, select

from chat_app.models import AuthSession
from chat_app.services import account_status
from chat_app.states.auth import AuthState
from tests.support.accounts import make_admin_user
from tests.support.tabs import PASSWORD, redirect_targets, run


async def test_a_disabled_account_is_told_on_the_login_form(tab_factory, engine):
    tab = tab_factory(AuthState, token="bob-tab")
    await run(
        tab.register,
        {"username": "bob", "nickname": "Bob", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    bob = tab._user_id
    with Session(engine) as db:
        admin = make_admin_user(db, "root")
        account_status.set_disabled(session=db, actor_id=admin, target_id=bob, disabled=True)
    other = tab_factory(AuthState, token="tab-2")
    events = await run(other.login, {"username": "bob", "password": PASSWORD})
    assert redirect_targets(events) == []
    assert other.login_error["en"] == "This account is disabled. Ask the server's administrator."
    assert other.register_error == {}
    assert other.session_token == ""
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(AuthSession)).one() == 0
    await run(other.login, {"username": "bob", "password": "wrong password"})
    assert other.login_error["en"] == "Wrong username or password."
