"""SetupState handlers called directly, as a (possibly hostile) client would call them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select, update

from chat_app.models import AuditEntry, User
from chat_app.services import auth, instance_settings, setup_code
from chat_app.settings import load_settings
from chat_app.states.admin_overview import AdminOverviewState
from chat_app.states.admin_page import AdminPageState
from chat_app.states.auth import AuthState
from chat_app.states.setup import SetupState
from tests.support.tabs import PASSWORD, in_english, logged_in_tab, redirect_targets, run
from tests.support.users import make_user

PUBLIC = load_settings({"REFLEX_BACKEND_HOST": "::", "CHAT_SECRET_KEY": "state-key-" + "x" * 24})


@pytest.fixture
def public_server(monkeypatch):
    """The server listens beyond loopback (its signing key is PUBLIC's)."""
    for function in (setup_code.code_field_needed, setup_code.claim, auth.register):
        monkeypatch.setitem(function.__kwdefaults__, "settings", PUBLIC)


def roles(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {user.username: user.role for user in session.exec(select(User)).all()}


async def upgraded(tab_factory, engine, *names: str) -> list[SetupState]:
    """Signed-in tabs of users of a server that has no administrator (an upgrade)."""
    tabs = [await logged_in_tab(tab_factory, name, f"{name}-tab") for name in names]
    with Session(engine) as session:
        session.exec(update(User).values(role="user"))
        session.commit()
    return [await tab.get_state(SetupState) for tab in tabs]


async def test_the_register_form_asks_for_the_code_only_while_it_is_needed(
    tab_factory, engine, public_server
):
    remote = tab_factory(SetupState, token="remote", ip="203.0.113.9")
    await run(remote.load_register_field)
    assert remote.code_needed is True
    with Session(engine) as session:
        make_user(session, "first")
    await run(remote.load_register_field)
    assert remote.code_needed is False


async def test_the_register_tab_says_up_front_when_registering_is_refused(tab_factory, engine):
    visitor = tab_factory(SetupState, token="visitor")
    expected = {
        "open": "",
        "invite": "registration_invite_only",
        "closed": "registration_closed",
    }
    for mode, refusal in expected.items():
        with Session(engine) as session:
            instance_settings.set_registration_mode(session=session, mode=mode)
            session.commit()
        await run(visitor.load_register_field)
        # The same words the form's submission is refused with, before anything is typed.
        assert visitor.registration_refusal == refusal


async def test_a_claim_without_a_session_goes_to_auth_and_changes_nothing(tab_factory, engine):
    await upgraded(tab_factory, engine, "alice")
    stranger = tab_factory(SetupState, token="stranger")
    events = await run(stranger.claim, {"setup_code": setup_code.code()})
    assert redirect_targets(events) == ["/auth"]
    assert roles(engine) == {"alice": "user"}


async def test_a_signed_in_user_of_an_upgraded_server_claims_with_the_code(tab_factory, engine):
    alice, bob = await upgraded(tab_factory, engine, "alice", "bob")
    await run(alice.load_setup_page)
    assert alice.admin_exists is False

    await run(alice.claim, {"setup_code": "WRONG-CODE-0000-0000"})
    assert alice.setup_error == "That is not this server's setup code."
    await run(alice.claim, {"setup_code": None})
    assert alice.setup_error == "Enter the setup code from the server's log."
    assert roles(engine) == {"alice": "user", "bob": "user"}

    await run(alice.claim, {"setup_code": setup_code.code().lower()})
    assert (alice.admin_exists, alice.setup_error) == (True, "")
    assert roles(engine) == {"alice": "admin", "bob": "user"}

    # Used once: the page says an administrator exists, and the code no longer works.
    await run(bob.load_setup_page)
    assert bob.admin_exists is True
    await run(bob.claim, {"setup_code": setup_code.code()})
    assert bob.setup_error == "This server already has an administrator."
    assert roles(engine) == {"alice": "admin", "bob": "user"}
    with Session(engine) as session:
        actions = [entry.action for entry in session.exec(select(AuditEntry)).all()]
        assert actions.count("setup_claim") == 1
    # Her audit log names her once: "alice claimed the administrator role with the setup
    # code", not again after it as its target.
    await run((await alice.get_state(AdminPageState)).load)
    overview = await alice.get_state(AdminOverviewState)
    await run(overview.open_section, "audit")
    (claimed,) = [row for row in overview.audit_rows if row.action == "setup_claim"]
    assert (claimed.actor_name, claimed.target_name) == ("alice", "")


async def test_the_first_registration_from_afar_needs_the_code(tab_factory, engine, public_server):
    tab = tab_factory(AuthState, token="owner", ip="203.0.113.9")
    form = {
        "username": "owner",
        "nickname": "Owner",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    assert await run(tab.register, form) == []
    assert in_english(tab.register_errors) == {
        "setup_code": "Enter the setup code from the server's log."
    }
    assert roles(engine) == {}
    events = await run(tab.register, {**form, "setup_code": setup_code.code(PUBLIC)})
    assert redirect_targets(events) == ["/"]
    assert roles(engine) == {"owner": "admin"}
