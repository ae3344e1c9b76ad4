"""Faults of the scaled profile's engines: what a user sees, and that nothing is doubled.

The engines here are this module's own (a PostgreSQL cluster and a Redis server that the
tests stop and start), so no other test sees the outages.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.realtime.helpers import (
    COMPOSER,
    befriend,
    open_chat,
    open_conversation,
    register,
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
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    return ann, bob, ann_id, bob_id


def rows_with_body(database_url: str, body: str) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM message WHERE body = :body")
        count = connection.execute(query, {"body": body}).scalar_one()
    engine.dispose()
    return int(count)


def pending(tab: EventClient, body: str) -> dict | None:
    return next((m for m in shown(tab) if m["body"] == body), None)


def test_an_unreachable_redis_at_start_is_named(tmp_path: Path):
    env = app_environment(f"sqlite:///{tmp_path / 'chat.db'}", tmp_path / "data")
    env["REFLEX_REDIS_URL"] = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    args = [REFLEX, "run", "--env", "prod", "--backend-only", "--backend-port", str(free_port())]
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


async def test_redis_lost_at_run_time_is_reported_and_the_app_recovers(deployment: Deployment):
    ann, bob, _ann_id, _bob_id = await chatting(deployment)
    await send_text(ann, "before")
    await bob.wait_for(lambda c: pending(c, "before") is not None)
    ann.events.clear()

    deployment.redis.stop(save=True)
    await send_text(ann, "while Redis is away")
    await ann.wait_for(lambda c: any("error" in toast.lower() for toast in toasts(c)), timeout=20)
    assert "REFLEX_REDIS_URL" in deployment.log.read_text()

    deployment.redis.start()
    await send_text(ann, "after")
    await bob.wait_for(lambda c: pending(c, "after") is not None, timeout=20)
    assert shown_seqs(bob) == sorted(set(shown_seqs(bob)))
    assert rows_with_body(deployment.database_url, "while Redis is away") <= 1
    for tab in (ann, bob):
        await tab.close()
