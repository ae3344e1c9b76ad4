"""What a tab shows of its user's friends' presence, and of nobody else's."""

from __future__ import annotations

from chat_app.states import presence as presence_module
from chat_app.states.friends import FriendsState
from chat_app.states.presence import PresenceState
from tests.support.tabs import chat_tabs, run

SEEN = "2026-12-05T02:12:02+00:00"


async def test_a_change_on_its_way_during_a_block_does_not_show_the_blocked_user(tab_factory):
    _, bob, ann_id, _ = await chat_tabs(tab_factory)
    presence = await bob.get_state(PresenceState)
    await run(presence.load)
    # A friend's change shows.
    await presence_module._show_changes({ann_id: (True, SEEN)}, presence)
    assert presence.online[ann_id] is True

    friends = await bob.get_state(FriendsState)
    await run(friends.ask_confirm, "block", ann_id, "Ann")
    await run(friends.confirm)
    await run(presence.load)  # what the block's handler asks for
    assert ann_id not in presence.online

    # Ann's "online", announced to her friends just before the block, arrives after it.
    await presence_module._show_changes({ann_id: (True, SEEN)}, presence)
    assert ann_id not in presence.online
    assert ann_id not in presence.last_seen
