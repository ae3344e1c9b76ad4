"""Friends: requests, accept/reject/cancel, remove, block and unblock.

What the friend pane shows (the snapshot, exact search) is in `friend_pane`.

Every write commits and returns a FriendsChange naming whose friend panes changed and whom
to notify; the caller pushes it to those users' tabs. Ids arrive from clients: every
function checks that the viewer is a party to what it touches.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from chat_app.models import Block, FriendRequest, Friendship, User, utc_now
from chat_app.services import direct_members, load_statements, relations, statements, validation
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.services.people_views import FriendsChange, Notice
from chat_app.settings import SETTINGS, Settings

# Two users asking each other at once both try to insert; the loser retries and accepts.
INSERT_ATTEMPTS = 3


def _user(session: Session, user_id: object) -> User:
    user = session.get(User, validation.valid_id(user_id))
    if user is None or user.deleted_at is not None:  # nobody befriends a deleted account
        raise NotFound()
    return user


def _related(session: Session, viewer_id: int, target_id: object) -> int:
    return relations.require_related(session=session, viewer_id=viewer_id, other_id=target_id)


def _is_blocking(session: Session, blocker_id: int, blocked_id: int) -> bool:
    return (
        session.exec(
            select(Block.id).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
        ).first()
        is not None
    )


def _friendship_id(session: Session, a: int, b: int) -> int | None:
    low, high = validation.ordered_pair(a, b)
    pair = {"low": low, "high": high}
    return session.connection().execute(statements.FRIENDSHIP_ID, pair).scalar()


def _end_friendship(session: Session, friendship_id: int, a: int, b: int, now: datetime) -> None:
    """Delete the friendship; both leave the pair's conversation in the same transaction."""
    session.exec(delete(Friendship).where(col(Friendship.id) == friendship_id))
    low, high = validation.ordered_pair(a, b)
    direct_members.unfriend(session=session, low=low, high=high, now=now)


def _pending_request(session: Session, a: int, b: int) -> FriendRequest | None:
    low, high = validation.ordered_pair(a, b)
    return session.exec(
        select(FriendRequest).where(
            FriendRequest.pair_low == low,
            FriendRequest.pair_high == high,
            FriendRequest.status == "pending",
        )
    ).first()


def _close(session: Session, request: FriendRequest, status: str, now: datetime) -> None:
    """End a pending request with its outcome (the caller commits)."""
    request.status = status
    request.responded_at = now
    session.add(request)


def _accept(session: Session, request: FriendRequest, now: datetime) -> None:
    """Mark the request accepted, create the friendship and its conversation, then commit.

    Every friendship has its direct conversation from the start, both friends its current
    members, so the UI opens, sends to and catches up a conversation by its id alone. The
    pair's conversation outlives the friendship (history stays readable) and a re-friending
    reuses it (services/direct_members.py).
    """
    _close(session, request, "accepted", now)
    low, high = validation.ordered_pair(request.from_user_id, request.to_user_id)
    if _friendship_id(session, low, high) is None:
        session.add(Friendship(user_low_id=low, user_high_id=high, created_at=now))
    try:
        direct_members.befriend(session=session, low=low, high=high, now=now)
        session.commit()
    except IntegrityError:
        # A concurrent accept of the same pair created the friendship (and conversation)
        # first: same outcome.
        session.rollback()


def send_request(
    *,
    session: Session,
    viewer_id: int,
    target_id: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> FriendsChange:
    """Ask a user to become friends; if they already asked, both become friends.

    Args:
        session: The database session.
        viewer_id: Who asks (from the server-side session).
        target_id: Whom to ask (untrusted id from the client).
        now: The current time.
        settings: The hourly request limit.

    Returns:
        The change: both users' panes, and a notice for the target (unless the target
        blocks the sender, who is not told: the request stays invisible to the target).

    Raises:
        NotFound: No such user, or none the sender has a relation with (relations.related).
        Refused: Self, already friends, already asked, or the sender blocks the target.
        RateLimited: Over the hourly request limit (20 by default).
    """
    now = now or utc_now()
    target = _user(session, _related(session, viewer_id, target_id))
    sender = _user(session, viewer_id)
    assert target.id is not None
    if target.id == viewer_id:
        raise Refused("cannot_add_self")
    if _is_blocking(session, viewer_id, target.id):
        raise Refused("unblock_first")
    for _attempt in range(INSERT_ATTEMPTS):
        if _friendship_id(session, viewer_id, target.id) is not None:
            raise Refused("already_friends")
        pending = _pending_request(session, viewer_id, target.id)
        if pending is not None and pending.from_user_id == viewer_id:
            raise Refused("already_requested")
        if pending is not None:
            _accept(session, pending, now)
            return FriendsChange(
                frozenset({viewer_id, target.id}),
                (Notice(target.id, "notice_request_accepted", sender.nickname),),
            )
        sent_last_hour = session.exec(
            select(func.count())
            .select_from(FriendRequest)
            .where(
                FriendRequest.from_user_id == viewer_id,
                col(FriendRequest.created_at) > now - timedelta(hours=1),
            )
        ).one()
        if sent_last_hour >= settings.friend_request_rate_per_hour:
            raise RateLimited("too_many_requests")
        low, high = validation.ordered_pair(viewer_id, target.id)
        session.add(
            FriendRequest(
                from_user_id=viewer_id,
                to_user_id=target.id,
                pair_low=low,
                pair_high=high,
                created_at=now,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            # The other user's request landed first: loop and accept it.
            session.rollback()
            continue
        if _is_blocking(session, target.id, viewer_id):
            return FriendsChange(frozenset({viewer_id}))
        return FriendsChange(
            frozenset({viewer_id, target.id}),
            (Notice(target.id, "notice_request_received", sender.nickname),),
        )
    raise Refused("try_again")


def _own_pending_request(session: Session, request_id: object, **party: int) -> FriendRequest:
    request = session.get(FriendRequest, validation.valid_id(request_id))
    if request is None or request.status != "pending":
        raise NotFound()
    for column, user_id in party.items():
        if getattr(request, column) != user_id:
            raise NotFound()
    return request


def accept_request(
    *, session: Session, viewer_id: int, request_id: object, now: datetime | None = None
) -> FriendsChange:
    """Accept a pending request addressed to the viewer.

    Args:
        session: The database session.
        viewer_id: The recipient of the request.
        request_id: The request (untrusted id).
        now: The current time.

    Returns:
        The change for both users, with a notice for the requester.

    Raises:
        NotFound: No pending request with that id addressed to the viewer.
    """
    now = now or utc_now()
    request = _own_pending_request(session, request_id, to_user_id=viewer_id)
    if _is_blocking(session, viewer_id, request.from_user_id):
        raise NotFound()
    viewer = _user(session, viewer_id)
    _accept(session, request, now)
    return FriendsChange(
        frozenset({viewer_id, request.from_user_id}),
        (Notice(request.from_user_id, "notice_request_accepted", viewer.nickname),),
    )


def _settle(
    session: Session, request: FriendRequest, status: str, now: datetime | None, *notices: Notice
) -> FriendsChange:
    """Close a pending request one of its parties turned down, and commit; both panes change."""
    _close(session, request, status, now or utc_now())
    session.commit()
    return FriendsChange(frozenset({request.from_user_id, request.to_user_id}), notices)


def reject_request(
    *, session: Session, viewer_id: int, request_id: object, now: datetime | None = None
) -> FriendsChange:
    """Decline a pending request addressed to the viewer; the requester gets a notice.

    Raises:
        NotFound: No pending request with that id (untrusted) addressed to the viewer.
    """
    request = _own_pending_request(session, request_id, to_user_id=viewer_id)
    viewer = _user(session, viewer_id)
    notice = Notice(request.from_user_id, "notice_request_rejected", viewer.nickname)
    return _settle(session, request, "rejected", now, notice)


def cancel_request(
    *, session: Session, viewer_id: int, request_id: object, now: datetime | None = None
) -> FriendsChange:
    """Withdraw a pending request the viewer sent; it leaves the recipient's pane unannounced.

    Raises:
        NotFound: No pending request with that id (untrusted) sent by the viewer.
    """
    request = _own_pending_request(session, request_id, from_user_id=viewer_id)
    return _settle(session, request, "cancelled", now)


def remove_friend(
    *, session: Session, viewer_id: int, friend_id: object, now: datetime | None = None
) -> FriendsChange:
    """End a friendship (either side may); both leave their conversation.

    Args:
        session: The database session.
        viewer_id: One of the friends.
        friend_id: The other (untrusted id).
        now: The current time.

    Returns:
        The change for both users.

    Raises:
        NotFound: The two are not friends.
    """
    friend_id = validation.valid_id(friend_id)
    friendship_id = _friendship_id(session, viewer_id, friend_id)
    if friendship_id is None:
        raise NotFound()
    _end_friendship(session, friendship_id, viewer_id, friend_id, now or utc_now())
    session.commit()
    return FriendsChange(frozenset({viewer_id, friend_id}))


def _count_block_action(session: Session, viewer_id: int, settings: Settings) -> None:
    """Blocking and unblocking share one hourly budget; every attempt counts."""
    limit = settings.block_rate_per_hour
    relations.count_action(session=session, user_id=viewer_id, action="blocks", limit=limit)


def _withdraw_pending(session: Session, a: int, b: int, now: datetime) -> None:
    pending = _pending_request(session, a, b)
    if pending is not None:
        _close(session, pending, "withdrawn", now)


def block_user(
    *,
    session: Session,
    viewer_id: int,
    target_id: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> FriendsChange:
    """Block a user: ends the friendship, drops pending requests, stops new ones.

    The blocked user is not told; they only see the friendship end, as after a removal
    (both leave their conversation).

    Args:
        session: The database session.
        viewer_id: Who blocks.
        target_id: Whom (untrusted id).
        now: The current time.
        settings: The hourly block/unblock limit.

    Returns:
        The change for both users.

    Raises:
        NotFound: No such user, or none the viewer has a relation with.
        Refused: Blocking oneself.
        RateLimited: Over the hourly block/unblock limit (every attempt counts).
    """
    now = now or utc_now()
    _count_block_action(session, viewer_id, settings)
    target = _user(session, _related(session, viewer_id, target_id))
    assert target.id is not None
    if target.id == viewer_id:
        raise Refused("cannot_block_self")
    if not _is_blocking(session, viewer_id, target.id):
        session.add(Block(blocker_id=viewer_id, blocked_id=target.id, created_at=now))
    friendship_id = _friendship_id(session, viewer_id, target.id)
    if friendship_id is not None:
        _end_friendship(session, friendship_id, viewer_id, target.id, now)
    _withdraw_pending(session, viewer_id, target.id, now)
    try:
        session.commit()
    except IntegrityError:
        # The same block arrived twice at once: the other one holds.
        session.rollback()
    return FriendsChange(frozenset({viewer_id, target.id}))


def unblock_user(
    *, session: Session, viewer_id: int, target_id: object, settings: Settings = SETTINGS
) -> FriendsChange:
    """Lift a block the viewer set.

    Args:
        session: The database session.
        viewer_id: Who blocked.
        target_id: Whom (untrusted id).
        settings: The hourly block/unblock limit (shared with blocking).

    Returns:
        The change for the viewer.

    Raises:
        NotFound: The viewer does not block that user.
        RateLimited: Over the hourly block/unblock limit.
    """
    _count_block_action(session, viewer_id, settings)
    result = session.exec(
        delete(Block).where(
            col(Block.blocker_id) == viewer_id,
            col(Block.blocked_id) == validation.valid_id(target_id),
        )
    )
    if not result.rowcount:
        raise NotFound()
    session.commit()
    return FriendsChange(frozenset({viewer_id}))


def are_friends(*, session: Session, user_a: int, user_b: int) -> bool:
    """Whether two users are friends (used by messaging and presence).

    Args:
        session: The database session.
        user_a: One user.
        user_b: The other.

    Returns:
        True when a friendship row exists for the pair.
    """
    return _friendship_id(session, user_a, user_b) is not None


def friend_ids(*, session: Session, user_id: int) -> list[int]:
    """The ids of a user's friends (who may see their presence).

    Args:
        session: The database session.
        user_id: The user.

    Returns:
        Friend ids, in no particular order.
    """
    rows = session.connection().execute(load_statements.FRIEND_IDS, {"user": user_id})
    return [friend_id for (friend_id,) in rows]
