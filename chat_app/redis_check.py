"""Fail fast, and say which variable is wrong, when the profile's settings cannot work.

Reflex's own check stops the server with "Unable to connect to Redis" and no hint of where
the address came from; an operator needs the variable's name and what to do. Several
workers without Redis would each keep their own tabs (a message sent on one would never
reach a tab on another), which Reflex does not refuse by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import redis

VARIABLE = "REFLEX_REDIS_URL"


def redacted(url: str) -> str:
    """The URL with any password replaced by `***`, for messages and logs.

    Args:
        url: A Redis URL.

    Returns:
        The same URL without its secret.
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def unreachable_reason(url: str, timeout_seconds: float = 3.0) -> str | None:
    """Why Redis at `url` cannot be used, or None when it answers a PING.

    Args:
        url: The configured Redis URL.
        timeout_seconds: How long to wait for the connection and the answer.

    Returns:
        A message naming the variable, or None.
    """
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return f"{VARIABLE} must start with redis://, rediss:// or unix://, got {redacted(url)!r}"
    client = redis.Redis.from_url(
        url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        return (
            f"{VARIABLE}={redacted(url)} is not reachable ({error}). Start Redis there, "
            f"correct {VARIABLE}, or unset it to run one worker with in-process state."
        )
    finally:
        client.close()
    return None


# The worker count's variables, the first set wins: gunicorn's own name, then the name it had
# while granian was the default (chat_app/backend_server.py).
WORKER_VARIABLES = ("WEB_CONCURRENCY", "GRANIAN_WORKERS")


def asked_workers(env: Mapping[str, str]) -> tuple[str, int] | None:
    """The worker count the environment asks for, and the variable that asks.

    Args:
        env: The environment.

    Returns:
        The first of `WORKER_VARIABLES` holding a count of at least 1, or None.
    """
    for name in WORKER_VARIABLES:
        asked = env.get(name, "").strip()
        if asked.isdigit() and int(asked) >= 1:
            return name, int(asked)
    return None


def workers_without_redis(env: Mapping[str, str]) -> str | None:
    """Why the worker count cannot work, or None.

    Args:
        env: The environment (`WEB_CONCURRENCY`, or the older `GRANIAN_WORKERS`, and
            `REFLEX_REDIS_URL`).

    Returns:
        A message naming both variables when several workers are asked for without Redis.
    """
    asked = asked_workers(env)
    if env.get(VARIABLE) or asked is None or asked[1] <= 1:
        return None
    name, workers = asked
    return (
        f"{name}={workers} needs {VARIABLE}: without Redis every worker keeps its own "
        f"tabs and messages would not reach tabs on the other workers. Set {name}=1 "
        f"or configure {VARIABLE}."
    )
