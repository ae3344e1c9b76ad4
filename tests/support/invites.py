"""Rows for invite tests: administrators made directly in the database, invites, registrations."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from chat_app.models import User
from chat_app.services import invite_use, invites
from chat_app.services.invite_views import InviteRegistration
from chat_app.settings import SETTINGS, Settings
from tests.support.users import make_user

ADDRESS = "192.0.2.7"


def make_admin(session: Session, username: str = "root") -> int:
    """An active administrator, made directly in the database."""
    user_id = make_user(session, username)
    user = session.get(User, user_id)
    assert user is not None
    user.role = "admin"
    session.add(user)
    session.commit()
    return user_id


def make_invite(
    session: Session,
    actor: int,
    group: int | None = None,
    *,
    uses: int = 5,
    expiry: str = "1d",
    now: datetime | None = None,
) -> str:
    """A new invite's raw token."""
    return invites.create(
        session=session,
        actor_id=actor,
        conversation_id=group,
        expiry=expiry,
        max_uses=uses,
        now=now,
    ).token


def register(
    session: Session,
    token: object,
    username: str = "newbie",
    *,
    address: str = ADDRESS,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> InviteRegistration:
    """Register `username` through the invite (a valid password and nickname)."""
    return invite_use.register_with_invite(
        session=session,
        token=token,
        username=username,
        nickname=username.title(),
        password="correct horse",
        password_confirm="correct horse",
        client_address=address,
        now=now,
        settings=settings,
    )
