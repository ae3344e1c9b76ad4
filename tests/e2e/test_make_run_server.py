"""The server `make run` starts (one port), as the people it serves reach it.

- A device that loads the page by another host name (a phone on the LAN) reaches the
  backend at that same host, not at "localhost".
- The fresh server's first account, the administrator, needs the setup code from the
  server's log when the person registering is not on the server's machine.
- Every answer carries the security headers: the CSP (hashes of the built inline scripts,
  no wildcard, no 'unsafe-inline' for scripts; 'unsafe-eval' for Reflex's server-sent
  toasts), frame-ancestors/X-Frame-Options, the referrer policy and nosniff; a whole chat
  (register, befriend, text, an image with its thumbnail) runs with zero CSP violations in
  Chromium's console, and a foreign page cannot frame it.

One server for all (each prod start builds the pages anew, about half a minute), in this
order: the first-account test needs it fresh. It listens on 127.0.0.1 only, as every server
a test starts: the "LAN" device is elsewhere by the address a trusted proxy reports for it
(the rule for `make run` on every interface is tests/services/test_setup_code.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from chat_app.models import User
from chat_app.services import database
from tests.support.browser import expect_chat_as, register
from tests.support.csp_watch import ConsoleWatch, chat_with_an_image
from tests.support.live_app import (
    PROJECT_DIR,
    REFLEX,
    LiveApp,
    free_port,
    migrated_environment,
    server_process,
)

CODE_IN_LOG = re.compile(r"\b[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){3}\b")


@pytest.fixture(scope="module")
def make_run_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveApp, Path]]:
    """The single-port server on a fresh database: the app and the server's log."""
    tmp_path = tmp_path_factory.mktemp("make_run")
    env, log = migrated_environment(tmp_path)
    env.pop("REFLEX_API_URL", None)
    env.pop("REFLEX_CORS_ALLOWED_ORIGINS", None)
    env["REFLEX_TRUSTED_PROXY_HOPS"] = "1"
    port = free_port()
    # The same command as `make run` (the port differs so tests never clash with it).
    args = [REFLEX, "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
    args += ["--backend-host", "127.0.0.1"]
    with server_process(args, f"http://127.0.0.1:{port}/ping", env, log):
        base = f"http://127.0.0.1:{port}"
        yield LiveApp(base, base, env["REFLEX_DB_URL"], tmp_path), log


def test_a_lan_device_talks_to_the_backend_at_its_host_and_the_first_account_needs_the_code(
    browser: Browser, make_run_server: tuple[LiveApp, Path]
):
    app, log = make_run_server
    port = app.frontend_url.rsplit(":", 1)[1]
    baked = json.loads((PROJECT_DIR / ".web" / "env.json").read_text())
    assert baked["EVENT"] == f"ws://localhost:{port}/_event"
    # 127.0.0.1 stands in for the LAN address: the page was built for "localhost".
    # A device on the LAN, as the proxy in front of the server names it.
    page = browser.new_context(extra_http_headers={"X-Forwarded-For": "192.168.1.23"}).new_page()
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))

    register(page, app, "owner", "Owner")
    expect(page.locator("#register-setup-code-error")).to_have_text(
        "Enter the setup code from the server's log.", timeout=20_000
    )
    page.fill("#register-setup-code", "AAAA-BBBB-CCCC-DDDD")
    page.click("#register-submit")
    expect(page.locator("#register-setup-code-error")).to_have_text(
        "That is not this server's setup code."
    )
    found = CODE_IN_LOG.search(log.read_text())
    assert found is not None, "the server did not print its setup code"
    page.fill("#register-setup-code", found.group(0).lower())
    page.click("#register-submit")
    expect_chat_as(page, app, "Owner")
    assert sockets
    assert all(url.startswith(f"ws://127.0.0.1:{port}/_event") for url in sockets)

    page.goto(app.frontend_url + "/setup")
    expect(page.locator("#setup-admin-exists")).to_have_text(
        "This server already has an administrator.", timeout=20_000
    )
    engine = database.create_db_engine(app.database_url)
    with Session(engine) as session:
        assert [(u.username, u.role) for u in session.exec(select(User))] == [("owner", "admin")]
    engine.dispose()


def test_the_chat_runs_under_the_csp_of_the_single_port_server(
    browser: Browser, make_run_server: tuple[LiveApp, Path], tmp_path: Path
) -> None:
    app, _log = make_run_server
    base = app.frontend_url
    console = ConsoleWatch()
    probe = console.watch(browser.new_page())
    response = probe.goto(base + "/auth")
    assert response is not None
    headers = response.headers
    policy = headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'sha256-" in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "*" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    asset = probe.request.get(base + "/favicon.ico")
    assert asset.headers.get("x-frame-options") == "DENY"

    # A whole chat, every page watched from its first script on.
    chat_with_an_image(browser, app, console, tmp_path)

    # A foreign page that frames the chat gets nothing: the browser refuses the frame.
    framer = browser.new_page()
    with framer.expect_console_message(
        lambda message: "frame-ancestors" in message.text, timeout=15_000
    ):
        framer.set_content(f'<iframe src="{base}/auth"></iframe>')
    assert all(frame.locator("#login-username").count() == 0 for frame in framer.frames)
