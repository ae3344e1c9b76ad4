"""Settings the administrators change while the server runs (stored, shared by every worker).

Registration mode: "open" (anyone may register; the embedded default), "invite" (only with
an invite link) or "closed" (nobody; an administrator creates accounts with the command-line
tool). Whether an invite made from a group's settings may create new accounts is a second
setting, on by default, that only matters while the mode is not "closed".
"""

from __future__ import annotations

from typing import Literal, get_args

from sqlmodel import Session

from chat_app.models import InstanceSetting
from chat_app.services.errors import ValidationFailed

RegistrationMode = Literal["open", "invite", "closed"]
REGISTRATION_MODES: tuple[RegistrationMode, ...] = get_args(RegistrationMode)
DEFAULT_REGISTRATION_MODE: RegistrationMode = "open"

_REGISTRATION_KEY = "registration_mode"
_GROUP_INVITES_KEY = "group_invites_register"


def _value(session: Session, key: str) -> str | None:
    row = session.get(InstanceSetting, key)
    return row.value if row is not None else None


def _store(session: Session, key: str, value: str) -> None:
    """Insert or replace one setting (the caller commits)."""
    row = session.get(InstanceSetting, key)
    if row is None:
        session.add(InstanceSetting(key=key, value=value))
    else:
        row.value = value
        session.add(row)


def registration_mode(*, session: Session) -> RegistrationMode:
    """Who may register now; the default when no administrator chose yet."""
    value = _value(session, _REGISTRATION_KEY)
    for mode in REGISTRATION_MODES:
        if value == mode:
            return mode
    return DEFAULT_REGISTRATION_MODE


def registration_refusal(*, session: Session) -> str:
    """Why a registration without an invite is refused now ("" while registration is open).

    Args:
        session: The database session.

    Returns:
        "", "registration_invite_only" or "registration_closed" (a text key).
    """
    mode = registration_mode(session=session)
    if mode == "open":
        return ""
    return f"registration_{'invite_only' if mode == 'invite' else 'closed'}"


def set_registration_mode(*, session: Session, mode: object) -> RegistrationMode:
    """Store a new registration mode (the caller audits and commits).

    Args:
        session: The database session.
        mode: "open", "invite" or "closed" (untrusted: any other value is refused).

    Returns:
        The mode now in force.

    Raises:
        ValidationFailed: `mode` is not one of the three.
    """
    for known in REGISTRATION_MODES:
        if mode == known:
            _store(session, _REGISTRATION_KEY, known)
            return known
    raise ValidationFailed({"mode": "unknown_registration_mode"})


def group_invites_register(*, session: Session) -> bool:
    """Whether a group's invite link may create a new account (while the mode allows it)."""
    return _value(session, _GROUP_INVITES_KEY) != "off"


def set_group_invites_register(*, session: Session, allowed: bool) -> None:
    """Allow or forbid new accounts through group invites (the caller audits and commits)."""
    _store(session, _GROUP_INVITES_KEY, "on" if allowed is True else "off")
