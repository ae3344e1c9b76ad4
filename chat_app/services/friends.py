"""Friends: exact search, requests, accept/reject/cancel, remove, block and unblock.

Every write commits and returns a FriendsChange naming whose friend panes changed and whom
to notify; the caller pushes it to those users' tabs. Ids arrive from clients: every
function checks that the viewer is a party to what it touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from chat_app.models import Block, Conversation, FriendRequest, Friendship, User, utc_now
from chat_app.services import relations, statements, validation
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.services.views import ContactView, FriendsChange, FriendsSnapshot, Notice
from chat_app.settings import SETTINGS, Settings

# Two users asking each other at once both try to insert; the loser retries and accepts.
INSERT_ATTEMPTS = 3


def _user(session: Session, user_id: object) -> User:
    user = session.get(User, validation.valid_id(user_id))
    if user is None:
        raise NotFound()
    return user


def _related(session: Session, viewer_id: int, target_id: object) -> int:
    return relations.require_related(session=session, viewer_id=viewer_id, other_id=target_id)


def _contact(user: User, request_id: int = 0) -> ContactView:
    assert user.id is not None
    return ContactView(
        user_id=user.id,
        username=user.username,
        nickname=user.nickname,
        request_id=request_id,
        avatar_file_id=user.avatar_file_id or "",
    )


def _is_blocking(session: Session, blocker_id: int, blocked_id: int) -> bool:
    return (
        session.exec(
            select(Block.id).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
        ).first()
        is not None
    )


def _friendship(session: Session, a: int, b: int) -> Friendship | None:
    low, high = validation.ordered_pair(a, b)
    return session.exec(
        select(Friendship).where(Friendship.user_low_id == low, Friendship.user_high_id == high)
    ).first()


def _pending_request(session: Session, a: int, b: int) -> FriendRequest | None:
    low, high = validation.ordered_pair(a, b)
    return session.exec(
        select(FriendRequest).where(
            FriendRequest.pair_low == low,
            FriendRequest.pair_high == high,
            FriendRequest.status == "pending",
        )
    ).first()


def _sort_key(contact: ContactView) -> tuple[str, str]:
    return (contact.nickname.casefold(), contact.username.casefold())


def _by_recent_conversation(
    session: Session, user_id: int, contacts: list[ContactView]
) -> tuple[ContactView, ...]:
    """Friends with the most recent conversation first, then the rest by name."""
    rows = session.exec(
        select(Conversation.user_low_id, Conversation.user_high_id, Conversation.last_message_at)
        .where((Conversation.user_low_id == user_id) | (Conversation.user_high_id == user_id))
        .where(col(Conversation.last_message_at).is_not(None))
    ).all()
    last_at = {(high if low == user_id else low): at.timestamp() for low, high, at in rows if at}
    return tuple(
        sorted(contacts, key=lambda c: (-last_at.get(c.user_id, float("-inf")), *_sort_key(c)))
    )


def snapshot(*, session: Session, user_id: int) -> FriendsSnapshot:
    """Everything a user's friend pane shows.

    Args:
        session: The database session.
        user_id: The viewer.

    Returns:
        Friends (by name), incoming and outgoing pending requests (newest first) and the
        users the viewer blocks. Requests from blocked users are left out.
    """
    friend_ids = (
        select(Friendship.user_high_id)
        .where(Friendship.user_low_id == user_id)
        .union(select(Friendship.user_low_id).where(Friendship.user_high_id == user_id))
    )
    friends = session.exec(select(User).where(col(User.id).in_(friend_ids))).all()
    blocked_ids = select(Block.blocked_id).where(Block.blocker_id == user_id)
    incoming = session.exec(
        select(FriendRequest, User)
        .join(User, col(User.id) == FriendRequest.from_user_id)
        .where(
            FriendRequest.to_user_id == user_id,
            FriendRequest.status == "pending",
            col(FriendRequest.from_user_id).not_in(blocked_ids),
        )
        .order_by(col(FriendRequest.created_at).desc(), col(FriendRequest.id).desc())
    ).all()
    outgoing = session.exec(
        select(FriendRequest, User)
        .join(User, col(User.id) == FriendRequest.to_user_id)
        .where(FriendRequest.from_user_id == user_id, FriendRequest.status == "pending")
        .order_by(col(FriendRequest.created_at).desc(), col(FriendRequest.id).desc())
    ).all()
    blocked = session.exec(select(User).where(col(User.id).in_(blocked_ids))).all()

    def shown(contacts: Iterable[ContactView]) -> tuple[ContactView, ...]:
        # Either side of a block sees the other frozen (relations.neutral).
        return relations.hide_blocked(session=session, viewer_id=user_id, contacts=contacts)

    return FriendsSnapshot(
        friends=_by_recent_conversation(session, user_id, [_contact(user) for user in friends]),
        incoming=shown(_contact(user, request.id or 0) for request, user in incoming),
        outgoing=shown(_contact(user, request.id or 0) for request, user in outgoing),
        blocked=tuple(sorted(shown(_contact(user) for user in blocked), key=_sort_key)),
    )


def search(
    *,
    session: Session,
    viewer_id: int,
    username: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> tuple[ContactView, str]:
    """Find a user by exact username (ignoring case) and the viewer's relation to them.

    Only an exact match is returned: prefixes would let anyone list every user. A match
    becomes a relation (relations.remember_found): the viewer may then act on that id.

    Args:
        session: The database session.
        viewer_id: Who is searching.
        username: The name typed (untrusted).
        now: The current time.
        settings: The hourly search limit.

    Returns:
        (contact, relation): see FriendsSnapshot.relation_to. A user who blocks the viewer
        looks like anyone else.

    Raises:
        NotFound: Malformed or unknown username.
        RateLimited: Over the hourly search limit (every attempt counts).
    """
    now = now or utc_now()
    limit = settings.search_rate_per_hour
    relations.count_action(session=session, user_id=viewer_id, action="searches", limit=limit)
    if not isinstance(username, str) or validation.check_username(username) is not None:
        raise NotFound()
    key = validation.username_key(username)
    user = session.exec(select(User).where(User.username_key == key)).first()
    if user is None or user.id is None:
        raise NotFound()
    relations.remember_found(session=session, viewer_id=viewer_id, user_id=user.id, now=now)
    relation, request_id = snapshot(session=session, user_id=viewer_id).relation_to(
        user.id, viewer_id
    )
    (contact,) = relations.hide_blocked(
        session=session, viewer_id=viewer_id, contacts=[_contact(user, request_id)]
    )
    return contact, relation


def _close(session: Session, request: FriendRequest, status: str, now: datetime) -> None:
    """End a pending request with its outcome (the caller commits)."""
    request.status = status
    request.responded_at = now
    session.add(request)


def _accept(session: Session, request: FriendRequest, now: datetime) -> None:
    """Mark the request accepted and create the friendship, then commit."""
    _close(session, request, "accepted", now)
    low, high = validation.ordered_pair(request.from_user_id, request.to_user_id)
    if _friendship(session, low, high) is None:
        session.add(Friendship(user_low_id=low, user_high_id=high, created_at=now))
    try:
        session.commit()
    except IntegrityError:
        # A concurrent accept of the same pair created the friendship first: same outcome.
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
        if _friendship(session, viewer_id, target.id) is not None:
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


def reject_request(
    *, session: Session, viewer_id: int, request_id: object, now: datetime | None = None
) -> FriendsChange:
    """Decline a pending request addressed to the viewer.

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
    request = _own_pending_request(session, request_id, to_user_id=viewer_id)
    viewer = _user(session, viewer_id)
    _close(session, request, "rejected", now or utc_now())
    session.commit()
    return FriendsChange(
        frozenset({viewer_id, request.from_user_id}),
        (Notice(request.from_user_id, "notice_request_rejected", viewer.nickname),),
    )


def cancel_request(
    *, session: Session, viewer_id: int, request_id: object, now: datetime | None = None
) -> FriendsChange:
    """Withdraw a pending request the viewer sent.

    Args:
        session: The database session.
        viewer_id: The sender of the request.
        request_id: The request (untrusted id).
        now: The current time.

    Returns:
        The change for both users.

    Raises:
        NotFound: No pending request with that id sent by the viewer.
    """
    request = _own_pending_request(session, request_id, from_user_id=viewer_id)
    _close(session, request, "cancelled", now or utc_now())
    session.commit()
    return FriendsChange(frozenset({viewer_id, request.to_user_id}))


def remove_friend(*, session: Session, viewer_id: int, friend_id: object) -> FriendsChange:
    """End a friendship (either side may).

    Args:
        session: The database session.
        viewer_id: One of the friends.
        friend_id: The other (untrusted id).

    Returns:
        The change for both users.

    Raises:
        NotFound: The two are not friends.
    """
    friendship = _friendship(session, viewer_id, validation.valid_id(friend_id))
    if friendship is None:
        raise NotFound()
    session.delete(friendship)
    session.commit()
    return FriendsChange(frozenset({friendship.user_low_id, friendship.user_high_id}))


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

    The blocked user is not told; they only see the friendship end, as after a removal.

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
    limit = settings.block_rate_per_hour
    relations.count_action(session=session, user_id=viewer_id, action="blocks", limit=limit)
    target = _user(session, _related(session, viewer_id, target_id))
    assert target.id is not None
    if target.id == viewer_id:
        raise Refused("cannot_block_self")
    if not _is_blocking(session, viewer_id, target.id):
        session.add(Block(blocker_id=viewer_id, blocked_id=target.id, created_at=now))
    friendship = _friendship(session, viewer_id, target.id)
    if friendship is not None:
        session.delete(friendship)
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
    limit = settings.block_rate_per_hour
    relations.count_action(session=session, user_id=viewer_id, action="blocks", limit=limit)
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
    low, high = validation.ordered_pair(user_a, user_b)
    pair = {"low": low, "high": high}
    return session.connection().execute(statements.FRIENDSHIP_ID, pair).first() is not None


def friend_ids(*, session: Session, user_id: int) -> list[int]:
    """The ids of a user's friends (who may see their presence).

    Args:
        session: The database session.
        user_id: The user.

    Returns:
        Friend ids, in no particular order.
    """
    rows = session.exec(
        select(Friendship.user_low_id, Friendship.user_high_id).where(
            (Friendship.user_low_id == user_id) | (Friendship.user_high_id == user_id)
        )
    ).all()
    return [high if low == user_id else low for low, high in rows]
