"""Two backend instances behind one Redis and one PostgreSQL, as a scaled deployment runs.

Each instance is its own `reflex run --backend-only` process, so a test decides which one
a tab talks to (a load balancer would pick either) and can kill one outright.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.realtime.helpers import (
    Recorder,
    befriend,
    open_chat,
    open_conversation,
    register,
    sees_online,
    send_text,
    session_token,
    shown_seqs,
    unique_username,
)
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
