"""What every group change shares: the write lock, the members read under it, the timeline.

A membership change first bumps the conversation's `last_seq` (an UPDATE, like a sent
message's `send_statements.NEXT_SEQ_WITH_CHECKS`): that takes the conversation's write lock until
commit (the row on PostgreSQL, the database on SQLite) and reserves the seq of the change's system
message. Roles and memberships are read only after it, so two changes racing each other
are applied one after the other and the second sees what the first did (SQLite's driver
opens the transaction at that first write, so nothing read before it is reused).

A system message is an ordinary message of kind "system" whose body is a small JSON record
of user ids and values ({"event": "added", "actor": 1, "users": [2, 3]}); the UI renders it
in the reader's language, with the names it knows then.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chat_app.models import Conversation, ConversationMember, Message
from chat_app.services import friends, message_changes, relations, statements, validation
from chat_app.services.errors import Forbidden, NotFound, Refused
from chat_app.services.views import MessageView

GROUP = "group"
OWNER, ADMIN, MEMBER = "owner", "admin", "member"
MANAGERS = frozenset({OWNER, ADMIN})
MAX_GROUP_NAME_LENGTH = 64
# A conversation id the viewer may not see, whatever the reason: one answer for all.
GONE = "conversation_gone"
MEMBER_GONE = "group_member_gone"
# Each change a member makes to a group (its name, picture, members, roles, owner) writes
# a line to every member's timeline and is pushed to all their tabs: at most this many a
# minute per user, over all their groups (a message's limit is 10 in 10 seconds).
CHANGES_PER_MINUTE = 20

_CONVERSATION = statements.CONVERSATION
# Takes the write lock and reserves the next seq; the kind keeps direct chats out.
_BUMP = (
    sa.update(_CONVERSATION)
    .where(_CONVERSATION.c.id == sa.bindparam("conversation"), _CONVERSATION.c.kind == GROUP)
    .values(
        last_seq=_CONVERSATION.c.last_seq + 1,
        last_message_at=sa.bindparam("now", type_=_CONVERSATION.c.last_message_at.type),
    )
    .returning(_CONVERSATION.c.last_seq)
)


def group_id(value: object) -> int:
    """A conversation id from a client, or NotFound("conversation_gone")."""
    try:
        return validation.valid_id(value)
    except NotFound:
        raise NotFound(GONE) from None


def clean_name(name: object) -> str:
    """A group's name as stored: NFC, trimmed, 1-64 characters, nothing that hides text.

    Args:
        name: The untrusted name.

    Returns:
        The name to store.

    Raises:
        Refused: group_name_required, group_name_too_long or group_name_invalid.
    """
    if not isinstance(name, str):
        raise Refused("group_name_invalid")
    cleaned = validation.normalize_nickname(name)
    problem = validation.display_name_problem(cleaned, MAX_GROUP_NAME_LENGTH)
    if problem:
        raise Refused(f"group_name_{problem}")
    return cleaned


def user_id_list(value: object, limit: int) -> tuple[int, ...]:
    """The users an action adds, from a client: a short list of distinct ids.

    Args:
        value: The untrusted list.
        limit: The group's member limit (a longer list never fits).

    Returns:
        The ids, in the given order.

    Raises:
        Refused: Not a list or empty (group_needs_members), longer than the limit
            (group_full), a malformed id (group_not_friend, like any id that is not a
            friend's) or one id twice (group_already_member).
    """
    if not isinstance(value, list | tuple) or not value:
        raise Refused("group_needs_members")
    if len(value) >= limit:
        raise Refused("group_full")
    ids: list[int] = []
    for item in value:
        try:
            user_id = validation.valid_id(item)
        except NotFound:
            raise Refused("group_not_friend") from None
        if user_id in ids:
            raise Refused("group_already_member")
        ids.append(user_id)
    return tuple(ids)


def require_addable(session: Session, actor_id: int, user_ids: tuple[int, ...]) -> None:
    """Refuse unless every user is the actor's friend and no block stands between them.

    A block either way gets the same refusal as a stranger: the blocked side never learns.

    Raises:
        Refused: group_not_friend.
    """
    friend_set = set(friends.friend_ids(session=session, user_id=actor_id))
    blocked = relations.blocked_either_way(session=session, user_id=actor_id)
    if any(user_id not in friend_set or user_id in blocked for user_id in user_ids):
        raise Refused("group_not_friend")


def role_of(session: Session, user_id: int, conversation_id: int) -> str | None:
    """The user's role if they are a current member of the group, read without a lock."""
    return session.exec(
        select(ConversationMember.role)
        .join(Conversation, col(Conversation.id) == col(ConversationMember.conversation_id))
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.user_id == user_id,
            col(ConversationMember.left_at).is_(None),
            Conversation.kind == GROUP,
        )
    ).first()


def next_seq(session: Session, conversation_id: int, now: datetime) -> int:
    """Reserve the group's next seq; the first call takes its write lock until commit.

    Raises:
        NotFound: No such group (the transaction is rolled back).
    """
    bump = {"conversation": conversation_id, "now": now}
    seq = session.connection().execute(_BUMP, bump).scalar()
    if seq is None:
        session.rollback()
        raise NotFound(GONE)
    return seq


@dataclass
class LockedGroup:
    """A group under its write lock: the members as they are now, and the reserved seq."""

    conversation_id: int
    seq: int
    # Every row, current and departed, by user id (loaded fresh under the lock).
    rows: dict[int, ConversationMember]

    @property
    def current(self) -> dict[int, ConversationMember]:
        """The current members' rows, by user id."""
        return {uid: row for uid, row in self.rows.items() if row.left_at is None}

    def member(self, user_id: int, code: str = MEMBER_GONE) -> ConversationMember:
        """A current member's row, or NotFound with `code`."""
        row = self.rows.get(user_id)
        if row is None or row.left_at is not None:
            raise NotFound(code)
        return row

    def current_ids(self) -> tuple[int, ...]:
        """The current members' ids, in the order they joined."""
        return tuple(row.user_id for row in ordered(self.current.values()))


def ordered(rows: Iterable[ConversationMember]) -> list[ConversationMember]:
    """Member rows oldest first (joined earlier, then lower id): who inherits ownership."""
    return sorted(rows, key=lambda row: (row.joined_at, row.user_id))


def pace_changes(session: Session, actor_id: int, now: datetime) -> None:
    """Count one change to a group by `actor_id`, or refuse it past CHANGES_PER_MINUTE.

    Called before `lock`: the count is committed with the change (a refused change, rolled
    back, does not count).

    Raises:
        RateLimited: Over the limit ("too_many_group_changes").
    """
    message_changes.pace(session, actor_id, "group_changes", CHANGES_PER_MINUTE, now)


def lock(
    session: Session,
    actor_id: int,
    conversation_id: object,
    now: datetime,
    roles: frozenset[str] = frozenset({OWNER, ADMIN, MEMBER}),
    refusal: str = "group_admins_only",
) -> LockedGroup:
    """Lock a group the actor is a current member of, and check the actor's role under it.

    The membership is checked once before the lock too, so an outsider's forged id never
    takes it.

    Args:
        session: The database session (nothing uncommitted in it).
        actor_id: Who acts (from the server-side session).
        conversation_id: The group (untrusted id).
        now: The current time (the group's last activity).
        roles: The roles allowed to act.
        refusal: The Forbidden code for a member whose role is not among them.

    Returns:
        The locked group.

    Raises:
        NotFound: Not a group the actor is (still) a member of (conversation_gone).
        Forbidden: The actor's role (read under the lock) does not allow the action.
    """
    key = group_id(conversation_id)
    if role_of(session, actor_id, key) is None:
        raise NotFound(GONE)
    seq = next_seq(session, key, now)
    rows = session.exec(
        select(ConversationMember)
        .where(ConversationMember.conversation_id == key)
        .execution_options(populate_existing=True)
    ).all()
    group = LockedGroup(key, seq, {row.user_id: row for row in rows})
    try:
        actor = group.member(actor_id, GONE)
        if actor.role not in roles:
            raise Forbidden(refusal)
    except (NotFound, Forbidden):
        session.rollback()
        raise
    return group


def write_event(
    session: Session,
    conversation_id: int,
    seq: int,
    actor_id: int,
    now: datetime,
    event: str,
    **values: object,
) -> MessageView:
    """Add a system message at `seq` (the caller commits) and return its view.

    Args:
        session: The database session, holding the group's lock.
        conversation_id: The group.
        seq: The seq reserved for it (`next_seq`).
        actor_id: Who made the change: the message's sender.
        now: Its time.
        event: What happened ("created", "added", ...).
        **values: User ids and values of the change (never names).

    Returns:
        The message as every member's tab shows it.
    """
    body = json.dumps({"event": event, "actor": actor_id, **values}, ensure_ascii=False)
    message = Message(
        conversation_id=conversation_id,
        seq=seq,
        sender_id=actor_id,
        client_id=uuid.uuid4().hex,
        kind="system",
        body=body,
        created_at=now,
    )
    session.add(message)
    return MessageView.of(message, None)


def was_removed(session: Session, departed: ConversationMember) -> bool:
    """Whether a departed member's last departure was a removal (not leaving themselves).

    A removed member comes back only when an owner or admin adds them, not by a link (as a
    removal from a Telegram group is a ban until lifted).
    """
    if departed.left_seq is None:
        return False
    body = session.exec(
        select(Message.body).where(
            Message.conversation_id == departed.conversation_id,
            Message.seq == departed.left_seq,
            Message.kind == "system",
        )
    ).first()
    return body is not None and json.loads(body).get("event") == "removed"


def refuse(session: Session, error: Exception) -> NoReturn:
    """Roll back what the locked change did so far and raise its refusal."""
    session.rollback()
    raise error
