"""A static export served by another host runs the chat under the CSP it is told to send.

The static server sends what `python -m chat_app.http.security_headers` prints for the
export (what the README tells static hosts to add); a whole chat (register, befriend, text,
an image with its thumbnail) runs with zero CSP violations in Chromium's console. The
single-port server's own headers: tests/e2e/test_make_run_server.py.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.support.csp_watch import ConsoleWatch, chat_with_an_image
from tests.support.live_app import LiveApp


def test_a_static_host_with_the_generated_headers_runs_the_chat(
    browser: Browser, app_server: LiveApp, tmp_path: Path
):
    """The tests' static export is served on another origin than the backend, with the
    headers `python -m chat_app.http.security_headers EXPORT --api-url BACKEND` prints
    (tests/support/live_app.py): every browser test runs under them; this one watches."""
    console = ConsoleWatch()
    response = console.watch(browser.new_page()).goto(app_server.frontend_url + "/auth")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "wss://127.0.0.1" not in policy
    assert app_server.backend_url.replace("http://", "ws://") in policy
    chat_with_an_image(browser, app_server, console, tmp_path)
