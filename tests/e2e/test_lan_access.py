"""`make run`'s server (one port) as other devices reach it.

A device that loads the page by another host name (a phone on the LAN) must reach the
backend at that same host, not at "localhost"; and the fresh server's first account, the
administrator, needs the setup code from the server's log when the person registering is
not on the server's machine. One server for both: each prod start builds the pages anew
(about half a minute). It listens on 127.0.0.1 only, as every server a test starts: the
device is "elsewhere" by the address a trusted proxy reports for it (the rule that also
covers `make run` on every interface is tests/services/test_setup_code.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from chat_app.models import User
from chat_app.services import database
from tests.support.browser import expect_chat_as, register
from tests.support.live_app import (
    PROJECT_DIR,
    REFLEX,
    LiveApp,
    free_port,
    migrated_environment,
    server_process,
)

CODE_IN_LOG = re.compile(r"\b[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){3}\b")


def test_a_lan_device_talks_to_the_backend_at_its_host_and_the_first_account_needs_the_code(
    browser: Browser, tmp_path: Path
):
    env, log = migrated_environment(tmp_path)
    env.pop("REFLEX_API_URL", None)
    env["REFLEX_TRUSTED_PROXY_HOPS"] = "1"
    port = free_port()
    # The same command as `make run` (the port differs so tests never clash with it).
    args = [REFLEX, "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
    args += ["--backend-host", "127.0.0.1"]
    # A device on the LAN, as the proxy in front of the server names it.
    page = browser.new_context(extra_http_headers={"X-Forwarded-For": "192.168.1.23"}).new_page()
    with server_process(args, f"http://127.0.0.1:{port}/ping", env, log):
        baked = json.loads((PROJECT_DIR / ".web" / "env.json").read_text())
        assert baked["EVENT"] == f"ws://localhost:{port}/_event"
        # 127.0.0.1 stands in for the LAN address: the page was built for "localhost".
        app = LiveApp(f"http://127.0.0.1:{port}", "", env["REFLEX_DB_URL"], tmp_path)
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
        engine = database.create_db_engine(env["REFLEX_DB_URL"])
        with Session(engine) as session:
            assert [(u.username, u.role) for u in session.exec(select(User))] == [
                ("owner", "admin")
            ]
        engine.dispose()
