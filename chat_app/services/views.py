"""Frozen values that services hand to the UI layer (never table rows: those hold secrets)."""

from __future__ import annotations

from dataclasses import dataclass

from chat_app.models import User


@dataclass(frozen=True)
class UserView:
    """What the UI may know about a user."""

    id: int
    username: str
    nickname: str

    @classmethod
    def of(cls, user: User) -> UserView:
        """Build the view of a stored user.

        Args:
            user: A persisted user row.

        Returns:
            The view, without the password hash.
        """
        assert user.id is not None
        return cls(id=user.id, username=user.username, nickname=user.nickname)


@dataclass(frozen=True)
class LoginResult:
    """A new device session: the user and the bearer token (shown once, stored hashed)."""

    user: UserView
    token: str
