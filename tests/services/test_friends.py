"""Friends rules: search, requests, accept/reject/cancel, remove, block, limits, races."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from chat_app.models import Block, ConversationMember, FriendRequest, Friendship, utc_now
from chat_app.services import friend_pane, friends
from chat_app.services.errors import NotFound, RateLimited, Refused
from tests.support.users import know, make_friends, make_user


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    made = {name: make_user(session, name) for name in ("ann", "bob", "cat", "dan")}
    for viewer in made.values():
        know(session, viewer, *made.values())
    return made


def count(session: Session, table: type, *where) -> int:
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def snap(session: Session, user_id: int):
    return friend_pane.snapshot(session=session, user_id=user_id)


def ids(contacts) -> list[int]:
    return [contact.user_id for contact in contacts]


def request(session: Session, sender: int, target: int):
    return friends.send_request(session=session, viewer_id=sender, target_id=target)


def pending_id(session: Session, sender: int, target: int) -> int:
    return next(c.request_id for c in snap(session, target).incoming if c.user_id == sender)


# ----- search -----


def test_search_is_exact_and_ignores_case(session: Session, users):
    contact, relation = friend_pane.search(session=session, viewer_id=users["ann"], username="BOB")
    assert (contact.user_id, contact.username, relation) == (users["bob"], "bob", "can_add")
    with pytest.raises(NotFound):
        friend_pane.search(session=session, viewer_id=users["ann"], username="bo")


@pytest.mark.parametrize("typed", ["@bob", " @Bob ", "\uff20bob"])
def test_search_takes_the_name_as_shown_with_its_at_sign(session: Session, users, typed):
    contact, _ = friend_pane.search(session=session, viewer_id=users["ann"], username=typed)
    assert contact.user_id == users["bob"]


@pytest.mark.parametrize(
    "username", ["", "x", "no such user", "nobody", None, 5, ["bob"], "b%", "@", "@@bob", "bo@b"]
)
def test_search_for_unknown_or_malformed_names_finds_nothing(session: Session, users, username):
    with pytest.raises(NotFound):
        friend_pane.search(session=session, viewer_id=users["ann"], username=username)


def test_search_shows_each_relation(session: Session, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]

    def relation(name: str) -> str:
        return friend_pane.search(session=session, viewer_id=ann, username=name)[1]

    request(session, ann, bob)
    request(session, cat, ann)
    friends.block_user(session=session, viewer_id=ann, target_id=dan)
    assert relation("ann") == "self"
    assert relation("bob") == "request_sent"
    assert relation("cat") == "request_received"
    assert relation("dan") == "blocked"
    friends.accept_request(session=session, viewer_id=ann, request_id=pending_id(session, cat, ann))
    assert relation("cat") == "friend"


# ----- requests -----


def test_request_then_accept_makes_one_friendship_and_notifies_both(session: Session, users):
    ann, bob = users["ann"], users["bob"]
    sent = request(session, ann, bob)
    assert sent.affected_user_ids == {ann, bob}
    assert [(n.user_id, n.kind, n.nickname) for n in sent.notices] == [
        (bob, "notice_request_received", "Ann")
    ]
    assert ids(snap(session, bob).incoming) == [ann]
    assert ids(snap(session, ann).outgoing) == [bob]

    accepted = friends.accept_request(
        session=session, viewer_id=bob, request_id=pending_id(session, ann, bob)
    )
    assert [(n.user_id, n.kind) for n in accepted.notices] == [(ann, "notice_request_accepted")]
    assert ids(snap(session, ann).friends) == [bob]
    assert ids(snap(session, bob).friends) == [ann]
    assert snap(session, bob).incoming == ()
    assert count(session, Friendship) == 1


def test_no_self_requests_and_no_duplicates(session: Session, users):
    ann, bob = users["ann"], users["bob"]
    with pytest.raises(Refused, match="cannot_add_self"):
        request(session, ann, ann)
    request(session, ann, bob)
    with pytest.raises(Refused, match="already_requested"):
        request(session, ann, bob)
    assert count(session, FriendRequest) == 1


def test_asking_someone_who_already_asked_you_makes_you_friends(session: Session, users):
    ann, bob = users["ann"], users["bob"]
    request(session, ann, bob)
    change = request(session, bob, ann)
    assert [(n.user_id, n.kind) for n in change.notices] == [(ann, "notice_request_accepted")]
    assert count(session, Friendship) == 1
    assert count(session, FriendRequest, FriendRequest.status == "pending") == 0
    with pytest.raises(Refused, match="already_friends"):
        request(session, ann, bob)


def test_reject_and_cancel(session: Session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    request(session, ann, bob)
    rejected = friends.reject_request(
        session=session, viewer_id=bob, request_id=pending_id(session, ann, bob)
    )
    assert [(n.user_id, n.kind) for n in rejected.notices] == [(ann, "notice_request_rejected")]
    assert snap(session, ann).outgoing == ()
    # A rejected user may ask again later.
    request(session, ann, bob)
    request(session, ann, cat)
    cancel_id = snap(session, ann).outgoing[0].request_id
    change = friends.cancel_request(session=session, viewer_id=ann, request_id=cancel_id)
    assert change.notices == ()
    assert ids(snap(session, ann).outgoing) == [bob]
    assert snap(session, cat).incoming == ()


def test_requests_per_hour_are_limited(session: Session):
    sender = make_user(session, "spammer")
    targets = [make_user(session, f"target_{n}") for n in range(21)]
    know(session, sender, *targets)
    now = utc_now()
    for target in targets[:20]:
        friends.send_request(session=session, viewer_id=sender, target_id=target, now=now)
    with pytest.raises(RateLimited, match="too_many_requests"):
        friends.send_request(session=session, viewer_id=sender, target_id=targets[20], now=now)
    later = now + timedelta(hours=1, seconds=1)
    friends.send_request(session=session, viewer_id=sender, target_id=targets[20], now=later)


# ----- forged ids and other people's requests -----


@pytest.mark.parametrize("forged", [0, -1, 999_999, None, "2", 2.0, True, {"id": 2}, [2]])
def test_forged_ids_are_refused_without_changing_rows(session: Session, users, forged):
    ann = users["ann"]
    request(session, users["bob"], ann)
    before = [count(session, table) for table in (FriendRequest, Friendship, Block)]
    for action in (friends.send_request,):
        with pytest.raises(NotFound):
            action(session=session, viewer_id=ann, target_id=forged)
    for action in (friends.accept_request, friends.reject_request, friends.cancel_request):
        with pytest.raises(NotFound):
            action(session=session, viewer_id=ann, request_id=forged)
    for action in (friends.block_user, friends.unblock_user):
        with pytest.raises(NotFound):
            action(session=session, viewer_id=ann, target_id=forged)
    with pytest.raises(NotFound):
        friends.remove_friend(session=session, viewer_id=ann, friend_id=forged)
    assert [count(session, table) for table in (FriendRequest, Friendship, Block)] == before


def test_nobody_can_answer_someone_elses_request(session: Session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    request(session, ann, bob)
    request_id = pending_id(session, ann, bob)
    for intruder in (cat, ann):
        with pytest.raises(NotFound):
            friends.accept_request(session=session, viewer_id=intruder, request_id=request_id)
        with pytest.raises(NotFound):
            friends.reject_request(session=session, viewer_id=intruder, request_id=request_id)
    for intruder in (cat, bob):
        with pytest.raises(NotFound):
            friends.cancel_request(session=session, viewer_id=intruder, request_id=request_id)
    assert count(session, FriendRequest, FriendRequest.status == "pending") == 1
    assert count(session, Friendship) == 0


def test_answered_requests_cannot_be_answered_again(session: Session, users):
    ann, bob = users["ann"], users["bob"]
    request(session, ann, bob)
    request_id = pending_id(session, ann, bob)
    friends.accept_request(session=session, viewer_id=bob, request_id=request_id)
    with pytest.raises(NotFound):
        friends.reject_request(session=session, viewer_id=bob, request_id=request_id)
    with pytest.raises(NotFound):
        friends.cancel_request(session=session, viewer_id=ann, request_id=request_id)
    assert count(session, Friendship) == 1


# ----- remove and block -----


def test_either_friend_can_remove_the_other(session: Session, users):
    ann, bob = users["ann"], users["bob"]
    make_friends(session, ann, bob)
    change = friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    assert change.affected_user_ids == {ann, bob}
    assert snap(session, ann).friends == ()
    with pytest.raises(NotFound):
        friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)


def test_block_removes_friendship_and_requests_and_stops_new_ones(session: Session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    make_friends(session, ann, bob)
    request(session, cat, ann)
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    friends.block_user(session=session, viewer_id=ann, target_id=cat)
    assert count(session, Friendship) == 0
    assert count(session, FriendRequest, FriendRequest.status == "pending") == 0
    assert ids(snap(session, ann).blocked) == [bob, users["cat"]]
    # The blocker must unblock before asking.
    with pytest.raises(Refused, match="unblock_first"):
        request(session, ann, bob)
    # The blocked user is not told: the request "goes out" but never reaches the blocker.
    change = request(session, bob, ann)
    assert change.affected_user_ids == {bob}
    assert change.notices == ()
    assert ids(snap(session, bob).outgoing) == [ann]
    assert snap(session, ann).incoming == ()
    # Nothing about the block shows in the blocked user's search.
    assert friend_pane.search(session=session, viewer_id=cat, username="ann")[1] == "can_add"


def test_unblock(session: Session, users):
    ann, bob = users["ann"], users["bob"]
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    friends.block_user(session=session, viewer_id=ann, target_id=bob)  # idempotent
    assert count(session, Block) == 1
    friends.unblock_user(session=session, viewer_id=ann, target_id=bob)
    assert count(session, Block) == 0
    with pytest.raises(NotFound):
        friends.unblock_user(session=session, viewer_id=ann, target_id=bob)
    with pytest.raises(Refused, match="cannot_block_self"):
        friends.block_user(session=session, viewer_id=ann, target_id=ann)
    request(session, ann, bob)


def test_friend_list_is_sorted_by_name(session: Session):
    me = make_user(session, "me")
    for username, nickname in (("z1", "zoe"), ("a1", "Adam"), ("m1", "mia")):
        make_friends(session, make_user(session, username, nickname), me)
    assert [c.nickname for c in snap(session, me).friends] == ["Adam", "mia", "zoe"]


# ----- races -----


def test_two_users_asking_each_other_at_once_end_as_friends_once(engine: sa.Engine):
    with Session(engine) as session:
        ann, bob = make_user(session, "ann"), make_user(session, "bob")
        know(session, ann, bob)
        know(session, bob, ann)
    for _round in range(10):
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def ask(
            sender: int,
            target: int,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            with Session(engine) as session:
                barrier.wait()
                try:
                    friends.send_request(session=session, viewer_id=sender, target_id=target)
                except Refused as error:  # the other side's accept may land first
                    if error.code != "already_friends":
                        errors.append(error)
                except BaseException as error:
                    errors.append(error)

        threads = [
            threading.Thread(target=ask, args=(ann, bob)),
            threading.Thread(target=ask, args=(bob, ann)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with Session(engine) as session:
            assert count(session, Friendship) == 1
            assert count(session, FriendRequest, FriendRequest.status == "pending") == 0
            # Both are current members of their conversation, first made or made again.
            current = col(ConversationMember.left_at).is_(None)
            assert count(session, ConversationMember, current) == 2
            friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)
