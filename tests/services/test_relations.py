"""Relations: who may act on a user id, limits on probing, and what a block freezes."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from chat_app.models import (
    Block,
    Conversation,
    FoundUser,
    FriendRequest,
    Friendship,
    ReadCursor,
    User,
    UserAction,
    utc_now,
)
from chat_app.services import (
    conversations,
    friend_pane,
    friends,
    history,
    read_cursors,
    relations,
    sending,
)
from chat_app.services.errors import NotFound, RateLimited
from chat_app.settings import SETTINGS, load_settings
from tests.support.sql import statements_run
from tests.support.users import know, make_friends, make_user

FAST = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})
TABLES_ABOUT_OTHERS = (FriendRequest, Friendship, Block, Conversation, FoundUser)


def count(session: Session, table: type, *where) -> int:
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def related(session: Session, viewer: int, other: int) -> bool:
    return relations.related(session=session, viewer_id=viewer, other_id=other)


def chat(session: Session, viewer: int, other: object) -> int:
    """The viewer's conversation with `other`, as the friend list opens it."""
    return conversations.direct_with(session=session, viewer_id=viewer, friend_id=other)


# ----- the relation rule -----


def test_each_kind_of_relation_counts_and_nothing_else(session: Session):
    me = make_user(session, "me")
    friend, asked, asker, blocked, partner, found, ex_friend, stranger = (
        make_user(session, name)
        for name in ("friend", "asked", "asker", "blocked", "partner", "found", "ex", "stranger")
    )
    assert not any(
        related(session, me, other)
        for other in (friend, asked, asker, blocked, partner, found, ex_friend, stranger)
    )
    make_friends(session, me, friend)
    know(session, me, asked)
    friends.send_request(session=session, viewer_id=me, target_id=asked)
    know(session, asker, me)
    friends.send_request(session=session, viewer_id=asker, target_id=me)
    know(session, me, blocked)
    friends.block_user(session=session, viewer_id=me, target_id=blocked)
    session.add(Conversation(user_low_id=me, user_high_id=partner, created_at=utc_now()))
    session.commit()
    relations.remember_found(session=session, viewer_id=me, user_id=found, now=utc_now())
    make_friends(session, ex_friend, me)
    friends.remove_friend(session=session, viewer_id=me, friend_id=ex_friend)
    for other in (friend, asked, asker, blocked, partner, found, ex_friend):
        assert related(session, me, other), other
    assert not related(session, me, stranger)
    assert not related(session, me, 10**9)
    # Finding someone is one-way: the found user did not find the viewer.
    assert not related(session, found, me)


def test_a_search_that_finds_a_user_makes_a_relation(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    with pytest.raises(NotFound):
        friends.send_request(session=session, viewer_id=ann, target_id=bob)
    with pytest.raises(NotFound):
        friend_pane.search(session=session, viewer_id=ann, username="bo")
    assert not related(session, ann, bob)
    friend_pane.search(session=session, viewer_id=ann, username="BOB")
    friend_pane.search(session=session, viewer_id=ann, username="bob")  # one row is enough
    assert count(session, FoundUser) == 1
    friends.send_request(session=session, viewer_id=ann, target_id=bob)
    assert count(session, FriendRequest) == 1


@pytest.mark.parametrize("action", ["send_request", "block_user"])
def test_an_unrelated_user_is_refused_exactly_like_a_missing_one(
    session: Session, engine: sa.Engine, action: str
):
    me = make_user(session, "me")
    stranger = make_user(session, "stranger", nickname="Secret Name")
    missing = stranger + 1000
    act: Callable[..., object] = getattr(friends, action)

    def attempt(target: int) -> tuple[str, list[str]]:
        with statements_run(engine) as seen, pytest.raises(NotFound) as refused:
            act(session=session, viewer_id=me, target_id=target)
        return refused.value.code, seen

    before = [count(session, table) for table in TABLES_ABOUT_OTHERS]
    stranger_code, stranger_sql = attempt(stranger)
    missing_code, missing_sql = attempt(missing)
    # Same error, and the very same statements: nothing tells the two apart, not timing.
    assert stranger_code == missing_code == "not_found"
    assert stranger_sql == missing_sql
    assert [count(session, table) for table in TABLES_ABOUT_OTHERS] == before


def test_every_handler_taking_a_user_id_refuses_strangers(session: Session):
    me, stranger = make_user(session, "me"), make_user(session, "stranger")
    for call in (
        lambda: friends.send_request(session=session, viewer_id=me, target_id=stranger),
        lambda: friends.block_user(session=session, viewer_id=me, target_id=stranger),
        lambda: friends.unblock_user(session=session, viewer_id=me, target_id=stranger),
        lambda: friends.remove_friend(session=session, viewer_id=me, friend_id=stranger),
        # Reading and writing name a conversation by its id; this finds it by user id.
        lambda: chat(session, me, stranger),
    ):
        with pytest.raises(NotFound):
            call()


# ----- limits -----


def test_blocks_and_unblocks_are_limited_and_every_attempt_counts(session: Session):
    settings = dataclasses.replace(SETTINGS, block_rate_per_hour=4)
    me, bob = make_user(session, "me"), make_user(session, "bob")
    know(session, me, bob)
    now = utc_now()

    def block(target: int, at=None) -> None:
        friends.block_user(
            session=session, viewer_id=me, target_id=target, now=at or now, settings=settings
        )

    block(bob)
    friends.unblock_user(session=session, viewer_id=me, target_id=bob, settings=settings)
    for probe in (bob + 1, bob + 2):  # refused probes count too
        with pytest.raises(NotFound):
            block(probe)
    with pytest.raises(RateLimited, match="too_many_blocks"):
        block(bob)
    with pytest.raises(RateLimited, match="too_many_blocks"):
        friends.unblock_user(session=session, viewer_id=me, target_id=bob, settings=settings)
    assert count(session, Block) == 0
    # The window slides: an hour later blocking works again, and old attempts are pruned.
    session.exec(sa.update(UserAction).values(created_at=now - timedelta(hours=2)))  # type: ignore[call-overload]
    session.commit()
    block(bob)
    assert count(session, Block) == 1
    assert count(session, UserAction) == 1


def test_searches_are_limited(session: Session):
    settings = dataclasses.replace(SETTINGS, search_rate_per_hour=3)
    me = make_user(session, "me")
    make_user(session, "bob")
    for name in ("nobody", "bob", "bob"):
        with suppress(NotFound):
            friend_pane.search(session=session, viewer_id=me, username=name, settings=settings)
    with pytest.raises(RateLimited, match="too_many_searches"):
        friend_pane.search(session=session, viewer_id=me, username="bob", settings=settings)


# ----- what a block freezes -----


def set_profile(session: Session, user_id: int, nickname: str, avatar: str | None) -> None:
    user = session.get(User, user_id)
    assert user is not None
    user.nickname, user.avatar_file_id = nickname, avatar
    session.add(user)
    session.commit()


def test_after_a_block_neither_side_sees_the_others_profile(session: Session):
    ann, bob = make_user(session, "ann", "Ann"), make_user(session, "bob", "Bob")
    set_profile(session, bob, "Bob", "bob-avatar")
    set_profile(session, ann, "Ann", "ann-avatar")
    make_friends(session, ann, bob)
    ann_bob = chat(session, ann, bob)
    sending.send_message(
        session=session,
        viewer_id=ann,
        conversation_id=ann_bob,
        client_id="c1",
        body="hi",
        settings=FAST,
    )
    friends.block_user(session=session, viewer_id=bob, target_id=ann)
    # Ann asks again (Bob never sees it): her outgoing list holds Bob.
    friends.send_request(session=session, viewer_id=ann, target_id=bob)
    set_profile(session, bob, "Bob's new name", "bob-new-avatar")
    set_profile(session, ann, "Ann's new name", "ann-new-avatar")

    seen_by_ann = [
        friend_pane.snapshot(session=session, user_id=ann).outgoing[0],
        friend_pane.search(session=session, viewer_id=ann, username="bob")[0],
        history.history(session=session, viewer_id=ann, conversation_id=ann_bob).friend,
    ]
    seen_by_bob = [
        friend_pane.snapshot(session=session, user_id=bob).blocked[0],
        friend_pane.search(session=session, viewer_id=bob, username="ann")[0],
        history.history(session=session, viewer_id=bob, conversation_id=ann_bob).friend,
    ]
    for contact, username in [
        *((c, "bob") for c in seen_by_ann),
        *((c, "ann") for c in seen_by_bob),
    ]:
        assert (contact.username, contact.nickname, contact.avatar_file_id) == (
            username,
            username,
            "",
        )
    # Without the block, the current profile shows again.
    friends.unblock_user(session=session, viewer_id=bob, target_id=ann)
    page = history.history(session=session, viewer_id=ann, conversation_id=ann_bob)
    assert (page.friend.nickname, page.friend.avatar_file_id) == (
        "Bob's new name",
        "bob-new-avatar",
    )


def test_a_block_stops_read_receipts_both_ways(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    ann_bob = chat(session, ann, bob)
    for n in range(4):
        sending.send_message(
            session=session,
            viewer_id=ann if n % 2 == 0 else bob,
            conversation_id=ann_bob,
            client_id=f"c{n}",
            body=f"m{n}",
            settings=FAST,
        )

    def page(reader: int):
        return history.history(session=session, viewer_id=reader, conversation_id=ann_bob)

    receipt = read_cursors.mark_read(
        session=session, viewer_id=bob, conversation_id=ann_bob, up_to_seq=1
    )
    assert receipt is not None
    assert receipt.shared
    friends.block_user(session=session, viewer_id=bob, target_id=ann)

    for reader in (bob, ann):
        receipt = read_cursors.mark_read(
            session=session, viewer_id=reader, conversation_id=ann_bob, up_to_seq=4
        )
        # The reader's own tabs still learn it (unread counts); the other side does not.
        assert receipt is not None
        assert not receipt.shared
        assert page(reader).my_read_seq == 4
    assert page(ann).friend_read_seq == 1
    assert page(bob).friend_read_seq == 0
    assert count(session, ReadCursor, ReadCursor.last_read_seq == 4) == 2


def test_typing_and_presence_follow_friendship_which_a_block_ends(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    assert friends.are_friends(session=session, user_a=ann, user_b=bob)
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    for viewer, other in ((ann, bob), (bob, ann)):
        assert not friends.are_friends(session=session, user_a=viewer, user_b=other)
        assert other not in friends.friend_ids(session=session, user_id=viewer)


def test_unknown_ids_get_no_user_data_back(session: Session):
    """A sweep over every id, as an attacker would: nothing comes back but NotFound."""
    me = make_user(session, "me")
    others = [make_user(session, f"user_{uuid.uuid4().hex[:8]}") for _ in range(5)]
    for target in range(1, max(others) + 3):
        if target == me:
            continue
        for act in (friends.send_request, friends.block_user):
            with pytest.raises(NotFound):
                act(session=session, viewer_id=me, target_id=target)
    snapshot = friend_pane.snapshot(session=session, user_id=me)
    assert (snapshot.outgoing, snapshot.blocked) == ((), ())
