"""The one fan-out, `notify_users`: which tabs a change goes to (no server: pushes recorded)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import reflex as rx

from chat_app.realtime import push
from chat_app.realtime.notify_soon import notify_user_soon
from chat_app.realtime.profile import PROFILE


@dataclass(frozen=True)
class Push:
    """One push to one tab: what `push._apply` would have applied there."""

    tab: str
    state_cls: type
    change: Callable[[Any], Any]
    events: list[Any]


def capture_pushes(monkeypatch: pytest.MonkeyPatch) -> list[Push]:
    """Bind a stand-in app and record each push to a tab as it is made (none is applied)."""
    pushed: list[Push] = []

    async def record(tab: str, changes: Sequence[Any]) -> None:
        pushed.extend(Push(tab, c.state_cls, c.change, list(c.events)) for c in changes)

    monkeypatch.setattr(push, "_app", object())
    monkeypatch.setattr(push, "_apply", record)
    return pushed


async def _unchanged(_state: rx.State) -> None:
    return None


@pytest.fixture
async def tabs() -> AsyncIterator[None]:
    """Ann (user 1) has two tabs, Bob (2) one, Cid (3) one."""
    await PROFILE.tab_registry.clear()
    for user_id, tab in ((1, "ann-1"), (1, "ann-2"), (2, "bob-1"), (3, "cid-1")):
        await PROFILE.tab_registry.register(user_id, tab, f"session-of-{tab}")
    yield
    await PROFILE.tab_registry.clear()


@pytest.mark.usefixtures("tabs")
async def test_each_named_users_tabs_get_the_change_once_except_the_callers(monkeypatch):
    pushed = capture_pushes(monkeypatch)
    toast = rx.toast.info("hello")
    tabs = await push.notify_users(
        [1, 2, 1], rx.State, _unchanged, except_tab="ann-1", events=[toast]
    )
    await push.settled()
    assert sorted(p.tab for p in pushed) == ["ann-2", "bob-1"]
    assert sorted(tabs) == ["ann-2", "bob-1"]
    assert all(p.state_cls is rx.State and p.change is _unchanged for p in pushed)
    assert all(p.events == [toast] for p in pushed)


@pytest.mark.usefixtures("tabs")
async def test_without_an_excluded_tab_every_tab_of_the_users_is_reached(monkeypatch):
    pushed = capture_pushes(monkeypatch)
    await push.notify_users([1, 3], rx.State, _unchanged)
    await push.settled()
    assert sorted(p.tab for p in pushed) == ["ann-1", "ann-2", "cid-1"]
    assert [p.events for p in pushed] == [[], [], []]


@pytest.mark.usefixtures("tabs")
async def test_nothing_is_pushed_without_an_app(monkeypatch):
    pushed: list[Push] = capture_pushes(monkeypatch)
    monkeypatch.setattr(push, "_app", None)
    assert await push.notify_users([1, 2, 3], rx.State, _unchanged) == []
    assert pushed == []


async def test_a_user_without_tabs_gets_nothing(monkeypatch):
    await PROFILE.tab_registry.clear()
    pushed = capture_pushes(monkeypatch)
    assert await push.notify_users([42], rx.State, _unchanged) == []
    assert pushed == []


async def test_a_tabs_changes_apply_in_order_one_transaction_at_a_time(monkeypatch):
    """Changes queued while a tab's transaction runs go together in its next one, in
    order; other tabs are not held up meanwhile."""
    transactions: list[tuple[str, list[str]]] = []
    first_started, release = asyncio.Event(), asyncio.Event()

    async def apply(tab: str, changes: Sequence[Any]) -> None:
        names = [c.change.__name__ for c in changes]
        transactions.append((tab, names))
        if names == ["first"]:
            first_started.set()
            await release.wait()

    def named(name: str) -> Callable[[rx.State], Any]:
        async def change(_state: rx.State) -> None:
            return None

        change.__name__ = name
        return change

    monkeypatch.setattr(push, "_app", object())
    monkeypatch.setattr(push, "_apply", apply)
    push.push_to_tabs(["x"], rx.State, named("first"))
    await first_started.wait()
    for name in ("second", "third"):
        push.push_to_tabs(["x", "y"], rx.State, named(name))
    # "y" gets both while "x" is still busy with "first" (a few loop turns at most).
    for _ in range(50):
        await asyncio.sleep(0)
    assert transactions == [("x", ["first"]), ("y", ["second", "third"])]
    release.set()
    await push.settled()
    assert transactions[-1] == ("x", ["second", "third"])
    assert len(transactions) == 3


@pytest.mark.usefixtures("tabs")
async def test_the_asks_of_one_moment_share_one_look_up_and_reach_their_own_users(monkeypatch):
    """A group's reads each tell the reader's other tabs: one registry look-up for all."""
    pushed = capture_pushes(monkeypatch)
    looked_up: list[list[int]] = []
    real_look_up = PROFILE.tab_registry.tabs_of_each

    async def counted(user_ids):
        looked_up.append(list(user_ids))
        return await real_look_up(user_ids)

    monkeypatch.setattr(PROFILE.tab_registry, "tabs_of_each", counted)

    async def to_ann(_state: rx.State) -> None:
        return None

    async def to_bob(_state: rx.State) -> None:
        return None

    async def again_to_ann(_state: rx.State) -> None:
        return None

    notify_user_soon(1, rx.State, to_ann, except_tab="ann-1")
    notify_user_soon(2, rx.State, to_bob, except_tab="bob-1")
    notify_user_soon(1, rx.State, again_to_ann)
    notify_user_soon(42, rx.State, _unchanged)
    assert pushed == []  # nothing waited for: the look-up runs after the callers
    await push.settled()
    assert looked_up == [[1, 2, 42]]
    assert [(p.tab, p.change) for p in pushed if p.tab == "ann-2"] == [
        ("ann-2", to_ann),
        ("ann-2", again_to_ann),
    ]
    assert [(p.tab, p.change) for p in pushed if p.tab != "ann-2"] == [("ann-1", again_to_ann)]

    notify_user_soon(3, rx.State, _unchanged)  # a later moment: a look-up of its own
    await push.settled()
    assert looked_up == [[1, 2, 42], [3]]
    assert pushed[-1].tab == "cid-1"


@pytest.mark.usefixtures("tabs")
async def test_a_later_ask_without_an_app_pushes_nothing(monkeypatch):
    pushed = capture_pushes(monkeypatch)
    monkeypatch.setattr(push, "_app", None)
    notify_user_soon(1, rx.State, _unchanged)
    await push.settled()
    assert pushed == []


async def test_up_to_workers_tabs_wait_at_once_so_their_reads_can_share_a_batch(monkeypatch):
    """Tabs whose transactions wait (a read waiting for its batch) do not hold up the next
    ones, up to `push.WORKERS` of them: a group's reads reach the database together."""
    waiting: list[str] = []
    release = asyncio.Event()

    async def apply(tab: str, _changes: Sequence[Any]) -> None:
        waiting.append(tab)
        await release.wait()

    monkeypatch.setattr(push, "_app", object())
    monkeypatch.setattr(push, "_apply", apply)
    tabs = [f"member-{n}" for n in range(push.WORKERS + 5)]
    push.push_to_tabs(tabs, rx.State, _unchanged)
    for _ in range(50):
        await asyncio.sleep(0)
    assert push.WORKERS >= 32
    assert waiting == tabs[: push.WORKERS]  # all at once, in turn; the rest queued
    release.set()
    await push.settled()
    assert waiting == tabs
