"""Start one server under test at a time, pinned to its own core, on a fresh database."""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.support.engines import postgres_cluster, redis_server
from tests.support.live_app import (
    REFLEX,
    free_port,
    migrated_environment,
    server_process,
)

SERVER_CORE = 0
GENERATOR_CORE = 1
APP = "app"
RELAY = "python-socketio relay"
FLASK = "Flask-SocketIO + eventlet"
# The same app on the scaled profile: PostgreSQL and Redis, one worker; the engines share
# the server's core and their CPU and memory count as the server's.
APP_SCALED = "app, scaled profile"
# The same with two workers, both on the server's core: the CPU per message of every
# process together tells the capacity per core of a multi-worker deployment.
APP_SCALED_2 = "app, scaled profile, 2 workers"
SERVERS = (APP, RELAY, FLASK, APP_SCALED, APP_SCALED_2)
APPS = (APP, APP_SCALED, APP_SCALED_2)
SCALED = {APP_SCALED: 1, APP_SCALED_2: 2}  # kind → backend workers


@dataclass(frozen=True)
class RunningServer:
    """A server under test: its URL, its process and the database it writes."""

    kind: str
    url: str
    pid: int
    database: str  # a SQLAlchemy URL for the app, a file path for the peers
    engine_pids: tuple[int, ...] = ()  # PostgreSQL and Redis of the scaled profile

    def tree(self) -> list[psutil.Process]:
        processes = []
        for pid in (self.pid, *self.engine_pids):
            with contextlib.suppress(psutil.NoSuchProcess):
                root = psutil.Process(pid)
                processes += [root, *root.children(recursive=True)]
        return processes

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far."""
        total = 0.0
        for process in self.tree():
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def rss_bytes(self) -> int:
        """Resident memory of the server's processes."""
        total = 0
        for process in self.tree():
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
        return total


# Read before the generator pins itself to one core.
TWO_CORES = {SERVER_CORE, GENERATOR_CORE} <= os.sched_getaffinity(0)


def pin_generator() -> None:
    """Run the load generator on the other core than the server."""
    if TWO_CORES:
        os.sched_setaffinity(0, {GENERATOR_CORE})


def raise_open_file_limit() -> int:
    """Lift this process's open-file limit to its hard limit (the servers it starts inherit
    it): thousands of connections need a descriptor each on both ends. Returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@contextlib.contextmanager
def scaled_engines(workers: int = 1) -> Iterator[tuple[dict[str, str], tuple[int, ...]]]:
    """PostgreSQL and Redis on the server's core; yields the app's variables and their pids.

    The worker count goes in both variables a backend may read it from (granian's and
    gunicorn's / uvicorn's).
    """
    with postgres_cluster() as postgres, redis_server() as redis:
        assert redis.process is not None
        postmaster = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
        pids = (postmaster, redis.process.pid)
        if TWO_CORES:
            for pid in pids:
                root = psutil.Process(pid)
                # New PostgreSQL backends are forked from the postmaster: they inherit it.
                for process in (root, *root.children(recursive=True)):
                    process.cpu_affinity([SERVER_CORE])
        variables = {
            "REFLEX_DB_URL": postgres.create_database(),
            "REFLEX_REDIS_URL": redis.url,
            "GRANIAN_WORKERS": str(workers),
            "WEB_CONCURRENCY": str(workers),
        }
        yield variables, pids


def app_environment_for(workdir: Path, **extra: str) -> tuple[dict[str, str], Path]:
    """A migrated database with the app's production settings, its rate limit lifted."""
    env, log = migrated_environment(workdir, **extra)
    # The benchmark sends faster than the 10 messages / 10 s a person may.
    env["CHAT_MESSAGE_RATE_COUNT"] = "1000000"
    env.pop("REFLEX_PERF_MODE", None)
    return env, log


@contextlib.contextmanager
def start_server(
    kind: str,
    workdir: Path,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    engine_pids: tuple[int, ...] = (),
) -> Iterator[RunningServer]:
    """Run the app (`reflex run --env prod --backend-only`, one worker but for app-scaled-2)
    or a peer."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if kind in APPS:
        assert env is not None
        assert log is not None
        args = [REFLEX, "run", "--env", "prod", "--backend-only"]
        args += ["--backend-host", "127.0.0.1", "--backend-port", str(port)]
        ping, database = f"{url}/ping", env["REFLEX_DB_URL"]
    else:
        module = "tests.load.peers.relay" if kind == RELAY else "tests.load.peers.flask_eventlet"
        database = str(workdir / "peer.db")
        args = [sys.executable, "-m", module, str(port), database]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        log = workdir / "peer.log"
        ping = f"{url}/socket.io/?EIO=4&transport=polling"
    if TWO_CORES:
        # taskset execs the server: it and the workers it forks stay on their core.
        args = ["taskset", "--cpu-list", str(SERVER_CORE), *args]
    with server_process(args, ping, env, log) as process:
        yield RunningServer(kind, url, process.pid, database, engine_pids)


__all__ = [
    "APP",
    "APPS",
    "APP_SCALED",
    "APP_SCALED_2",
    "FLASK",
    "RELAY",
    "SCALED",
    "SERVERS",
    "RunningServer",
    "pin_generator",
    "raise_open_file_limit",
    "scaled_engines",
    "start_server",
]
