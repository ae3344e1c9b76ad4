"""Two backend instances behind one Redis and one PostgreSQL, as a scaled deployment runs.

Each instance is its own `reflex run --backend-only` process, so a test decides which one
a tab talks to (a load balancer would pick either) and can kill one outright.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa
from redis import Redis

from tests.realtime.helpers import (
    CONVERSATION,
    Recorder,
    befriend,
    open_chat,
    open_conversation,
    register,
    sees_online,
    send_text,
    session_token,
    shown,
    shown_seqs,
    unique_username,
)
from tests.support.engines import RedisServer
from tests.support.event_client import EventClient
from tests.support.live_app import backend_process, free_port, migrated_environment
from tests.support.scaled import scaled_settings

# A dead instance runs no cleanup: its tabs' heartbeats stop, their presence entries
# expire (15 s) and the next sweep (every 5 s) on the surviving instance reports them.
DEAD_WORKER_OFFLINE_BOUND = 30.0


@dataclass
class Instance:
    url: str
    process: object


@dataclass
class Cluster:
    a: Instance
    b: Instance
    database_url: str
    redis_url: str


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory) -> Iterator[Cluster]:
    workdir: Path = tmp_path_factory.mktemp("two-instances")
    extra = {"CHAT_MESSAGE_RATE_COUNT": "1000000"}
    extra |= scaled_settings(request, redis_db=2, workers=1)
    env, _log = migrated_environment(workdir, **extra)
    port_a, port_b = free_port(), free_port()
    with (
        backend_process(port_a, env, workdir / "a.log") as process_a,
        backend_process(port_b, env, workdir / "b.log") as process_b,
    ):
        yield Cluster(
            Instance(f"http://127.0.0.1:{port_a}", process_a),
            Instance(f"http://127.0.0.1:{port_b}", process_b),
            env["REFLEX_DB_URL"],
            env["REFLEX_REDIS_URL"],
        )


def message_count(database_url: str) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM message")).scalar_one()
    engine.dispose()
    return int(count)


async def friends_on_two_instances(
    cluster: Cluster,
) -> tuple[EventClient, EventClient, int, int]:
    """Ann registers on instance A, Bob on B; they become friends across the instances."""
    ann_reg = await register(cluster.a.url, unique_username("ann"))
    bob_reg = await register(cluster.b.url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann_reg, bob_reg)
    ann = await open_chat(cluster.a.url, session_token(ann_reg))
    bob = await open_chat(cluster.b.url, session_token(bob_reg))
    for tab in (ann_reg, bob_reg):
        await tab.close()
    return ann, bob, ann_id, bob_id


async def test_users_on_different_instances_chat_and_see_each_other(cluster: Cluster):
    ann, bob, ann_id, bob_id = await friends_on_two_instances(cluster)
    await bob.wait_for(lambda c: sees_online(c, ann_id) is True)
    await ann.wait_for(lambda c: sees_online(c, bob_id) is True)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    recorders = {tab: Recorder(tab) for tab in (ann, bob)}
    before = message_count(cluster.database_url)

    async def talk(tab: EventClient, name: str) -> None:
        for n in range(25):
            await send_text(tab, f"{name} {n}")

    # Both type at once, each on their own instance: 50 messages cross in both directions.
    await asyncio.gather(talk(ann, "ann"), talk(bob, "bob"))
    for tab, recorder in recorders.items():
        await tab.wait_for(lambda c, r=recorder: set(r.seen) == set(range(1, 51)), timeout=20)
        assert recorder.duplicates == []
        assert recorder.disorder == []
    assert sorted(recorders[ann].seen.values()) == sorted(recorders[bob].seen.values())
    assert message_count(cluster.database_url) == before + 50

    await ann.close()
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False, timeout=15)
    await bob.close()


def lease_requests(redis_engine: RedisServer) -> int:
    """How often a worker has asked another to hand over a tab's lease (Reflex's
    opportunistic locking adds the asking worker to `<tab>_lock_waiters`; nothing else in
    the app uses a Redis set)."""
    stats = cast(dict[str, Any], Redis.from_url(redis_engine.url).info("commandstats"))
    return int(stats.get("cmdstat_sadd", {}).get("calls", 0))


class _Hydrated:
    """The vars one hydrate frame carried (read like a tab's)."""

    def __init__(self, state: dict[str, dict[str, Any]]) -> None:
        self.state = state

    def var(self, state_name: str, name: str, default: Any = None) -> Any:
        return self.state.get(state_name, {}).get(f"{name}_rx_state_", default)


def _hydrate(frames: list[str]) -> dict[str, dict[str, Any]] | None:
    for frame in frames:
        if frame.startswith("42/_event,"):
            name, update = json.loads(frame[len("42/_event,") :])
            if name != "event":
                continue  # e.g. "new_token", whose payload is a string
            delta = update.get("delta") or {}
            if "window_rx_state_" in delta.get(CONVERSATION, {}):
                return delta
    return None


async def state_after_reconnect(tab: EventClient) -> EventClient:
    """The tab's state as the server holds it: a reconnect's hydrate sends all of it, before
    the page's load reads anything from the database.

    The test also checks the frames: a push is applied by the worker holding the tab's
    socket (realtime/push_relay.py), because a frame relayed from the other worker could
    arrive after a newer one sent directly and leave a slot showing its old content.
    """
    start = len(tab.frames)
    await tab.reconnect()
    await tab.wait_for(lambda c: _hydrate(c.frames[start:]) is not None)
    return cast(EventClient, _Hydrated(_hydrate(tab.frames[start:]) or {}))


async def test_tabs_on_both_instances_see_every_message_once_and_in_order_while_the_lock_moves(
    cluster: Cluster, redis_engine: RedisServer
):
    # Each user has a tab on each instance, and every message is pushed to tabs on both.
    # Each worker applies the pushes into its own tabs (realtime/push_relay.py), so a
    # tab's state stays with the worker holding its socket, leased or not.
    ann_a, bob_b, ann_id, bob_id = await friends_on_two_instances(cluster)
    ann_b = await open_chat(cluster.b.url, session_token(ann_a))
    bob_a = await open_chat(cluster.a.url, session_token(bob_b))
    tabs = {"ann_a": ann_a, "ann_b": ann_b, "bob_a": bob_a, "bob_b": bob_b}
    for name, tab in tabs.items():
        await open_conversation(tab, bob_id if name.startswith("ann") else ann_id)
    recorders = {name: Recorder(tab) for name, tab in tabs.items()}
    per_tab = 12

    async def talk(name: str) -> None:
        for n in range(per_tab):
            await send_text(tabs[name], f"{name} {n}")

    await asyncio.gather(*(talk(name) for name in tabs))
    total = per_tab * len(tabs)
    everything = list(range(1, total + 1))
    for name, tab in tabs.items():
        await tab.wait_for(lambda c, r=recorders[name]: set(r.seen) == set(everything))
        # What the tab shows from the frames it got: a push applied on the other worker
        # must not reach it after a newer update and leave a slot showing old content.
        await tab.wait_for(lambda c: shown_seqs(c) == everything, timeout=5)
        # What the tab's state on the server holds (its lock moved between the workers
        # while the messages came in): every message once, in the order they were stored,
        # each sender's in the order sent.
        held = await state_after_reconnect(tab)
        assert shown_seqs(held) == everything, name
        bodies = [message["body"] for message in shown(held)]
        for sender in tabs:
            sent = [body for body in bodies if body.startswith(f"{sender} ")]
            assert sent == [f"{sender} {n}" for n in range(per_tab)], (name, sender)
    # Each worker listens for the pushes the other hands to it (channels are server-wide:
    # other tests' workers may listen too).
    channels = cast(list[bytes], Redis.from_url(redis_engine.url).pubsub_channels("chat:push:*"))
    assert len(channels) >= 2
    for tab in tabs.values():
        await tab.close()


def leases_on() -> bool:
    """Whether the instances keep leases (the scaled profile's default, rxconfig.py)."""
    return os.environ.get("REFLEX_OPLOCK_ENABLED", "true").lower() in {"1", "true"}


async def move_to(tab: EventClient, instance: Instance, cluster: Cluster) -> EventClient:
    """Reconnect the tab (same token) to `instance`, as a load balancer may after a drop:
    the tab's state, as the server holds it, from the hydrate.

    Once the old worker has noticed the drop: Reflex gives a token that is still linked to
    a socket on another worker a new token (a fresh state, rebuilt from the database).
    """
    await tab.drop()
    record = f"token_manager_socket_record_{tab.token}"
    links = Redis.from_url(cluster.redis_url)
    deadline = time.monotonic() + 10
    while links.exists(record):
        assert time.monotonic() < deadline, "the old worker kept the tab's socket record"
        await asyncio.sleep(0.05)
    tab.backend_url = instance.url
    return await state_after_reconnect(tab)


async def test_a_tab_moving_between_instances_takes_every_pushed_message_along(
    cluster: Cluster, redis_engine: RedisServer
):
    # With leases, the messages pushed into Ann's tab live only in its worker's memory
    # until the lease ends (25 s): moving the tab makes the new worker ask for the lease,
    # and the old one must save them first.
    ann, bob, ann_id, bob_id = await friends_on_two_instances(cluster)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    requests_before = lease_requests(redis_engine)
    sent = 0
    for instance in (cluster.b, cluster.a, cluster.b):
        # Few enough that the lease (5 s) is still held when the tab moves.
        for _ in range(5):
            sent += 1
            await send_text(bob, f"bob {sent}")
        await ann.wait_for(lambda c, n=sent: len(shown(c)) == n)
        held = await move_to(ann, instance, cluster)
        assert shown_seqs(held) == list(range(1, sent + 1)), instance.url
        # The moved tab goes on getting pushes, and its own sends go out.
        await ann.wait_for(lambda c, n=sent: shown_seqs(c) == list(range(1, n + 1)))
    sent += 1
    await send_text(ann, "ann, from the tab that moved")
    await bob.wait_for(lambda c, n=sent: len(shown(c)) == n)
    if leases_on():
        # The leases did move: the workers asked each other for the tab's state.
        assert lease_requests(redis_engine) > requests_before
    for tab in (ann, bob):
        await tab.close()


async def test_killing_an_instance_leaves_the_other_serving_and_its_tabs_catch_up(
    cluster: Cluster,
):
    ann, bob, ann_id, bob_id = await friends_on_two_instances(cluster)
    # Carol, another friend of Bob's, is on instance A too and never comes back.
    carol_reg = await register(cluster.a.url, unique_username("carol"))
    bob_second = await open_chat(cluster.b.url, session_token(bob))
    carol_id, _ = await befriend(carol_reg, bob_second)
    carol = await open_chat(cluster.a.url, session_token(carol_reg))
    await carol_reg.close()
    await bob.wait_for(lambda c: sees_online(c, carol_id) is True)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    await send_text(bob, "before the crash")
    await ann.wait_for(lambda c: shown_seqs(c)[-1:] == [1])

    os.killpg(cluster.a.process.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    killed_at = time.monotonic()
    for tab in (ann, carol):
        await tab.drop()  # their sockets died with the instance

    # Instance B goes on serving: Bob writes while Ann is away.
    for n in range(5):
        await send_text(bob, f"while A is down {n}")
    # Ann's browser reconnects; the load balancer sends it to the surviving instance, and
    # the page's load catches up from the database: every message once, in order.
    ann.backend_url = cluster.b.url
    await ann.reconnect()
    await ann.wait_for(lambda c: shown_seqs(c)[-6:] == [1, 2, 3, 4, 5, 6], timeout=15)
    assert shown_seqs(ann) == sorted(set(shown_seqs(ann)))
    await send_text(ann, "back")
    await bob.wait_for(lambda c: shown_seqs(c)[-1:] == [7])

    # Carol's tab died with instance A without any cleanup: she goes offline for Bob,
    # while Ann, who came back through B, stays online.
    await bob.wait_for(
        lambda c: sees_online(c, carol_id) is False, timeout=DEAD_WORKER_OFFLINE_BOUND
    )
    print(f"dead instance's user offline after {time.monotonic() - killed_at:.1f} s")
    assert sees_online(bob, ann_id) is True
    for tab in (ann, bob, bob_second):
        await tab.close()
