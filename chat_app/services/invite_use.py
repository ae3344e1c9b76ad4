"""Using an invite link: what it offers, registering through it, joining its group.

A server invite lets people register whatever the registration mode. A group invite adds
whoever uses it to the group: a signed-in user joins, a new person registers and joins, the
latter only while the mode is not "closed" and the administrators let group invites create
accounts. Each registration or join consumes one use with one conditional UPDATE, so two
people racing for the last use cannot both get it. The membership is added as the invite's
creator would add it (an "added" line by them), so every member's timeline shows it.

Whoever opens a link learns nothing but "valid, and what it offers" or one "invalid" answer
(unknown, malformed, expired, used up and revoked alike); unknown tokens count as guesses
of the client address (services/token_guesses.py).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chat_app.models import Conversation, Invite, User, utc_now
from chat_app.services import (
    auth,
    group_events,
    group_members,
    instance_settings,
    invites,
    sessions,
    token_guesses,
)
from chat_app.services.errors import Forbidden, NotFound, Refused
from chat_app.services.group_events import MANAGERS
from chat_app.services.group_views import GroupChange
from chat_app.services.invite_views import ACTIVE, InviteJoin, InviteOffer, InviteRegistration
from chat_app.settings import SETTINGS, Settings


def _valid_invite(session: Session, token: object, client_address: str, now: datetime) -> Invite:
    """The usable invite behind a token, or NotFound("invite_invalid") for any reason (throttled).

    Raises:
        RateLimited: This address guessed too many tokens within the hour.
        NotFound: Unknown, malformed, expired, used up or revoked, or its creator may no
            longer make it (invite_invalid).
    """
    token_guesses.check_allowed(session=session, client_address=client_address, now=now)
    invite = None
    if isinstance(token, str) and invites.TOKEN_SHAPE.fullmatch(token):
        invite = session.exec(
            select(Invite).where(Invite.token_hash == sessions.hash_token(token))
        ).first()
    if invite is None:
        # Only unknown tokens are guesses: a class behind one address opening a link
        # that just ran out must not lock each other out of the next one.
        token_guesses.count_wrong_guess(
            session=session, client_address=client_address, kind="invite", now=now
        )
        raise NotFound(invites.INVALID)
    if invites.state_of(invite, now) != ACTIVE or not invites.creator_may_invite(session, invite):
        raise NotFound(invites.INVALID)
    return invite


def _registers(session: Session, invite: Invite) -> bool:
    """Whether this invite may create accounts (a group invite: the mode and the setting)."""
    if invite.conversation_id is None:
        return True
    mode = instance_settings.registration_mode(session=session)
    return mode != "closed" and instance_settings.group_invites_register(session=session)


def describe(
    *, session: Session, token: object, client_address: str, now: datetime | None = None
) -> InviteOffer:
    """What a link offers, for the page that opens it.

    Raises:
        RateLimited: This address guessed too many tokens within the hour.
        NotFound: invite_invalid, whatever the reason.
    """
    now = now or utc_now()
    invite = _valid_invite(session, token, client_address, now)
    name = ""
    if invite.conversation_id is not None:
        group = session.get(Conversation, invite.conversation_id)
        name = group.name if group is not None and group.name else ""
    return InviteOffer(invite.conversation_id or 0, name, _registers(session, invite))


def _consume(session: Session, invite: Invite, now: datetime) -> None:
    """Take one use, if one is left at this moment (the caller commits), or NotFound.

    One conditional UPDATE: the row's lock (PostgreSQL) or the database's (SQLite) makes a
    second transaction racing for the last use find none left.
    """
    taken = session.connection().execute(
        sa.update(Invite)
        .where(
            col(Invite.id) == invite.id,
            col(Invite.used_count) < col(Invite.max_uses),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .values(used_count=col(Invite.used_count) + 1)
    )
    if taken.rowcount != 1:
        group_events.refuse(session, NotFound(invites.INVALID))


def _join_group(
    session: Session, invite: Invite, user_id: int, now: datetime, settings: Settings
) -> GroupChange | None:
    """Add the user to the invite's group as its creator would (the caller commits).

    Returns:
        The change, or None when the user is a member already (rolled back: nothing used).

    Raises:
        NotFound: The creator no longer manages the group (invite_invalid).
        Refused: The group is full (group_full), or the user's last departure from it was
            a removal (invite_removed: only its owner or an admin brings them back).
    """
    assert invite.conversation_id is not None
    try:
        group = group_events.lock(session, invite.creator_id, invite.conversation_id, now, MANAGERS)
    except (NotFound, Forbidden):
        raise NotFound(invites.INVALID) from None
    if user_id in group.current:
        session.rollback()
        return None
    departed = group.rows.get(user_id)
    if departed is not None and group_events.was_removed(session, departed):
        group_events.refuse(session, Refused("invite_removed"))
    if len(group.current) + 1 > settings.group_member_limit:
        group_events.refuse(session, Refused("group_full"))
    group_members._join(session, group, user_id, now)  # the rules of add_members' join
    message = group_events.write_event(
        session, group.conversation_id, group.seq, invite.creator_id, now, "added", users=[user_id]
    )
    return GroupChange(group.conversation_id, "added", group.current_ids(), messages=(message,))


def register_with_invite(
    *,
    session: Session,
    token: object,
    username: str,
    nickname: str,
    password: str,
    password_confirm: str,
    client_address: str,
    user_agent: str = "",
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> InviteRegistration:
    """Create an account through an invite, log it in and, for a group invite, join it.

    The use, the account and the membership are one transaction: all or nothing. An
    administrator's invite's account does not count against the address's registration
    limit; a group's does (any group's owner makes those, as many as they like).

    Raises:
        RateLimited: This address guessed too many tokens within the hour.
        NotFound: invite_invalid (also when the last use went to someone else meanwhile).
        Refused: invite_existing_accounts_only (a group invite that may not create
            accounts now), group_full.
        ValidationFailed: The fields, as for any registration.
    """
    now = now or utc_now()
    invite = _valid_invite(session, token, client_address, now)
    if not _registers(session, invite):
        raise Refused("invite_existing_accounts_only")
    changes: list[GroupChange] = []

    def use_invite(session: Session, user: User) -> None:
        _consume(session, invite, now)
        if invite.conversation_id is not None and user.id is not None:
            change = _join_group(session, invite, user.id, now, settings)
            if change is not None:
                changes.append(change)

    login = auth.register(
        session=session,
        username=username,
        nickname=nickname,
        password=password,
        password_confirm=password_confirm,
        client_address=client_address,
        user_agent=user_agent,
        via_invite=True,
        counted=invite.conversation_id is not None,
        on_created=use_invite,
        now=now,
        settings=settings,
    )
    change = changes[0] if changes else None
    return InviteRegistration(login, invite.conversation_id or 0, change)


def join_with_invite(
    *,
    session: Session,
    user_id: int,
    token: object,
    client_address: str,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> InviteJoin:
    """A signed-in user joins the group of an invite (a use is taken only when they join).

    A block between the user and the invite's creator does not stop it: joining a group
    does not make them friends, anyone holding the link may join, and a refusal would tell
    the user that they were blocked.

    Raises:
        RateLimited: This address guessed too many tokens within the hour.
        NotFound: invite_invalid.
        Refused: invite_have_account (a server invite), group_full.
    """
    now = now or utc_now()
    invite = _valid_invite(session, token, client_address, now)
    if invite.conversation_id is None:
        raise Refused("invite_have_account")
    if group_events.role_of(session, user_id, invite.conversation_id) is not None:
        return InviteJoin(invite.conversation_id, None)
    _consume(session, invite, now)
    change = _join_group(session, invite, user_id, now, settings)
    if change is not None:
        session.commit()
    return InviteJoin(invite.conversation_id, change)
