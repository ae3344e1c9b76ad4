"""A user's own settings that follow them to every device (stored on the user row)."""

from __future__ import annotations

from sqlmodel import Session, col, update

from chat_app.models import User
from chat_app.services import load_statements


def chime_enabled(*, session: Session, user_id: int) -> bool:
    """Whether the user hears a sound for a new message or friend request.

    Args:
        session: The database session.
        user_id: The user.

    Returns:
        The setting (on for a user not found: the default).
    """
    found = session.connection().execute(load_statements.CHIME_SETTING, {"user": user_id}).scalar()
    return True if found is None else bool(found)


def set_chime(*, session: Session, user_id: int, enabled: bool) -> None:
    """Turn the user's sound on or off, on every device.

    Args:
        session: The database session.
        user_id: The user.
        enabled: The new setting.
    """
    session.exec(update(User).where(col(User.id) == user_id).values(chime_enabled=enabled))
    session.commit()
