"""One message fanned out to the many tabs of a user: the sender's tab is not held up by
it, and every tab gets every message once, in order.

The order in which this process receives frames stands for the order in which the server
sent them: no timings are compared. The sender's "sent" alone would not tell: when a push
was a task per tab, it left before the first copy, yet only once every copy was built; the
sender's next event then waited for the whole fan-out, and its update came after the last
copy.
"""

from __future__ import annotations

import asyncio
import itertools

from tests.realtime.helpers import (
    COMPOSER,
    Recorder,
    befriend,
    open_chat,
    open_conversation,
    register,
    send_text,
    session_token,
    shown,
    shown_seqs,
    unique_username,
)
from tests.support.event_client import EventClient

TABS = 50
MESSAGES = 5


class Arrivals:
    """When (in the order of every frame any tab received) each tab first showed each seq."""

    def __init__(self, order: itertools.count) -> None:
        self.order = order
        self.first: dict[int, int] = {}  # seq → arrival index
        self.sent: dict[int, int] = {}  # seq → arrival index of its "sent" (the sender's)
        self.sequence: list[int] = []  # seqs in the order they first showed
        self.draft: int | None = None  # arrival index of the composer's "  "

    def __call__(self, tab: EventClient) -> None:
        index = next(self.order)
        for message in shown(tab):
            seq = message["seq"]
            if seq > 0 and seq not in self.first:
                self.first[seq] = index
                self.sequence.append(seq)
            if seq > 0 and message.get("status") == "sent" and seq not in self.sent:
                self.sent[seq] = index
        if self.draft is None and tab.var(COMPOSER, "draft") == "  ":
            self.draft = index


async def test_a_large_fan_out_holds_up_neither_the_sender_nor_the_order_of_each_tab(backend_url):
    ann = await register(backend_url, unique_username("ann"))
    bob = await register(backend_url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann, bob)
    tabs = [bob]
    for _ in range(TABS - 1):
        tabs.append(await open_chat(backend_url, session_token(bob)))
    await open_conversation(ann, bob_id)
    await asyncio.gather(*(open_conversation(tab, ann_id) for tab in tabs))
    order = itertools.count()
    ann_arrivals = Arrivals(order)
    ann.observers.append(ann_arrivals)
    arrivals = [Arrivals(order) for _ in tabs]
    recorders = [Recorder(tab) for tab in tabs]
    for tab, arrival in zip(tabs, arrivals, strict=True):
        tab.observers.append(arrival)

    await send_text(ann, "first")
    # The sender goes on typing (blanks: no "typing" push) while the message fans out.
    await ann.call(COMPOSER, "set_draft", {"value": "  "})
    await asyncio.gather(*(tab.wait_for(lambda c: 1 in shown_seqs(c), 30) for tab in tabs))
    await ann.wait_for(lambda c: 1 in ann_arrivals.sent and ann_arrivals.draft is not None, 30)
    last_copy = max(arrival.first[1] for arrival in arrivals)
    # Both of the sender's updates left before the fan-out to the 50 tabs was over.
    assert ann_arrivals.sent[1] < last_copy
    assert ann_arrivals.draft is not None
    assert ann_arrivals.draft < last_copy

    # More, without waiting: each tab shows each message once, in the order sent.
    for n in range(2, MESSAGES + 1):
        await send_text(ann, f"message {n}")
    everything = list(range(1, MESSAGES + 1))
    await asyncio.gather(*(tab.wait_for(lambda c: shown_seqs(c) == everything, 30) for tab in tabs))
    for recorder, arrival in zip(recorders, arrivals, strict=True):
        assert arrival.sequence == everything
        assert recorder.duplicates == []
        assert recorder.disorder == []
    for tab in (ann, *tabs):
        await tab.close()
