"""The friend list's order and unread counts per row: a message re-sends one small bucket.

A conversation with a new message moves to the top of the list by its row's CSS order and
its unread count changes; neither may re-send the list or every conversation's count, so
what a message costs on the wire is the same with 5 friends or with 60.
"""

from __future__ import annotations

import json

import reflex as rx

from chat_app.services.people_views import ContactView, FriendsSnapshot
from chat_app.states.friends import FriendsState
from chat_app.states.list_order import ORDER_BUCKETS, ListOrderState
from chat_app.states.row_values import ROW_BUCKETS, bucket_of
from chat_app.states.unread import UNREAD_BUCKETS, UnreadState
from tests.support.tabs import make_tab

FIRST_CONVERSATION = 100


def _friends(count: int) -> list[ContactView]:
    """`count` friends, the most recent conversation first (conversation ids from 100)."""
    return [
        ContactView(
            user_id=n + 1,
            username=f"friend{n}",
            nickname=f"Friend {n}",
            avatar_url=f"/files/avatar/{n}?signature=0123456789abcdef",
            conversation_id=FIRST_CONVERSATION + n,
        )
        for n in range(count)
    ]


async def _tab_with_friends(count: int) -> tuple[FriendsState, ListOrderState]:
    """A tab showing `count` friends as read from the database, nothing sent since."""
    friends = make_tab(FriendsState)
    await friends._show(FriendsSnapshot(friends=tuple(_friends(count))))
    order = await friends.get_state(ListOrderState)
    for state in (friends, order):
        state.dirty_vars.clear()
    return friends, order


def _sent(state: rx.State) -> set[str]:
    """The changed vars the browser is sent (backend vars stay on the server)."""
    return {name for name in state.dirty_vars if not name.startswith("_")}


def _shown(friends: FriendsState, order: ListOrderState) -> list[int]:
    """The conversation ids of the friends, top to bottom as the page shows them."""
    return [friend.conversation_id for friend in order._shown(friends.friends)]


def _delta_bytes(state: rx.State) -> int:
    return len(json.dumps(state.get_delta()).encode())


def test_the_bucket_vars_match_their_names():
    assert len(ORDER_BUCKETS) == len(UNREAD_BUCKETS) == ROW_BUCKETS
    for names, state in ((ORDER_BUCKETS, ListOrderState), (UNREAD_BUCKETS, UnreadState)):
        assert all(name in state.base_vars for name in names)


async def test_a_message_moves_its_row_to_the_top_and_sends_one_bucket_not_the_list():
    friends, order = await _tab_with_friends(60)
    last = FIRST_CONVERSATION + 59
    order._move_to_top(last)
    assert _sent(order) == {ORDER_BUCKETS[bucket_of(last)]}
    assert _sent(friends) == set()
    assert _shown(friends, order)[:3] == [last, FIRST_CONVERSATION, FIRST_CONVERSATION + 1]

    order.dirty_vars.clear()
    order._move_to_top(last)  # already on top: nothing to send
    assert _sent(order) == set()

    order._move_to_top(FIRST_CONVERSATION + 30)
    # The list's first row moves up again, above the two moved since.
    order._move_to_top(FIRST_CONVERSATION)
    shown = _shown(friends, order)
    assert shown[:4] == [FIRST_CONVERSATION, FIRST_CONVERSATION + 30, last, FIRST_CONVERSATION + 1]
    assert sorted(shown) == [friend.conversation_id for friend in _friends(60)]
    assert _sent(friends) == set()


async def test_a_conversation_not_in_the_list_moves_no_row():
    friends, order = await _tab_with_friends(5)
    order._move_to_top(0)
    assert _sent(order) == set()
    order._move_to_top(999)
    assert _shown(friends, order) == [friend.conversation_id for friend in _friends(5)]


async def test_reading_the_list_again_drops_the_moves():
    friends, order = await _tab_with_friends(5)
    for conversation in (FIRST_CONVERSATION + 3, FIRST_CONVERSATION + 1):
        order._move_to_top(conversation)
    # The database's order is the one the moves made: the list is sent in that order.
    listed = _friends(5)
    again = [listed[1], listed[3], listed[0], listed[2], listed[4]]
    await friends._show(FriendsSnapshot(friends=tuple(again)))
    assert [f.conversation_id for f in friends.friends] == [f.conversation_id for f in again]
    assert _shown(friends, order) == [f.conversation_id for f in again]
    assert all(not getattr(order, name) for name in ORDER_BUCKETS)
    # Reading the same list again (every load) leaves the state untouched, backend vars
    # included: nothing to write back to Redis on the scaled profile.
    order.dirty_vars.clear()
    await friends._show(FriendsSnapshot(friends=tuple(again)))
    assert order.dirty_vars == set()
    # The first row of the chat list (read with the friends) is known: a message there
    # moves nothing.
    order._read_again(again[0].conversation_id)
    order.dirty_vars.clear()
    order._move_to_top(again[0].conversation_id)
    assert _sent(order) == set()


async def test_a_move_costs_the_same_with_5_or_60_friends():
    sizes = []
    for count in (5, 60):
        _friends_state, order = await _tab_with_friends(count)
        order._move_to_top(FIRST_CONVERSATION + 4)
        sizes.append(_delta_bytes(order))
    assert sizes[0] == sizes[1] < 200, sizes


def test_unread_counts_change_one_bucket_and_the_total():
    tab = make_tab(UnreadState)
    conversations = [FIRST_CONVERSATION + n for n in range(60)]
    for conversation in conversations:
        tab._count_one(conversation)
    tab.dirty_vars.clear()
    sizes = []
    for conversation in (conversations[0], conversations[-1]):
        tab._count_one(conversation)
        assert _sent(tab) == {UNREAD_BUCKETS[bucket_of(conversation)], "unread_total"}
        sizes.append(_delta_bytes(tab))
        tab.dirty_vars.clear()
    # 60 counts over 32 buckets: a bucket holds one or two of them, never all 60.
    assert max(sizes) < 250, sizes
    assert tab._unread(conversations[0]) == 2
    assert tab.unread_total == 62

    tab._set(conversations[0], 0)
    assert tab._unread(conversations[0]) == 0
    assert conversations[0] not in tab._counts().all()
    assert tab.unread_total == 60
    tab._set(conversations[1], 5)
    assert (tab._unread(conversations[1]), tab.unread_total) == (5, 64)
