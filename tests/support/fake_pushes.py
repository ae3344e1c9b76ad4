"""Server-less pushes between state-test tabs, on a clock the test moves.

A group's typing and receipts are coalesced by timers (one push per conversation per
interval) and paced per tab. Here the timers wait for `Clock.advance`, and every push is
applied at once to the tabs of the users it names; each tab counts the updates that
changed what it shows (what would be a frame on the wire), per kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from chat_app.realtime import timers
from chat_app.states import group_reads, group_typing, tab_pace
from chat_app.states.conversation import ConversationState

Action = Callable[[], Awaitable[None]]
# Twelve members: enough for "and N more" and for counting pushes per member.
NAMES = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "lea"]


def _shown(tab: ConversationState) -> dict[str, Any]:
    return {
        "typing": (tuple(tab.typing_names), tab.typing_more),
        "reads": (tab.reads_all_upto, dict(tab.read_counts)),
    }


@dataclass
class Clock:
    """Fake time for the group modules, their timers, and the tabs they push to."""

    now: float = 1_000.0
    timers: dict[Hashable, tuple[float, Action]] = field(default_factory=dict)
    tabs_of: dict[int, list[ConversationState]] = field(default_factory=dict)
    # (tab token, kind) → how many updates changed what the tab shows.
    updates: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Every user a push named (the departed and the blocked must not be among them).
    named: list[int] = field(default_factory=list)
    _queued: list[tuple[list[str], Callable[[Any], Awaitable[Any]]]] = field(default_factory=list)

    # ----- the timers module -----

    def start_once(self, key: Hashable, delay: float, action: Action) -> None:
        if key not in self.timers:
            self.timers[key] = (self.now + delay, action)

    def restart(self, key: Hashable, delay: float, action: Action) -> None:
        self.timers[key] = (self.now + delay, action)

    def cancel(self, key: Hashable) -> None:
        self.timers.pop(key, None)

    async def advance(self, seconds: float) -> None:
        """Move the clock, running each timer that comes due (and what it pushes) in order."""
        until = self.now + seconds
        while True:
            due = [(at, key) for key, (at, _) in self.timers.items() if at <= until]
            if not due:
                break
            at, key = min(due, key=lambda pair: pair[0])
            self.now = max(self.now, at)
            _, action = self.timers.pop(key)
            await action()
            await self.drain()
        self.now = until

    # ----- pushes -----

    async def apply(self, tab: ConversationState, change: Callable[[Any], Awaitable[Any]]) -> None:
        before = _shown(tab)
        await change(tab)
        after = _shown(tab)
        token = tab.router.session.client_token
        for kind in before:
            if before[kind] != after[kind]:
                self.updates[(token, kind)] += 1

    async def notify_users(
        self, user_ids: Iterable[int], _cls: Any, change: Any, **_kwargs: Any
    ) -> list[str]:
        tokens = []
        for user_id in dict.fromkeys(user_ids):
            self.named.append(user_id)
            for tab in self.tabs_of.get(user_id, []):
                await self.apply(tab, change)
                tokens.append(tab.router.session.client_token)
        return tokens

    def push_to_tabs(self, tokens: Iterable[str], _cls: Any, change: Any) -> list[str]:
        listed = list(tokens)
        self._queued.append((listed, change))
        return listed

    def push_later(self, key: Hashable, delay: float, tab: str, cls: Any, change: Any) -> None:
        async def push() -> None:
            self.push_to_tabs([tab], cls, change)

        self.start_once(key, delay, push)

    async def drain(self) -> None:
        while self._queued:
            tokens, change = self._queued.pop(0)
            for tab in [t for tabs in self.tabs_of.values() for t in tabs]:
                if tab.router.session.client_token in tokens:
                    await self.apply(tab, change)

    def count(self, tab: ConversationState, kind: str) -> int:
        return self.updates[(tab.router.session.client_token, kind)]


def patched_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fake clock, patched into the group modules (no app is bound in state tests)."""
    fake = Clock()
    fake_time = SimpleNamespace(monotonic=lambda: fake.now, time=lambda: fake.now)
    for module in (group_typing, group_reads, tab_pace):
        monkeypatch.setattr(module, "time", fake_time)
    monkeypatch.setattr(timers, "start_once", fake.start_once)
    monkeypatch.setattr(timers, "restart", fake.restart)
    monkeypatch.setattr(timers, "cancel", fake.cancel)
    monkeypatch.setattr(group_typing, "notify_users", fake.notify_users)
    monkeypatch.setattr(group_reads, "notify_users", fake.notify_users)
    monkeypatch.setattr(tab_pace, "push_later", fake.push_later)
    # Rooms of an earlier test are not this one's.
    monkeypatch.setattr(group_typing, "_rooms", {})
    monkeypatch.setattr(group_reads, "_rooms", {})
    monkeypatch.setattr(group_reads, "_pushed_at", {})
    return fake


async def group_tabs(
    tab_factory, engine: Any, clock: Clock, names: list[str]
) -> tuple[int, dict[str, ConversationState], dict[str, int]]:
    """A group of `names` (the first its owner, friends with all), each with its tab open on it.

    Returns:
        The group's id, each member's conversation state and user id, by name.
    """
    from sqlmodel import Session

    from chat_app.models import Friendship, utc_now
    from chat_app.states.auth import AuthState
    from tests.support.groups import make_group
    from tests.support.tabs import logged_in_tab, run

    tabs: dict[str, ConversationState] = {}
    ids: dict[str, int] = {}
    for name in names:
        friends_tab = await logged_in_tab(tab_factory, name, f"{name}-tab")
        user_id = (await friends_tab.get_state(AuthState))._user_id
        assert user_id is not None
        ids[name] = user_id
        tabs[name] = await friends_tab.get_state(ConversationState)
    owner = ids[names[0]]
    with Session(engine) as session:
        for name in names[1:]:
            # Stored directly: asking many people in a row is over the request limit.
            low, high = sorted((owner, ids[name]))
            session.add(Friendship(user_low_id=low, user_high_id=high, created_at=utc_now()))
        session.commit()
        group = make_group(session, owner, *(ids[name] for name in names[1:]))
    for name, tab in tabs.items():
        await run(tab.open_conversation, group)
        assert tab.conversation_id == group
        assert tab.is_group
        clock.tabs_of.setdefault(ids[name], []).append(tab)
    return group, tabs, ids


def block(engine: Any, blocker: int, blocked: int) -> None:
    """`blocker` blocks `blocked` (stored directly: fellow members need not be related)."""
    from sqlmodel import Session

    from chat_app.models import Block, utc_now

    with Session(engine) as session:
        session.add(Block(blocker_id=blocker, blocked_id=blocked, created_at=utc_now()))
        session.commit()
