"""What the command-line tool does that no page does: create an administrator, list users.

The tool has no user of its own: its actions are audited with no actor ("command line"),
in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chat_app.models import User, utc_now
from chat_app.services import audit, validation
from chat_app.services.errors import ValidationFailed
from chat_app.services.passwords import hash_password


@dataclass(frozen=True)
class UserLine:
    """One account as `list-users` prints it."""

    username: str
    nickname: str
    role: str
    status: str
    created_at: datetime
    last_seen_at: datetime | None


def create_admin(
    *,
    session: Session,
    username: str,
    nickname: str,
    password: str,
    password_confirm: str,
    now: datetime | None = None,
) -> int:
    """Create an administrator account (audited, committed; no login session is made).

    Unlike a registration it ignores the registration mode and the setup code: whoever
    runs the tool on the server already controls it.

    Args:
        session: The database session.
        username: 3-32 of [A-Za-z0-9_], unique ignoring case.
        nickname: 1-32 characters ("" means the username).
        password: 8-128 characters.
        password_confirm: Must equal `password`.
        now: The current time.

    Returns:
        The new user's id.

    Raises:
        ValidationFailed: With every invalid field, including a taken username.
    """
    now = now or utc_now()
    username = username.strip()
    nickname = validation.normalize_nickname(nickname or username)
    if errors := validation.check_new_account(username, nickname, password, password_confirm):
        raise ValidationFailed(errors)
    user = User(
        username=username,
        username_key=validation.username_key(username),
        nickname=nickname,
        password_hash=hash_password(password),
        created_at=now,
        role="admin",
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed({"username": "username_taken"}) from None
    audit.record(session=session, actor=None, action="create_admin", target=user, now=now)
    session.commit()
    assert user.id is not None
    return user.id


def _status(user: User) -> str:
    if user.deleted_at is not None:
        return "deleted"
    return "disabled" if user.disabled_at is not None else "active"


def user_lines(*, session: Session) -> Iterator[UserLine]:
    """Every account, oldest first (read in batches: a server may have many)."""
    query = select(User).order_by(col(User.id)).execution_options(yield_per=500)
    for user in session.exec(query):
        yield UserLine(
            username=user.username,
            nickname=user.nickname,
            role=user.role,
            status=_status(user),
            created_at=user.created_at,
            last_seen_at=user.last_seen_at,
        )
