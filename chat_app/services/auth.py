"""Accounts: register, log in, log out (here or everywhere), change password.

Every write goes through one function here that validates, commits and returns a view.
Password hashing is slow on purpose: callers run these functions off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from chat_app.models import User, utc_now
from chat_app.services import (
    audit,
    instance_settings,
    password_resets,
    sessions,
    throttle,
    validation,
)
from chat_app.services import setup_code as first_admin
from chat_app.services.errors import (
    AccountDisabled,
    InvalidCredentials,
    NotAuthenticated,
    Refused,
    ValidationFailed,
)
from chat_app.services.passwords import (
    MAX_PASSWORD_LENGTH,
    dummy_hash,
    hash_password,
    verify_password,
)
from chat_app.services.people_views import LoginResult, UserView
from chat_app.settings import SETTINGS, Settings


def _session_hash(token: str, token_hash: str) -> str:
    """The hash to look a session up by: given directly, or from a raw token ("" if none)."""
    return token_hash or sessions.hash_of_sent_token(token)


def _user_by_username(*, session: Session, username: str) -> User | None:
    """The user row with this exact username, ignoring case, or None."""
    key = validation.username_key(username)
    return session.exec(select(User).where(User.username_key == key)).first()


def _log_in(
    session: Session,
    user: User,
    device: tuple[str, str],
    now: datetime,
    settings: Settings,
) -> LoginResult:
    """Start a device session for a user just registered or checked, and commit.

    `device` is the browser's user agent and its address (shown in "My devices").
    """
    assert user.id is not None
    user_agent, client_address = device
    token = sessions.create_session(
        session=session,
        user_id=user.id,
        user_agent=user_agent,
        client_address=client_address,
        now=now,
        settings=settings,
    )
    session.commit()
    return LoginResult(user=UserView.of(user), token=token)


def register(
    *,
    session: Session,
    username: str,
    nickname: str,
    password: str,
    password_confirm: str,
    client_address: str = "",
    user_agent: str = "",
    via_invite: bool = False,
    counted: bool = True,
    setup_code: str = "",
    on_created: Callable[[Session, User], None] | None = None,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> LoginResult:
    """Create an account and log this device in.

    Each account created counts against its client address's hourly limit (checked after
    the fields are valid, before the costly hash).

    Args:
        session: The database session.
        username: 3-32 of [A-Za-z0-9_], unique ignoring case.
        nickname: 1-32 characters of any script.
        password: 8-128 characters.
        password_confirm: Must equal `password`.
        client_address: The client's IP address, for the per-address limit.
        user_agent: The browser's description for the new session.
        via_invite: True only when the caller has checked and used a valid invite in this
            same session (not yet committed): such a registration is allowed whatever the
            registration mode.
        counted: The account counts against the address's hourly limit: False only for
            an administrator's invite (any group's owner makes a group's).
        setup_code: The server's setup code, needed by the first account when the server
            can be reached from other machines (services.setup_code); ignored afterwards.
        on_created: Called with the new user row (flushed, with its id) before the one
            commit that creates the account, for work that must happen with it or not at
            all (an invite's group membership).
        now: The current time.
        settings: Session expiry and registration limit configuration.

    The first account of an empty database is the administrator, decided under a lock so
    that of two first registrations at the same moment only one is.

    Returns:
        The new user and a session token.

    Raises:
        ValidationFailed: With every invalid field, including a taken username and a
            missing or wrong setup code (nothing is stored).
        TooManyRegistrations: This address created too many accounts within the hour.
        Refused: "registration_invite_only" or "registration_closed" (the registration
            mode, without an invite).
        RateLimited: This address guessed the setup code wrong too often.
    """
    now = now or utc_now()
    if not via_invite:
        refusal = instance_settings.registration_refusal(session=session)
        if refusal:
            raise Refused(refusal)
    username = username.strip()
    nickname = validation.normalize_nickname(nickname)
    errors = validation.check_new_account(username, nickname, password, password_confirm)
    if "username" not in errors and _user_by_username(session=session, username=username):
        errors["username"] = "username_taken"
    maybe_first = not first_admin.users_exist(session=session)
    if maybe_first and (
        error := first_admin.check_first_registration(
            session=session,
            typed=setup_code,
            client_address=client_address,
            now=now,
            settings=settings,
        )
    ):
        errors["setup_code"] = error
    if errors:
        raise ValidationFailed(errors)
    if counted:
        throttle.reserve_registration(
            session=session, client_address=client_address, now=now, settings=settings
        )

    password_hash = hash_password(password)  # slow: before any lock is taken
    # Accounts are never removed (deleted ones keep their row), so only a registration that
    # saw none may be the first; the lock makes one of two simultaneous ones the first.
    is_first = maybe_first and first_admin.lock_for_first_account(session=session)
    user = User(
        username=username,
        username_key=validation.username_key(username),
        nickname=nickname,
        password_hash=password_hash,
        created_at=now,
        role="admin" if is_first else "user",
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Another registration took the name between our check and our insert.
        session.rollback()
        raise ValidationFailed({"username": "username_taken"}) from None
    if is_first:
        audit.record(session=session, actor=user, action="first_admin", target=user, now=now)
    if on_created is not None:
        on_created(session, user)
    return _log_in(session, user, (user_agent, client_address), now, settings)


def login(
    *,
    session: Session,
    username: str,
    password: str,
    client_address: str,
    user_agent: str = "",
    device_hash: str = "",
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> LoginResult:
    """Check a username and password and start a device session.

    Throttled by the policy of `services.throttle`: a device whose current session
    (`device_hash`) already belongs to this user is counted on its own.

    Args:
        session: The database session.
        username: The name as typed (any case).
        password: The password as typed.
        client_address: The client's IP address, for throttling.
        user_agent: The browser's description for the new session.
        device_hash: The hash of the session token this tab already holds, or "".
        now: The current time.
        settings: Throttling and expiry configuration.

    Returns:
        The user and a new session token.

    Raises:
        TooManyAttempts: Too many recent failures for this username or address, or too
            many logins of this account (`throttle.ACCOUNT_CHECKS`).
        InvalidCredentials: Unknown user or wrong password (one error for both); a
            deleted account is an unknown one.
        AccountDisabled: The password is right but the account is disabled.
    """
    now = now or utc_now()
    user = _user_by_username(session=session, username=username)
    device = ""
    if user is not None and device_hash:
        holder = sessions.resolve_session_by_hash(
            session=session, token_hash=device_hash, now=now, settings=settings
        )
        if holder is not None and holder.id == user.id:
            device = device_hash
    attempt = throttle.LoginAttempt(validation.username_key(username), client_address, device)
    throttle.check_login_allowed(session=session, attempt=attempt, now=now, settings=settings)
    if user is not None and user.id is not None:
        throttle.check_account_checks(session=session, user_id=user.id, now=now)
    if user is None or user.deleted_at is not None or len(password) > MAX_PASSWORD_LENGTH:
        # Spend the same time as a real check so timing does not reveal who exists.
        verify_password(password[:MAX_PASSWORD_LENGTH], dummy_hash())
        matches, new_hash = False, None
    else:
        matches, new_hash = verify_password(password, user.password_hash)
    if not matches or user is None:
        throttle.record_login_failure(session=session, attempt=attempt, now=now, settings=settings)
        raise InvalidCredentials()
    if user.disabled_at is not None:
        # Said only to whoever knows the password: the account's state stays private.
        throttle.clear_login_failures(session=session, attempt=attempt)
        session.commit()
        raise AccountDisabled()
    if new_hash is not None:
        user.password_hash = new_hash
        session.add(user)
    throttle.clear_login_failures(session=session, attempt=attempt)
    if user.id is not None:
        throttle.record_account_check(session=session, user_id=user.id, now=now)
    return _log_in(session, user, (user_agent, client_address), now, settings)


def change_password(
    *,
    session: Session,
    token: str = "",
    token_hash: str = "",
    current_password: str,
    new_password: str,
    new_password_confirm: str,
    client_address: str = "",
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> int:
    """Change the password of the token's user and end their other sessions.

    A wrong current password counts as a failed login of this device (`services.throttle`),
    so a stolen session cannot guess the password here faster than at the login form.

    Args:
        session: The database session.
        token: The caller's session token; this session stays logged in.
        token_hash: Or the token's hash (what a tab keeps server-side).
        current_password: Proof that the person at the keyboard knows the password.
        new_password: 8-128 characters.
        new_password_confirm: Must equal `new_password`.
        client_address: The client's IP address, recorded with a failure.
        now: The current time.
        settings: Expiry and throttling configuration.

    Returns:
        How many other sessions were ended.

    Raises:
        NotAuthenticated: The token is not a live session.
        TooManyAttempts: Too many wrong current passwords from this device, or too many
            attempts on this account (`throttle.ACCOUNT_CHECKS`).
        ValidationFailed: The current password is wrong or the new one is invalid.
    """
    now = now or utc_now()
    device = _session_hash(token, token_hash)
    viewer = sessions.resolve_session_by_hash(
        session=session, token_hash=device, now=now, settings=settings
    )
    if viewer is None:
        raise NotAuthenticated()
    user = session.get(User, viewer.id)
    if user is None:
        raise NotAuthenticated()
    attempt = throttle.LoginAttempt(user.username_key, client_address, device)
    throttle.check_login_allowed(session=session, attempt=attempt, now=now, settings=settings)
    errors: dict[str, str] = {}
    if not current_password:
        # Nobody typed one: no guess to count, and no hash spent on it.
        errors["current_password"] = "current_password_required"
    else:
        # Counted whatever the outcome, and committed before the hash: the person holds a
        # session of this account, so only they use up its count.
        throttle.check_account_checks(session=session, user_id=viewer.id, now=now)
        throttle.record_account_check(session=session, user_id=viewer.id, now=now)
        session.commit()
    if current_password and (
        len(current_password) > MAX_PASSWORD_LENGTH
        or not verify_password(current_password, user.password_hash)[0]
    ):
        errors["current_password"] = "current_password_wrong"
        throttle.record_login_failure(session=session, attempt=attempt, now=now, settings=settings)
    errors.update(
        {
            f"new_{field}": code
            for field, code in validation.check_new_password(
                new_password, new_password_confirm
            ).items()
        }
    )
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new_password)
    session.add(user)
    # A reset link made before (by an administrator, maybe not a trusted one) would set
    # the password again behind the user's back.
    password_resets.spend_unused_resets(session, viewer.id, now)
    session.commit()
    return sessions.end_all_sessions(session=session, user_id=viewer.id, except_hash=device)


def logout(*, session: Session, token: str = "", token_hash: str = "") -> None:
    """End this device's session.

    Args:
        session: The database session.
        token: The caller's session token.
        token_hash: Or the token's hash.
    """
    sessions.end_session_by_hash(session=session, token_hash=_session_hash(token, token_hash))


def logout_everywhere(
    *, session: Session, token: str = "", token_hash: str = "", now: datetime | None = None
) -> int:
    """End every session of the token's user, this one included.

    Args:
        session: The database session.
        token: The caller's session token.
        token_hash: Or the token's hash.
        now: The current time.

    Returns:
        How many sessions were ended.

    Raises:
        NotAuthenticated: The token is not a live session.
    """
    viewer = sessions.resolve_session_by_hash(
        session=session, token_hash=_session_hash(token, token_hash), now=now
    )
    if viewer is None:
        raise NotAuthenticated()
    return sessions.end_all_sessions(session=session, user_id=viewer.id)
