"""Login, throttling, session expiry, logout, logout everywhere, change password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from passlib.context import CryptContext
from sqlmodel import Session, func, select

from chat_app.models import AuthSession, LoginFailure, User, utc_now
from chat_app.services import auth, sessions
from chat_app.services.errors import (
    InvalidCredentials,
    NotAuthenticated,
    TooManyAttempts,
    ValidationFailed,
)
from chat_app.services.passwords import verify_password
from chat_app.settings import load_settings

PASSWORD = "correct horse"


@pytest.fixture
def alice(session: Session):
    return auth.register(
        session=session,
        username="Alice",
        nickname="Alice",
        password=PASSWORD,
        password_confirm=PASSWORD,
    )


def login(session: Session, username="alice", password=PASSWORD, address="10.0.0.1", **kw):
    return auth.login(
        session=session, username=username, password=password, client_address=address, **kw
    )


def session_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuthSession)).one()


def test_login_ignores_username_case_and_adds_a_device_session(session: Session, alice):
    result = login(session, username="ALICE")
    assert result.user == alice.user
    assert result.token != alice.token
    assert session_count(session) == 2


def test_unknown_user_and_wrong_password_give_the_same_error(session: Session, alice):
    with pytest.raises(InvalidCredentials) as unknown:
        login(session, username="nobody")
    with pytest.raises(InvalidCredentials) as wrong:
        login(session, password="wrong password")
    assert unknown.value.code == wrong.value.code == "invalid_credentials"
    assert session_count(session) == 1


def test_five_failures_hold_that_address_back_for_the_window_not_the_owner(session: Session, alice):
    now = utc_now()
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            login(session, password="nope nope", address="6.6.6.6", now=now)
    # Even the right password is refused from that address while it waits...
    with pytest.raises(TooManyAttempts) as held:
        login(session, address="6.6.6.6", now=now + timedelta(minutes=1))
    assert held.value.retry_after_seconds == 14 * 60
    # ...but the owner's own address only waits the short per-username delay.
    assert login(session, address="10.0.0.1", now=now + timedelta(seconds=1)).user == alice.user
    # After the window the attacker's address may try again.
    assert login(session, address="6.6.6.6", now=now + timedelta(minutes=15, seconds=1))
    assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


def test_failures_per_client_address_are_limited_too(session: Session, alice):
    settings = load_settings({"CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS": "3"})
    now = utc_now()
    for name in ("a_one", "a_two", "a_three"):
        with pytest.raises(InvalidCredentials):
            login(session, username=name, address="6.6.6.6", now=now, settings=settings)
    with pytest.raises(TooManyAttempts):
        login(session, address="6.6.6.6", now=now, settings=settings)
    assert login(session, address="7.7.7.7", now=now, settings=settings).user == alice.user


def test_unknown_usernames_are_throttled_like_real_ones(session: Session):
    now = utc_now()
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            login(session, username="ghost", now=now)
    with pytest.raises(TooManyAttempts):
        login(session, username="ghost", now=now)


def test_outdated_hash_is_upgraded_on_login(session: Session, alice):
    user = session.exec(select(User)).one()
    user.password_hash = CryptContext(schemes=["pbkdf2_sha256"]).hash(PASSWORD)
    session.add(user)
    session.commit()
    login(session)
    session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")


def test_session_expires_after_idle_and_absolute_limits(session: Session, alice):
    settings = load_settings({"CHAT_SESSION_IDLE_DAYS": "7", "CHAT_SESSION_ABSOLUTE_DAYS": "30"})
    start = utc_now()
    token = login(session, now=start, settings=settings).token
    resolve = lambda at: sessions.resolve_session(  # noqa: E731
        session=session, token=token, now=at, settings=settings
    )
    # Used every 6 days, it stays alive...
    for day in range(6, 30, 6):
        assert resolve(start + timedelta(days=day)) is not None
    # ...until the absolute limit, and then it is gone for good.
    assert resolve(start + timedelta(days=30)) is None
    assert resolve(start + timedelta(days=1)) is None

    idle_token = login(session, now=start, settings=settings).token
    assert (
        sessions.resolve_session(
            session=session, token=idle_token, now=start + timedelta(days=7), settings=settings
        )
        is None
    )


@pytest.mark.parametrize("token", ["", "x", "a" * 500, None, 42, {"token": "x"}])
def test_malformed_tokens_resolve_to_nobody(session: Session, alice, token):
    assert sessions.resolve_session(session=session, token=token) is None  # type: ignore[arg-type]


def test_logout_ends_only_this_device(session: Session, alice):
    other = login(session)
    auth.logout(session=session, token=alice.token)
    assert sessions.resolve_session(session=session, token=alice.token) is None
    assert sessions.resolve_session(session=session, token=other.token) == alice.user


def test_logout_everywhere_ends_every_device(session: Session, alice):
    login(session)
    assert auth.logout_everywhere(session=session, token=alice.token) == 2
    assert session_count(session) == 0
    with pytest.raises(NotAuthenticated):
        auth.logout_everywhere(session=session, token=alice.token)


def test_change_password_keeps_this_device_and_ends_the_others(session: Session, alice):
    other = login(session)
    ended = auth.change_password(
        session=session,
        token=alice.token,
        current_password=PASSWORD,
        new_password="battery staple",
        new_password_confirm="battery staple",
    )
    assert ended == 1
    assert sessions.resolve_session(session=session, token=alice.token) == alice.user
    assert sessions.resolve_session(session=session, token=other.token) is None
    with pytest.raises(InvalidCredentials):
        login(session)
    assert login(session, password="battery staple").user == alice.user


@pytest.mark.parametrize(
    ("current", "new", "confirm", "errors"),
    [
        (
            "wrong one",
            "battery staple",
            "battery staple",
            {"current_password": "current_password_wrong"},
        ),
        ("", "battery staple", "battery staple", {"current_password": "current_password_required"}),
        (PASSWORD, "short", "short", {"new_password": "password_too_short"}),
        (PASSWORD, "battery staple", "battery", {"new_password_confirm": "password_mismatch"}),
    ],
)
def test_change_password_refusals_change_nothing(
    session: Session, alice, current, new, confirm, errors
):
    before = session.exec(select(User)).one().password_hash
    other = login(session)
    with pytest.raises(ValidationFailed) as raised:
        auth.change_password(
            session=session,
            token=alice.token,
            current_password=current,
            new_password=new,
            new_password_confirm=confirm,
        )
    assert raised.value.field_errors == errors
    session.expire_all()
    assert session.exec(select(User)).one().password_hash == before
    assert sessions.resolve_session(session=session, token=other.token) is not None


def test_change_password_with_a_forged_token_is_refused(session: Session, alice):
    with pytest.raises(NotAuthenticated):
        auth.change_password(
            session=session,
            token="forged",
            current_password=PASSWORD,
            new_password="battery staple",
            new_password_confirm="battery staple",
        )
    assert verify_password(PASSWORD, session.exec(select(User)).one().password_hash)[0]
