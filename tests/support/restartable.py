"""The deployment's app with a backend a test can crash (kill -9) and start again.

Like `live_app`: a static export served on its own port and a `reflex run --env prod
--backend-only` process on a migrated SQLite file. The backend can be killed and started
again on the same port and database while the frontend stays served, as after a crash and
a process manager's restart.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from chat_app.http.security_headers import static_host_headers
from chat_app.models import utc_now
from chat_app.services.statements import MESSAGE, USER
from tests.support.live_app import (
    LiveApp,
    backend_process,
    export_frontend,
    free_port,
    migrated_environment,
    serve_static,
)
from tests.support.sql import rows_with_body


class RestartableBackend:
    """One backend process at a time on a fixed port; stopped when the block ends."""

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self._port, self._env, self._log = port, env, log
        self._running = contextlib.ExitStack()
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the backend and wait until it answers /ping."""
        self._process = self._running.enter_context(
            backend_process(self._port, self._env, self._log)
        )

    def kill(self) -> None:
        """A crash: SIGKILL to the whole process group (no shutdown, no flush)."""
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()

    def ensure_running(self) -> None:
        """Start it again if a test stopped before its restart."""
        if self._process is None or self._process.poll() is not None:
            self.start()

    def close(self) -> None:
        """Stop every process started (a killed one is gone already)."""
        self._running.close()


@contextlib.contextmanager
def restartable_app(workdir: Path, **extra: str) -> Iterator[tuple[LiveApp, RestartableBackend]]:
    """Migrate, export and serve the frontend, start the backend; yield both handles."""
    env, log = migrated_environment(workdir, **extra)
    port = free_port()
    backend_url = f"http://127.0.0.1:{port}"
    site = workdir / "site"
    export_frontend(backend_url, site, env, log)
    # Under the headers a static host is told to send, as every browser test (live_app).
    with serve_static(site, static_host_headers(site, backend_url)) as frontend_url:
        # Another origin than the backend's, as in live_app: it must be allowed.
        env = {**env, "REFLEX_CORS_ALLOWED_ORIGINS": frontend_url}
        backend = RestartableBackend(port, env, log)
        try:
            backend.start()
            app = LiveApp(
                frontend_url, backend_url, env["REFLEX_DB_URL"], Path(env["CHAT_DATA_DIR"])
            )
            yield app, backend
        finally:
            backend.close()


def stored_count(app: LiveApp, body: str) -> int:
    """How many message rows hold exactly this text."""
    return rows_with_body(app.database_url, body)


def wait_for_room(app: LiveApp, username: str, count: int, window: timedelta) -> None:
    """Return once `username` may send one more message under the rate limit.

    The limit counts the sender's stored messages of the last `window`; the test reads the
    same rows with the same clock as the backend, so once there is room here there is room
    for a send made after it. Waiting for the window to move on is waiting for time itself:
    the loop polls the condition (the newest counted rows ageing out), it does not guess.
    """
    engine = sa.create_engine(app.database_url)
    sender = sa.select(USER.c.id).where(USER.c.username == username).scalar_subquery()
    deadline = time.monotonic() + window.total_seconds() + 10
    try:
        while True:
            since = utc_now() - window
            query = sa.select(sa.func.count()).where(
                MESSAGE.c.sender_id == sender, MESSAGE.c.created_at > since
            )
            with engine.connect() as connection:
                if connection.execute(query).scalar_one() < count:
                    return
            assert time.monotonic() < deadline, f"{username} never had room to send"
            time.sleep(0.1)
    finally:
        engine.dispose()
