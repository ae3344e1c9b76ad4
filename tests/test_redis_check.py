"""The start-up check of REFLEX_REDIS_URL: it names the variable and hides the password."""

from __future__ import annotations

from chat_app.redis_check import redacted, unreachable_reason, workers_without_redis
from tests.support.engines import RedisServer
from tests.support.live_app import free_port


def test_a_password_never_appears_in_messages():
    assert redacted("redis://:pw@host:6380/1") == "redis://:***@host:6380/1"
    assert redacted("rediss://user:pw@host/0") == "rediss://user:***@host/0"
    assert redacted("redis://host:6379/0") == "redis://host:6379/0"


def test_a_wrong_scheme_names_the_variable():
    reason = unreachable_reason("http://:pw@localhost:6379")
    assert reason is not None
    assert reason.startswith("REFLEX_REDIS_URL must start with redis://")
    assert "pw" not in reason


def test_a_closed_port_is_unreachable_and_a_live_server_is_fine(redis_engine: RedisServer):
    reason = unreachable_reason(f"redis://:pw@127.0.0.1:{free_port()}/0", timeout_seconds=1)
    assert reason is not None
    assert "REFLEX_REDIS_URL=redis://:***@127.0.0.1:" in reason
    assert "unset it" in reason
    assert unreachable_reason(redis_engine.url) is None


def test_several_workers_need_redis():
    problem = workers_without_redis({"GRANIAN_WORKERS": "3"})
    assert problem is not None
    assert "GRANIAN_WORKERS=3 needs REFLEX_REDIS_URL" in problem
    assert workers_without_redis({"GRANIAN_WORKERS": "1"}) is None
    assert workers_without_redis({}) is None
    assert workers_without_redis({"GRANIAN_WORKERS": "3", "REFLEX_REDIS_URL": "redis://h"}) is None
    # Gunicorn's own name for the worker count (chat_app/backend_server.py).
    problem = workers_without_redis({"WEB_CONCURRENCY": "2"})
    assert problem is not None
    assert "WEB_CONCURRENCY=2 needs REFLEX_REDIS_URL" in problem
    assert workers_without_redis({"WEB_CONCURRENCY": "2", "REFLEX_REDIS_URL": "redis://h"}) is None
    # The count that runs is the one checked: gunicorn's name wins over the older one.
    assert workers_without_redis({"WEB_CONCURRENCY": "1", "GRANIAN_WORKERS": "3"}) is None
