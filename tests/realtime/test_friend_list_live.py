"""A message moves its conversation to the top of the friend list for the cost of one row.

The recipient's list is the database's (newest conversation first); a message from the
friend at its bottom shows that friend first, with the unread count, and the push that
does it is the same size with 5 friends or with 60: the list is not sent again.
"""

from __future__ import annotations

from typing import Any

from tests.load.seed import Seeded, pair_key, seed_app_contacts, seed_app_users
from tests.realtime.helpers import (
    CONVERSATION,
    FRIENDS,
    LIST_ORDER,
    UNREAD,
    frame_without_events,
    open_chat,
    sees_online,
    send_text,
    shown_friends,
    unread_in,
)
from tests.support.event_client import EventClient

# Seeded names are bench<n>: each group of this module starts at its own n.
_groups = iter(range(9000, 10_000, 100))


async def _push_for_a_message_from_the_bottom(backend: Any, friends: int) -> int:
    """The bytes of the push that shows the message of the recipient's last-listed friend."""
    # Seeded in pairs: an even number, one left over when `friends` is even.
    count = friends + 1 + (friends + 1) % 2
    users: list[Seeded] = seed_app_users(backend.database_url, count, next(_groups))
    # Every two of the group friends, each conversation with a message of its own time:
    # every list has a defined order.
    group = users[: friends + 1]
    conversations = seed_app_contacts(backend.database_url, group, messages=1)
    reader, *others = group
    tab = await open_chat(backend.url, reader.token)
    await tab.wait_for(lambda c: len(c.var(FRIENDS, "friends") or []) == friends)
    await tab.wait_for(lambda c: c.var(UNREAD, "unread_total") == 0)
    before = shown_friends(tab)
    last = before[-1]
    writer = next(user for user in others if user.user_id == last["user_id"])
    conversation = conversations[pair_key(reader.user_id, writer.user_id)]
    assert last["conversation_id"] == conversation
    sender = await open_chat(backend.url, writer.token)
    await sender.call(CONVERSATION, "open_conversation", {"conversation_id": conversation})
    await sender.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == conversation)
    # The writer's tab coming online reaches the reader as a presence push of its own; under
    # load it could share a frame with the row's move and be counted with it.
    await tab.wait_for(lambda c: sees_online(c, writer.user_id) is True)

    tab.frames.clear()
    await send_text(sender, "from the bottom of the list")
    await tab.wait_for(lambda c: unread_in(c, conversation) == 1)
    await tab.wait_for(lambda c: shown_friends(c)[0]["conversation_id"] == conversation)
    # The push that moves the row; the toast and the chime ride in the same frame, and are
    # not counted (they are the same whatever the list).
    (moved,) = [frame for frame in tab.frames if f'{LIST_ORDER}"' in frame]
    assert not [frame for frame in tab.frames if "friends_rx_state_" in frame]
    size = len(frame_without_events(moved).encode())
    # The writer is shown first, the others in the order they had.
    assert shown_friends(tab) == [last, *before[:-1]]
    await _close(tab, sender)
    return size


async def _close(*tabs: EventClient) -> None:
    for tab in tabs:
        await tab.close()


async def test_a_message_from_the_last_friend_shows_it_first_for_one_row_of_bytes(backend):
    small = await _push_for_a_message_from_the_bottom(backend, 5)
    large = await _push_for_a_message_from_the_bottom(backend, 60)
    # Only digits (ids, counts) may differ; the list of 60 friends alone is about 10 KB.
    assert abs(large - small) <= 16, (small, large)
    # The frame carries the row's order, its unread count and (since the Chats tab) its
    # last line and time.
    assert large < 550, large
    print(f"push for a message from the last friend: {small} B with 5, {large} B with 60")
