"""Typing and "Read by N" in a group of twenty, every member's tab open, on both profiles.

Many type at once, then many read at once: each tab gets at most one typing update every
2 s and at most one receipt update a second, whatever the number of members doing it
(never N² frames), the receipts go only to the senders of what was read, and a receipt
frame stays small (it carries counts for the tab's own messages on screen, not a list of
members).
"""

from __future__ import annotations

import asyncio
import itertools
import time

from chat_app.states.group_reads import RECEIPT_INTERVAL
from chat_app.states.group_typing import TYPING_INTERVAL
from tests.load.seed import seed_app_group, seed_app_users
from tests.realtime.conftest import Backend
from tests.realtime.helpers import (
    COMPOSER,
    CONVERSATION,
    frame_without_events,
    open_chat,
    send_text,
    shown,
    shown_seqs,
)
from tests.support.event_client import EventClient

MEMBERS = 20
_firsts = itertools.count(30_000, 100)
TYPING_VARS = ("typing_names_rx_state_", "typing_more_rx_state_")
RECEIPT_VARS = ("read_counts_rx_state_", "reads_all_upto_rx_state_")


def _frames_with(tab: EventClient, names: tuple[str, ...], since: int, until: int) -> list[str]:
    return [
        frame
        for frame in tab.frames[since:until]
        if frame.startswith("42/_event,") and any(f'"{name}"' in frame for name in names)
    ]


async def _group_of_tabs(backend: Backend) -> tuple[list[EventClient], int]:
    users = seed_app_users(backend.database_url, MEMBERS, next(_firsts))
    group = seed_app_group(backend.database_url, users)
    tabs = list(await asyncio.gather(*(open_chat(backend.url, user.token) for user in users)))
    for tab in tabs:
        await tab.call(CONVERSATION, "open_conversation", {"conversation_id": group})
    for tab in tabs:
        await tab.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == group, 30)
    return tabs, group


async def test_many_typing_and_reading_at_once_stay_bounded_per_tab(backend: Backend):
    tabs, _group = await _group_of_tabs(backend)
    ann, *others = tabs

    # ----- everyone but ann types at once, for five seconds -----
    marks = [len(tab.frames) for tab in tabs]
    started = time.monotonic()
    round_number = 0
    while time.monotonic() - started < 5.0:
        # Keystrokes every half second, three more members joining in each time (who
        # types keeps changing); each tab notes "typing" at most every 2 s.
        typing = others[: 3 * (round_number + 1)]
        await asyncio.gather(
            *(
                tab.call(COMPOSER, "set_draft", {"value": f"typing {round_number}"})
                for tab in typing
            )
        )
        round_number += 1
        await asyncio.sleep(0.5)  # the pace of a person typing, not a wait for the server

    def names_shown(tab: EventClient) -> bool:
        names = tab.var(CONVERSATION, "typing_names") or []
        # The eighteen others: "A, B, C and 15 more".
        return len(names) == 3 and tab.var(CONVERSATION, "typing_more") == MEMBERS - 2 - 3

    await ann.wait_for(lambda c: len(c.var(CONVERSATION, "typing_names") or []) == 3, 20)
    # Ann types nothing: she sees the nineteen others ("A, B, C and 16 more").
    await ann.wait_for(lambda c: c.var(CONVERSATION, "typing_more") == MEMBERS - 1 - 3, 20)
    await asyncio.gather(*(tab.wait_for(names_shown, 20) for tab in others))
    elapsed = time.monotonic() - started
    ends = [len(tab.frames) for tab in tabs]
    most = int(elapsed / TYPING_INTERVAL) + 1
    typing_updates = [
        len(_frames_with(tab, TYPING_VARS, mark, end))
        for tab, mark, end in zip(tabs, marks, ends, strict=True)
    ]
    assert all(1 <= count <= most for count in typing_updates), (typing_updates, most)

    # Nobody types any more: every line empties after the timeout.
    for tab in tabs:
        await tab.call(COMPOSER, "set_draft", {"value": ""})
    await asyncio.gather(
        *(tab.wait_for(lambda c: not c.var(CONVERSATION, "typing_names"), 20) for tab in tabs)
    )

    # ----- five members send, and everyone reads at once -----
    senders = tabs[:5]
    marks = [len(tab.frames) for tab in tabs]
    started = time.monotonic()
    for number, tab in enumerate(senders):
        await send_text(tab, f"message {number}")
    await asyncio.gather(*(tab.wait_for(lambda c: len(shown_seqs(c)) == 5, 30) for tab in tabs))

    def own_read(tab: EventClient) -> bool:
        # A sender's own message shows "Read" once the nineteen others have read it.
        mine = [m["seq"] for m in shown(tab) if m["sender_id"] == tab.var(CONVERSATION, "my_id")]
        return bool(mine) and (tab.var(CONVERSATION, "reads_all_upto") or 0) >= max(mine)

    await asyncio.gather(*(tab.wait_for(own_read, 30) for tab in senders))
    elapsed = time.monotonic() - started
    ends = [len(tab.frames) for tab in tabs]
    most = int(elapsed / RECEIPT_INTERVAL) + 1
    receipt_frames = [
        _frames_with(tab, RECEIPT_VARS, mark, end)
        for tab, mark, end in zip(tabs, marks, ends, strict=True)
    ]
    counts = [len(frames) for frames in receipt_frames]
    assert all(1 <= count <= most for count in counts[:5]), (counts, most)
    # Nothing of theirs was read: the other members' tabs heard of no receipt.
    assert counts[5:] == [0] * (MEMBERS - 5), counts
    # A receipt update carries counts for the tab's own messages on screen, no members.
    sizes = [
        len(frame_without_events(frame).encode())
        for frames in receipt_frames
        for frame in frames
        if '"live_' not in frame
    ]
    assert max(sizes, default=0) < 600, sizes
    print(
        f"{backend.profile}: typing updates per tab {min(typing_updates)}-{max(typing_updates)}, "
        f"receipt updates per sender tab {min(counts[:5])}-{max(counts[:5])}, "
        f"receipt frame ≤ {max(sizes, default=0)} B"
    )
    for tab in tabs:
        await tab.close()
