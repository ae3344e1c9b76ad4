"""Groups: create, rename, change the avatar, delete; mute and hide any conversation.

Who is in a group and with which role (add, remove, leave, roles, ownership) is in
`group_members`, the members panel in `group_directory`, and the lock and the timeline's
system messages every change shares in `group_events`.

Every write commits and returns a GroupChange naming whose tabs must hear of it; the state
layer pushes it. Ids arrive from clients: a conversation the actor is not (or no longer) a
current member of is NotFound("conversation_gone"), exactly like a made-up id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from chat_app.models import (
    Conversation,
    ConversationMember,
    Mention,
    Message,
    ReadCursor,
    StoredFile,
    User,
    utc_now,
)
from chat_app.services import group_events, relations
from chat_app.services.errors import NotFound, Refused
from chat_app.services.group_events import GONE, GROUP, MANAGERS, MEMBER, OWNER
from chat_app.services.group_views import GroupChange
from chat_app.settings import SETTINGS, Settings

# A stored file's id: 32 hex characters (secrets.token_hex(16)).
FILE_ID_LENGTH = 32


def create_group(
    *,
    session: Session,
    creator_id: int,
    name: object,
    member_ids: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> GroupChange:
    """Create a group of the creator (its owner) and some of their friends.

    Args:
        session: The database session.
        creator_id: Who creates it (from the server-side session).
        name: The group's name (untrusted).
        member_ids: The friends to add (untrusted ids).
        now: The current time.
        settings: The member limit and the hourly creation limit.

    Returns:
        The change ("created"): every member's tabs show the new group.

    Raises:
        Refused: A bad name (group_name_*), no members, a user who is not the creator's
            friend or is in a block with them (group_not_friend), someone twice or the
            creator among them (group_already_member), more than the member limit.
        RateLimited: Over the hourly creation limit (too_many_groups).
    """
    now = now or utc_now()
    clean = group_events.clean_name(name)
    ids = group_events.user_id_list(member_ids, settings.group_member_limit)
    if creator_id in ids:
        raise Refused("group_already_member")
    limit = settings.group_creations_per_hour
    relations.count_action(session=session, user_id=creator_id, action="groups", limit=limit)
    group_events.require_addable(session, creator_id, ids)
    conversation = Conversation(
        kind=GROUP,
        name=clean,
        creator_id=creator_id,
        last_seq=1,
        last_message_at=now,
        created_at=now,
    )
    session.add(conversation)
    session.flush()
    assert conversation.id is not None
    for user_id in (creator_id, *ids):
        role = OWNER if user_id == creator_id else MEMBER
        session.add(
            ConversationMember(
                conversation_id=conversation.id, user_id=user_id, role=role, joined_at=now
            )
        )
    message = group_events.write_event(
        session, conversation.id, 1, creator_id, now, "created", users=list(ids), name=clean
    )
    session.commit()
    return GroupChange(conversation.id, "created", (creator_id, *ids), messages=(message,))


def rename(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object,
    name: object,
    now: datetime | None = None,
) -> GroupChange:
    """Rename a group (its owner or an admin).

    Raises:
        RateLimited: Over the actor's limit of changes to groups (too_many_group_changes).
        Refused: A bad name (group_name_*).
        NotFound: Not a group the actor is a current member of.
        Forbidden: The actor is a plain member (group_admins_only).
    """
    now = now or utc_now()
    clean = group_events.clean_name(name)
    group_events.pace_changes(session, actor_id, now)
    group = group_events.lock(session, actor_id, conversation_id, now, MANAGERS)
    conversation = _conversation(session, group.conversation_id)
    conversation.name = clean
    session.add(conversation)
    message = group_events.write_event(
        session, group.conversation_id, group.seq, actor_id, now, "renamed", name=clean
    )
    session.commit()
    return GroupChange(group.conversation_id, "renamed", group.current_ids(), messages=(message,))


def set_avatar(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object,
    file_id: object,
    now: datetime | None = None,
) -> GroupChange:
    """Give a group a picture the actor uploaded as an avatar, or none (its owner or an admin).

    The picture is a StoredFile of the actor's with no conversation, like a user's avatar
    (a thumbnail the files service made), and not anyone's or any group's avatar already:
    deleting the group deletes it.

    Args:
        session: The database session.
        actor_id: Who acts.
        conversation_id: The group (untrusted id).
        file_id: The uploaded picture's id (untrusted), or None to remove the avatar.
        now: The current time.

    Returns:
        The change ("avatar"); its `storage_keys` hold the replaced picture's contents.

    Raises:
        RateLimited: Over the actor's limit of changes to groups (too_many_group_changes).
        NotFound: Not a group the actor is a current member of; or no such picture of the
            actor's, or one in use elsewhere (file_gone).
        Forbidden: The actor is a plain member (group_admins_only).
        Refused: The file is not an image (avatar_not_image).
    """
    now = now or utc_now()
    if file_id is not None and (not isinstance(file_id, str) or len(file_id) != FILE_ID_LENGTH):
        raise NotFound("file_gone")
    group_events.pace_changes(session, actor_id, now)
    group = group_events.lock(session, actor_id, conversation_id, now, MANAGERS)
    if file_id is not None:
        _check_avatar_file(session, actor_id, file_id)
    conversation = _conversation(session, group.conversation_id)
    old = conversation.avatar_file_id
    keys: tuple[str, ...] = ()
    if old is not None and old != file_id:
        keys = _delete_files(session, col(StoredFile.id) == old)
    conversation.avatar_file_id = file_id
    session.add(conversation)
    message = group_events.write_event(
        session, group.conversation_id, group.seq, actor_id, now, "avatar"
    )
    session.commit()
    return GroupChange(
        group.conversation_id, "avatar", group.current_ids(), (), (message,), storage_keys=keys
    )


def _check_avatar_file(session: Session, actor_id: int, file_id: str) -> None:
    """Refuse (rolling back) a file that cannot become this group's avatar."""
    stored = session.get(StoredFile, file_id)
    if stored is None or stored.owner_id != actor_id or stored.conversation_id is not None:
        group_events.refuse(session, NotFound("file_gone"))
    in_use = (
        session.exec(select(User.id).where(User.avatar_file_id == file_id).limit(1)).first()
        or session.exec(
            select(Conversation.id).where(Conversation.avatar_file_id == file_id).limit(1)
        ).first()
    )
    if in_use is not None:
        group_events.refuse(session, NotFound("file_gone"))
    if not stored.mime.startswith("image/") or stored.thumbnail_key is None:
        group_events.refuse(session, Refused("avatar_not_image"))


def _conversation(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id, populate_existing=True)
    assert conversation is not None  # locked by the caller: it cannot have gone
    return conversation


def _delete_files(session: Session, where: sa.ColumnElement[bool]) -> tuple[str, ...]:
    """Delete the matching StoredFile rows (the caller commits); their storage keys."""
    stored = session.exec(select(StoredFile).where(where)).all()
    keys = {key for row in stored for key in (row.storage_key, row.thumbnail_key) if key}
    for row in stored:
        session.delete(row)
    return tuple(sorted(keys))


def delete_group(
    *, session: Session, actor_id: int, conversation_id: object, now: datetime | None = None
) -> GroupChange:
    """Delete a group with its messages and files (its owner only).

    Args:
        session: The database session.
        actor_id: Who acts.
        conversation_id: The group (untrusted id).
        now: The current time.

    Returns:
        The change ("deleted"): `removed_ids` are everyone who still lists the group
        (current members and departed ones who have not hidden it); `storage_keys` are the
        contents of its files and avatar, for the caller to delete after the commit.

    Raises:
        NotFound: Not a group the actor is a current member of.
        Forbidden: The actor is not the owner (group_owner_only).
    """
    now = now or utc_now()
    group = group_events.lock(
        session, actor_id, conversation_id, now, frozenset({OWNER}), "group_owner_only"
    )
    key = group.conversation_id
    listing = group_events.ordered(
        row for row in group.rows.values() if row.left_at is None or not row.hidden
    )
    avatar = _conversation(session, key).avatar_file_id
    messages = select(Message.id).where(Message.conversation_id == key)
    session.exec(delete(Mention).where(col(Mention.message_id).in_(messages)))
    session.exec(delete(Message).where(col(Message.conversation_id) == key))
    keys = _delete_files(session, col(StoredFile.conversation_id) == key)
    if avatar is not None:
        keys += _delete_files(session, col(StoredFile.id) == avatar)
    session.exec(delete(ReadCursor).where(col(ReadCursor.conversation_id) == key))
    session.exec(delete(ConversationMember).where(col(ConversationMember.conversation_id) == key))
    session.exec(delete(Conversation).where(col(Conversation.id) == key))
    session.commit()
    removed = tuple(row.user_id for row in listing)
    return GroupChange(key, "deleted", (), removed, storage_keys=keys)


def set_muted(
    *, session: Session, viewer_id: int, conversation_id: object, muted: object
) -> GroupChange:
    """Mute or unmute a conversation of either kind for the viewer (no toasts or sounds).

    Raises:
        NotFound: Not a conversation the viewer is a current member of.
        Refused: `muted` is not a boolean (error).
    """
    return _set_own_flag(session, viewer_id, conversation_id, "muted", muted)


def set_pinned(
    *, session: Session, viewer_id: int, conversation_id: object, pinned: object
) -> GroupChange:
    """Pin a conversation of either kind to the top of the viewer's chat list, or unpin it.

    Raises:
        NotFound: Not a conversation the viewer is a current member of.
        Refused: `pinned` is not a boolean (error).
    """
    return _set_own_flag(session, viewer_id, conversation_id, "pinned", pinned)


def _set_own_flag(
    session: Session,
    viewer_id: int,
    conversation_id: object,
    flag: Literal["muted", "pinned"],
    value: object,
) -> GroupChange:
    """Set one of the viewer's own flags on their current membership (theirs alone)."""
    if not isinstance(value, bool):
        raise Refused("error")
    row = _own_row(session, viewer_id, conversation_id)
    if row.left_at is not None:
        raise NotFound(GONE)
    setattr(row, flag, value)
    session.add(row)
    session.commit()
    return GroupChange(row.conversation_id, flag, (viewer_id,))


def hide(*, session: Session, viewer_id: int, conversation_id: object) -> GroupChange:
    """Remove a group the viewer left (or was removed from) from their list.

    Raises:
        NotFound: Not a group the viewer was ever a member of.
        Refused: The viewer is still a member (group_leave_first).
    """
    row = _own_row(session, viewer_id, conversation_id)
    if group_events.role_of(session, viewer_id, row.conversation_id) is not None:
        raise Refused("group_leave_first")
    kind = session.exec(select(Conversation.kind).where(Conversation.id == row.conversation_id))
    if kind.first() != GROUP:
        raise NotFound(GONE)
    row.hidden = True
    session.add(row)
    session.commit()
    return GroupChange(row.conversation_id, "hidden", (viewer_id,))


def _own_row(session: Session, viewer_id: int, conversation_id: object) -> ConversationMember:
    key = group_events.group_id(conversation_id)
    row = session.exec(
        select(ConversationMember)
        .where(ConversationMember.conversation_id == key, ConversationMember.user_id == viewer_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(GONE)
    return row
