"""Password reset links: made by an administrator, used once, one refusal for every bad one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from chat_app.models import PasswordReset, TokenGuess, utc_now
from chat_app.services import account_status, admin_rights, auth, password_resets, sessions
from chat_app.services.errors import Forbidden, NotFound, RateLimited, Refused, ValidationFailed
from chat_app.services.passwords import hash_password
from tests.support.accounts import audit_actions, fresh_user, make_admin_user, session_count
from tests.support.users import log_in, make_user

NEW = "brand new secret"
ADDRESS = "10.0.0.9"


def use(session: Session, token: object, password: str = NEW, confirm: str | None = None, **kw):
    return password_resets.use_reset(
        session=session,
        token=token,
        password=password,
        password_confirm=password if confirm is None else confirm,
        client_address=kw.pop("client_address", ADDRESS),
        user_agent="Firefox",
        **kw,
    )


def guesses(session: Session) -> int:
    session.rollback()
    return len(session.exec(select(TokenGuess.id)).all())


def test_a_reset_link_sets_the_password_ends_sessions_and_logs_this_device_in(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    old_token, _ = log_in(session, bob)
    token = password_resets.create_reset(session=session, actor_id=ann, target_id=bob)
    assert len(token) >= 43
    stored = session.exec(select(PasswordReset)).one()
    assert stored.token_hash != token
    assert stored.expires_at - stored.created_at == timedelta(hours=24)
    assert (
        password_resets.reset_username(session=session, token=token, client_address=ADDRESS)
        == "bob"
    )
    result = use(session, token)
    assert result.user.id == bob
    assert sessions.resolve_session(session=session, token=old_token) is None
    assert sessions.resolve_session(session=session, token=result.token) is not None
    assert session_count(session, bob) == 1
    login = auth.login(session=session, username="bob", password=NEW, client_address=ADDRESS)
    assert login.user.id == bob
    # Used: the same link is now as invalid as any other.
    with pytest.raises(NotFound) as used:
        use(session, token, "another password")
    assert used.value.code == "reset_invalid"
    assert audit_actions(session) == [("ann", "reset_link", "bob")]
    assert guesses(session) == 1


def test_a_new_link_revokes_the_older_unused_one(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    first = password_resets.create_reset(session=session, actor_id=ann, target_id=bob)
    second = password_resets.create_reset(session=session, actor_id=None, target_id=bob)
    with pytest.raises(NotFound):
        use(session, first)
    assert use(session, second).user.id == bob


def test_an_expired_link_is_refused(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    then = utc_now() - timedelta(hours=24, seconds=1)
    token = password_resets.create_reset(session=session, actor_id=ann, target_id=bob, now=then)
    hash_before = fresh_user(session, bob).password_hash
    with pytest.raises(NotFound) as expired:
        use(session, token)
    assert expired.value.code == "reset_invalid"
    assert fresh_user(session, bob).password_hash == hash_before


@pytest.mark.parametrize("forged", ["", "x" * 43, "a" * 10_000, None, 42, ["t"], {"t": 1}])
def test_forged_tokens_get_the_one_refusal_and_count_as_guesses(session: Session, forged):
    make_admin_user(session, "ann")
    with pytest.raises(NotFound) as refused:
        use(session, forged)
    assert refused.value.code == "reset_invalid"
    with pytest.raises(NotFound):
        password_resets.reset_username(session=session, token=forged, client_address=ADDRESS)
    assert guesses(session) == 2


def test_links_of_disabled_or_deleted_accounts_get_the_same_refusal(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    token = password_resets.create_reset(session=session, actor_id=ann, target_id=bob)
    user = fresh_user(session, bob)
    user.disabled_at = utc_now()
    session.add(user)
    session.commit()
    with pytest.raises(NotFound) as refused:
        password_resets.reset_username(session=session, token=token, client_address=ADDRESS)
    assert refused.value.code == "reset_invalid"
    user = fresh_user(session, bob)
    user.deleted_at, user.disabled_at = utc_now(), None
    session.add(user)
    session.commit()
    with pytest.raises(NotFound):
        use(session, token)
    with pytest.raises(Refused):
        password_resets.create_reset(session=session, actor_id=ann, target_id=bob)


def test_guessing_is_throttled_per_address_even_for_a_right_token(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    token = password_resets.create_reset(session=session, actor_id=ann, target_id=bob)
    for attempt in range(20):
        with pytest.raises(NotFound):
            use(session, f"guess-{attempt}")
    with pytest.raises(RateLimited):
        use(session, token)
    # Another address is not held back.
    assert use(session, token, client_address="10.0.0.10").user.id == bob


def test_a_bad_new_password_keeps_the_link_usable(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    token = password_resets.create_reset(session=session, actor_id=ann, target_id=bob)
    with pytest.raises(ValidationFailed) as short:
        use(session, token, "short")
    assert short.value.field_errors == {"password": "password_too_short"}
    with pytest.raises(ValidationFailed):
        use(session, token, NEW, "something else")
    assert use(session, token).user.id == bob
    assert guesses(session) == 0


def test_only_admins_make_links_and_set_passwords(session: Session):
    make_admin_user(session, "ann")
    bob, cat = make_user(session, "bob"), make_user(session, "cat")
    with pytest.raises(Forbidden):
        password_resets.create_reset(session=session, actor_id=bob, target_id=cat)
    with pytest.raises(Forbidden):
        password_resets.set_password(
            session=session, actor_id=bob, target_id=cat, password=NEW, password_confirm=NEW
        )
    assert session.exec(select(PasswordReset)).all() == []
    assert audit_actions(session) == []


def test_the_command_line_sets_a_password_and_ends_sessions(session: Session):
    make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    token, _ = log_in(session, bob)
    pending = password_resets.create_reset(session=session, actor_id=None, target_id=bob)
    password_resets.set_password(
        session=session, actor_id=None, target_id=bob, password=NEW, password_confirm=NEW
    )
    assert sessions.resolve_session(session=session, token=token) is None
    assert auth.login(session=session, username="bob", password=NEW, client_address="a")
    with pytest.raises(NotFound):
        use(session, pending)
    with pytest.raises(ValidationFailed):
        password_resets.set_password(
            session=session, actor_id=None, target_id=bob, password="x", password_confirm="x"
        )
    assert [action for _, action, _ in audit_actions(session)] == ["reset_link", "set_password"]
    assert (
        session.exec(select(PasswordReset).where(col(PasswordReset.used_at).is_(None))).all() == []
    )


def test_a_password_change_spends_the_links_made_before(session: Session):
    ann = make_admin_user(session, "ann")
    bob = make_user(session, "bob")
    user = fresh_user(session, bob)
    user.password_hash = hash_password("old secret")
    session.add(user)
    session.commit()
    token = password_resets.create_reset(session=session, actor_id=ann, target_id=bob)
    bob_token, _ = log_in(session, bob)
    auth.change_password(
        session=session,
        token=bob_token,
        current_password="old secret",
        new_password="my own secret",
        new_password_confirm="my own secret",
    )
    with pytest.raises(NotFound) as spent:
        use(session, token)
    assert spent.value.code == "reset_invalid"
    login = auth.login(
        session=session, username="bob", password="my own secret", client_address=ADDRESS
    )
    assert login.user.id == bob


@pytest.mark.parametrize("lost", ["demoted", "disabled"])
def test_a_link_dies_when_its_maker_is_no_longer_an_administrator(session: Session, lost: str):
    root = make_admin_user(session, "root")
    mal = make_admin_user(session, "mal")
    bob = make_user(session, "bob")
    token = password_resets.create_reset(session=session, actor_id=mal, target_id=bob)
    if lost == "demoted":
        admin_rights.set_admin(session=session, actor_id=root, target_id=mal, admin=False)
    else:
        account_status.set_disabled(session=session, actor_id=root, target_id=mal, disabled=True)
    with pytest.raises(NotFound) as dead:
        use(session, token)
    assert dead.value.code == "reset_invalid"
    # The command line's links have no maker to lose.
    from_console = password_resets.create_reset(session=session, actor_id=None, target_id=bob)
    assert use(session, from_console).user.id == bob
