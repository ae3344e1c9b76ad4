"""The members panel of a group: its current members, searched and paged on the server.

A tab never holds the full member list of a large group: it asks for one page at a time.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from chat_app.models import ConversationMember, User
from chat_app.services import group_events, relations
from chat_app.services.errors import NotFound
from chat_app.services.group_events import ADMIN, GONE, OWNER
from chat_app.services.group_views import MembersPage, MemberView

PAGE_MAX = 50
# No username or nickname is longer: a longer search is cut, not refused.
QUERY_MAX = 32
_ROLE_ORDER = sa.case(
    (col(ConversationMember.role) == OWNER, 0),
    (col(ConversationMember.role) == ADMIN, 1),
    else_=2,
)


def members_page(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    query: object = "",
    offset: object = 0,
    limit: object = PAGE_MAX,
) -> MembersPage:
    """One page of a group's current members, searched by nickname or username.

    Owner first, then admins, then members, each oldest first. Either side of a block sees
    the other listed with the username only, no picture, and found by the username only.

    Args:
        session: The database session.
        viewer_id: Who looks (from the server-side session): a current member.
        conversation_id: The group (untrusted id).
        query: Text in the nickname or username (untrusted; anything else than text
            matches everyone).
        offset: How many matching members to skip (untrusted).
        limit: At most this many, up to 50 (untrusted).

    Returns:
        The page.

    Raises:
        NotFound: Not a group the viewer is a current member of.
    """
    key = group_events.group_id(conversation_id)
    if group_events.role_of(session, viewer_id, key) is None:
        raise NotFound(GONE)
    start = _bounded(offset, 0, 0, 1_000_000)
    size = _bounded(limit, PAGE_MAX, 1, PAGE_MAX)
    blocked = relations.blocked_either_way(session=session, user_id=viewer_id)
    where = [
        ConversationMember.conversation_id == key,
        col(ConversationMember.left_at).is_(None),
    ]
    text = search_text(query)
    if text:
        in_name = func.lower(col(User.username)).contains(text, autoescape=True)
        in_nickname = func.lower(col(User.nickname)).contains(text, autoescape=True)
        where.append(or_(in_name, in_nickname & col(User.id).not_in(blocked)))
    joined = select(ConversationMember, User).join(
        User, col(User.id) == col(ConversationMember.user_id)
    )
    total = session.exec(
        select(func.count())
        .select_from(ConversationMember)
        .join(User, col(User.id) == col(ConversationMember.user_id))
        .where(*where)
    ).one()
    rows = session.exec(
        joined.where(*where)
        .order_by(_ROLE_ORDER, col(ConversationMember.joined_at), col(ConversationMember.user_id))
        .offset(start)
        .limit(size)
    ).all()
    members = tuple(_member_view(member, user, user.id in blocked) for member, user in rows)
    return MembersPage(key, members, start, total)


def search_text(query: object) -> str:
    """What a member search looks for: NFC, trimmed, lower case, cut to QUERY_MAX ("": all)."""
    if not isinstance(query, str):
        return ""
    return unicodedata.normalize("NFC", query).strip().lower()[:QUERY_MAX]


def _member_view(member: ConversationMember, user: User, blocked: bool) -> MemberView:
    assert user.id is not None
    if blocked:
        return MemberView(user.id, user.username, user.username, member.role)
    return MemberView(user.id, user.username, user.nickname, member.role, user.avatar_file_id or "")


def _bounded(value: object, default: int, low: int, high: int) -> int:
    """An int from a client kept within [low, high]; anything else is the default."""
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, low), high)
