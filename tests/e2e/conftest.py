"""Playwright against the production build, in Debian's Chromium.

Run in its own pytest invocation with `-p no:asyncio` (pytest-playwright and
pytest-asyncio clash).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.live_app import LiveApp, live_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[LiveApp]:
    with live_app(tmp_path_factory.mktemp("live")) as app:
        yield app
