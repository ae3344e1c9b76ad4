"""Rows for account administration tests: administrators, logins, what the log holds."""

from __future__ import annotations

from sqlmodel import Session, col, select

from chat_app.models import AuditEntry, AuthSession, User
from tests.support.users import make_user


def make_admin_user(session: Session, username: str) -> int:
    """A user with the administrator role."""
    user_id = make_user(session, username)
    user = session.get(User, user_id)
    assert user is not None
    user.role = "admin"
    session.add(user)
    session.commit()
    return user_id


def fresh_user(session: Session, user_id: int) -> User:
    """The user row as stored now."""
    session.rollback()
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    return user


def audit_actions(session: Session) -> list[tuple[str, str, str]]:
    """(actor name, action, target name) of every log entry, oldest first."""
    session.rollback()
    rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(row.actor_name, row.action, row.target_name) for row in rows]


def session_count(session: Session, user_id: int) -> int:
    session.rollback()
    return len(session.exec(select(AuthSession.id).where(AuthSession.user_id == user_id)).all())
