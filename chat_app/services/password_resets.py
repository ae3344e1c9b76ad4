"""Password resets: a one-time link an administrator hands over (there is no e-mail).

The token is 256 random bits, stored as its sha256 and valid for 24 hours; a new reset for
a user revokes their older unused ones. Using it sets the password, ends every session of
the user and logs this device in. An unknown, used, expired or guessed token, or one of an
account disabled or deleted since, gets one and the same refusal ("reset_invalid"), and
every wrong token counts toward its address's guess limit (`token_guesses`).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select, update

from chat_app.models import AuthSession, PasswordReset, User, utc_now
from chat_app.services import admin_rights, audit, sessions, token_guesses, validation
from chat_app.services.errors import NotFound, ValidationFailed
from chat_app.services.passwords import hash_password
from chat_app.services.people_views import LoginResult, UserView
from chat_app.settings import SETTINGS, Settings

RESET_LIFETIME = timedelta(hours=24)
INVALID = "reset_invalid"
# secrets.token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 64


def create_reset(
    *,
    session: Session,
    actor_id: int | None,
    target_id: object,
    now: datetime | None = None,
) -> str:
    """Make a one-time reset link's token for a user (audited, committed).

    Args:
        session: The database session.
        actor_id: The administrator acting, or None for the command-line tool.
        target_id: The user (untrusted id).
        now: The current time.

    Returns:
        The raw token (only its hash is stored): the link is
        `public_links.link(f"{routes.RESET_PREFIX}/{token}", origin=...)`.

    Raises:
        Forbidden: The actor is not an administrator.
        NotFound: No such user.
        Refused: "account_deleted".
    """
    now = now or utc_now()
    actor = admin_rights.acting_admin(session, actor_id)
    target = admin_rights.target_user(session, target_id)
    token = secrets.token_urlsafe(32)
    # Only the newest link works: one handed over earlier (maybe to the wrong person) stops.
    session.exec(
        delete(PasswordReset).where(
            col(PasswordReset.user_id) == target.id, col(PasswordReset.used_at).is_(None)
        )
    )
    session.add(
        PasswordReset(
            token_hash=sessions.hash_token(token),
            user_id=target.id or 0,
            created_by_id=actor.id if actor is not None else None,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    audit.record(session=session, actor=actor, action="reset_link", target=target, now=now)
    session.commit()
    return token


def set_password(
    *,
    session: Session,
    actor_id: int | None,
    target_id: object,
    password: str,
    password_confirm: str,
    now: datetime | None = None,
) -> None:
    """Set a user's password directly (the command line's `reset-password --stdin`).

    Every session of the user ends and their unused reset links stop working.

    Raises:
        Forbidden: The actor is not an administrator.
        NotFound: No such user.
        Refused: "account_deleted".
        ValidationFailed: The password is not acceptable.
    """
    now = now or utc_now()
    actor = admin_rights.acting_admin(session, actor_id)
    target = admin_rights.target_user(session, target_id)
    errors = validation.check_new_password(password, password_confirm)
    if errors:
        raise ValidationFailed(errors)
    target.password_hash = hash_password(password)
    session.add(target)
    _end_everything(session, target.id or 0, now)
    audit.record(session=session, actor=actor, action="set_password", target=target, now=now)
    session.commit()


def _end_everything(session: Session, user_id: int, now: datetime) -> None:
    """End every session and spend every unused reset of the user (the caller commits)."""
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user_id))
    spend_unused_resets(session, user_id, now)


def spend_unused_resets(session: Session, user_id: int, now: datetime) -> None:
    """Make the user's unused reset links useless (a new password is set; the caller commits).

    Args:
        session: The database session.
        user_id: Whose links.
        now: When they were spent.
    """
    session.exec(
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )


def _issuer_still_may(session: Session, reset: PasswordReset) -> bool:
    """Whether the administrator who made a link still is one (the command line's always may).

    An administrator removed, disabled or deleted after making a link must not keep a way
    into the account it names, as an invite dies with its creator's right to make it.
    """
    if reset.created_by_id is None:
        return True
    issuer = session.get(User, reset.created_by_id)
    return issuer is not None and admin_rights.is_active_admin(issuer)


def _valid_reset(
    session: Session, token: object, client_address: str, now: datetime
) -> tuple[PasswordReset, User]:
    """The live reset a token names and its user, or the one refusal (wrong guesses counted).

    Raises:
        RateLimited: This address guessed wrong too often.
        NotFound: "reset_invalid".
    """
    token_guesses.check_allowed(session=session, client_address=client_address, now=now)
    reset = user = None
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH:
        reset = session.exec(
            select(PasswordReset).where(col(PasswordReset.token_hash) == sessions.hash_token(token))
        ).first()
    if (
        reset is not None
        and reset.used_at is None
        and now < reset.expires_at
        and _issuer_still_may(session, reset)
    ):
        user = session.get(User, reset.user_id)
    if reset is None or user is None or user.disabled_at or user.deleted_at:
        session.rollback()
        token_guesses.count_wrong_guess(
            session=session, client_address=client_address, kind="reset", now=now
        )
        raise NotFound(INVALID)
    return reset, user


def reset_username(
    *, session: Session, token: object, client_address: str, now: datetime | None = None
) -> str:
    """The username a live reset link is for (the page says whose password it sets).

    Raises:
        RateLimited: This address guessed wrong too often.
        NotFound: "reset_invalid" for any token that cannot be used.
    """
    now = now or utc_now()
    _, user = _valid_reset(session, token, client_address, now)
    return user.username


def use_reset(
    *,
    session: Session,
    token: object,
    password: str,
    password_confirm: str,
    client_address: str,
    user_agent: str,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> LoginResult:
    """Set a new password through a reset link, end every session and log this device in.

    Args:
        session: The database session.
        token: The link's token (untrusted).
        password: The new password.
        password_confirm: Must equal `password`.
        client_address: The client's IP address (the guess limit).
        user_agent: The browser's description for the new session.
        now: The current time.
        settings: Session expiry.

    Returns:
        The user and this device's new session token.

    Raises:
        RateLimited: This address guessed wrong too often.
        NotFound: "reset_invalid" (unknown, used, expired, revoked; disabled or deleted user).
        ValidationFailed: The password is not acceptable (the link stays usable).
    """
    now = now or utc_now()
    reset, user = _valid_reset(session, token, client_address, now)
    errors = validation.check_new_password(password, password_confirm)
    if errors:
        session.rollback()
        raise ValidationFailed(errors)
    # Hashed before the first write: the slow part holds no lock.
    new_hash = hash_password(password)
    # Spend the link first, conditionally: of two uses at once, only one finds it unused.
    spent = session.exec(
        update(PasswordReset)
        .where(col(PasswordReset.id) == reset.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    if not spent.rowcount:
        session.rollback()
        raise NotFound(INVALID)
    user.password_hash = new_hash
    session.add(user)
    _end_everything(session, user.id or 0, now)
    token_value = sessions.create_session(
        session=session, user_id=user.id or 0, user_agent=user_agent, now=now, settings=settings
    )
    session.commit()
    return LoginResult(user=UserView.of(user), token=token_value)
