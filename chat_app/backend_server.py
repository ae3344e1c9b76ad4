"""Which ASGI server `reflex run --env prod` starts, and with how many worker processes.

Reflex 0.10.1 runs its production backend on granian, or, with `REFLEX_USE_GRANIAN=false`,
on gunicorn with uvicorn's worker (reflex/utils/exec.py, `run_uvicorn_backend_prod`). This
app defaults to the second: in `make bench` a connected tab cost 93 KB of backend memory on
uvicorn against 227 KB on granian (500 → 1,500 tabs), at no more CPU per message. Gunicorn's
arbiter replaces a worker that dies, so only that worker's tabs reconnect, as
`chat_app/worker_respawn.py` makes granian do.

Two of the options Reflex passes need correcting, through `GUNICORN_CMD_ARGS`, whose values
win over Reflex's own:
- Reflex passes its worker count as `--threads` and no `--workers`; a uvicorn worker is one
  event loop and ignores threads, so the count goes to `--workers`.
- Gunicorn kills a worker whose event loop has not reported for `--timeout` seconds, 30 by
  default: under heavy load (a fan-out to 1,000 tabs on a machine at load 10, `make bench`)
  that killed a busy worker and every tab on it reconnected at once, adding load. Granian has
  no such watchdog. 120 s still replaces a worker stuck in a loop that never yields.
- Uvicorn rewrites the client address from `X-Forwarded-For` for peers on 127.0.0.1 by
  default. Reflex has its own rule for that (`REFLEX_TRUSTED_PROXY_HOPS`), which the login
  throttle relies on; two rules would let a local process forge addresses, so uvicorn's is
  off.

Granian stays available: an explicit `REFLEX_USE_GRANIAN=true` keeps Reflex's granian path
(workers from `GRANIAN_WORKERS`, as before).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import MutableMapping

from chat_app.redis_check import asked_workers

USE_GRANIAN = "REFLEX_USE_GRANIAN"
GUNICORN_ARGS = "GUNICORN_CMD_ARGS"
# A worker whose event loop is silent this long is replaced (see above).
WORKER_TIMEOUT_SECONDS = 120
# Reflex's own ceiling for its default worker count (reflex/utils/processes.py).
MAX_DEFAULT_WORKERS = 8
_TRUE = {"1", "true", "yes", "on"}


def uses_granian(env: MutableMapping[str, str]) -> bool:
    """Whether the backend runs on granian (only when asked for explicitly).

    Args:
        env: The environment.

    Returns:
        True for an explicit true value of `REFLEX_USE_GRANIAN`.
    """
    return env.get(USE_GRANIAN, "").strip().lower() in _TRUE


def worker_count(env: MutableMapping[str, str]) -> int:
    """How many backend worker processes to run.

    Args:
        env: The environment (`WEB_CONCURRENCY`, `GRANIAN_WORKERS`, `REFLEX_REDIS_URL`).

    Returns:
        The number asked for; else 2 x CPUs + 1 (at most 8) with Redis, as Reflex counts,
        and 1 without (tabs' states live in the worker's memory).
    """
    if (asked := asked_workers(env)) is not None:
        return asked[1]
    if env.get("REFLEX_REDIS_URL"):
        return min((os.cpu_count() or 1) * 2 + 1, MAX_DEFAULT_WORKERS)
    return 1


def choose_backend_server(env: MutableMapping[str, str] = os.environ) -> str:
    """Set the environment `reflex run` reads to start gunicorn with uvicorn's workers.

    Args:
        env: The environment to complete (the `reflex run` process's own).

    Returns:
        "granian" or "uvicorn": the server that will run.
    """
    if uses_granian(env):
        return "granian"
    env[USE_GRANIAN] = "false"
    # `=` and nothing after it: Reflex refuses an empty argument on its command line.
    ours = [
        *("--workers", str(worker_count(env))),
        *("--timeout", str(WORKER_TIMEOUT_SECONDS)),
        "--forwarded-allow-ips=",
    ]
    # An operator's own gunicorn options come last, so they win.
    env[GUNICORN_ARGS] = shlex.join([*ours, *shlex.split(env.get(GUNICORN_ARGS, ""))])
    return "uvicorn"
