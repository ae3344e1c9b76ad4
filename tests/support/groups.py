"""Rows for group service tests: groups made through the services, and what is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, col, select

from chat_app import i18n
from chat_app.models import Conversation, ConversationMember, Message, StoredFile, utc_now
from chat_app.services import conversations, group_members, groups
from chat_app.services.errors import DomainError
from chat_app.settings import load_settings
from tests.support.users import make_friends, make_user

# No hourly creation limit in the way of a test that makes many groups.
MANY_GROUPS = load_settings({"CHAT_GROUPS_PER_HOUR": "10000"})


def make_people(session: Session, names: str, friendships: str) -> dict[str, int]:
    """Users by name ("ann bob") and who is friends with whom ("ann-bob bob-cat")."""
    made = {name: make_user(session, name) for name in names.split()}
    for pair in friendships.split():
        one, other = pair.split("-")
        make_friends(session, made[one], made[other])
    return made


def three_friends(session: Session) -> dict[str, int]:
    """Ann, Bob and Cat, each the friend of both others."""
    return make_people(session, "ann bob cat", "ann-bob ann-cat bob-cat")


def direct_chat(session: Session, viewer: int, friend: int) -> int:
    """The conversation of two friends."""
    return conversations.direct_with(session=session, viewer_id=viewer, friend_id=friend)


def make_group(session: Session, owner: int, *members: int, name: str = "Team") -> int:
    """A group of `owner` and `members` (the owner's friends), through the service."""
    change = groups.create_group(
        session=session, creator_id=owner, name=name, member_ids=list(members), settings=MANY_GROUPS
    )
    return change.conversation_id


def make_admin(session: Session, group: int, owner: int, user: int) -> None:
    group_members.set_role(
        session=session, actor_id=owner, conversation_id=group, user_id=user, role="admin"
    )


def stored(session: Session) -> tuple[Any, ...]:
    """Everything a group action may change, read fresh from the database."""
    session.rollback()
    return (
        session.exec(
            select(
                Conversation.id,
                Conversation.name,
                Conversation.avatar_file_id,
                Conversation.last_seq,
            ).order_by(col(Conversation.id))
        ).all(),
        [
            _member_state(row)
            for row in session.exec(
                select(ConversationMember).order_by(col(ConversationMember.id))
            ).all()
        ],
        session.exec(select(Message.id, Message.body).order_by(col(Message.id))).all(),
        session.exec(select(StoredFile.id).order_by(col(StoredFile.id))).all(),
    )


def _member_state(row: ConversationMember) -> tuple[Any, ...]:
    return (
        row.conversation_id,
        row.user_id,
        row.role,
        row.joined_seq,
        row.left_seq,
        row.muted,
        row.hidden,
    )


def roles(session: Session, group: int) -> dict[int, str]:
    """The current members of a group and their roles."""
    session.rollback()
    rows = session.exec(
        select(ConversationMember.user_id, ConversationMember.role).where(
            ConversationMember.conversation_id == group, col(ConversationMember.left_at).is_(None)
        )
    ).all()
    return dict(rows)


def events(session: Session, group: int) -> list[dict[str, Any]]:
    """The group's system messages' records, in seq order, with their seq and sender."""
    session.rollback()
    rows = session.exec(
        select(Message.seq, Message.sender_id, Message.body, Message.client_id)
        .where(Message.conversation_id == group, Message.kind == "system")
        .order_by(col(Message.seq))
    ).all()
    return [
        {**json.loads(body), "seq": seq, "sender": sender, "client_id": client_id}
        for seq, sender, body, client_id in rows
    ]


def avatar_file(session: Session, owner: int, file_id: str, **fields: Any) -> str:
    """A StoredFile row like an uploaded avatar picture (no conversation, a thumbnail)."""
    values: dict[str, Any] = {
        "id": file_id,
        "owner_id": owner,
        "original_name": "a.png",
        "size": 10,
        "mime": "image/png",
        "sha256": "0" * 64,
        "storage_key": f"{file_id}-thumb",
        "thumbnail_key": f"{file_id}-thumb",
        "created_at": utc_now(),
    }
    values.update(fields)
    session.add(StoredFile(**values))
    session.commit()
    return file_id


def refused(db: Session, error: type[DomainError], code: str, call, /, *args, **kwargs):
    """`call` is refused with `code`, which has a message in both languages; nothing stored."""
    before = stored(db)
    with pytest.raises(error) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code
    assert code in i18n.EN
    assert code in i18n.ZH
    assert stored(db) == before


def refused_for(db: Session, error: type[DomainError], code: str, call, actor, group, **kw):
    """`refused` for a group action of `actor` on `group` (keyword arguments `kw`)."""
    refused(db, error, code, call, session=db, actor_id=actor, conversation_id=group, **kw)
