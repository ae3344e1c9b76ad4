"""A push that arrives ahead of an earlier one: the tab waits a moment before catching up.

Both people sending at once make this ordinary: under load one push in six arrived ahead of
the one before it, and catching up at once for each cost more than the messages themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import pytest
from sqlmodel import Session

from chat_app.services.views import MessageView
from chat_app.states import push_gaps
from chat_app.states.chime import ChimeRound
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.message_push import _message_arrived
from tests.support.groups import make_group
from tests.support.tabs import chat_tabs, conversation_with, run


class Gaps:
    """The gap checks asked for, run when the test says the wait is over."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.waiting: dict[Hashable, tuple[float, Callable[[], Awaitable[None]]]] = {}
        self.pushed: list[tuple[list[str], Any]] = []
        self.reads: list[bool] = []
        monkeypatch.setattr(push_gaps, "push_later", self._push_later)
        monkeypatch.setattr(ConversationState, "_read_soon", self._read_soon)

    def _push_later(self, key: Hashable, delay: float, tab: str, _cls: Any, change: Any) -> None:
        async def push() -> None:
            self.pushed.append(([tab], change))

        self.waiting.setdefault(key, (delay, push))

    def _read_soon(self, forget_unread: bool = True) -> None:
        # Set on the class, but a bound method of this object: called as `tab._read_soon(…)`.
        self.reads.append(forget_unread)

    async def wait_is_over(self, tab: ConversationState) -> list[Any]:
        """Run the pending check, and its push on `tab`; what the push returned."""
        ((delay, action),) = self.waiting.values()
        assert delay == push_gaps.GAP_WAIT_SECONDS
        self.waiting.clear()
        await action()
        ((tabs, change),) = self.pushed
        self.pushed.clear()
        assert tabs == [tab.router.session.client_token]
        return await change(tab)


async def on_their_chat(tab_factory) -> tuple[ConversationState, ConversationState, int, int]:
    """Ann's and Bob's tabs, both on their conversation: `(ann, bob, ann_id, bob_id)`."""
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    await run(bob.open_conversation, ann.conversation_id)
    return ann, bob, ann_id, bob_id


async def bob_sends(bob: ConversationState, *bodies: str) -> list[MessageView]:
    """Bob's messages to the conversation his tab shows, stored (not pushed yet)."""
    composer = await bob.get_state(ComposerState)
    for body in bodies:
        await run(composer.send, {"body": body})
    return bob._buffer().stored()[-len(bodies) :]


async def bob_sent_two(tab_factory) -> tuple[ConversationState, list[MessageView]]:
    """Ann's tab on her conversation with Bob, and Bob's two messages (not pushed yet)."""
    ann, bob, _ann_id, _bob_id = await on_their_chat(tab_factory)
    return ann, await bob_sends(bob, "first", "second")


async def arrives(tab: ConversationState, message: MessageView) -> list[Any]:
    return await _message_arrived(message, tab.conversation_id, "Bob", ChimeRound())(tab)


def shown(tab: ConversationState) -> list[tuple[int, str]]:
    return [(m.seq, m.body) for m in tab._buffer().stored()]


async def test_a_push_ahead_of_its_predecessor_shows_and_waits_for_it(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    gaps = Gaps(monkeypatch)
    ann, (first, second) = await bob_sent_two(tab_factory)

    # The second arrives first: shown at once, no catch-up yet, and not read past the gap.
    assert await arrives(ann, second) == []
    assert shown(ann) == [(2, "second")]
    assert gaps.reads == []
    # A second message behind the same gap asks for no second check.
    assert len(gaps.waiting) == 1

    # The first follows within the wait: in order, read, and the check finds nothing to do.
    assert await arrives(ann, first) == []
    assert shown(ann) == [(1, "first"), (2, "second")]
    assert gaps.reads == [False]
    assert await gaps.wait_is_over(ann) == []
    assert shown(ann) == [(1, "first"), (2, "second")]


async def test_a_gap_still_there_after_the_wait_is_caught_up(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    gaps = Gaps(monkeypatch)
    ann, (_first, second) = await bob_sent_two(tab_factory)
    assert await arrives(ann, second) == []

    # The first never comes (lost with a worker): the check asks the tab to catch up.
    assert await gaps.wait_is_over(ann) == [ConversationState.catch_up]
    await run(ann.catch_up)
    assert shown(ann) == [(1, "first"), (2, "second")]


async def test_a_gap_filled_by_the_tab_itself_is_read_when_the_wait_is_over(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    """A push ahead of the reader's own message: its handler fills the gap, no push does."""
    gaps = Gaps(monkeypatch)
    ann, (first, second) = await bob_sent_two(tab_factory)
    assert await arrives(ann, second) == []
    ann._add([first])  # as the sending handler shows its own stored message
    assert gaps.reads == []
    assert await gaps.wait_is_over(ann) == []
    assert gaps.reads == [False]


async def test_a_check_for_a_conversation_the_tab_left_does_nothing(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    gaps = Gaps(monkeypatch)
    ann, (_first, second) = await bob_sent_two(tab_factory)
    assert await arrives(ann, second) == []
    await run(ann.close_conversation)
    assert await gaps.wait_is_over(ann) == []
    assert gaps.reads == []


async def test_a_gap_in_the_next_conversation_gets_its_own_check(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    """A check still pending for the conversation the tab left does not stand in for it."""
    gaps = Gaps(monkeypatch)
    ann, bob, ann_id, bob_id = await on_their_chat(tab_factory)
    (_first, second) = await bob_sends(bob, "first", "second")
    assert await arrives(ann, second) == []

    # Ann opens a group with Bob at once, and a push there shows a gap too.
    with Session(engine) as session:
        group = make_group(session, bob_id, ann_id)
    await run(ann.open_conversation, group)
    await run(bob.open_conversation, group)
    (_one, two) = await bob_sends(bob, "one", "two")
    assert await arrives(ann, two) == []
    assert len(gaps.waiting) == 2
    # The first check finds the tab elsewhere; the group's catches up.
    results = []
    for key, check in list(gaps.waiting.items()):
        gaps.waiting = {key: check}
        results.append(await gaps.wait_is_over(ann))
    assert results == [[], [ConversationState.catch_up]]
