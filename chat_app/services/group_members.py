"""Who is in a group and with which role: add, remove, leave, admins, ownership.

The rules: the owner and admins add their own friends (no block either way, not twice, not
past the member limit) and remove members, never the owner, and an admin only when the
owner does it; anyone leaves; the owner makes and unmakes admins and hands ownership to a
current member. An owner who leaves, or whose account is disabled or deleted, hands over to
the oldest admin, else the oldest member. Each change runs under the group's write lock
(`group_events.lock`) and writes its system message in the same transaction.

A member reads the messages after `joined_seq` and, once departed, up to `left_seq`: the
line that added them is their first, the line that removed them their last.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chat_app.models import Conversation, ConversationMember, ReadCursor, utc_now
from chat_app.services import group_events, validation
from chat_app.services.errors import Forbidden, NotFound, Refused
from chat_app.services.group_events import ADMIN, MANAGERS, MEMBER, OWNER, LockedGroup
from chat_app.services.group_views import GroupChange
from chat_app.services.views import MessageView
from chat_app.settings import SETTINGS, Settings

OWNER_ONLY = frozenset({OWNER})


def add_members(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object,
    user_ids: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> GroupChange:
    """Add some of the actor's friends to a group (its owner or an admin).

    A user who left or was removed earlier comes back as a member from this moment on.

    Raises:
        RateLimited: Over the actor's limit of changes to groups (too_many_group_changes).
        NotFound: Not a group the actor is a current member of.
        Forbidden: The actor is a plain member (group_admins_only).
        Refused: No users, a user who is not the actor's friend or is in a block with
            them (group_not_friend), a current member or one id twice
            (group_already_member), past the member limit (group_full), or a read
            cursor written at the same moment (try_again).
    """
    now = now or utc_now()
    ids = group_events.user_id_list(user_ids, settings.group_member_limit)
    group_events.pace_changes(session, actor_id, now)
    group = group_events.lock(session, actor_id, conversation_id, now, MANAGERS)
    current = group.current
    if any(user_id in current for user_id in ids):
        group_events.refuse(session, Refused("group_already_member"))
    if len(current) + len(ids) > settings.group_member_limit:
        group_events.refuse(session, Refused("group_full"))
    try:
        group_events.require_addable(session, actor_id, ids)
    except Refused as refusal:
        group_events.refuse(session, refusal)
    for user_id in ids:
        _join(session, group, user_id, now)
    message = _event(session, group, actor_id, now, "added", users=list(ids))
    try:
        session.commit()
    except IntegrityError:
        # A departed member's tab created their read cursor meanwhile: nothing was added.
        session.rollback()
        raise Refused("try_again") from None
    return GroupChange(group.conversation_id, "added", group.current_ids(), messages=(message,))


def _join(session: Session, group: LockedGroup, user_id: int, now: datetime) -> None:
    """Make `user_id` a member from the change's own line on (the caller commits)."""
    row = group.rows.get(user_id) or ConversationMember(
        conversation_id=group.conversation_id, user_id=user_id, joined_at=now
    )
    row.role, row.joined_at, row.joined_seq = MEMBER, now, group.seq - 1
    row.left_at, row.left_seq, row.hidden, row.name_when_left = None, None, False, None
    session.add(row)
    group.rows[user_id] = row
    # What happened while they were away is not theirs to read: not unread either.
    cursor = session.exec(
        select(ReadCursor).where(
            ReadCursor.user_id == user_id, ReadCursor.conversation_id == group.conversation_id
        )
    ).first() or ReadCursor(user_id=user_id, conversation_id=group.conversation_id)
    cursor.last_read_seq = max(cursor.last_read_seq, row.joined_seq)
    cursor.shared_seq = max(cursor.shared_seq, row.joined_seq)
    session.add(cursor)


def _depart(session: Session, group: LockedGroup, user_id: int, now: datetime, seq: int) -> None:
    row = group.rows[user_id]
    row.role, row.left_at, row.left_seq = MEMBER, now, seq
    # Unpinned: nothing arrives in a group left, and its row has no menu to unpin it.
    row.pinned = False
    # Read under the group's lock, which a rename takes too: the name they last saw.
    conversation = session.get(Conversation, group.conversation_id)
    row.name_when_left = conversation.name if conversation is not None else None


def _event(
    session: Session, group: LockedGroup, actor_id: int, now: datetime, event: str, **values: object
) -> MessageView:
    """The change's line at the seq its lock reserved."""
    return group_events.write_event(
        session, group.conversation_id, group.seq, actor_id, now, event, **values
    )


def _target(
    session: Session, group: LockedGroup, actor_id: int, user_id: object
) -> ConversationMember:
    """Another current member the actor names (untrusted id), or a refusal (rolled back)."""
    try:
        row = group.member(validation.valid_id(user_id))
    except NotFound:
        group_events.refuse(session, NotFound(group_events.MEMBER_GONE))
    if row.user_id == actor_id:
        group_events.refuse(session, Refused("group_not_yourself"))
    return row


def remove_member(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object,
    user_id: object,
    now: datetime | None = None,
) -> GroupChange:
    """Remove a member (the owner or an admin; never the owner; an admin only by the owner).

    Raises:
        RateLimited: Over the actor's limit of changes to groups (too_many_group_changes).
        NotFound: Not a group the actor is a current member of (conversation_gone), or
            the user is not a current member (group_member_gone).
        Forbidden: The actor is a plain member (group_admins_only), the user is the owner
            (group_cannot_remove_owner) or an admin and the actor is not the owner
            (group_owner_only).
        Refused: The actor names themselves (group_not_yourself: leave instead).
    """
    now = now or utc_now()
    group_events.pace_changes(session, actor_id, now)
    group = group_events.lock(session, actor_id, conversation_id, now, MANAGERS)
    target = _target(session, group, actor_id, user_id)
    if target.role == OWNER:
        group_events.refuse(session, Forbidden("group_cannot_remove_owner"))
    if target.role == ADMIN and group.rows[actor_id].role != OWNER:
        group_events.refuse(session, Forbidden("group_owner_only"))
    _depart(session, group, target.user_id, now, group.seq)
    session.add(target)
    message = _event(session, group, actor_id, now, "removed", users=[target.user_id])
    session.commit()
    return GroupChange(
        group.conversation_id, "removed", group.current_ids(), (target.user_id,), (message,)
    )


def _successor(group: LockedGroup, leaving_id: int) -> ConversationMember | None:
    """Who inherits the ownership: the oldest admin, else the oldest member, else nobody."""
    others = [row for row in group.current.values() if row.user_id != leaving_id]
    admins = [row for row in others if row.role == ADMIN]
    candidates = group_events.ordered(admins or others)
    return candidates[0] if candidates else None


def _hand_over(
    session: Session, group: LockedGroup, owner_id: int, heir: ConversationMember, now: datetime
) -> MessageView:
    """Make `heir` the owner, the owner an admin, and write the line (at the group's seq)."""
    group.rows[owner_id].role, heir.role = ADMIN, OWNER
    session.add(group.rows[owner_id])
    session.add(heir)
    return _event(session, group, owner_id, now, "owner", users=[heir.user_id])


def leave(
    *, session: Session, actor_id: int, conversation_id: object, now: datetime | None = None
) -> GroupChange:
    """Leave a group (anyone); an owner hands over to the oldest admin, else oldest member.

    The last member leaving leaves an empty group, which nobody lists any more once hidden.

    Raises:
        NotFound: Not a group the actor is a current member of.
    """
    now = now or utc_now()
    group = group_events.lock(session, actor_id, conversation_id, now)
    messages: list[MessageView] = []
    heir = _successor(group, actor_id) if group.rows[actor_id].role == OWNER else None
    if heir is not None:
        messages.append(_hand_over(session, group, actor_id, heir, now))
        group.seq = group_events.next_seq(session, group.conversation_id, now)
    _depart(session, group, actor_id, now, group.seq)
    session.add(group.rows[actor_id])
    messages.append(_event(session, group, actor_id, now, "left", users=[actor_id]))
    session.commit()
    return GroupChange(
        group.conversation_id, "left", group.current_ids(), (actor_id,), tuple(messages)
    )


def set_role(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object,
    user_id: object,
    role: object,
    now: datetime | None = None,
) -> GroupChange:
    """Make a member an admin, or an admin a member again (the owner only).

    Raises:
        RateLimited: Over the actor's limit of changes to groups (too_many_group_changes).
        NotFound: Not a group the actor is a current member of, or the user is not a
            current member.
        Forbidden: The actor is not the owner (group_owner_only).
        Refused: Not "admin" or "member" (error), the actor themselves
            (group_not_yourself), or the member has that role already (group_role_unchanged).
    """
    now = now or utc_now()
    if role not in (ADMIN, MEMBER):
        raise Refused("error")  # only a forged request names another role
    group_events.pace_changes(session, actor_id, now)
    group = group_events.lock(
        session, actor_id, conversation_id, now, OWNER_ONLY, "group_owner_only"
    )
    target = _target(session, group, actor_id, user_id)
    if target.role == role:
        group_events.refuse(session, Refused("group_role_unchanged"))
    target.role = str(role)
    session.add(target)
    message = _event(session, group, actor_id, now, "role", users=[target.user_id], role=role)
    session.commit()
    return GroupChange(group.conversation_id, "role", group.current_ids(), messages=(message,))


def hand_over(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object,
    user_id: object,
    now: datetime | None = None,
) -> GroupChange:
    """Make another current member the owner (the owner only); the owner becomes an admin.

    Raises:
        RateLimited: Over the actor's limit of changes to groups (too_many_group_changes).
        NotFound: Not a group the actor is a current member of, or the user is not a
            current member.
        Forbidden: The actor is not the owner (group_owner_only).
        Refused: The actor themselves (group_not_yourself).
    """
    now = now or utc_now()
    group_events.pace_changes(session, actor_id, now)
    group = group_events.lock(
        session, actor_id, conversation_id, now, OWNER_ONLY, "group_owner_only"
    )
    heir = _target(session, group, actor_id, user_id)
    message = _hand_over(session, group, actor_id, heir, now)
    session.commit()
    return GroupChange(group.conversation_id, "owner", group.current_ids(), messages=(message,))


def hand_over_owned(
    *, session: Session, user_id: int, now: datetime | None = None
) -> tuple[GroupChange, ...]:
    """Hand every group a disabled or deleted account owns to its oldest admin, else member.

    Call it before the account's rows go. The account stays a plain member (a deleted
    one's rows go with it); a group with nobody else keeps it as owner.

    Args:
        session: The database session.
        user_id: The account (from an administrator's action, not from a client).
        now: The current time.

    Returns:
        One change ("owner") per group handed over.
    """
    now = now or utc_now()
    owned = session.exec(
        select(ConversationMember.conversation_id).where(
            ConversationMember.user_id == user_id,
            ConversationMember.role == OWNER,
            col(ConversationMember.left_at).is_(None),
        )
    ).all()
    changes: list[GroupChange] = []
    for conversation_id in owned:
        try:
            group = group_events.lock(session, user_id, conversation_id, now, OWNER_ONLY)
        except (NotFound, Forbidden):
            continue  # left or handed over meanwhile
        heir = _successor(group, user_id)
        if heir is None:
            session.rollback()
            continue
        message = _hand_over(session, group, user_id, heir, now)
        group.rows[user_id].role = MEMBER
        session.commit()
        changes.append(
            GroupChange(group.conversation_id, "owner", group.current_ids(), messages=(message,))
        )
    return tuple(changes)
