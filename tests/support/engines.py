"""Throw-away PostgreSQL clusters and Redis servers on free loopback ports, for tests.

`make test` installs Debian's postgresql and redis-server when they are missing; a test
that needs one fails with that hint rather than skipping silently.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.support.live_app import free_port

MISSING = "{what} is not installed: run `make test`, which installs it"


def wait_for_port(
    port: int, timeout: float = 30.0, process: subprocess.Popen | None = None
) -> None:
    """Wait until something accepts connections on 127.0.0.1:port (or `process` exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(MISSING.format(what="PostgreSQL (initdb, pg_ctl)"))
    return path


def _as_postgres_user(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; CI and this machine run tests as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PostgresCluster:
    """A running cluster: its port, data folder, and a URL per database."""

    port: int
    data_dir: Path

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one database of the cluster."""
        return f"postgresql+psycopg://chat@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create a fresh, empty database; returns its URL."""
        name = f"chat_{uuid.uuid4().hex[:12]}"
        self._psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _psql(self, sql: str) -> None:
        url = f"postgresql://chat@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]  (a test's own DDL)

    def _pg_ctl(self, *args: str) -> None:
        command = [_postgres_bin("pg_ctl"), "-D", str(self.data_dir), *args]
        subprocess.run(_as_postgres_user(command), check=True, capture_output=True)

    def start(self) -> None:
        """Start the server (again) and wait until it accepts connections."""
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.data_dir / "server.log"), "-w", "start")
        wait_for_port(self.port)

    def stop(self) -> None:
        """Stop the server at once (connections are cut, like a crash or restart)."""
        self._pg_ctl("-m", "immediate", "-w", "stop")


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """initdb a new cluster in a temporary folder, start it, and remove it afterwards."""
    initdb = _postgres_bin("initdb")
    root = Path(tempfile.mkdtemp(prefix="chat-pg-"))
    data_dir = root / "data"
    data_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data_dir, "postgres")
    subprocess.run(
        _as_postgres_user([initdb, "-D", str(data_dir), "-A", "trust", "-U", "chat", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    cluster = PostgresCluster(free_port(), data_dir)
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        # Removed in the background: a run's hundreds of test databases make a folder of
        # gigabytes that took the last test's teardown half a minute to delete.
        subprocess.Popen(["rm", "-rf", str(root)], start_new_session=True)  # noqa: S607


@dataclass
class RedisServer:
    """A running redis-server: its URL, and how to stop and start it again."""

    port: int
    data_dir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The `redis://` URL of the server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (again, keeping what it saved) and wait until it answers."""
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(server).exists():
            raise RuntimeError(MISSING.format(what="redis-server"))
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)

    def stop(self, save: bool = True) -> None:
        """Shut the server down; with `save`, what it holds comes back on the next start."""
        if self.process is None:
            return
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), 2) as connection,
        ):
            # SHUTDOWN SAVE writes the dump the next start reads (no reply comes back).
            connection.sendall(b"SHUTDOWN SAVE\r\n" if save else b"SHUTDOWN NOSAVE\r\n")
            connection.recv(64)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A redis-server on a free port in a temporary folder, stopped afterwards."""
    root = Path(tempfile.mkdtemp(prefix="chat-redis-"))
    server = RedisServer(free_port(), root)
    server.start()
    try:
        yield server
    finally:
        server.stop(save=False)
        shutil.rmtree(root, ignore_errors=True)
