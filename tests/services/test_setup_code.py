"""The first administrator: the setup code's form, when it is needed, and who gets the role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from chat_app.models import AuditEntry, AuthSession, TokenGuess, User, utc_now
from chat_app.services import auth, setup_code
from chat_app.services.errors import NotFound, RateLimited, Refused, ValidationFailed
from chat_app.settings import Settings, load_settings
from tests.support.users import make_user

CODE_SHAPE = re.compile(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}")


@pytest.fixture
def public(tmp_path: Path) -> Settings:
    """A server listening on every interface (as `make run`), with its own signing key."""
    return load_settings(
        {
            "CHAT_DATA_DIR": str(tmp_path / "data"),
            "REFLEX_BACKEND_HOST": "::",
            "CHAT_TOKEN_GUESSES_PER_HOUR": "3",
        }
    )


def register(session: Session, settings: Settings, username: str = "owner", code: str = ""):
    return auth.register(
        session=session,
        username=username,
        nickname=username.title(),
        password="correct horse",
        password_confirm="correct horse",
        client_address="198.51.100.7",
        setup_code=code,
        settings=settings,
    )


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def role_of(session: Session, username: str) -> str:
    user = session.exec(select(User).where(User.username == username)).one()
    session.refresh(user)
    return user.role


def test_the_code_is_four_groups_of_unambiguous_symbols_and_stable(public: Settings, tmp_path):
    code = setup_code.code(public)
    assert CODE_SHAPE.fullmatch(code)
    # Every worker and every restart derives the same code from the same key.
    assert setup_code.code(load_settings({"CHAT_DATA_DIR": str(tmp_path / "data")})) == code
    other = load_settings({"CHAT_DATA_DIR": str(tmp_path / "other")})
    assert setup_code.code(other) != code
    keyed = load_settings({"CHAT_SECRET_KEY": "k" * 32})
    assert setup_code.code(keyed) != code
    # Nothing of it is stored in plain next to the key.
    assert code.replace("-", "").encode() not in (tmp_path / "data" / ".secret_key").read_bytes()


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: f" {code} ",
        lambda code: code.replace("-", " ").lower(),
        lambda code: code.replace("-", ""),
    ],
)
def test_the_code_is_accepted_in_any_case_with_or_without_spaces_and_dashes(public, typed):
    assert setup_code.matches(typed(setup_code.code(public)), public)


@pytest.mark.parametrize("typed", ["", "ABCD-EFGH-JKLM-NPQR", None, 1234, ["x"], "A" * 5000])
def test_anything_else_is_not_the_code(public, typed):
    assert not setup_code.matches(typed, public)


@pytest.mark.parametrize(
    ("host", "client", "required"),
    [
        ("::", "127.0.0.1", True),
        ("", "127.0.0.1", True),
        ("192.0.2.10", "", True),
        ("192.0.2.10", "127.0.0.1", True),
        ("127.0.0.1", "127.0.0.1", False),
        ("localhost", "", False),
        ("::1", "::1", False),
        # Loopback behind a reverse proxy that reports the real client: a stranger.
        ("127.0.0.1", "203.0.113.5", True),
    ],
)
def test_the_code_is_required_unless_server_and_client_are_on_this_machine(host, client, required):
    settings = load_settings({"REFLEX_BACKEND_HOST": host})
    assert setup_code.code_required(client_address=client, settings=settings) is required


def test_make_run_listens_everywhere_so_it_requires_the_code():
    # Reflex's default host (no --backend-host, no REFLEX_BACKEND_HOST) is every interface.
    assert setup_code.code_required(settings=load_settings({}))


@pytest.mark.parametrize(("typed", "error"), [("", "setup_code_missing"), ("X" * 16, "wrong")])
def test_a_first_registration_without_the_right_code_stores_nothing(
    session: Session, public: Settings, typed: str, error: str
):
    with pytest.raises(ValidationFailed) as refused:
        register(session, public, code=typed)
    assert refused.value.field_errors == {"setup_code": error.replace("wrong", "setup_code_wrong")}
    assert count(session, User) == count(session, AuthSession) == count(session, AuditEntry) == 0
    # A wrong code counts as a guess; an empty one does not.
    assert count(session, TokenGuess) == (1 if typed else 0)


def test_the_first_registration_with_the_code_is_the_administrator(session, public):
    code = setup_code.code(public)
    result = register(session, public, code=code.lower())
    assert result.user.username == "owner"
    assert role_of(session, "owner") == "admin"
    assert setup_code.admin_exists(session=session)
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor_name, entry.action, entry.target_name) == ("owner", "first_admin", "owner")
    # Later registrations need no code, ignore one, and are ordinary users.
    register(session, public, username="second")
    register(session, public, username="third", code="nonsense")
    assert role_of(session, "second") == role_of(session, "third") == "user"
    assert count(session, AuditEntry) == 1


def test_a_loopback_server_makes_the_first_account_administrator_without_a_code(session):
    local = load_settings({"REFLEX_BACKEND_HOST": "127.0.0.1"})
    auth.register(
        session=session,
        username="local",
        nickname="Local",
        password="correct horse",
        password_confirm="correct horse",
        client_address="127.0.0.1",
        settings=local,
    )
    assert role_of(session, "local") == "admin"


def test_wrong_codes_are_throttled_per_address(session, public):
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            register(session, public, code="WRONG-CODE")
    # Past the limit even the right code is not looked at within the hour.
    with pytest.raises(RateLimited):
        register(session, public, code=setup_code.code(public))
    assert count(session, User) == 0


def test_claim_on_an_upgraded_database_makes_the_user_administrator(session, public):
    alice = make_user(session, "alice")
    make_user(session, "bob")
    assert not setup_code.admin_exists(session=session)

    setup_code.claim(
        session=session,
        user_id=alice,
        code=setup_code.code(public).replace("-", " "),
        client_address="198.51.100.7",
        settings=public,
    )
    assert role_of(session, "alice") == "admin"
    assert role_of(session, "bob") == "user"
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor_name, entry.action, entry.target_name) == ("alice", "setup_claim", "alice")


def test_a_claimed_code_is_refused_when_used_again(session, public):
    alice = make_user(session, "alice")
    bob = make_user(session, "bob")
    code = setup_code.code(public)
    setup_code.claim(session=session, user_id=alice, code=code, client_address="", settings=public)
    with pytest.raises(Refused) as refused:
        setup_code.claim(
            session=session, user_id=bob, code=code, client_address="", settings=public
        )
    assert refused.value.code == "setup_admin_exists"
    assert role_of(session, "bob") == "user"
    assert count(session, AuditEntry) == 1


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "setup_code_missing"),
        (7, "setup_code_missing"),
        ("AAAA-BBBB-CCCC-DDDD", "setup_code_wrong"),
    ],
)
def test_a_wrong_claim_changes_nothing(session, public, typed, code):
    alice = make_user(session, "alice")
    with pytest.raises(Refused) as refused:
        setup_code.claim(
            session=session, user_id=alice, code=typed, client_address="a", settings=public
        )
    assert refused.value.code == code
    assert role_of(session, "alice") == "user"
    assert count(session, AuditEntry) == 0


def test_a_disabled_or_deleted_user_cannot_claim(session, public):
    alice = make_user(session, "alice")
    user = session.get(User, alice)
    assert user is not None
    user.disabled_at = utc_now()
    session.add(user)
    session.commit()
    with pytest.raises(NotFound):
        setup_code.claim(
            session=session,
            user_id=alice,
            code=setup_code.code(public),
            client_address="",
            settings=public,
        )
    assert role_of(session, "alice") == "user"


def test_a_disabled_administrator_is_no_administrator(session, public):
    alice = make_user(session, "alice")
    user = session.get(User, alice)
    assert user is not None
    user.role = "admin"
    user.disabled_at = utc_now()
    session.add(user)
    session.commit()
    assert not setup_code.admin_exists(session=session)


def test_the_log_shows_the_code_at_start_only_while_no_administrator_exists(session, caplog):
    caplog.set_level("WARNING", logger="chat_app.services.setup_code")
    setup_code.announce_if_no_admin()
    assert setup_code.code() in caplog.text
    caplog.clear()
    alice = make_user(session, "alice")
    user = session.get(User, alice)
    assert user is not None
    user.role = "admin"
    session.add(user)
    session.commit()
    setup_code.announce_if_no_admin()
    assert caplog.text == ""


def test_a_database_down_at_start_does_not_stop_the_worker(engine, monkeypatch, caplog):
    def unreachable(*, session):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(setup_code, "admin_exists", unreachable)
    setup_code.announce_if_no_admin()
    assert "Could not check for an administrator" in caplog.text
