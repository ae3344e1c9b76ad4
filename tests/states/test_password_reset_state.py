"""The reset page's handlers, called as a (possibly hostile) tab would call them."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from chat_app.models import AuthSession, User
from chat_app.realtime.profile import PROFILE
from chat_app.services import password_resets, sessions
from chat_app.states.auth import AuthState
from chat_app.states.password_reset import PasswordResetState
from tests.support.accounts import make_admin_user
from tests.support.tabs import redirect_targets, run
from tests.support.users import log_in, make_user

NEW = "brand new secret"
FORM = {"new_password": NEW, "new_password_confirm": NEW}


def reset_tab(tab_factory, token: object, tab: str = "tab-1") -> PasswordResetState:
    state = tab_factory(PasswordResetState, token=tab)
    state.parent_state.router = RouterData.from_router_data(  # type: ignore[union-attr]
        {
            "token": tab,
            "ip": "10.0.0.1",
            "headers": {"user-agent": "pytest"},
            "pathname": "/reset/[token]",
            "query": {"token": token},
        }
    )
    return state


def stored(engine) -> tuple:
    with Session(engine) as session:
        users = session.exec(select(User.id, User.password_hash)).all()
        auth_sessions = session.exec(select(AuthSession.token_hash)).all()
    return sorted(users), sorted(auth_sessions)


@pytest.fixture
def link(session: Session) -> tuple[str, int, str]:
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    old_token, _ = log_in(session, bob)
    token = password_resets.create_reset(session=session, actor_id=ann, target_id=bob)
    return token, bob, old_token


async def test_a_good_link_shows_whose_password_and_logs_the_tab_in(tab_factory, link, session):
    token, bob, old_token = link
    tab = reset_tab(tab_factory, token)
    await run(tab.load)
    assert (tab.username, tab.invalid) == ("bob", False)
    events = await run(tab.submit, FORM)
    assert redirect_targets(events) == ["/"]
    auth = await tab.get_state(AuthState)
    assert auth.username == "bob"
    assert auth._user_id == bob
    assert sessions.resolve_session(session=session, token=auth.session_token) is not None
    assert sessions.resolve_session(session=session, token=old_token) is None
    assert [entry.tab_token for entry in await PROFILE.tab_registry.tabs_of(bob)] == ["tab-1"]


async def test_other_tabs_of_the_user_are_sent_to_auth(tab_factory, link, monkeypatch):
    token, bob, _ = link
    other = tab_factory(AuthState, token="old-tab")
    await PROFILE.tab_registry.register(bob, "old-tab", "a" * 64)
    pushed: list[list[str]] = []
    monkeypatch.setattr(
        "chat_app.states.auth.push_to_tabs", lambda tabs, *_: pushed.append(list(tabs))
    )
    tab = reset_tab(tab_factory, token)
    await run(tab.submit, FORM)
    assert pushed == [["old-tab"]]
    assert other is not None


async def test_a_bad_password_shows_field_errors_and_keeps_the_link(tab_factory, link, engine):
    token, _, _ = link
    tab = reset_tab(tab_factory, token)
    before = stored(engine)
    events = await run(tab.submit, {"new_password": "short", "new_password_confirm": "other"})
    assert redirect_targets(events) == []
    assert tab.errors == {"new_password": "Use at least 8 characters."}
    assert stored(engine) == before
    await run(tab.load)
    assert tab.username == "bob"


@pytest.mark.parametrize(
    "forged", ["", "nope", "x" * 5000, None, 7, ["a"], {"token": "x"}, "../../etc"]
)
async def test_forged_tokens_change_nothing_and_show_the_one_message(
    tab_factory, link, engine, forged
):
    tab = reset_tab(tab_factory, forged)
    before = stored(engine)
    await run(tab.load)
    assert (tab.username, tab.invalid) == ("", True)
    events = await run(tab.submit, FORM)
    assert redirect_targets(events) == []
    assert tab.invalid
    assert stored(engine) == before
    assert (await tab.get_state(AuthState)).session_token == ""


@pytest.mark.parametrize("form", [None, "text", 42, [], {"new_password": ["x"]}])
async def test_forged_forms_change_nothing(tab_factory, link, engine, form):
    token, _, _ = link
    tab = reset_tab(tab_factory, token)
    before = stored(engine)
    await run(tab.submit, form)
    assert stored(engine) == before
    assert tab.errors


async def test_a_used_link_reads_as_invalid(tab_factory, link):
    token, _, _ = link
    first = reset_tab(tab_factory, token)
    await run(first.submit, FORM)
    second = reset_tab(tab_factory, token, tab="tab-2")
    await run(second.load)
    assert second.invalid
