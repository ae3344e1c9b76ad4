"""`make run` serves one port; a device that loads the page by another host name (a phone
on the LAN) must reach the backend at that same host, not at "localhost"."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from chat_app.services import setup_code
from chat_app.settings import load_settings
from tests.support.browser import register
from tests.support.live_app import (
    PROJECT_DIR,
    REFLEX,
    LiveApp,
    free_port,
    migrated_environment,
    server_process,
)


def test_page_loaded_by_ip_talks_to_the_backend_at_that_ip(page: Page, tmp_path: Path):
    env, log = migrated_environment(tmp_path)
    env.pop("REFLEX_API_URL", None)
    port = free_port()
    # The same command as `make run` (the port differs so tests never clash with it).
    args = [REFLEX, "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
    with server_process(args, f"http://127.0.0.1:{port}/ping", env, log):
        baked = json.loads((PROJECT_DIR / ".web" / "env.json").read_text())
        assert baked["EVENT"] == f"ws://localhost:{port}/_event"
        # 127.0.0.1 stands in for the LAN address: the page was built for "localhost".
        app = LiveApp(f"http://127.0.0.1:{port}", "", env["REFLEX_DB_URL"], tmp_path)
        sockets: list[str] = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        # `make run` listens on every interface: the first account needs the setup code.
        register(page, app, "lan_user", "LAN", setup_code.code(load_settings(env)))
        expect(page.locator("#current-nickname")).to_have_text("LAN", timeout=20_000)
        assert sockets
        assert all(url.startswith(f"ws://127.0.0.1:{port}/_event") for url in sockets)
