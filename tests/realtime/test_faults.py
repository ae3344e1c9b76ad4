"""Faults of the scaled profile's engines: what a user sees, and that nothing is doubled.

The engines here are this module's own (a PostgreSQL cluster and a Redis server that the
tests stop and start), so no other test sees the outages.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from chat_app.states.outbox_entries import read
from tests.realtime.conftest import FAST_SENDING
from tests.realtime.helpers import (
    COMPOSER,
    FRIENDS,
    OUTBOX,
    befriend,
    open_chat,
    open_conversation,
    register,
    send_form,
    send_text,
    session_token,
    shown,
    shown_seqs,
    toasts,
    unique_username,
)
from tests.support.engines import PostgresCluster, RedisServer, postgres_cluster, redis_server
from tests.support.event_client import EventClient
from tests.support.live_app import (
    PROJECT_DIR,
    REFLEX,
    app_environment,
    backend_process,
    free_port,
    migrated_environment,
)
from tests.support.scaled import scaled_environment
from tests.support.sql import rows_with_body


@dataclass
class Deployment:
    url: str
    database_url: str
    postgres: PostgresCluster
    redis: RedisServer
    log: Path


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, azurite_engine: str) -> Iterator[Deployment]:
    workdir: Path = tmp_path_factory.mktemp("faults")
    with postgres_cluster() as postgres, redis_server() as redis:
        extra = scaled_environment(postgres, redis, azurite_engine, redis_db=0, workers=1)
        # The Redis restart test sends at 10/s, past the per-user rate limit.
        extra |= FAST_SENDING
        env, log = migrated_environment(workdir, **extra)
        port = free_port()
        with backend_process(port, env, log):
            yield Deployment(f"http://127.0.0.1:{port}", env["REFLEX_DB_URL"], postgres, redis, log)


async def chatting(deployment: Deployment) -> tuple[EventClient, EventClient, int, int]:
    ann_reg = await register(deployment.url, unique_username("ann"))
    bob_reg = await register(deployment.url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann_reg, bob_reg)
    ann = await open_chat(deployment.url, session_token(ann_reg))
    bob = await open_chat(deployment.url, session_token(bob_reg))
    for tab in (ann_reg, bob_reg):
        await tab.close()
    # The hydrate already carries a (still empty) friend list: wait for the loaded one.
    await ann.wait_for(lambda c: bob_id in friend_ids(c))
    await bob.wait_for(lambda c: ann_id in friend_ids(c))
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    return ann, bob, ann_id, bob_id


def friend_ids(tab: EventClient) -> list[int]:
    return [friend["user_id"] for friend in tab.var(FRIENDS, "friends") or []]


def pending(tab: EventClient, body: str) -> dict | None:
    return next((m for m in shown(tab) if m["body"] == body), None)


def test_an_unreachable_redis_at_start_is_named(tmp_path: Path):
    env = app_environment(f"sqlite:///{tmp_path / 'chat.db'}", tmp_path / "data")
    env["REFLEX_REDIS_URL"] = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    args = [REFLEX, "run", "--env", "prod", "--backend-only", "--backend-port", str(free_port())]
    args += ["--backend-host", "127.0.0.1"]  # it stops at start, but never listens beyond
    result = subprocess.run(
        args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "REFLEX_REDIS_URL=redis://:***@127.0.0.1:" in output
    assert "is not reachable" in output
    assert "s3cret" not in output


async def test_a_postgresql_restart_fails_an_in_flight_send_visibly_and_retry_stores_it_once(
    deployment: Deployment,
):
    ann, bob, _ann_id, _bob_id = await chatting(deployment)
    body = "sent while the database restarts"
    # Hold the message table so Ann's insert is in flight when PostgreSQL goes down.
    blocker = psycopg.connect(deployment.database_url.replace("+psycopg", ""))
    blocker.execute("LOCK TABLE message IN ACCESS EXCLUSIVE MODE")
    await send_text(ann, body)
    await ann.wait_for(lambda c: (pending(c, body) or {}).get("status") == "sending")
    deployment.postgres.stop()
    blocker.close()
    await ann.wait_for(lambda c: (pending(c, body) or {}).get("status") == "failed", timeout=20)
    failed = pending(ann, body)
    assert failed is not None
    assert failed["error"]  # the reason is shown beside the Retry button
    deployment.postgres.start()

    await ann.call(COMPOSER, "retry", {"client_id": failed["client_id"]})
    await ann.wait_for(lambda c: (pending(c, body) or {}).get("status") == "sent", timeout=20)
    await bob.wait_for(lambda c: pending(c, body) is not None)
    # A second retry (a double click, a replayed event) cannot make a second row.
    await ann.call(COMPOSER, "retry", {"client_id": failed["client_id"]})
    await send_text(ann, "and the next one")
    await bob.wait_for(lambda c: pending(c, "and the next one") is not None)
    assert rows_with_body(deployment.database_url, body) == 1
    assert [m["body"] for m in shown(bob)].count(body) == 1
    for tab in (ann, bob):
        await tab.close()


async def logged(log: Path, text: str, timeout: float = 20.0) -> None:
    """Wait until the server's log holds `text`."""
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert time.monotonic() < deadline, f"{text!r} not logged within {timeout} s"
        await asyncio.sleep(0.1)


async def test_redis_lost_at_run_time_is_reported_and_a_send_waits_for_it(
    deployment: Deployment,
):
    ann, bob, _ann_id, _bob_id = await chatting(deployment)
    await send_text(ann, "before")
    await bob.wait_for(lambda c: pending(c, "before") is not None)
    ann.events.clear()

    deployment.redis.stop(save=True)
    await send_text(ann, "while Redis is away")
    # The log names the setting that points at Redis; the send waits (up to 20 s).
    await logged(deployment.log, "Redis (REFLEX_REDIS_URL) failed while")
    await send_text(ann, "after")
    deployment.redis.start()

    # Both go out once Redis is back, in the order they were sent, and no error is shown.
    await bob.wait_for(lambda c: pending(c, "after") is not None, timeout=20)
    bodies = [m["body"] for m in shown(bob)]
    assert bodies.index("while Redis is away") < bodies.index("after")
    assert shown_seqs(bob) == sorted(set(shown_seqs(bob)))
    assert rows_with_body(deployment.database_url, "while Redis is away") == 1
    assert not toasts(ann)
    for tab in (ann, bob):
        await tab.close()


def bodies_stored(database_url: str, prefix: str) -> list[str]:
    """The bodies starting with `prefix`, in the conversation's order (one per row)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        query = sa.text("SELECT body FROM message WHERE body LIKE :prefix ORDER BY seq")
        bodies = list(connection.execute(query, {"prefix": f"{prefix}%"}).scalars())
    engine.dispose()
    return bodies


SENDS = 200
REDIS_STOPS_AFTER = 50
REDIS_STARTS_AFTER = 80


async def test_sends_during_a_redis_restart_are_stored_once_or_stay_visible(
    deployment: Deployment,
):
    """Ann sends at 10/s as a browser does (the text set, then the form) while Redis
    restarts with its data kept: no send may vanish without a word."""
    ann, bob, ann_id, _bob_id = await chatting(deployment)
    prefix = "through a Redis restart"
    bodies = [f"{prefix} {n:03}" for n in range(SENDS)]
    outage: asyncio.Task | None = None
    redis_gone_at = redis_back_at = 0.0
    acked_at: dict[str, float] = {}

    def note_acks(tab: EventClient) -> None:
        for message in shown(tab):
            if message["status"] != "sending" and message["body"] not in acked_at:
                acked_at[message["body"]] = time.monotonic()

    ann.observers.append(note_acks)

    async def restart_redis() -> None:
        nonlocal redis_gone_at, redis_back_at
        await asyncio.to_thread(deployment.redis.stop, save=True)
        redis_gone_at = time.monotonic()
        # Redis stays away while 30 more sends (3 s at 10/s) go out.
        while sent < REDIS_STARTS_AFTER:
            await asyncio.sleep(0.05)
        await asyncio.to_thread(deployment.redis.start)
        redis_back_at = time.monotonic()

    sent = 0
    for sent, body in enumerate(bodies, start=1):
        await ann.call(COMPOSER, "set_draft", {"value": body})
        await ann.call(COMPOSER, "send", {"form_data": send_form(ann, body)})
        if sent == REDIS_STOPS_AFTER:
            outage = asyncio.create_task(restart_redis())
        await asyncio.sleep(0.1)  # the pace of the load (10 sends a second), not a wait
    assert outage is not None
    await outage
    # A barrier: the tab's events run in order, so once this one's update is back, every
    # send before it has been handled (or dropped).
    await ann.call(OUTBOX, "set_logout_warning_open", {"open_": True})
    await ann.wait_for(lambda c: c.var(OUTBOX, "logout_warning_open") is True, timeout=90)

    stored = bodies_stored(deployment.database_url, prefix)
    outbox = {entry.body: entry for entry in read(ann.var(OUTBOX, "outbox") or "", ann_id).entries}
    draft = ann.var(COMPOSER, "draft")
    counts = {"stored": 0, "in composer": 0, "failed": 0, "waiting in outbox": 0, "lost": 0}
    lost = []
    for body in bodies:
        if body in stored:
            counts["stored"] += 1
        elif body in outbox and outbox[body].failure:
            counts["failed"] += 1
        elif body in outbox:
            counts["waiting in outbox"] += 1
        elif body == draft:
            counts["in composer"] += 1
        else:
            counts["lost"] += 1
            lost.append(body)
    during = [
        acked_at[b] for b in bodies[REDIS_STOPS_AFTER - 1 : REDIS_STARTS_AFTER] if b in acked_at
    ]
    caught_up = max(during, default=redis_back_at) - redis_back_at
    away = redis_back_at - redis_gone_at
    print(f"Redis restart ({away:.1f} s away), {SENDS} sends at 10/s: {counts}; the sends")
    print(f"of the outage were answered {caught_up:.2f} s after Redis was back")
    assert len(stored) == len(set(stored)), "a send was stored twice"
    assert not lost, f"{counts}; lost without a word: {lost}"
    # Stored in the order they were sent, and Bob's tab shows no message twice.
    assert stored == [body for body in bodies if body in stored]
    await bob.wait_for(lambda c: pending(c, stored[-1]) is not None, timeout=30)
    assert shown_seqs(bob) == sorted(set(shown_seqs(bob)))
    for tab in (ann, bob):
        await tab.close()
