"""Disabling, enabling and deleting accounts (by an administrator, or deleting one's own).

Most tables cascade from the user row, so deleting it would take other people's
conversations with it. A deleted account keeps its row with the personal data blanked:
no nickname (the UI shows "Deleted user"), no picture, a password nothing matches, no
sessions, no friends, requests, blocks or search history. The username stays reserved.
Their messages and files stay for the others: a direct conversation stays readable for the
other side (both leave it, as when a friendship ends) and they leave every group, handing
over the groups they own.

A disabled account keeps everything but cannot log in: its sessions end and the groups it
owns hand over. Every change here that may take away the last administrator is refused
("last_admin"), under the administrators' lock (`admin_rights`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, or_, select

from chat_app.models import (
    AuthSession,
    Block,
    Conversation,
    ConversationMember,
    FoundUser,
    FriendRequest,
    Friendship,
    PasswordReset,
    StoredFile,
    User,
    utc_now,
)
from chat_app.services import admin_rights, audit, direct_members, group_members, throttle
from chat_app.services.errors import NotAuthenticated, NotFound, Refused, ValidationFailed
from chat_app.services.group_events import GROUP
from chat_app.services.group_views import GroupChange
from chat_app.services.passwords import MAX_PASSWORD_LENGTH, verify_password
from chat_app.settings import SETTINGS, Settings

# Stored instead of a password hash: no hash scheme produces it, so nothing ever matches.
UNUSABLE_PASSWORD = "!deleted"


@dataclass(frozen=True)
class AccountChange:
    """What disabling or deleting an account changed, for the state layer to push.

    Attributes:
        user_id: The account: its open tabs go to /auth.
        group_changes: The groups handed over or left, published like other group changes.
        friend_ids: Whose friend panes changed (the deleted account's former friends,
            requesters and blockers).
        storage_keys: Stored contents to delete after the commit (a deleted user's picture).
    """

    user_id: int
    group_changes: tuple[GroupChange, ...] = ()
    friend_ids: frozenset[int] = frozenset()
    storage_keys: tuple[str, ...] = ()


def _end_sessions(session: Session, user_id: int) -> None:
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user_id))


def set_disabled(
    *,
    session: Session,
    actor_id: int | None,
    target_id: object,
    disabled: bool,
    now: datetime | None = None,
) -> AccountChange:
    """Disable an account (sessions end, owned groups hand over) or enable it again.

    Args:
        session: The database session.
        actor_id: The administrator acting, or None for the command-line tool.
        target_id: The account (untrusted id).
        disabled: True to disable, False to enable.
        now: The current time.

    Returns:
        The change (no group changes for an enable or a change that changed nothing).

    Raises:
        Forbidden: The actor is not an administrator.
        NotFound: No such user.
        Refused: "cannot_disable_self", "account_deleted", "last_admin", or "error" for a
            `disabled` that is not a bool.
    """
    now = now or utc_now()
    actor = admin_rights.acting_admin(session, actor_id)
    if not isinstance(disabled, bool):
        raise Refused("error")  # only a forged request sends anything else
    target = admin_rights.target_user(session, target_id)
    assert target.id is not None
    user_id = target.id
    if not disabled:
        if target.disabled_at is None:
            return AccountChange(user_id)
        target.disabled_at = None
        session.add(target)
        audit.record(session=session, actor=actor, action="enable", target=target, now=now)
        session.commit()
        return AccountChange(user_id)
    if actor_id == user_id:
        raise Refused("cannot_disable_self")
    if target.disabled_at is not None:
        return AccountChange(user_id)
    actor = admin_rights.guard_last_admin(session, target, actor_id)
    target.disabled_at = now
    session.add(target)
    _end_sessions(session, user_id)
    audit.record(session=session, actor=actor, action="disable", target=target, now=now)
    session.commit()
    changes = group_members.hand_over_owned(session=session, user_id=user_id, now=now)
    return AccountChange(user_id, changes)


def _drop_relations(session: Session, user_id: int, now: datetime) -> frozenset[int]:
    """End every friendship (both leave the pair's conversation), request, block and find.

    Returns:
        The other users whose friend panes showed the account.
    """
    friendships = session.exec(
        select(Friendship).where(
            or_(col(Friendship.user_low_id) == user_id, col(Friendship.user_high_id) == user_id)
        )
    ).all()
    others: set[int] = set()
    for friendship in friendships:
        low, high = friendship.user_low_id, friendship.user_high_id
        others.add(high if low == user_id else low)
        session.delete(friendship)
        direct_members.unfriend(session=session, low=low, high=high, now=now)
    requests = session.exec(
        select(FriendRequest.from_user_id, FriendRequest.to_user_id).where(
            or_(
                col(FriendRequest.from_user_id) == user_id,
                col(FriendRequest.to_user_id) == user_id,
            ),
            col(FriendRequest.status) == "pending",
        )
    ).all()
    others.update(a if a != user_id else b for a, b in requests)
    blocks = session.exec(
        select(Block.blocker_id, Block.blocked_id).where(
            or_(col(Block.blocker_id) == user_id, col(Block.blocked_id) == user_id)
        )
    ).all()
    others.update(a if a != user_id else b for a, b in blocks)
    session.exec(
        delete(FriendRequest).where(
            or_(
                col(FriendRequest.from_user_id) == user_id,
                col(FriendRequest.to_user_id) == user_id,
            )
        )
    )
    session.exec(
        delete(Block).where(or_(col(Block.blocker_id) == user_id, col(Block.blocked_id) == user_id))
    )
    session.exec(
        delete(FoundUser).where(
            or_(col(FoundUser.viewer_id) == user_id, col(FoundUser.user_id) == user_id)
        )
    )
    return frozenset(others - {user_id})


def _blank(session: Session, user: User, now: datetime) -> tuple[str, ...]:
    """Blank the personal data of the row (the caller commits); the picture's storage keys."""
    keys: list[str] = []
    if user.avatar_file_id:
        picture = session.get(StoredFile, user.avatar_file_id)
        if picture is not None and picture.owner_id == user.id:
            keys.extend(k for k in {picture.storage_key, picture.thumbnail_key} if k)
            session.delete(picture)
    user.nickname = ""
    user.avatar_file_id = None
    user.password_hash = UNUSABLE_PASSWORD
    user.role = admin_rights.USER_ROLE
    user.deleted_at = now
    session.add(user)
    session.exec(delete(PasswordReset).where(col(PasswordReset.user_id) == user.id))
    return tuple(sorted(keys))


def _leave_groups(session: Session, user_id: int, now: datetime) -> tuple[GroupChange, ...]:
    """Leave every group (owners hand over first, each with its "left" line)."""
    groups = session.exec(
        select(ConversationMember.conversation_id)
        .join(Conversation, col(Conversation.id) == col(ConversationMember.conversation_id))
        .where(
            col(Conversation.kind) == GROUP,
            col(ConversationMember.user_id) == user_id,
            col(ConversationMember.left_at).is_(None),
        )
    ).all()
    changes: list[GroupChange] = []
    for conversation_id in groups:
        try:
            changes.append(
                group_members.leave(
                    session=session, actor_id=user_id, conversation_id=conversation_id, now=now
                )
            )
        except NotFound:
            continue  # left meanwhile
    return tuple(changes)


def _delete(
    session: Session, actor: User | None, target: User, actor_id: int | None, now: datetime
) -> AccountChange:
    """Blank the account and end its relations in one transaction, then leave its groups.

    `actor_id` is the administrator acting (re-checked under the lock), or None for the
    command line or the user deleting their own account (`actor` is then who is logged).
    """
    assert target.id is not None
    user_id = target.id
    checked = admin_rights.guard_last_admin(session, target, actor_id)
    actor = checked if actor_id is not None else actor
    keys = _blank(session, target, now)
    _end_sessions(session, user_id)
    friend_ids = _drop_relations(session, user_id, now)
    audit.record(session=session, actor=actor, action="delete", target=target, now=now)
    session.commit()
    return AccountChange(user_id, _leave_groups(session, user_id, now), friend_ids, keys)


def delete_account(
    *,
    session: Session,
    actor_id: int | None,
    target_id: object,
    now: datetime | None = None,
) -> AccountChange:
    """Delete an account as an administrator (the module docstring says what stays).

    Args:
        session: The database session.
        actor_id: The administrator acting, or None for the command-line tool.
        target_id: The account (untrusted id); the administrator's own is allowed.
        now: The current time.

    Returns:
        The change: the account's tabs go to /auth, its groups and friends hear of it.

    Raises:
        Forbidden: The actor is not an administrator.
        NotFound: No such user.
        Refused: "account_deleted" (already), or "last_admin".
    """
    now = now or utc_now()
    actor = admin_rights.acting_admin(session, actor_id)
    target = admin_rights.target_user(session, target_id)
    return _delete(session, actor, target, actor_id, now)


def delete_own_account(
    *,
    session: Session,
    user_id: int,
    password: str,
    client_address: str,
    device_hash: str,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> AccountChange:
    """Delete one's own account, proven by the password (slow: run it off the event loop).

    A wrong password counts as a failed login of this device, like a password change.

    Args:
        session: The database session.
        user_id: The account (from the server-side session).
        password: The password as typed.
        client_address: The client's IP address, recorded with a failure.
        device_hash: The hash of this tab's session token.
        now: The current time.
        settings: Throttling configuration.

    Returns:
        The change.

    Raises:
        NotAuthenticated: No such live account.
        TooManyAttempts: Too many wrong passwords from this device.
        ValidationFailed: {"password": "current_password_wrong"}.
        Refused: "last_admin".
    """
    now = now or utc_now()
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None or user.disabled_at is not None:
        raise NotAuthenticated()
    attempt = throttle.LoginAttempt(user.username_key, client_address, device_hash)
    throttle.check_login_allowed(session=session, attempt=attempt, now=now, settings=settings)
    if (
        not isinstance(password, str)
        or len(password) > MAX_PASSWORD_LENGTH
        or not verify_password(password, user.password_hash)[0]
    ):
        throttle.record_login_failure(session=session, attempt=attempt, now=now, settings=settings)
        raise ValidationFailed({"password": "current_password_wrong"})
    # Deleting oneself is no administrator action: the log names the user as the actor.
    return _delete(session, user, user, None, now)
