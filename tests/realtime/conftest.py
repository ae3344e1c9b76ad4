"""A real backend process (`reflex run --env prod --backend-only`) for raw-client tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.live_app import backend_process, free_port, migrated_environment

# Raw-client tests send bursts; the per-user rate limit has its own service and state tests.
FAST_SENDING = {"CHAT_MESSAGE_RATE_COUNT": "1000000"}


@dataclass(frozen=True)
class Backend:
    """A running backend: its URL, its database and how to start it again."""

    url: str
    database_url: str
    env: dict[str, str]
    log: Path
    port: int


@pytest.fixture(scope="session")
def backend(tmp_path_factory) -> Iterator[Backend]:
    workdir: Path = tmp_path_factory.mktemp("backend")
    env, log = migrated_environment(workdir)
    env.update(FAST_SENDING)
    port = free_port()
    with backend_process(port, env, log):
        yield Backend(f"http://127.0.0.1:{port}", env["REFLEX_DB_URL"], env, log, port)


@pytest.fixture(scope="session")
def backend_url(backend: Backend) -> str:
    return backend.url
