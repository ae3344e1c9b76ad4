"""Frozen values the invite services hand to the state layer (never table rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chat_app.services.group_views import GroupChange
from chat_app.services.people_views import LoginResult

# An invite's state as its list shows it.
ACTIVE, EXPIRED, USED_UP, REVOKED = "active", "expired", "used_up", "revoked"


@dataclass(frozen=True)
class InviteView:
    """One invite as the people who manage it see it (never its token: only a hash is kept)."""

    id: int
    # 0 for a server invite.
    conversation_id: int
    creator_name: str
    created_at: datetime
    expires_at: datetime
    max_uses: int
    used_count: int
    # ACTIVE, EXPIRED, USED_UP or REVOKED (the first that applies: revoked wins).
    state: str


@dataclass(frozen=True)
class CreatedInvite:
    """A new invite and its raw token, which is shown once and never stored."""

    token: str
    invite: InviteView


@dataclass(frozen=True)
class InviteOffer:
    """What a valid invite offers the person who opens it.

    Attributes:
        conversation_id: The group it joins (0: a server invite).
        group_name: That group's name ("" for a server invite).
        may_register: Whether it creates new accounts (a group invite may only let people
            who already have an account join, depending on the registration mode).
    """

    conversation_id: int
    group_name: str
    may_register: bool


@dataclass(frozen=True)
class InviteJoin:
    """A group joined through an invite; `change` is None when the user was a member already."""

    conversation_id: int
    change: GroupChange | None


@dataclass(frozen=True)
class InviteRegistration:
    """An account created through an invite, logged in, and the group it joined if any."""

    login: LoginResult
    conversation_id: int
    change: GroupChange | None
