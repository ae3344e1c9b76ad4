"""Playwright against the production build, in Debian's Chromium.

Run in its own pytest invocation with `-p no:asyncio` (pytest-playwright and
pytest-asyncio clash).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.live_app import LiveApp, live_app
from tests.support.scaled import scaled_settings

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


@pytest.fixture(scope="session", params=["embedded", "scaled"])
def app_on_each_profile(request, tmp_path_factory, app_server: LiveApp) -> Iterator[LiveApp]:
    """The app on the embedded profile, then on the scaled one (PostgreSQL, Redis, Azurite,
    two workers) behind its own static export: the flows that must work on both."""
    if request.param == "embedded":
        yield app_server
        return
    extra = scaled_settings(request, redis_db=3, workers=2)
    with live_app(tmp_path_factory.mktemp("live-scaled"), **extra) as app:
        yield app


@pytest.fixture(autouse=True)
def _contexts_closed_after_each_test(browser) -> Iterator[None]:
    """Close the browser contexts a test opened (`browser.new_context()`): left open, their
    pages stay connected to the session's backend, keep their timers running and load the
    machine for every later test."""
    opened_before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in opened_before:
            context.close()
