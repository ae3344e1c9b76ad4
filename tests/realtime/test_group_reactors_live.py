"""A group's reaction chips name who reacted: the tabs learn the reactors' names, on both
profiles, also of members who never wrote in the group (live, and when a page is read)."""

from __future__ import annotations

from chat_app.states.group_timeline import SENDER_BUCKETS
from chat_app.states.message_actions import MessageActionsState
from chat_app.states.row_values import bucket_of
from tests.realtime.group_helpers import close_all, group_tab, group_tabs, seed_group
from tests.realtime.helpers import CONVERSATION, send_text, shown
from tests.support.event_client import EventClient

ACTIONS = MessageActionsState.get_full_name()


def _known_name(tab: EventClient, user_id: int) -> str | None:
    """The name the tab's look-up of the group's people holds for `user_id`, if any."""
    bucket = tab.var(CONVERSATION, SENDER_BUCKETS[bucket_of(user_id)]) or {}
    entry = bucket.get(str(user_id))
    return entry[0] if entry else None


async def test_a_reactor_who_never_wrote_is_named_in_every_tab(backend):
    members, group = seed_group(backend.database_url, 4)
    owner, writer, reactor, latecomer = members
    tabs = await group_tabs(backend.url, [owner, writer, reactor], group)
    await send_text(tabs[1], "who is in for Friday?")
    for tab in tabs:
        await tab.wait_for(
            lambda c: [m["body"] for m in shown(c)][-1:] == ["who is in for Friday?"]
        )
    seq = shown(tabs[0])[-1]["seq"]
    assert _known_name(tabs[0], reactor.user_id) is None  # never wrote, not named yet

    await tabs[2].call(
        ACTIONS, "toggle_reaction", {"conversation_id": group, "seq": seq, "emoji": "👍"}
    )
    for tab in tabs[:2]:
        await tab.wait_for(lambda c: _known_name(c, reactor.user_id) not in (None, ""))
    name = _known_name(tabs[0], reactor.user_id)

    # A tab opened now reads the page with the reactor named.
    late = await group_tab(backend.url, latecomer, group)
    try:
        assert _known_name(late, reactor.user_id) == name
    finally:
        await close_all([*tabs, late])
