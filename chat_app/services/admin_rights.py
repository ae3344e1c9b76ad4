"""Who administers the server: the role, the checks, and never losing the last administrator.

An administrator is a user whose role is "admin" and whose account is neither disabled nor
deleted. Every change that may take the last one away (unmaking, disabling, deleting an
administrator) first takes the administrators' lock (`lock_admins`) and counts again under
it: two administrators unmaking each other at the same moment are applied one after the
other, and the second is refused.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from chat_app.models import InstanceSetting, User, utc_now
from chat_app.services import audit, validation
from chat_app.services.errors import Forbidden, NotFound, Refused

ADMIN_ROLE = "admin"
USER_ROLE = "user"
LAST_ADMIN = "last_admin"
# An InstanceSetting row written by every change that may remove an administrator: the write
# takes its lock (the row on PostgreSQL, the database on SQLite) until commit.
_LOCK_KEY = "admin_lock"


def _active_admin_clause() -> tuple[sa.ColumnElement[bool], ...]:
    return (
        col(User.role) == ADMIN_ROLE,
        col(User.disabled_at).is_(None),
        col(User.deleted_at).is_(None),
    )


def is_active_admin(user: User) -> bool:
    """Whether a user row is an administrator now (role, not disabled, not deleted)."""
    return user.role == ADMIN_ROLE and user.disabled_at is None and user.deleted_at is None


def active_admin_ids(session: Session) -> list[int]:
    """The ids of the administrators now (not disabled, not deleted)."""
    return [
        user_id
        for user_id in session.exec(select(User.id).where(*_active_admin_clause()))
        if user_id is not None
    ]


def is_admin(*, session: Session, user_id: int) -> bool:
    """Whether `user_id` is an administrator now.

    Args:
        session: The database session.
        user_id: The user (from the server-side session).

    Returns:
        True for role "admin" on an account neither disabled nor deleted.
    """
    found = session.exec(
        select(User.id).where(col(User.id) == user_id, *_active_admin_clause())
    ).first()
    return found is not None


def require_admin(*, session: Session, user_id: object) -> User:
    """The administrator acting, or Forbidden.

    Args:
        session: The database session.
        user_id: The acting user (untrusted: anything not a live administrator's id is refused).

    Returns:
        The administrator's row.

    Raises:
        Forbidden: "admin_only" for anyone else, a malformed id included.
    """
    try:
        user = session.get(User, validation.valid_id(user_id))
    except NotFound:
        raise Forbidden("admin_only") from None
    if user is None or not is_active_admin(user):
        raise Forbidden("admin_only")
    return user


def acting_admin(session: Session, actor_id: int | None) -> User | None:
    """The acting administrator's row, or None for the command-line tool (no check)."""
    return None if actor_id is None else require_admin(session=session, user_id=actor_id)


def target_user(session: Session, target_id: object) -> User:
    """The account an action names (untrusted id); deleted accounts are refused.

    Raises:
        NotFound: No such user.
        Refused: "account_deleted".
    """
    user = session.get(User, validation.valid_id(target_id))
    if user is None:
        raise NotFound()
    if user.deleted_at is not None:
        raise Refused("account_deleted")
    return user


def lock_admins(session: Session) -> None:
    """Take the administrators' lock until the transaction ends (then read the rows again).

    Call it before the first write of the transaction: on SQLite the write starts it, so
    nothing read before is kept; on PostgreSQL later reads see every committed change.
    """
    locked = session.exec(
        update(InstanceSetting).where(col(InstanceSetting.key) == _LOCK_KEY).values(value="1")
    )
    if locked.rowcount:
        return
    session.add(InstanceSetting(key=_LOCK_KEY, value="1"))
    try:
        session.flush()
    except IntegrityError:
        # Another transaction created the row first: wait for it like any other holder.
        session.rollback()
        session.exec(
            update(InstanceSetting).where(col(InstanceSetting.key) == _LOCK_KEY).values(value="1")
        )


def active_admin_count(session: Session) -> int:
    """How many administrators there are (read it under `lock_admins`)."""
    return int(
        session.exec(select(func.count()).select_from(User).where(*_active_admin_clause())).one()
    )


def guard_last_admin(session: Session, target: User, actor_id: int | None) -> User | None:
    """Lock, re-read the actor and the target, refuse removing the last administrator.

    For a change that takes `target` out of the administrators if it is one. Rolls back
    before raising.

    Returns:
        The acting administrator's row as read under the lock (None for the command line).

    Raises:
        Forbidden: The actor stopped being an administrator meanwhile.
        Refused: "last_admin".
    """
    lock_admins(session)
    session.refresh(target)
    try:
        actor = acting_admin(session, actor_id)
        if is_active_admin(target) and active_admin_count(session) <= 1:
            raise Refused(LAST_ADMIN)
    except (Forbidden, Refused):
        session.rollback()
        raise
    return actor


def set_admin(
    *,
    session: Session,
    actor_id: int | None,
    target_id: object,
    admin: bool,
    now: datetime | None = None,
) -> None:
    """Make a user an administrator or a plain user again (audited, committed).

    Args:
        session: The database session.
        actor_id: The administrator acting, or None for the command-line tool.
        target_id: The user (untrusted id).
        admin: True to make an administrator, False to unmake one.
        now: The current time.

    Raises:
        Forbidden: The actor is not an administrator.
        NotFound: No such user.
        Refused: "account_deleted", "last_admin" when no administrator would remain, or
            "error" for an `admin` that is not a bool.
    """
    now = now or utc_now()
    actor = acting_admin(session, actor_id)
    if not isinstance(admin, bool):
        raise Refused("error")  # only a forged request sends anything else
    target = target_user(session, target_id)
    role = ADMIN_ROLE if admin else USER_ROLE
    if role == USER_ROLE:
        actor = guard_last_admin(session, target, actor_id)
    if target.role == role:
        session.rollback()
        return
    target.role = role
    session.add(target)
    action = "promote" if role == ADMIN_ROLE else "demote"
    audit.record(session=session, actor=actor, action=action, target=target, now=now)
    session.commit()


def user_id_by_name(*, session: Session, username: str) -> int:
    """The id of the user with this username, ignoring case (for the command-line tool).

    Raises:
        NotFound: No such user.
    """
    if not isinstance(username, str):
        raise NotFound()
    key = validation.username_key(username.strip())
    found = session.exec(select(User.id).where(col(User.username_key) == key)).first()
    if found is None:
        raise NotFound()
    return found
