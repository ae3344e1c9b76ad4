"""The instance settings as administrators read and change them (the admin page, the CLI).

Each change is checked (an active administrator, or the command-line tool), audited and
committed in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from chat_app.models import User
from chat_app.services import admin_rights, audit, instance_settings
from chat_app.services.instance_settings import RegistrationMode


@dataclass(frozen=True)
class AdminSettings:
    """What the settings section shows."""

    registration_mode: RegistrationMode
    group_invites_register: bool


def _actor(session: Session, actor_id: int | None) -> User | None:
    """The administrator acting, or None for the command-line tool (raises Forbidden)."""
    if actor_id is None:
        return None
    return admin_rights.require_admin(session=session, user_id=actor_id)


def current(*, session: Session, viewer_id: int) -> AdminSettings:
    """The settings now in force, for an administrator.

    Args:
        session: The database session.
        viewer_id: Who asks (from the server-side session).

    Returns:
        The registration mode and the group-invites switch.

    Raises:
        Forbidden: The viewer is not an active administrator.
    """
    admin_rights.require_admin(session=session, user_id=viewer_id)
    return AdminSettings(
        registration_mode=instance_settings.registration_mode(session=session),
        group_invites_register=instance_settings.group_invites_register(session=session),
    )


def set_registration_mode(
    *, session: Session, actor_id: int | None, mode: object
) -> RegistrationMode:
    """Change who may register; audited and committed.

    Args:
        session: The database session.
        actor_id: The administrator, or None for the command-line tool.
        mode: "open", "invite" or "closed" (untrusted).

    Returns:
        The mode now in force.

    Raises:
        Forbidden: The actor is not an active administrator.
        ValidationFailed: Not one of the three modes.
    """
    actor = _actor(session, actor_id)
    stored = instance_settings.set_registration_mode(session=session, mode=mode)
    audit.record(session=session, actor=actor, action="registration_mode", detail=stored)
    session.commit()
    return stored


def set_group_invites_register(*, session: Session, actor_id: int | None, allowed: object) -> bool:
    """Allow or forbid new accounts through group invites; audited and committed.

    Args:
        session: The database session.
        actor_id: The administrator, or None for the command-line tool.
        allowed: True to allow (untrusted: anything but True forbids).

    Returns:
        Whether group invites may create accounts now.

    Raises:
        Forbidden: The actor is not an active administrator.
    """
    actor = _actor(session, actor_id)
    allowed = allowed is True
    instance_settings.set_group_invites_register(session=session, allowed=allowed)
    detail = "on" if allowed else "off"
    audit.record(session=session, actor=actor, action="group_invites_register", detail=detail)
    session.commit()
    return allowed


def audit_page(
    *, session: Session, viewer_id: int, page: object
) -> tuple[list[audit.AuditView], int]:
    """One page of the audit log, for an administrator.

    Args:
        session: The database session.
        viewer_id: Who asks (from the server-side session).
        page: Zero-based page number (untrusted).

    Returns:
        At most `audit.PAGE_SIZE` entries, newest first, and the total count.

    Raises:
        Forbidden: The viewer is not an active administrator.
    """
    admin_rights.require_admin(session=session, user_id=viewer_id)
    return audit.entries(session=session, page=page)
