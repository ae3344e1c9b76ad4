"""`make run`'s server sends its security headers, and the app runs under that CSP.

The single-port server (what `make run` starts) serves the built pages through the app's
ASGI wrappers: every answer carries the CSP (hashes of the built inline scripts, no
wildcard, no 'unsafe-inline' for scripts; 'unsafe-eval' for Reflex's server-sent
toasts), frame-ancestors/X-Frame-Options, the referrer
policy and nosniff. A whole chat (register, befriend, text, an image with its thumbnail)
runs with zero CSP violations in Chromium's console, and a foreign page cannot frame it.
The same chat runs from a static export on another origin whose static server sends what
`python -m chat_app.http.security_headers` prints for it (what the README tells static
hosts to add).
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from chat_app.http.security_headers import static_host_headers
from tests.support.browser import (
    ATTACH_INPUT,
    befriend,
    bubbles,
    expect_chat_as,
    open_chat_with,
    register,
    send,
    unique_name,
)
from tests.support.live_app import (
    REFLEX,
    LiveApp,
    _StaticHandler,
    backend_process,
    export_frontend,
    free_port,
    migrated_environment,
    server_process,
)

CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


class ConsoleWatch:
    """Every console message and page error of the pages it watches."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.errors: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text}")

    def violations(self) -> list[str]:
        return [text for text in self.messages + self.errors if any(m in text for m in CSP_MARKERS)]


def test_the_chat_runs_under_the_csp_of_the_single_port_server(
    browser: Browser, tmp_path: Path
) -> None:
    env, log = migrated_environment(tmp_path)
    env.pop("REFLEX_API_URL", None)
    env.pop("REFLEX_CORS_ALLOWED_ORIGINS", None)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [REFLEX, "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
    # Loopback only: nobody else can reach it (and its first account needs no setup code).
    args += ["--backend-host", "127.0.0.1"]
    with server_process(args, f"{base}/ping", env, log):
        app = LiveApp(base, base, env["REFLEX_DB_URL"], tmp_path)
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


def watched_user(
    browser: Browser, app: LiveApp, prefix: str, console: ConsoleWatch
) -> tuple[Page, str]:
    """Like test_friends_flow.new_user, with the page watched before its first load."""
    page = console.watch(browser.new_context(viewport={"width": 1280, "height": 800}).new_page())
    username = unique_name(prefix)
    register(page, app, username, username.title())
    expect_chat_as(page, app, username.title())
    return page, username


def chat_with_an_image(browser: Browser, app: LiveApp, console: ConsoleWatch, tmp_path: Path):
    """Register two users, befriend, send a text and an image; no CSP violation anywhere."""
    ann, ann_name = watched_user(browser, app, "csp_ann", console)
    bob, bob_name = watched_user(browser, app, "csp_bob", console)
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(bob, ann_name.title())
    send(ann, "Under a strict policy")
    expect(bubbles(bob).last).to_have_text("Under a strict policy")
    picture = tmp_path / "photo.png"
    Image.new("RGB", (800, 600), (20, 120, 200)).save(picture)
    ann.set_input_files(ATTACH_INPUT, str(picture))
    for page in (ann, bob):
        expect(page.locator("#message-list .message-thumbnail").last).to_be_visible(timeout=15_000)
        page.wait_for_function(
            "() => { const i = document.querySelector('#message-list .message-thumbnail');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
    assert console.violations() == [], "\n".join(console.messages + console.errors)
    # The watch does see violations: a script injected into the page (as an XSS would)
    # is refused and reported.
    with ann.expect_console_message(lambda message: "Content Security Policy" in message.text):
        ann.evaluate(
            "() => document.body.append(Object.assign(document.createElement('script'),"
            " {textContent: 'window.injected = true'}))"
        )
    assert ann.evaluate("() => window.injected") is None
    assert len(console.violations()) == 1


class _HeaderStaticHandler(_StaticHandler):
    """The tests' static server, sending what a static host is told to send."""

    headers_to_send: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        super().end_headers()


def test_a_static_host_with_the_generated_headers_runs_the_chat(browser: Browser, tmp_path: Path):
    """A static export on another origin than the backend, with the headers that
    `python -m chat_app.http.security_headers EXPORT --api-url BACKEND` prints."""
    env, log = migrated_environment(tmp_path)
    port = free_port()
    backend = f"http://127.0.0.1:{port}"
    site = tmp_path / "site"
    export_frontend(backend, site, env, log)
    headers = static_host_headers(site, backend)
    handler = type("Handler", (_HeaderStaticHandler,), {"headers_to_send": headers})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    frontend = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with backend_process(port, {**env, "REFLEX_CORS_ALLOWED_ORIGINS": frontend}, log):
            app = LiveApp(frontend, backend, env["REFLEX_DB_URL"], tmp_path)
            console = ConsoleWatch()
            response = console.watch(browser.new_page()).goto(frontend + "/auth")
            assert response is not None
            assert "wss://127.0.0.1" not in response.headers["content-security-policy"]
            assert f"ws://127.0.0.1:{port}" in response.headers["content-security-policy"]
            chat_with_an_image(browser, app, console, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
