"""The "New group" dialog's friend picker: the viewer's friends matching what they type.

Filtered in the database and cut to PICKER_MAX: a tab never holds every friend of a user
with many, whatever they type.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.services.load_statements import FRIEND_IDS
from chat_app.services.people_views import ContactView
from chat_app.services.statements import ACTIVE_MEMBER_IDS, MEMBER, USER

PICKER_MAX = 50
# No username or nickname is longer: a longer query is cut, not refused.
QUERY_MAX = 32

_FRIENDS = (
    sa.select(USER.c.id, USER.c.username, USER.c.nickname, USER.c.avatar_file_id)
    .where(USER.c.id.in_(FRIEND_IDS))
    .order_by(sa.func.lower(USER.c.nickname), USER.c.username)
    .limit(PICKER_MAX)
)


_VIEWER_IN_GROUP = MEMBER.alias("viewer_in_group")
# A group's current members, named only to one of them (the group's "Add members" picker).
_IN_VIEWERS_GROUP = ACTIVE_MEMBER_IDS.where(
    sa.exists().where(
        _VIEWER_IN_GROUP.c.conversation_id == sa.bindparam("conversation"),
        _VIEWER_IN_GROUP.c.user_id == sa.bindparam("user"),
        _VIEWER_IN_GROUP.c.left_at.is_(None),
    ),
)


def clean_query(query: object) -> str:
    """What a picker query searches for: NFC, trimmed, lower case, at most QUERY_MAX."""
    if not isinstance(query, str):
        return ""
    return unicodedata.normalize("NFC", query).strip().lower()[:QUERY_MAX]


def friends_matching(
    *, session: Session, viewer_id: int, query: object, outside_group: int | None = None
) -> tuple[ContactView, ...]:
    """The viewer's friends whose nickname or username holds `query`, by name, at most 50.

    Args:
        session: The database session.
        viewer_id: Who picks (from the server-side session).
        query: What they typed (untrusted; anything but text matches every friend).
        outside_group: A group the viewer is adding members to: its current members are
            left out (only while the viewer is one of them; otherwise nobody is).

    Returns:
        The matching friends (a blocked user is no friend: never among them).
    """
    text, statement = clean_query(query), _FRIENDS
    if text:
        # Escaped: "%" and "_" are characters a name may hold, not wildcards.
        in_username = sa.func.lower(USER.c.username).contains(text, autoescape=True)
        in_nickname = sa.func.lower(USER.c.nickname).contains(text, autoescape=True)
        statement = statement.where(sa.or_(in_username, in_nickname))
    parameters: dict[str, int] = {"user": viewer_id}
    if outside_group is not None:
        statement = statement.where(USER.c.id.not_in(_IN_VIEWERS_GROUP))
        parameters["conversation"] = outside_group
    rows = session.connection().execute(statement, parameters)
    return tuple(
        ContactView(
            user_id=row.id,
            username=row.username,
            nickname=row.nickname,
            avatar_file_id=row.avatar_file_id or "",
        )
        for row in rows
    )
