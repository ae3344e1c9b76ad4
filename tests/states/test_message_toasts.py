"""Which toasts a new message raises in the recipient's tab (issue 17, item 7).

A burst from one friend is one toast whose count goes up (one toast id per conversation);
the conversation the tab shows never gets one, however the reader looks at it.
"""

from __future__ import annotations

import re

from reflex_base.event import Event

from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.unread import UnreadState
from tests.support.history import seed_history
from tests.support.tabs import chat_tabs, conversation_with, run
from tests.support.toasts import toast_text

_TOAST_ID = re.compile(r'\["id"\] : "([^"]*)"')


async def arrive(
    sender: ConversationState, body: str, reader: ConversationState, reader_id: int, arrivals
) -> list[tuple[str, str]]:
    """`sender` sends `body`; the push reaches `reader`'s tab: its toasts' (text, id)."""
    arrivals.clear()
    await run((await sender.get_state(ComposerState)).send, {"body": body})
    (change,) = [change for users, change in arrivals if users == [reader_id]]
    shown = []
    for event in Event.from_event_type(await change(reader)):
        function = event.payload.get("function", "")
        if text := toast_text(str(function)):
            ids = _TOAST_ID.findall(str(function))
            shown.append((text, ids[0] if ids else ""))
    return shown


async def test_a_burst_from_one_friend_is_one_toast_counting_up(tab_factory, arrivals):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    conversation = await conversation_with(bob, ann_id)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    key = f"new-messages-{conversation}"

    shown = [await arrive(ann, f"hi {n}", bob, bob_id, arrivals) for n in range(3)]
    assert shown == [
        [("New message from Ann", key)],
        [("2 new messages from Ann", key)],
        [("3 new messages from Ann", key)],
    ]

    # Read, then left: the count starts again.
    await run(bob.open_conversation, conversation)
    # Opened at the first unread: the first report may be the moment before the list
    # scrolls there (read later); the second is the reader at the bottom.
    await run(bob.reader_at_bottom)
    await run(bob.reader_at_bottom)
    assert (await bob.get_state(UnreadState))._counts().all() == {}
    await run(bob.close_conversation)
    assert await arrive(ann, "again", bob, bob_id, arrivals) == [("New message from Ann", key)]


async def test_no_toast_for_the_open_conversation(tab_factory, engine, arrivals):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    seed_history(str(engine.url), ann_id, bob_id, 200)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    await run(bob.open_conversation, await conversation_with(bob, ann_id))

    # At the newest message, scrolled up, in a hidden tab: the list shows it, no toast.
    assert await arrive(ann, "at the bottom", bob, bob_id, arrivals) == []
    await run(bob.reader_scrolled_up)
    assert await arrive(ann, "scrolled up", bob, bob_id, arrivals) == []
    await run(bob.reader_at_bottom)
    await run(bob.tab_visibility, True)
    assert await arrive(ann, "tab hidden", bob, bob_id, arrivals) == []
    await run(bob.tab_visibility, False)

    # Far back in the history (the newest messages let go): still no toast, but counted.
    for _ in range(3):
        await run(bob.load_older)
    assert bob.has_newer
    assert await arrive(ann, "while far back", bob, bob_id, arrivals) == []
    assert await arrive(ann, "still far back", bob, bob_id, arrivals) == []
    assert (await bob.get_state(UnreadState)).unread_total == 2


async def test_a_push_that_comes_twice_is_shown_counted_and_toasted_once(tab_factory, arrivals):
    """A relay's retried PUBLISH may deliver a push twice (realtime/redis_link.py)."""
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    conversation = await conversation_with(bob, ann_id)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    unread = await bob.get_state(UnreadState)

    async def arrives_twice(body: str) -> tuple[list[str], list[str]]:
        arrivals.clear()
        await run((await ann.get_state(ComposerState)).send, {"body": body})
        (change,) = [change for users, change in arrivals if users == [bob_id]]
        return (toasts_of(await change(bob)), toasts_of(await change(bob)))

    # Closed: one toast, one unread.
    assert await arrives_twice("once") == (["New message from Ann"], [])
    assert (unread._unread(conversation), unread.unread_total) == (1, 1)

    # Open in a hidden tab: shown once, one more unread, "1 new".
    await run(bob.open_conversation, conversation)
    await run(bob.reader_at_bottom)
    await run(bob.reader_at_bottom)
    await run(bob.tab_visibility, True)
    assert await arrives_twice("while hidden") == ([], [])
    assert [m.body for m in bob._buffer().stored()].count("while hidden") == 1
    assert bob.unseen == 1
    assert (unread._unread(conversation), unread.unread_total) == (1, 1)


def toasts_of(events) -> list[str]:
    return [
        text
        for event in Event.from_event_type(events)
        if (text := toast_text(str(event.payload.get("function", ""))))
    ]
