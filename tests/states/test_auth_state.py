"""AuthState handlers called directly, as a (possibly hostile) client would call them."""

from __future__ import annotations

import pickle

import pytest
from sqlmodel import Session, func, select

from chat_app.models import AuthSession, LoginFailure, User
from chat_app.realtime.profile import PROFILE
from chat_app.services import auth, sessions
from chat_app.services.passwords import verify_password
from chat_app.settings import load_settings
from chat_app.states.auth import AuthState
from chat_app.states.password_change import PasswordChangeState
from tests.support.tabs import in_english, redirect_targets, run
from tests.support.token_encodings import token_encodings
from tests.support.users import make_user

PASSWORD = "correct horse"
GOOD_FORM = {
    "username": "alice",
    "nickname": "爱丽丝",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def rows(engine, table: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
async def alice_tab(tab_factory):
    tab = tab_factory(AuthState, token="alice-tab-1")
    await run(tab.register, GOOD_FORM)
    assert tab.username == "alice"
    return tab


async def test_register_logs_the_tab_in_and_goes_to_the_chat(tab_factory, engine):
    tab = tab_factory(AuthState)
    events = await run(tab.register, GOOD_FORM)
    assert redirect_targets(events) == ["/"]
    assert (tab.username, tab.nickname) == ("alice", "爱丽丝")
    assert tab.session_token
    assert tab.register_errors == {}
    assert tab._user_id is not None
    assert [entry.tab_token for entry in await PROFILE.tab_registry.tabs_of(tab._user_id)] == [
        "tab-1"
    ]
    assert rows(engine, AuthSession) == 1


async def test_register_errors_are_shown_per_field_and_nothing_is_stored(tab_factory, engine):
    tab = tab_factory(AuthState)
    events = await run(
        tab.register,
        {"username": "x", "nickname": "", "password": "short", "password_confirm": "short"},
    )
    assert events == []
    assert in_english(tab.register_errors) == {
        "username": "Use 3-32 letters, digits or underscores.",
        "nickname": "Enter a nickname.",
        "password": "Use at least 8 characters.",
    }
    assert tab.session_token == ""
    assert rows(engine, User) == 0


async def test_taken_username_is_reported(alice_tab, tab_factory, engine):
    other = tab_factory(AuthState, token="tab-2")
    await run(other.register, {**GOOD_FORM, "username": "ALICE"})
    assert in_english(other.register_errors) == {"username": "That username is taken."}
    assert rows(engine, User) == 1


@pytest.mark.parametrize("form", [None, "text", 42, [], {"username": 5, "password": ["x"]}])
async def test_forged_form_payloads_are_refused_cleanly(tab_factory, engine, form):
    tab = tab_factory(AuthState)
    await run(tab.register, form)
    await run(tab.login, form)
    assert tab.session_token == ""
    # No username and password read from it: asked for, as an empty form is.
    assert tab.login_error["en"] == "Enter your username and password."
    assert rows(engine, User) == 0
    assert rows(engine, AuthSession) == 0


async def test_wrong_password_shows_the_generic_error(alice_tab, tab_factory, engine):
    tab = tab_factory(AuthState, token="tab-2")
    events = await run(tab.login, {"username": "alice", "password": "wrong password"})
    assert events == []
    assert tab.login_error["en"] == "Wrong username or password."
    assert tab.session_token == ""
    assert rows(engine, AuthSession) == 1


@pytest.mark.parametrize(
    "form", [{}, {"username": " ", "password": PASSWORD}, {"username": "alice", "password": ""}]
)
async def test_an_empty_field_is_asked_for_and_counts_no_failure(
    alice_tab, tab_factory, engine, form
):
    tab = tab_factory(AuthState, token="tab-2")
    await run(tab.login, form)
    assert tab.login_error["en"] == "Enter your username and password."
    assert tab.session_token == ""
    assert rows(engine, LoginFailure) == 0


async def test_sixth_attempt_is_throttled_with_the_wait_in_minutes(alice_tab, tab_factory):
    tab = tab_factory(AuthState, token="tab-2")
    for _ in range(5):
        await run(tab.login, {"username": "alice", "password": "wrong password"})
    await run(tab.login, {"username": "alice", "password": PASSWORD})
    assert tab.login_error["en"] == "Too many failed attempts. Try again in 15 minutes."
    assert tab.session_token == ""


async def test_login_succeeds_and_clears_failures(alice_tab, tab_factory, engine):
    tab = tab_factory(AuthState, token="tab-2")
    await run(tab.login, {"username": "alice", "password": "wrong password"})
    events = await run(tab.login, {"username": "Alice", "password": PASSWORD})
    assert redirect_targets(events) == ["/"]
    assert tab.username == "alice"
    assert tab.login_error == {}
    assert rows(engine, LoginFailure) == 0


async def test_chat_page_without_a_session_redirects_to_auth(tab_factory, engine):
    tab = tab_factory(AuthState)
    assert redirect_targets(await run(tab.require_login)) == ["/auth"]
    assert tab.notice == ""
    tab.session_token = "forged-token"
    assert redirect_targets(await run(tab.require_login)) == ["/auth"]
    assert tab.session_token == ""
    assert tab.notice == "Your session has ended. Please log in again."


async def test_a_second_tab_with_the_stored_token_is_logged_in(alice_tab, tab_factory):
    second = tab_factory(AuthState, token="alice-tab-2")
    second.session_token = alice_tab.session_token  # localStorage is shared by the browser
    assert await run(second.require_login) == []
    assert second.username == "alice"
    user_tabs = {
        entry.tab_token for entry in await PROFILE.tab_registry.tabs_of(alice_tab._user_id)
    }
    assert user_tabs == {"alice-tab-1", "alice-tab-2"}


async def test_auth_page_sends_logged_in_tabs_to_the_chat(alice_tab):
    assert redirect_targets(await run(alice_tab.skip_auth_if_logged_in)) == ["/"]


async def test_logout_revokes_this_session_only(alice_tab, tab_factory, engine):
    phone = tab_factory(AuthState, token="phone")
    await run(phone.login, {"username": "alice", "password": PASSWORD})
    events = await run(alice_tab.logout)
    assert redirect_targets(events) == ["/auth"]
    assert alice_tab.session_token == ""
    assert alice_tab.username == ""
    assert rows(engine, AuthSession) == 1
    assert await run(phone.require_login) == []


async def test_logout_everywhere_revokes_every_session(alice_tab, tab_factory, engine):
    phone = tab_factory(AuthState, token="phone")
    await run(phone.login, {"username": "alice", "password": PASSWORD})
    assert redirect_targets(await run(alice_tab.logout_everywhere)) == ["/auth"]
    assert rows(engine, AuthSession) == 0
    assert redirect_targets(await run(phone.require_login)) == ["/auth"]
    assert phone.notice == "Your session has ended. Please log in again."


async def test_privileged_handlers_without_a_session_change_no_row(alice_tab, tab_factory, engine):
    with Session(engine) as session:
        hash_before = session.exec(select(User)).one().password_hash
    intruder = tab_factory(AuthState, token="intruder")
    password = await intruder.get_state(PasswordChangeState)
    for token in ("", "forged", sessions.hash_token(alice_tab.session_token)):
        intruder.session_token = token
        assert redirect_targets(await run(intruder.logout_everywhere)) == ["/auth"]
        events = await run(
            password.change_password,
            {
                "current_password": PASSWORD,
                "new_password": "battery staple",
                "new_password_confirm": "battery staple",
            },
        )
        assert redirect_targets(events) == ["/auth"]
        await run(intruder.logout)
    assert rows(engine, AuthSession) == 1
    with Session(engine) as session:
        assert session.exec(select(User)).one().password_hash == hash_before


async def test_change_password_shows_field_errors_then_succeeds(alice_tab, tab_factory, engine):
    phone = tab_factory(AuthState, token="phone")
    await run(phone.login, {"username": "alice", "password": PASSWORD})
    password = await alice_tab.get_state(PasswordChangeState)
    await run(password.set_password_dialog_open, True)
    await run(
        password.change_password,
        {"current_password": "nope", "new_password": "x", "new_password_confirm": "x"},
    )
    assert password.password_errors == {
        "current_password": "The current password is wrong.",
        "new_password": "Use at least 8 characters.",
    }
    # Left empty: asked for, not called wrong (nor counted as a guess).
    await run(
        password.change_password,
        {"current_password": "", "new_password": "x" * 8, "new_password_confirm": "x" * 8},
    )
    assert password.password_errors == {"current_password": "Enter your current password."}
    await run(
        password.change_password,
        {
            "current_password": PASSWORD,
            "new_password": "battery staple",
            "new_password_confirm": "battery staple",
        },
    )
    assert (password.password_errors, password.password_dialog_open) == ({}, False)
    assert rows(engine, AuthSession) == 1
    with Session(engine) as session:
        assert verify_password("battery staple", session.exec(select(User)).one().password_hash)[0]
    assert redirect_targets(await run(phone.require_login)) == ["/auth"]
    assert await run(alice_tab.require_login) == []


async def test_change_password_guesses_are_throttled(alice_tab):
    wrong = {
        "current_password": "a guess",
        "new_password": "x" * 8,
        "new_password_confirm": "x" * 8,
    }
    password = await alice_tab.get_state(PasswordChangeState)
    for _ in range(5):
        await run(password.change_password, wrong)
        assert password.password_errors["current_password"] == "The current password is wrong."
    await run(password.change_password, {**wrong, "current_password": PASSWORD})
    assert password.password_errors == {
        "current_password": "Too many failed attempts. Try again in 15 minutes."
    }


async def test_registrations_are_limited_per_client_address(tab_factory, engine, monkeypatch):
    limited = load_settings({"CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "1"})
    monkeypatch.setitem(auth.register.__kwdefaults__, "settings", limited)
    with Session(engine) as session:  # the server's first account (no setup code after it)
        make_user(session, "owner")
    first = tab_factory(AuthState, token="tab-1", ip="192.0.2.1")
    await run(first.register, GOOD_FORM)
    assert first.username == "alice"
    second = tab_factory(AuthState, token="tab-2", ip="192.0.2.1")
    assert await run(second.register, {**GOOD_FORM, "username": "bob"}) == []
    assert second.register_error["en"] == (
        "Too many accounts were created from this network in the last hour. "
        "Try again in 60 minutes."
    )
    assert second.session_token == ""
    assert rows(engine, User) == 1 + 1
    elsewhere = tab_factory(AuthState, token="tab-3", ip="192.0.2.2")
    await run(elsewhere.register, {**GOOD_FORM, "username": "bob"})
    assert elsewhere.username == "bob"
    assert elsewhere.register_error == {}


async def test_the_pickled_state_holds_the_hash_never_the_token(alice_tab):
    token = alice_tab.session_token
    stored = alice_tab._serialize()
    for encoding in token_encodings(token):
        assert encoding not in stored
    _schema, restored = pickle.loads(stored)  # noqa: S301  (our own bytes)
    assert restored.session_token == ""
    assert restored._token_hash == sessions.hash_token(token)
    # The live state (and so the browser) keeps its token: nothing was assigned.
    assert alice_tab.session_token == token


def as_loaded_from_redis(tab: AuthState) -> None:
    """What a tab's state is after Reflex loads it from Redis: the raw token blank."""
    vars(tab)["session_token"] = ""
    tab.dirty_vars.clear()


async def test_a_state_loaded_without_the_raw_token_works_by_its_hash(alice_tab, engine):
    as_loaded_from_redis(alice_tab)
    assert await run(alice_tab.require_login) == []
    assert alice_tab.username == "alice"
    assert "session_token" not in alice_tab.dirty_vars
    password = await alice_tab.get_state(PasswordChangeState)
    await run(
        password.change_password,
        {
            "current_password": PASSWORD,
            "new_password": "battery staple",
            "new_password_confirm": "battery staple",
        },
    )
    assert (password.password_errors, password.password_dialog_open) == ({}, False)
    assert rows(engine, AuthSession) == 1
    # Logging out still revokes the session and erases the browser's copy (a delta).
    as_loaded_from_redis(alice_tab)
    assert redirect_targets(await run(alice_tab.logout)) == ["/auth"]
    assert rows(engine, AuthSession) == 0
    assert "session_token" in alice_tab.dirty_vars
    assert alice_tab.session_token == ""


async def test_a_device_already_logged_in_is_not_held_back_by_others(alice_tab, tab_factory):
    # A stranger behind the same address uses up its allowance for "alice".
    stranger = tab_factory(AuthState, token="stranger", ip="127.0.0.1")
    for _ in range(6):
        await run(stranger.login, {"username": "alice", "password": "a guess"})
    assert stranger.login_error["en"].startswith("Too many failed attempts.")
    # Alice's tab, still logged in, can log in again (a second account check, say).
    events = await run(alice_tab.login, {"username": "alice", "password": PASSWORD})
    assert redirect_targets(events) == ["/"]
    assert alice_tab.login_error == {}


async def test_a_token_just_sent_by_the_browser_is_pickled_as_its_hash(alice_tab, tab_factory):
    # A hydrate (or another tab's sync) sets the var; no handler has read it yet.
    second = tab_factory(AuthState, token="alice-tab-2")
    second.session_token = alice_tab.session_token
    _schema, restored = pickle.loads(second._serialize())  # noqa: S301  (our own bytes)
    assert restored.session_token == ""
    assert restored._token_hash == sessions.hash_token(alice_tab.session_token)


async def test_clicks_queued_behind_a_successful_login_start_no_second_session(
    alice_tab, tab_factory, engine
):
    tab = tab_factory(AuthState, token="tab-2")
    form = {"username": "alice", "password": PASSWORD}
    assert redirect_targets(await run(tab.login, form)) == ["/"]
    sessions_after_one = rows(engine, AuthSession)
    token = tab.session_token
    # Hammered "Log in": the queued clicks find the tab signed in and only go to the chat.
    for _ in range(3):
        assert redirect_targets(await run(tab.login, form)) == ["/"]
    assert (rows(engine, AuthSession), tab.session_token) == (sessions_after_one, token)
    # Another account's form is a login as usual (it replaces this tab's session).
    bob_form = {"username": "bob", "nickname": "Bob", "password": PASSWORD}
    await run(
        tab_factory(AuthState, token="bob-tab").register, {**bob_form, "password_confirm": PASSWORD}
    )
    sessions_after_one += 1
    await run(tab.login, {"username": "bob", "password": PASSWORD})
    assert (tab.username, rows(engine, AuthSession)) == ("bob", sessions_after_one + 1)


async def test_a_register_click_queued_behind_the_one_that_made_the_account_just_goes_on(
    tab_factory, engine
):
    tab = tab_factory(AuthState)
    form = {"username": "carol", "nickname": "Carol", "password": PASSWORD}
    form["password_confirm"] = PASSWORD
    await run(tab.register, form)
    assert redirect_targets(await run(tab.register, form)) == ["/"]
    assert tab.register_errors == {}
    assert (rows(engine, User), rows(engine, AuthSession)) == (1, 1)
