"""The friend list's order and unread counts per row: a message re-sends one small bucket.

A conversation with a new message moves to the top of the list by its row's CSS order and
its unread count changes; neither may re-send the list or every conversation's count, so
what a message costs on the wire is the same with 5 friends or with 60.
"""

from __future__ import annotations

import json

from chat_app.services.views import ContactView, FriendsSnapshot
from chat_app.states.friends import ORDER_BUCKETS, FriendsState
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


def _tab_with_friends(count: int) -> FriendsState:
    tab = make_tab(FriendsState)
    tab._show(FriendsSnapshot(friends=tuple(_friends(count))))
    tab.dirty_vars.clear()
    return tab


def _sent(state: FriendsState | UnreadState) -> set[str]:
    """The changed vars the browser is sent (backend vars stay on the server)."""
    return {name for name in state.dirty_vars if not name.startswith("_")}


def _shown(tab: FriendsState) -> list[int]:
    return [friend.conversation_id for friend in tab._shown_friends()]


def _delta_bytes(state: FriendsState | UnreadState) -> int:
    return len(json.dumps(state.get_delta()).encode())


def test_the_bucket_vars_match_their_names():
    assert len(ORDER_BUCKETS) == len(UNREAD_BUCKETS) == ROW_BUCKETS
    for names, state in ((ORDER_BUCKETS, FriendsState), (UNREAD_BUCKETS, UnreadState)):
        assert all(name in state.base_vars for name in names)


def test_a_message_moves_its_row_to_the_top_and_sends_one_bucket_not_the_list():
    tab = _tab_with_friends(60)
    last = FIRST_CONVERSATION + 59
    tab._bump_to_top(last)
    assert _sent(tab) == {ORDER_BUCKETS[bucket_of(last)]}
    assert _shown(tab)[:3] == [last, FIRST_CONVERSATION, FIRST_CONVERSATION + 1]

    tab.dirty_vars.clear()
    tab._bump_to_top(last)  # already on top: nothing to send
    assert _sent(tab) == set()

    tab._bump_to_top(FIRST_CONVERSATION + 30)
    # The list's first row moves up again above the two moved since.
    tab._bump_to_top(FIRST_CONVERSATION)
    shown = _shown(tab)
    assert shown[:4] == [FIRST_CONVERSATION, FIRST_CONVERSATION + 30, last, FIRST_CONVERSATION + 1]
    assert sorted(shown) == [friend.conversation_id for friend in _friends(60)]
    assert "friends" not in _sent(tab)


def test_a_conversation_not_in_the_list_moves_nothing():
    tab = _tab_with_friends(5)
    tab._bump_to_top(999)
    tab._bump_to_top(0)
    assert _sent(tab) == set()
    assert _shown(tab) == [friend.conversation_id for friend in _friends(5)]


def test_reading_the_list_again_drops_the_moves():
    tab = _tab_with_friends(5)
    for conversation in (FIRST_CONVERSATION + 3, FIRST_CONVERSATION + 1):
        tab._bump_to_top(conversation)
    # The database's order is the one the moves made: the list is sent in that order.
    listed = _friends(5)
    again = [listed[1], listed[3], listed[0], listed[2], listed[4]]
    tab._show(FriendsSnapshot(friends=tuple(again)))
    assert [f.conversation_id for f in tab.friends] == [f.conversation_id for f in again]
    assert _shown(tab) == [f.conversation_id for f in again]
    assert all(not getattr(tab, name) for name in ORDER_BUCKETS)
    # The first row is known: a message there moves nothing.
    tab.dirty_vars.clear()
    tab._bump_to_top(again[0].conversation_id)
    assert _sent(tab) == set()


def test_a_move_costs_the_same_with_5_or_60_friends():
    sizes = []
    for count in (5, 60):
        tab = _tab_with_friends(count)
        tab._bump_to_top(FIRST_CONVERSATION + 4)
        sizes.append(_delta_bytes(tab))
    assert sizes[0] == sizes[1] < 300, sizes


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
