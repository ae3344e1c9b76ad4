"""A real backend process (`reflex run --env prod --backend-only`) for raw-client tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_app import backend_process, free_port, migrated_environment


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory) -> Iterator[str]:
    workdir: Path = tmp_path_factory.mktemp("backend")
    env, log = migrated_environment(workdir)
    port = free_port()
    with backend_process(port, env, log):
        yield f"http://127.0.0.1:{port}"
