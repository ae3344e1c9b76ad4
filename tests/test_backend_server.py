"""`reflex run` starts gunicorn with uvicorn's workers, as many as asked for.

(chat_app/backend_server.py)
"""

from __future__ import annotations

import shlex

import pytest

from chat_app.backend_server import choose_backend_server, worker_count


def gunicorn_args(env: dict[str, str]) -> list[str]:
    return shlex.split(env["GUNICORN_CMD_ARGS"])


def option(args: list[str], name: str) -> str:
    """The value gunicorn takes for an option given several times: the last one."""
    values = [args[n + 1] for n, arg in enumerate(args) if arg == name]
    values += [arg.split("=", 1)[1] for arg in args if arg.startswith(f"{name}=")]
    assert values, f"{name} not in {args}"
    return values[-1]


def test_uvicorn_by_default_with_one_worker_and_no_second_address_rule():
    env: dict[str, str] = {}
    assert choose_backend_server(env) == "uvicorn"
    assert env["REFLEX_USE_GRANIAN"] == "false"
    args = gunicorn_args(env)
    assert option(args, "--workers") == "1"
    # A busy worker is not killed by gunicorn's 30 s default watchdog.
    assert option(args, "--timeout") == "120"
    # Reflex's REFLEX_TRUSTED_PROXY_HOPS is the only rule for the client address, and no
    # argument is empty (Reflex refuses the command line then).
    assert option(args, "--forwarded-allow-ips") == ""
    assert all(args)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WEB_CONCURRENCY": "3", "REFLEX_REDIS_URL": "redis://h"}, 3),
        ({"GRANIAN_WORKERS": "2", "REFLEX_REDIS_URL": "redis://h"}, 2),
        ({"WEB_CONCURRENCY": "4", "GRANIAN_WORKERS": "2"}, 4),
        ({"WEB_CONCURRENCY": "zero"}, 1),
        ({"WEB_CONCURRENCY": "0"}, 1),
        ({}, 1),
    ],
)
def test_the_worker_count_asked_for_wins(env, expected):
    assert worker_count(env) == expected


def test_with_redis_the_default_is_reflexs_count(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert worker_count({"REFLEX_REDIS_URL": "redis://h"}) == 5
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    assert worker_count({"REFLEX_REDIS_URL": "redis://h"}) == 8


def test_an_operators_own_gunicorn_options_win():
    env = {"GUNICORN_CMD_ARGS": "--workers 6 --timeout 60"}
    choose_backend_server(env)
    args = gunicorn_args(env)
    assert option(args, "--workers") == "6"
    assert option(args, "--timeout") == "60"


def test_granian_when_asked_for_explicitly():
    env = {"REFLEX_USE_GRANIAN": "true"}
    assert choose_backend_server(env) == "granian"
    assert "GUNICORN_CMD_ARGS" not in env
