"""Invite links, as the people who make them see them: create, list, revoke.

A server invite is made by an administrator, a group invite by the group's owner or an
admin. Only the token's sha256 is stored: the raw token is shown once, at creation. Using a
link is services/invite_use.py.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from chat_app import routes
from chat_app.models import ConversationMember, Invite, User, utc_now
from chat_app.services import admin_rights, audit, group_events, sessions, validation
from chat_app.services.errors import Forbidden, NotFound, ValidationFailed
from chat_app.services.group_events import MANAGERS
from chat_app.services.invite_views import (
    ACTIVE,
    EXPIRED,
    REVOKED,
    USED_UP,
    CreatedInvite,
    InviteView,
)

# The lifetimes offered when creating an invite.
EXPIRY_CHOICES: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
MAX_USES = 1000
PAGE_SIZE = 20
# Every invalid link, whatever the reason: one answer.
INVALID = "invite_invalid"
# A token_urlsafe(32) is 43 characters; anything else is not one of ours.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# How a server invite is audited ("7d, 12 uses, expires <ISO time>"; the link list shows
# the same figures, so its creation and its revocation can be told apart from other
# links'): written and read back here. Entries before the expiry time have none.
_AUDIT_DETAIL = "{expiry}, {uses} uses, expires {expires}"
_AUDIT_DETAIL_SHAPE = re.compile(r"([\w?]+), (\d+) uses(?:, expires (\S+))?")


@dataclass(frozen=True)
class AuditedTerms:
    """An invite's terms as its audit entries name them."""

    # The expiry's code ("7d").
    expiry: str
    uses: str
    # When the link expires (None in entries written before it was recorded).
    expires_at: datetime | None


def audited_terms(detail: str) -> AuditedTerms | None:
    """An invite's audit detail as its terms, for showing each in words.

    Args:
        detail: The audit entry's detail.

    Returns:
        The terms, or None for another detail (a setting's value, an older entry's "#3").
    """
    parts = _AUDIT_DETAIL_SHAPE.fullmatch(detail)
    if parts is None:
        return None
    try:
        expires_at = datetime.fromisoformat(parts[3]) if parts[3] else None
    except ValueError:
        return None
    return AuditedTerms(expiry=parts[1], uses=parts[2], expires_at=expires_at)


def _audit_detail(invite: Invite) -> str:
    """How the audit log names a server invite: its lifetime, uses and expiry time."""
    lifetime = invite.expires_at - invite.created_at
    expiry = next((code for code, span in EXPIRY_CHOICES.items() if span == lifetime), "?")
    return _AUDIT_DETAIL.format(
        expiry=expiry, uses=invite.max_uses, expires=invite.expires_at.isoformat()
    )


def _scope(session: Session, actor_id: int, conversation_id: object) -> int | None:
    """Check the actor may manage invites of this scope; the group's id, or None for server.

    Raises:
        Forbidden: A server invite by a non-administrator, or a group invite by a plain
            member (group_admins_only).
        NotFound: Not a group the actor is a current member of (conversation_gone).
    """
    if conversation_id is None:
        admin_rights.require_admin(session=session, user_id=actor_id)
        return None
    group = group_events.group_id(conversation_id)
    role = group_events.role_of(session, actor_id, group)
    if role is None:
        raise NotFound(group_events.GONE)
    if role not in MANAGERS:
        raise Forbidden("group_admins_only")
    return group


def state_of(invite: Invite, now: datetime) -> str:
    """ACTIVE, EXPIRED, USED_UP or REVOKED (revoked wins, then used up)."""
    if invite.revoked_at is not None:
        return REVOKED
    if invite.used_count >= invite.max_uses:
        return USED_UP
    return ACTIVE if invite.expires_at > now else EXPIRED


def _view(invite: Invite, creator_name: str, now: datetime) -> InviteView:
    assert invite.id is not None
    return InviteView(
        id=invite.id,
        conversation_id=invite.conversation_id or 0,
        creator_name=creator_name,
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        max_uses=invite.max_uses,
        used_count=invite.used_count,
        state=state_of(invite, now),
    )


def create(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object = None,
    expiry: object,
    max_uses: object,
    now: datetime | None = None,
) -> CreatedInvite:
    """Make an invite link (commits; a server invite is audited).

    Args:
        session: The database session.
        actor_id: Who makes it (from the server-side session).
        conversation_id: The group it joins (untrusted), or None for a server invite.
        expiry: A key of EXPIRY_CHOICES.
        max_uses: How many people may use it, 1 to MAX_USES.
        now: The current time.

    Returns:
        The raw token (shown once) and the invite as listed.

    Raises:
        ValidationFailed: An unknown expiry or a number of uses out of range.
        Forbidden: The actor may not make invites of this scope.
        NotFound: Not a group the actor is a current member of.
    """
    now = now or utc_now()
    errors: dict[str, str] = {}
    lifetime = EXPIRY_CHOICES.get(expiry) if isinstance(expiry, str) else None
    if lifetime is None:
        errors["expiry"] = "invite_expiry_invalid"
    if isinstance(max_uses, bool) or not isinstance(max_uses, int) or not 0 < max_uses <= MAX_USES:
        errors["max_uses"] = "invite_uses_invalid"
    group = _scope(session, actor_id, conversation_id)
    if errors or lifetime is None or not isinstance(max_uses, int):
        raise ValidationFailed(errors)
    token = secrets.token_urlsafe(32)
    invite = Invite(
        token_hash=sessions.hash_token(token),
        creator_id=actor_id,
        conversation_id=group,
        created_at=now,
        expires_at=now + lifetime,
        max_uses=max_uses,
    )
    session.add(invite)
    actor = session.get(User, actor_id)
    assert actor is not None
    if group is None:
        detail = _audit_detail(invite)
        audit.record(session=session, actor=actor, action="invite_create", detail=detail, now=now)
    session.flush()
    view = _view(invite, actor.username, now)
    session.commit()
    return CreatedInvite(token=token, invite=view)


def list_invites(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object = None,
    page: object = 0,
    now: datetime | None = None,
) -> tuple[list[InviteView], int]:
    """One page of the scope's invites, newest first, and how many there are.

    Args:
        session: The database session.
        actor_id: Who asks (an administrator for server invites, a group's owner or admin).
        conversation_id: The group (untrusted), or None for the server's invites.
        page: Zero-based page (anything not a non-negative int is 0).
        now: The current time (for the states).

    Returns:
        At most PAGE_SIZE invites and the total.

    Raises:
        Forbidden: The actor may not manage invites of this scope.
        NotFound: Not a group the actor is a current member of.
    """
    now = now or utc_now()
    group = _scope(session, actor_id, conversation_id)
    page = validation.page_number(page)
    in_scope = (
        col(Invite.conversation_id).is_(None)
        if group is None
        else col(Invite.conversation_id) == group
    )
    total = session.exec(select(func.count()).select_from(Invite).where(in_scope)).one()
    rows = session.exec(
        select(Invite, User.username)
        .join(User, col(User.id) == col(Invite.creator_id))
        .where(in_scope)
        .order_by(col(Invite.created_at).desc(), col(Invite.id).desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [_view(invite, name, now) for invite, name in rows], int(total)


def revoke(
    *,
    session: Session,
    actor_id: int,
    invite_id: object,
    conversation_id: object = None,
    now: datetime | None = None,
) -> None:
    """Revoke an invite of the scope (commits; a server invite is audited).

    Revoking one already revoked changes nothing; an id outside the scope is unknown.

    Raises:
        Forbidden: The actor may not manage invites of this scope.
        NotFound: Not a group the actor is a current member of, or no such invite in the
            scope (invite_gone).
    """
    now = now or utc_now()
    group = _scope(session, actor_id, conversation_id)
    try:
        key = validation.valid_id(invite_id)
    except NotFound:
        raise NotFound("invite_gone") from None
    invite = session.get(Invite, key)
    if invite is None or invite.conversation_id != group:
        raise NotFound("invite_gone")
    if invite.revoked_at is not None:
        return
    invite.revoked_at = now
    session.add(invite)
    if group is None:
        actor = session.get(User, actor_id)
        detail = _audit_detail(invite)
        audit.record(session=session, actor=actor, action="invite_revoke", detail=detail, now=now)
    session.commit()


def creator_may_invite(session: Session, invite: Invite) -> bool:
    """Whether the invite's creator still may make it (checked again at every use)."""
    creator = session.get(User, invite.creator_id)
    if creator is None or creator.disabled_at is not None or creator.deleted_at is not None:
        return False
    if invite.conversation_id is None:
        return admin_rights.is_active_admin(creator)
    return group_events.role_of(session, creator.id or 0, invite.conversation_id) in MANAGERS


def link_path(token: str) -> str:
    """The path of an invite's link (public_links.link makes it absolute)."""
    return f"{routes.INVITE_PREFIX}/{token}"


def manager_ids(*, session: Session, conversation_id: object) -> list[int]:
    """Who manages a scope's invites, to show them a use live (no rights are checked).

    Args:
        session: The database session.
        conversation_id: The group, or 0 / None for the server's invites.

    Returns:
        The server's active administrators, or the group's current owner and admins.
    """
    if not conversation_id:
        return admin_rights.active_admin_ids(session)
    group = group_events.group_id(conversation_id)
    return list(
        session.exec(
            select(ConversationMember.user_id).where(
                ConversationMember.conversation_id == group,
                col(ConversationMember.role).in_(MANAGERS),
                col(ConversationMember.left_at).is_(None),
            )
        )
    )
