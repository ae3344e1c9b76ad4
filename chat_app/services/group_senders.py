"""Who the people in a group's timeline are, as one reader sees them: name, picture, block.

A tab showing a group looks up the senders of what it shows (and the people its system
lines name) once per page, and once more for each sender it has not seen yet, instead of a
name riding on every message. Someone in a block with the reader (either way) is shown as
relations.neutral shows a contact: by username, without a picture, and flagged so the
timeline collapses their messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.services.statements import BLOCK, MEMBER, USER

# One look-up names at most this many people (a group holds 256 by default).
MOST_ASKED = 512


@dataclass(frozen=True)
class SenderView:
    """A person of a group's timeline as the reader sees them."""

    user_id: int
    # The nickname, or the username for someone in a block with the reader.
    name: str
    # "" for no picture (always for someone in a block with the reader).
    avatar_file_id: str
    # The reader blocks them or they block the reader: their messages show collapsed.
    blocked: bool


_VIEWER_MEMBER = sa.exists().where(
    MEMBER.c.conversation_id == sa.bindparam("conversation"),
    MEMBER.c.user_id == sa.bindparam("viewer"),
)
_BLOCKED = sa.exists().where(
    ((BLOCK.c.blocker_id == sa.bindparam("viewer")) & (BLOCK.c.blocked_id == USER.c.id))
    | ((BLOCK.c.blocker_id == USER.c.id) & (BLOCK.c.blocked_id == sa.bindparam("viewer")))
)
# The people asked for who are (or were) members of a conversation the viewer is (or was)
# a member of, with the block flag: one statement, whoever asks.
_SENDERS = (
    sa.select(
        USER.c.id,
        USER.c.username,
        USER.c.nickname,
        USER.c.avatar_file_id,
        _BLOCKED.label("blocked"),
    )
    .select_from(USER.join(MEMBER, MEMBER.c.user_id == USER.c.id))
    .where(
        MEMBER.c.conversation_id == sa.bindparam("conversation"),
        USER.c.id.in_(sa.bindparam("users", expanding=True)),
        _VIEWER_MEMBER,
    )
    .order_by(USER.c.id)
)


def _valid_ids(values: Iterable[object]) -> list[int]:
    found = {
        value
        for value in values
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
    }
    return sorted(found)[:MOST_ASKED]


def senders(
    *, session: Session, viewer_id: int, conversation_id: object, user_ids: Iterable[object]
) -> tuple[SenderView, ...]:
    """The people of a conversation's timeline, as `viewer_id` may see them.

    Args:
        session: The database session.
        viewer_id: Who reads (from the server-side session).
        conversation_id: The conversation (untrusted id).
        user_ids: Whom the reader's tab needs (untrusted ids; at most MOST_ASKED used).

    Returns:
        Those of them who are or were members, in id order; nothing when the viewer never
        was a member (ids reveal nobody to an outsider).
    """
    if isinstance(conversation_id, bool) or not isinstance(conversation_id, int):
        return ()
    asked = _valid_ids(user_ids)
    if not asked or not 0 < conversation_id < 2**63:
        return ()
    where = {"conversation": conversation_id, "viewer": viewer_id, "users": asked}
    rows = session.connection().execute(_SENDERS, where)
    return tuple(
        SenderView(
            user_id=row.id,
            name=row.username if row.blocked else row.nickname,
            avatar_file_id="" if row.blocked else (row.avatar_file_id or ""),
            blocked=bool(row.blocked),
        )
        for row in rows
    )
