"""Who may act on whom, and what a block hides.

User ids are sequential, so an id from a client proves nothing: a handler that acts on
another user accepts only a user the caller already has a *relation* with, and refuses
everyone else exactly as it refuses an id that does not exist (same error, same queries).
`related` is the one rule; a new kind of relation (fellow group members) is one more
clause in `_RELATION_CLAUSES`.

A block (either direction) freezes what each side sees of the other: the username they
already know, no picture, and never a later nickname or picture change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, or_, select

from chat_app.models import (
    Block,
    Conversation,
    FoundUser,
    FriendRequest,
    Friendship,
    UserAction,
    utc_now,
)
from chat_app.services import load_statements, statements, validation
from chat_app.services.errors import NotFound, RateLimited
from chat_app.services.people_views import ContactView

Clause = Callable[[int, int], sa.ColumnElement[bool]]


def _friends(viewer: int, other: int) -> sa.ColumnElement[bool]:
    low, high = validation.ordered_pair(viewer, other)
    return sa.exists().where(
        col(Friendship.user_low_id) == low, col(Friendship.user_high_id) == high
    )


def _requested(viewer: int, other: int) -> sa.ColumnElement[bool]:
    # Any request between the two, in either direction and whatever its outcome: each side
    # has seen the other's name in a request list.
    low, high = validation.ordered_pair(viewer, other)
    return sa.exists().where(
        col(FriendRequest.pair_low) == low, col(FriendRequest.pair_high) == high
    )


def _blocked_by_viewer(viewer: int, other: int) -> sa.ColumnElement[bool]:
    return sa.exists().where(col(Block.blocker_id) == viewer, col(Block.blocked_id) == other)


def _conversed(viewer: int, other: int) -> sa.ColumnElement[bool]:
    low, high = validation.ordered_pair(viewer, other)
    return sa.exists().where(
        col(Conversation.user_low_id) == low, col(Conversation.user_high_id) == high
    )


def _found(viewer: int, other: int) -> sa.ColumnElement[bool]:
    return sa.exists().where(col(FoundUser.viewer_id) == viewer, col(FoundUser.user_id) == other)


# Groups add "shares a group" here.
_RELATION_CLAUSES: list[Clause] = [_friends, _requested, _blocked_by_viewer, _conversed, _found]


def related(*, session: Session, viewer_id: int, other_id: int) -> bool:
    """Whether the viewer already knows this user (so may name them by id).

    One query whatever the answer, and the same for an id nobody has: a refusal cannot
    be told apart from "no such user", not even by its timing.

    Args:
        session: The database session.
        viewer_id: Who acts (from the server-side session).
        other_id: Whom they name (an already validated id).

    Returns:
        True for a friend, a requester or requested user (either direction, any outcome),
        a user the viewer blocks, a past conversation partner, or a user the viewer
        found by exact username search.
    """
    clauses = [clause(viewer_id, other_id) for clause in _RELATION_CLAUSES]
    return bool(session.exec(select(or_(*clauses))).one())


def require_related(*, session: Session, viewer_id: int, other_id: object) -> int:
    """The other user's id, if the viewer may name them; NotFound otherwise.

    Args:
        session: The database session.
        viewer_id: Who acts.
        other_id: Whom they name (untrusted id from the client).

    Returns:
        The id (oneself always passes: the callers refuse it with their own message).

    Raises:
        NotFound: Not an id, no such user, or no relation (one error for all three).
    """
    other = validation.valid_id(other_id)
    if other != viewer_id and not related(session=session, viewer_id=viewer_id, other_id=other):
        raise NotFound()
    return other


def remember_found(*, session: Session, viewer_id: int, user_id: int, now: datetime) -> None:
    """Record that the viewer found this user by exact username (a relation from now on).

    Kept in the database, not in the tab: it holds for the user's other tabs, on every
    worker and across restarts, and the row is removed with either account.

    Args:
        session: The database session.
        viewer_id: Who searched.
        user_id: Whom they found.
        now: The current time.
    """
    if user_id == viewer_id or _found_already(session, viewer_id, user_id):
        return
    session.add(FoundUser(viewer_id=viewer_id, user_id=user_id, found_at=now))
    try:
        session.commit()
    except IntegrityError:
        # The same search from two tabs at once: one row is enough.
        session.rollback()


def _found_already(session: Session, viewer_id: int, user_id: int) -> bool:
    statement = select(FoundUser.id).where(
        FoundUser.viewer_id == viewer_id, FoundUser.user_id == user_id
    )
    return session.exec(statement).first() is not None


def blocked_either_way(*, session: Session, user_id: int) -> set[int]:
    """The users this user blocks or is blocked by.

    Args:
        session: The database session.
        user_id: The user.

    Returns:
        The other side of every block involving the user.
    """
    rows = session.connection().execute(load_statements.BLOCKS_EITHER_WAY, {"user": user_id})
    return {blocked if blocker == user_id else blocker for blocker, blocked in rows}


def is_blocked_pair(*, session: Session, user_a: int, user_b: int) -> bool:
    """Whether either of two users blocks the other.

    Args:
        session: The database session.
        user_a: One user.
        user_b: The other.

    Returns:
        True when a block exists in either direction.
    """
    # A core statement built once: through the ORM this check was 5 % of the worker's
    # Python time per message (every read receipt asks it; py-spy under `make bench`).
    pair = {"a": user_a, "b": user_b}
    return session.connection().execute(statements.BLOCK_BETWEEN, pair).first() is not None


def neutral(contact: ContactView) -> ContactView:
    """How one side of a block sees the other: the username they know, no picture.

    The username never changes and is plain ASCII, so nothing the other side changes
    later reaches through it.

    Args:
        contact: The contact as currently stored.

    Returns:
        The contact with the nickname replaced by the username and no avatar.
    """
    return replace(contact, nickname=contact.username, avatar_file_id="", avatar_url="")


def hide_blocked(
    *, session: Session, viewer_id: int, contacts: Iterable[ContactView]
) -> tuple[ContactView, ...]:
    """The contacts, with every user in a block with the viewer shown `neutral`.

    Args:
        session: The database session.
        viewer_id: Whose pane or page this is.
        contacts: Contacts built from the current user rows.

    Returns:
        The same contacts in the same order.
    """
    contacts = tuple(contacts)
    if not contacts:
        return contacts
    blocked = blocked_either_way(session=session, user_id=viewer_id)
    return tuple(neutral(c) if c.user_id in blocked else c for c in contacts)


def count_action(
    *,
    session: Session,
    user_id: int,
    action: str,
    limit: int,
    window: timedelta = timedelta(hours=1),
    now: datetime | None = None,
) -> None:
    """Count one attempt of a limited action, or refuse it when over the limit.

    Every attempt counts, refused or not, so probing ids costs the same as acting. The
    log lives in the database: every worker sees the same count.

    Args:
        session: The database session.
        user_id: Who acts.
        action: The limited action's name (its error code is "too_many_<action>").
        limit: Attempts allowed per window.
        window: The sliding window.
        now: The current time.

    Raises:
        RateLimited: The user is at the limit (the attempt is not counted).
    """
    now = now or utc_now()
    since = now - window
    session.exec(
        delete(UserAction).where(
            col(UserAction.user_id) == user_id,
            col(UserAction.action) == action,
            col(UserAction.created_at) <= since,
        )
    )
    done = session.exec(
        select(func.count())
        .select_from(UserAction)
        .where(UserAction.user_id == user_id, UserAction.action == action)
    ).one()
    if done >= limit:
        session.commit()
        raise RateLimited(f"too_many_{action}")
    session.add(UserAction(user_id=user_id, action=action, created_at=now))
    session.commit()
