"""Registration rules: every field rule, uniqueness ignoring case, nothing stored on failure."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, func, select

from chat_app.models import AuthSession, User
from chat_app.services import auth, instance_settings, sessions
from chat_app.services.errors import Refused, ValidationFailed

GOOD: dict[str, Any] = {
    "username": "alice_01",
    "nickname": "Alice",
    "password": "correct horse",
    "password_confirm": "correct horse",
}


def register(session: Session, **changes: str):
    return register_with(session, {}, **changes)


def register_with(session: Session, hooks: dict[str, Any], **changes: str):
    fields = {**GOOD, **changes}
    return auth.register(
        session=session,
        username=fields["username"],
        nickname=fields["nickname"],
        password=fields["password"],
        password_confirm=fields["password_confirm"],
        **hooks,
    )


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_register_stores_an_argon2id_hash_and_logs_in(session: Session):
    result = register(session)

    user = session.exec(select(User)).one()
    assert (user.username, user.username_key, user.nickname) == ("alice_01", "alice_01", "Alice")
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2")
    assert "correct horse" not in user.password_hash
    assert result.user.username == "alice_01"
    assert sessions.resolve_session(session=session, token=result.token) == result.user
    stored = session.exec(select(AuthSession)).one()
    assert stored.token_hash == sessions.hash_token(result.token)
    assert result.token not in stored.token_hash
    assert user.created_at.tzinfo is not None


def test_chinese_nickname_is_accepted_and_normalised(session: Session):
    result = register(session, nickname="  张三 ")
    assert result.user.nickname == "张三"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("username", "", "username_required"),
        ("username", "ab", "username_invalid"),
        ("username", "a" * 33, "username_invalid"),
        ("username", "bad name", "username_invalid"),
        ("username", "名字abc", "username_invalid"),
        ("username", "alice-01", "username_invalid"),
        ("nickname", "   ", "nickname_required"),
        ("nickname", "x" * 33, "nickname_too_long"),
        ("nickname", "evil\u202etxt", "nickname_invalid"),
        ("nickname", "bell\x07", "nickname_invalid"),
        ("password", "short", "password_too_short"),
        ("password", "p" * 129, "password_too_long"),
    ],
)
def test_each_invalid_field_is_reported_and_nothing_is_stored(
    session: Session, field: str, value: str, code: str
):
    changes = {field: value}
    if field == "password":
        changes["password_confirm"] = value
    with pytest.raises(ValidationFailed) as raised:
        register(session, **changes)
    assert raised.value.field_errors == {field: code}
    assert count(session, User) == 0
    assert count(session, AuthSession) == 0


def test_boundary_lengths_are_accepted(session: Session):
    register(
        session, username="abc", nickname="x" * 32, password="p" * 128, password_confirm="p" * 128
    )
    register(session, username="a" * 32, nickname="y", password="p" * 8, password_confirm="p" * 8)
    assert count(session, User) == 2


def test_confirmation_mismatch_is_reported_on_the_confirmation_field(session: Session):
    with pytest.raises(ValidationFailed) as raised:
        register(session, password_confirm="correct horsE")
    assert raised.value.field_errors == {"password_confirm": "password_mismatch"}


def test_all_field_errors_are_reported_together(session: Session):
    with pytest.raises(ValidationFailed) as raised:
        register(session, username="x", nickname="", password="1")
    assert set(raised.value.field_errors) == {"username", "nickname", "password"}


def test_username_is_unique_ignoring_case(session: Session):
    register(session, username="Alice_01")
    with pytest.raises(ValidationFailed) as raised:
        register(session, username="aLICE_01")
    assert raised.value.field_errors == {"username": "username_taken"}
    assert count(session, User) == 1


def test_a_long_password_is_never_truncated(session: Session):
    long_password = "x" * 100 + "A"
    result = register(session, password=long_password, password_confirm=long_password)
    login = lambda password: auth.login(  # noqa: E731
        session=session, username="alice_01", password=password, client_address="1.1.1.1"
    )
    assert login(long_password).user == result.user
    with pytest.raises(Exception):
        login("x" * 100 + "B")


def test_a_concurrent_duplicate_insert_becomes_username_taken(
    session: Session, engine, monkeypatch: pytest.MonkeyPatch
):
    # Simulate the race: the name is free when checked, taken by the time of the insert.
    with Session(engine) as other:
        register(other, username="bob_1")
    monkeypatch.setattr(auth, "_user_by_username", lambda **_: None)
    with pytest.raises(ValidationFailed) as raised:
        register(session, username="BOB_1")
    assert raised.value.field_errors == {"username": "username_taken"}
    assert count(session, User) == 1
    assert count(session, AuthSession) == 1


@pytest.mark.parametrize(
    ("mode", "code"),
    [("invite", "registration_invite_only"), ("closed", "registration_closed")],
)
def test_registration_outside_open_mode_needs_an_invite(session: Session, mode: str, code: str):
    instance_settings.set_registration_mode(session=session, mode=mode)
    session.commit()
    with pytest.raises(Refused) as refused:
        register(session)
    assert refused.value.code == code
    assert session.exec(select(func.count()).select_from(User)).one() == 0
    # An invite (checked and used by its caller) lets the person in whatever the mode.
    result = register_with(session, {"via_invite": True})
    assert result.user.username == GOOD["username"]


def test_work_given_to_on_created_commits_with_the_account_or_not_at_all(session: Session):
    seen: list[int] = []

    def join_group(_session: Session, user: User) -> None:
        assert user.id is not None
        seen.append(user.id)

    result = register_with(session, {"on_created": join_group})
    assert seen == [result.user.id]

    def fail(_session: Session, _user: User) -> None:
        raise ValidationFailed({"invite": "invite_invalid"})

    with pytest.raises(ValidationFailed):
        register_with(session, {"on_created": fail}, username="bob_01")
    session.rollback()
    assert session.exec(select(User).where(User.username == "bob_01")).first() is None
