"""The Chats tab over raw `/_event` clients: a new group arrives live, a message moves a row.

A group created in one tab shows at the top of every member's list on every open tab, and
is opened by the creating tab only. A message in another chat moves its row to the top and
replaces its last line for the cost of one row: the list itself is not sent again.
"""

from __future__ import annotations

from typing import Any

from chat_app.states.chat_list import ChatListState
from chat_app.states.new_group import NewGroupState
from chat_app.states.row_lines import LAST_BUCKETS
from chat_app.states.row_values import bucket_of
from tests.load.seed import Seeded, pair_key, seed_app_contacts, seed_app_users
from tests.realtime.helpers import (
    AUTH,
    CONVERSATION,
    LIST_ORDER,
    befriend,
    frame_without_events,
    open_chat,
    register,
    send_text,
    session_token,
    toasts,
    unique_username,
)
from tests.support.event_client import EventClient

CHATS = ChatListState.get_full_name()
NEW_GROUP = NewGroupState.get_full_name()
# Seeded names are bench<n>: each group of this module starts at its own n.
_groups = iter(range(20_000, 21_000, 100))


def _rows(tab: EventClient) -> list[dict[str, Any]]:
    return tab.var(CHATS, "rows") or []


def _order(tab: EventClient, conversation_id: int, index: int) -> int:
    bucket = tab.var(LIST_ORDER, f"order_{bucket_of(conversation_id)}") or {}
    return bucket.get(str(conversation_id), index)


def _gone(tab: EventClient) -> bool:
    return any("no longer available" in toast for toast in toasts(tab))


def shown_rows(tab: EventClient) -> list[dict[str, Any]]:
    """The Chats tab's rows in the order the page shows them (by their CSS order)."""
    rows = _rows(tab)
    placed = sorted((_order(tab, r["conversation_id"], i), i) for i, r in enumerate(rows))
    return [rows[i] for _, i in placed]


def last_line(tab: EventClient, row: dict[str, Any]) -> str:
    """The row's last line as shown: pushed since the list was read, or as read."""
    name = LAST_BUCKETS[bucket_of(row["conversation_id"])]
    pushed = (tab.var(CONVERSATION, name) or {}).get(str(row["conversation_id"]))
    return pushed[1] if pushed else row["line"]


async def test_a_new_group_shows_first_on_every_members_tab_and_opens_in_the_creators(backend):
    ann = await register(backend.url, unique_username("gann"))
    bob = await register(backend.url, unique_username("gbob"))
    cat = await register(backend.url, unique_username("gcat"))
    _, bob_id = await befriend(ann, bob)
    _, cat_id = await befriend(ann, cat)
    ann_second = await open_chat(backend.url, session_token(ann))
    bob_second = await open_chat(backend.url, session_token(bob))
    outsider = await register(backend.url, unique_username("gdan"))
    members = [ann_second, bob, bob_second, cat]
    for tab in (*members, outsider):
        await tab.wait_for(lambda c: c.var(CHATS, "rows") is not None)

    await ann.call(NEW_GROUP, "open_dialog", {})
    await ann.wait_for(lambda c: len(c.var(NEW_GROUP, "offered") or []) == 2)
    await ann.call(NEW_GROUP, "filter_friends", {"query": bob.var(AUTH, "username")})
    await ann.wait_for(lambda c: len(c.var(NEW_GROUP, "offered") or []) == 1)
    await ann.call(NEW_GROUP, "toggle_friend", {"user_id": bob_id})
    await ann.call(NEW_GROUP, "filter_friends", {"query": ""})
    await ann.wait_for(lambda c: len(c.var(NEW_GROUP, "offered") or []) == 2)
    await ann.call(NEW_GROUP, "toggle_friend", {"user_id": cat_id})
    await ann.wait_for(lambda c: len(c.var(NEW_GROUP, "picked") or []) == 2)
    await ann.call(NEW_GROUP, "set_group_name", {"name": "家族 Live"})
    await ann.call(NEW_GROUP, "create", {})

    await ann.wait_for(lambda c: shown_rows(c)[0]["name"] == "家族 Live")
    group = shown_rows(ann)[0]["conversation_id"]
    assert shown_rows(ann)[0]["kind"] == "group"
    # The creating tab opens it. Until history reads groups (the delivery slice), opening
    # one ends in the "not found" toast: either way, this tab alone tried.
    await ann.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == group or _gone(c))
    for tab in members:
        await tab.wait_for(
            lambda c: bool(_rows(c)) and shown_rows(c)[0]["conversation_id"] == group
        )
    for tab in members:
        assert tab.var(CONVERSATION, "conversation_id") != group
        assert not _gone(tab)
    assert group not in [row["conversation_id"] for row in _rows(outsider)]
    for tab in (ann, *members, outsider):
        await tab.close()


async def _push_for_a_message_from_the_bottom(backend: Any, friends: int) -> int:
    """The bytes of the push that shows the message of the last-listed chat first."""
    count = friends + 1 + (friends + 1) % 2
    users: list[Seeded] = seed_app_users(backend.database_url, count, next(_groups))
    group = users[: friends + 1]
    conversations = seed_app_contacts(backend.database_url, group, messages=1)
    reader, *others = group
    tab = await open_chat(backend.url, reader.token)
    await tab.wait_for(lambda c: len(_rows(c)) == friends)
    last = shown_rows(tab)[-1]
    writer = next(user for user in others if user.user_id == last["user_id"])
    conversation = conversations[pair_key(reader.user_id, writer.user_id)]
    assert last["conversation_id"] == conversation
    sender = await open_chat(backend.url, writer.token)
    await sender.call(CONVERSATION, "open_conversation", {"conversation_id": conversation})
    await sender.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == conversation)

    tab.frames.clear()
    await send_text(sender, "from the bottom of the chats")
    await tab.wait_for(lambda c: shown_rows(c)[0]["conversation_id"] == conversation)
    await tab.wait_for(lambda c: last_line(c, shown_rows(c)[0]) == "from the bottom of the chats")
    (moved,) = [frame for frame in tab.frames if f'{LIST_ORDER}"' in frame]
    assert not [frame for frame in tab.frames if "rows_rx_state_" in frame]
    size = len(frame_without_events(moved).encode())
    await tab.close()
    await sender.close()
    return size


async def test_a_message_moves_its_chat_first_without_resending_the_list(backend):
    small = await _push_for_a_message_from_the_bottom(backend, 5)
    large = await _push_for_a_message_from_the_bottom(backend, 60)
    # Only digits (ids, counts, times) may differ; 60 rows alone are about 15 KB.
    assert abs(large - small) <= 24, (small, large)
    assert large < 550, large
    print(f"chat list push for a message from the last chat: {small} B with 5, {large} B with 60")
