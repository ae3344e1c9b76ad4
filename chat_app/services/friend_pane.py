"""What a user's friend pane shows: friends, requests, blocks, past conversations, search.

Read-only but for search, which records what it finds (a relation, see `relations`). Every
list goes through `relations.hide_blocked`: either side of a block sees the other frozen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Row
from sqlmodel import Session, select

from chat_app.models import User, utc_now
from chat_app.services import load_statements, relations, summaries, validation
from chat_app.services.errors import NotFound
from chat_app.services.people_views import ContactView, FriendsSnapshot
from chat_app.services.views import ConversationSummary
from chat_app.settings import SETTINGS, Settings

# The pane lists at most this many past conversations, the most recent first: the list
# stays bounded however many people a user once talked to.
PAST_MAX = 20


def _contact(user: User | Row, request_id: int = 0) -> ContactView:
    """A contact from a user, or from a row of `load_statements`' contact columns."""
    assert user.id is not None
    return ContactView(
        user_id=user.id,
        username=user.username,
        nickname=user.nickname,
        request_id=request_id,
        avatar_file_id=user.avatar_file_id or "",
    )


def _sort_key(contact: ContactView) -> tuple[str, str]:
    return (contact.nickname.casefold(), contact.username.casefold())


def _by_recent_conversation(
    listed: tuple[ConversationSummary, ...], contacts: list[ContactView]
) -> tuple[ContactView, ...]:
    """Friends with the most recent conversation first, then the rest by name.

    Each carries its conversation's id, so the list opens a chat without another query.
    """
    found = {s.friend_id: s for s in listed}
    last_at = {
        friend_id: datetime.fromisoformat(summary.last_message_at).timestamp()
        for friend_id, summary in found.items()
        if summary.last_message_at
    }
    with_ids = (
        replace(c, conversation_id=found[c.user_id].conversation_id) if c.user_id in found else c
        for c in contacts
    )
    return tuple(
        sorted(with_ids, key=lambda c: (-last_at.get(c.user_id, float("-inf")), *_sort_key(c)))
    )


def _past(
    session: Session, listed: tuple[ConversationSummary, ...], friend_ids: set[int]
) -> list[ContactView]:
    """The most recent conversations with people who are no longer friends (PAST_MAX).

    Only direct conversations that hold messages: the same ones `conversations.readable`
    lets the viewer open (groups are listed as groups). Each carries its conversation's
    id, which is what the pane opens.
    """
    wanted = [
        s for s in listed if s.kind == "direct" and s.friend_id not in friend_ids and s.last_seq > 0
    ][:PAST_MAX]
    if not wanted:
        return []
    ids = [s.friend_id for s in wanted]
    rows = session.connection().execute(load_statements.CONTACTS_BY_ID, {"ids": ids})
    users = {row.id: row for row in rows}
    return [
        replace(_contact(users[s.friend_id]), conversation_id=s.conversation_id)
        for s in wanted
        if s.friend_id in users
    ]


def snapshot(*, session: Session, user_id: int) -> FriendsSnapshot:
    """Everything a user's friend pane shows.

    Args:
        session: The database session.
        user_id: The viewer.

    Returns:
        Friends (most recent conversation first), incoming and outgoing pending requests
        (newest first), the users the viewer blocks, and the most recent conversations
        with people who are no longer friends (removed, blocked or blocking: read-only).
        Requests from blocked users are left out.
    """
    connection, viewer = session.connection(), {"user": user_id}
    friends = [_contact(row) for row in connection.execute(load_statements.FRIEND_CONTACTS, viewer)]
    incoming = connection.execute(load_statements.INCOMING_REQUESTS, viewer).all()
    outgoing = connection.execute(load_statements.OUTGOING_REQUESTS, viewer).all()
    blocked = connection.execute(load_statements.BLOCKED_CONTACTS, viewer).all()

    frozen = relations.blocked_either_way(session=session, user_id=user_id)

    def shown(contacts: Iterable[ContactView]) -> tuple[ContactView, ...]:
        # Either side of a block sees the other frozen (relations.neutral), in every list.
        return tuple(relations.neutral(c) if c.user_id in frozen else c for c in contacts)

    listed = summaries.summaries(session=session, viewer_id=user_id)
    return FriendsSnapshot(
        friends=_by_recent_conversation(listed, list(shown(friends))),
        incoming=shown(_contact(row, row.request_id) for row in incoming),
        outgoing=shown(_contact(row, row.request_id) for row in outgoing),
        blocked=tuple(sorted(shown(_contact(row) for row in blocked), key=_sort_key)),
        past=shown(_past(session, listed, {contact.user_id for contact in friends})),
    )


def search(
    *,
    session: Session,
    viewer_id: int,
    username: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> tuple[ContactView, str]:
    """Find a user by exact username (ignoring case and a leading "@") and the relation.

    Only an exact match is returned: prefixes would let anyone list every user. A match
    becomes a relation (relations.remember_found): the viewer may then act on that id.

    Args:
        session: The database session.
        viewer_id: Who is searching.
        username: The name typed (untrusted).
        now: The current time.
        settings: The hourly search limit.

    Returns:
        (contact, relation): see FriendsSnapshot.relation_to. The relation never tells
        that the user blocks the viewer; under a block either way the contact is shown
        `relations.neutral`, like every other view of that user.

    Raises:
        NotFound: Malformed or unknown username.
        RateLimited: Over the hourly search limit (every attempt counts).
    """
    now = now or utc_now()
    limit = settings.search_rate_per_hour
    relations.count_action(session=session, user_id=viewer_id, action="searches", limit=limit)
    if not isinstance(username, str):
        raise NotFound()
    # Usernames are shown as "@name" everywhere: one leading "@" (or a Chinese keyboard's
    # full-width one, U+FF20) is not part of the name.
    username = username.strip().removeprefix("@").removeprefix("\uff20")
    if validation.check_username(username) is not None:
        raise NotFound()
    key = validation.username_key(username)
    user = session.exec(select(User).where(User.username_key == key)).first()
    # A deleted account's name stays reserved but nobody finds it any more.
    if user is None or user.id is None or user.deleted_at is not None:
        raise NotFound()
    relations.remember_found(session=session, viewer_id=viewer_id, user_id=user.id, now=now)
    relation, request_id = snapshot(session=session, user_id=viewer_id).relation_to(
        user.id, viewer_id
    )
    (contact,) = relations.hide_blocked(
        session=session, viewer_id=viewer_id, contacts=[_contact(user, request_id)]
    )
    return contact, relation
