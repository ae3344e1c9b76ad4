"""Watching pages for Content-Security-Policy violations while a whole chat runs.

Shared by the e2e tests of the servers' security headers (the single-port server `make run`
starts, and a static host with the generated headers).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.support.browser import (
    ATTACH_INPUT,
    befriend,
    bubbles,
    expect_chat_as,
    file_fetches,
    open_chat_with,
    register,
    send,
    unique_name,
    wait_for_thumbnail,
)
from tests.support.live_app import LiveApp

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
    fetched = {page: file_fetches(page) for page in (ann, bob)}
    ann.set_input_files(ATTACH_INPUT, str(picture))
    for page in (ann, bob):
        expect(page.locator("#message-list .message-thumbnail").last).to_be_visible(timeout=15_000)
        wait_for_thumbnail(page, fetched[page])
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
