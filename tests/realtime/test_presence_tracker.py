"""The tab registry and the presence tracker, in-process and in Redis, behave alike.

The Redis versions are what several workers share; their expiry stands in for the cleanup
a crashed worker never runs.
"""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from chat_app.realtime import presence, push
from chat_app.realtime.presence import (
    LocalPresenceTracker,
    PresenceTracker,
    RedisPresenceTracker,
    is_online,
)
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.registry import (
    LocalTabRegistry,
    RedisTabRegistry,
    TabRegistry,
    tokens_of,
    tokens_of_audiences,
    tokens_of_users,
)


@pytest.fixture(params=["in-process", "redis"])
async def tracker(request, redis_client: Redis) -> PresenceTracker:
    if request.param == "redis":
        return RedisPresenceTracker(redis_client)
    return LocalPresenceTracker()


@pytest.fixture(params=["in-process", "redis"])
async def registry(request, redis_client: Redis) -> TabRegistry:
    if request.param == "redis":
        return RedisTabRegistry(redis_client)
    return LocalTabRegistry()


async def test_online_with_the_first_tab_offline_after_the_last(tracker: PresenceTracker):
    assert await tracker.connect(1, "tab-a") is True
    assert await tracker.connect(1, "tab-b") is False
    assert await tracker.connect(1, "tab-a") is False  # a re-hydrated tab
    assert await tracker.disconnect(1, "tab-a") is False
    assert await is_online(tracker, 1)
    assert await tracker.disconnect(1, "tab-b") is True
    assert not await is_online(tracker, 1)
    assert await tracker.disconnect(1, "tab-b") is False  # a second departure check: no-op
    assert await tracker.disconnect(2, "never-seen") is False
    assert await tracker.expire() == []


async def test_online_count_counts_users_not_tabs(tracker: PresenceTracker):
    assert await tracker.online_count() == 0
    await tracker.connect(1, "tab-a")
    await tracker.connect(1, "tab-b")
    await tracker.connect(2, "tab-c")
    assert await tracker.online_count() == 2
    await tracker.disconnect(2, "tab-c")
    await tracker.disconnect(1, "tab-a")
    assert await tracker.online_count() == 1


async def test_the_tabs_of_several_users_are_found_together(registry: TabRegistry):
    """What a group message is pushed to: every tab of its members, the sender's own aside."""
    await registry.register(1, "ann-1", "hash-1")
    await registry.register(1, "ann-2", "hash-1")
    await registry.register(2, "bob-1", "hash-2")
    await registry.register(3, "cid-1", "hash-3")
    found = await tokens_of_users(registry, [1, 2, 1, 4], excluding="ann-1")
    assert sorted(found) == ["ann-2", "bob-1"]
    assert sorted(await tokens_of_users(registry, [3, 2])) == ["bob-1", "cid-1"]
    assert await tokens_of_users(registry, []) == []
    assert await tokens_of_users(registry, [4]) == []
    each = await registry.tabs_of_each([2, 4, 1])
    assert [sorted(tab.tab_token for tab in tabs) for tabs in each] == [
        ["bob-1"],
        [],
        ["ann-1", "ann-2"],
    ]
    assert await registry.tabs_of_each([]) == []
    assert [[t.tab_token for t in tabs] for tabs in await registry.tabs_of_each([3])] == [["cid-1"]]


async def test_several_audiences_are_looked_up_in_one_call(registry: TabRegistry, monkeypatch):
    """A message's recipients and its sender's other tabs: one Redis round trip for both."""
    await registry.register(1, "ann-1", "hash-1")
    await registry.register(1, "ann-2", "hash-1")
    await registry.register(2, "bob-1", "hash-2")
    calls: list[list[int]] = []
    look_up = registry.tabs_of_each

    async def counted(user_ids):
        calls.append(list(user_ids))
        return await look_up(user_ids)

    monkeypatch.setattr(registry, "tabs_of_each", counted)
    found = await tokens_of_audiences(registry, [[2, 3], [1], [2, 1, 1]], excluding="ann-1")
    assert [sorted(tokens) for tokens in found] == [["bob-1"], ["ann-2"], ["ann-2", "bob-1"]]
    assert calls == [[2, 3, 1]]
    assert await tokens_of_audiences(registry, []) == []


async def test_registry_moves_a_tab_to_the_user_who_logs_in_on_it(registry: TabRegistry):
    await registry.register(1, "tab", "hash-1")
    await registry.register(1, "other", "hash-1")
    await registry.register(2, "tab", "hash-2")
    assert await registry.user_of("tab") == 2
    assert await tokens_of(registry, 1) == ["other"]
    assert [(t.tab_token, t.session_hash) for t in await registry.tabs_of(2)] == [("tab", "hash-2")]
    assert await tokens_of(registry, 2, excluding="tab") == []
    await registry.unregister("tab")
    await registry.unregister("never-registered")
    assert await registry.user_of("tab") is None
    assert await registry.tabs_of(2) == []
    await registry.clear()
    assert await registry.tabs_of(1) == []


async def test_a_tab_is_unregistered_only_as_registered_when_its_stamp_was_read(
    registry: TabRegistry,
):
    await registry.register(1, "tab", "hash-1")
    stamp = await registry.stamp_of("tab")
    assert stamp is not None
    await registry.register(1, "tab", "hash-1")  # the same tab's next page load
    assert await registry.stamp_of("tab") != stamp
    assert await registry.unregister_if("tab", stamp) is False
    assert await tokens_of(registry, 1) == ["tab"]
    current = await registry.stamp_of("tab")
    assert current is not None
    assert await registry.unregister_if("tab", current) is True
    assert await registry.user_of("tab") is None
    assert await registry.tabs_of(1) == []
    assert await registry.stamp_of("tab") is None
    assert await registry.unregister_if("tab", current) is False


async def _unchanged(_state: object) -> None:
    return None


@pytest.mark.parametrize("reconnect", ["after the check", "just before the unregister"])
async def test_a_tab_that_reconnects_while_a_push_drops_it_stays_registered(
    registry: TabRegistry, monkeypatch: pytest.MonkeyPatch, reconnect: str
):
    """A push finds the tab's socket gone; the tab comes back and registers before the drop."""
    monkeypatch.setattr(PROFILE, "tab_registry", registry)
    await registry.register(1, "tab", "hash-1")
    connected = False

    async def is_tab_connected(_tab_token: str) -> bool:
        nonlocal connected
        answer = connected
        if reconnect == "after the check" and not connected:
            # The socket comes back right after this answer; its on_load registers the tab.
            connected = True
            await registry.register(1, "tab", "hash-1")
        return answer

    def reregistering_first(remove):
        async def remove_after_a_reconnect(*args: str) -> object:
            nonlocal connected
            if reconnect == "just before the unregister":
                connected = True
                await registry.register(1, "tab", "hash-1")
            return await remove(*args)

        return remove_after_a_reconnect

    monkeypatch.setattr(push, "is_tab_connected", is_tab_connected)
    for name in ("unregister", "unregister_if"):
        monkeypatch.setattr(registry, name, reregistering_first(getattr(registry, name)))
    await push._apply("tab", [push._Queued(object, _unchanged, ())])  # type: ignore[arg-type]
    assert await tokens_of(registry, 1) == ["tab"]
    assert await registry.user_of("tab") == 1


async def test_a_push_to_a_closed_tab_unregisters_it(
    registry: TabRegistry, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(PROFILE, "tab_registry", registry)
    await registry.register(1, "tab", "hash-1")
    await registry.register(1, "open-tab", "hash-1")

    async def is_tab_connected(tab_token: str) -> bool:
        return tab_token == "open-tab"

    monkeypatch.setattr(push, "is_tab_connected", is_tab_connected)
    await push._apply("tab", [push._Queued(object, _unchanged, ())])  # type: ignore[arg-type]
    assert await tokens_of(registry, 1) == ["open-tab"]
    assert await registry.user_of("tab") is None


async def test_a_tab_whose_heartbeat_stopped_expires_once(
    redis_client: Redis, monkeypatch: pytest.MonkeyPatch
):
    """Two workers sweep the same Redis: the dead worker's user goes offline exactly once."""
    now = [1000.0]
    monkeypatch.setattr(presence.time, "time", lambda: now[0])
    worker_1, worker_2 = RedisPresenceTracker(redis_client), RedisPresenceTracker(redis_client)
    assert await worker_1.connect(1, "dead-worker-tab")
    assert await worker_2.connect(2, "live-tab")
    assert not await worker_2.connect(1, "second-tab-of-1")
    now[0] += presence.TAB_TTL_SECONDS / 2
    await worker_2.connect(2, "live-tab")  # the live tab's heartbeat
    assert await worker_1.expire() == []
    assert await worker_2.expire() == []
    now[0] += presence.TAB_TTL_SECONDS / 2 + 1
    # User 1's tabs stopped beating: one worker's sweep reports them, the other's not again.
    expired = [*await worker_2.expire(), *await worker_1.expire()]
    # Both tabs are dropped (no more pushes to them); the user goes offline once.
    assert sorted(e.tab_token for e in expired) == ["dead-worker-tab", "second-tab-of-1"]
    assert [e.user_id for e in expired if e.user_offline] == [1]
    assert await worker_1.online_among([1, 2, 3]) == {2}
    # A sweep long after the deadline (every worker was down a while) still reports it.
    assert await worker_1.connect(3, "tab-of-3")
    now[0] += 10 * presence.TAB_TTL_SECONDS
    late = sorted((e.user_id, e.user_offline) for e in await worker_2.expire())
    assert late == [(2, True), (3, True)]  # user 2's live tab stopped beating too
    # A heartbeat after an expiry (Redis was away) counts as coming online again.
    assert await worker_1.connect(1, "dead-worker-tab") is True
