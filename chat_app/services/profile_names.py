"""A user changes their nickname, and who should see the new one live.

The rules are registration's (validation.check_nickname): 1-32 visible characters, no
control or format characters, never Reflex's Var marker. A refused name stores nothing.

Who sees it: everyone who shares a conversation with the user today (a friend's direct
chat, a group both are current members of), except people in a block with the user either
way, who are shown the username instead (services/relations.py, group_senders.py) and so
have nothing to update.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.models import User
from chat_app.services import validation
from chat_app.services.errors import NotFound, ValidationFailed
from chat_app.services.statements import BLOCK, CONVERSATION, MEMBER

_ME = MEMBER.alias("me")
_OTHER = MEMBER.alias("other")
_IN_A_BLOCK = sa.exists().where(
    ((BLOCK.c.blocker_id == sa.bindparam("user")) & (BLOCK.c.blocked_id == _OTHER.c.user_id))
    | ((BLOCK.c.blocker_id == _OTHER.c.user_id) & (BLOCK.c.blocked_id == sa.bindparam("user")))
)
# The current fellow members of the user's current conversations, with each one's kind.
_AUDIENCE = (
    sa.select(_OTHER.c.user_id, CONVERSATION.c.kind)
    .distinct()
    .select_from(
        _ME.join(_OTHER, _OTHER.c.conversation_id == _ME.c.conversation_id).join(
            CONVERSATION, CONVERSATION.c.id == _ME.c.conversation_id
        )
    )
    .where(
        _ME.c.user_id == sa.bindparam("user"),
        _ME.c.left_at.is_(None),
        _OTHER.c.left_at.is_(None),
        _OTHER.c.user_id != sa.bindparam("user"),
        ~_IN_A_BLOCK,
    )
)


@dataclass(frozen=True)
class NicknameChange:
    """A committed nickname change and the people whose tabs show it."""

    user_id: int
    nickname: str
    # Their direct chat with the user is current (friends): lists, rows, the chat header.
    friend_ids: frozenset[int]
    # Current members of a group the user is in: the group's timeline and members panel.
    group_member_ids: frozenset[int]


def audience(*, session: Session, user_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """Who sees `user_id`'s name live: (friends, fellow group members), no one in a block.

    Args:
        session: The database session.
        user_id: Whose name.

    Returns:
        The two sets of user ids (someone may be in both).
    """
    rows = session.connection().execute(_AUDIENCE, {"user": user_id}).all()
    friends = frozenset(row.user_id for row in rows if row.kind == "direct")
    members = frozenset(row.user_id for row in rows if row.kind == "group")
    return friends, members


def change_nickname(*, session: Session, user_id: int, nickname: object) -> NicknameChange:
    """Give the user a new nickname, and commit.

    Args:
        session: The database session.
        user_id: The user (from the server-side session).
        nickname: The new name as typed (untrusted).

    Returns:
        The change (unchanged names are a change too: the audience is told nothing new).

    Raises:
        ValidationFailed: {"nickname": code} for a refused name; nothing is stored.
        NotFound: The user is gone or deleted.
    """
    if not isinstance(nickname, str):
        raise ValidationFailed({"nickname": "nickname_invalid"})
    name = validation.normalize_nickname(nickname)
    if (error := validation.check_nickname(name)) is not None:
        raise ValidationFailed({"nickname": error})
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound()
    user.nickname = name
    session.add(user)
    session.commit()
    friends, members = audience(session=session, user_id=user_id)
    return NicknameChange(
        user_id=user_id, nickname=name, friend_ids=friends, group_member_ids=members
    )
