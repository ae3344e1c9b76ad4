"""Pasting a picture into the composer: a small one is sent, a screenshot-sized one is refused
with a word and the connection stays up."""

from __future__ import annotations

import base64
import io
import os

from PIL import Image
from playwright.sync_api import Browser, Page, WebSocket, expect

from chat_app.states.uploads import PASTE_MAX_CHARS
from tests.support.browser import (
    befriend,
    bubbles,
    file_fetches,
    new_user,
    open_chat_with,
    send,
    wait_for_thumbnail,
)
from tests.support.live_app import LiveApp

# What a paste from the system clipboard gives the page (Chromium's own paste event).
PASTE = """([encoded, type]) => {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "image.png", {type}));
    document.querySelector("#composer").dispatchEvent(
        new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def png(width: int, height: int, noise: bool) -> bytes:
    """A PNG; with noise it barely compresses (a screenshot of a photo, say)."""
    image = Image.new("RGB", (width, height), (40, 120, 200))
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def paste(page: Page, content: bytes) -> None:
    page.evaluate(PASTE, [base64.b64encode(content).decode(), "image/png"])


class Sockets:
    """The page's websockets: how many opened and closed, and the longest frame sent."""

    def __init__(self, page: Page) -> None:
        self.opened: list[WebSocket] = []
        self.closed = 0
        self.longest_sent = 0
        page.on("websocket", self._opened)

    def _opened(self, socket: WebSocket) -> None:
        self.opened.append(socket)
        socket.on("close", self._closed)
        socket.on("framesent", self._sent)

    def _closed(self, _socket: WebSocket) -> None:
        self.closed += 1

    def _sent(self, payload: str | bytes) -> None:
        self.longest_sent = max(self.longest_sent, len(payload))


def test_a_small_picture_is_sent_a_screenshot_is_refused_and_the_socket_stays(
    browser: Browser, app_server: LiveApp
):
    ann, _ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    sockets = Sockets(ann)
    ann.reload()
    open_chat_with(ann, bob_name.title())

    screenshot = png(1000, 700, noise=True)
    assert len(screenshot) > 1_000_000
    assert len(base64.b64encode(screenshot)) > PASTE_MAX_CHARS
    paste(ann, screenshot)
    expect(ann.locator("#composer-error")).to_contain_text("too large to paste")
    # The connection held: no offline notice, and a message still goes out and is stored.
    send(ann, "still connected")
    expect(ann.locator("#message-list .message.mine .message-status").last).to_have_text("Sent")
    expect(ann.locator("#composer-offline")).to_have_count(0)
    expect(bubbles(ann)).to_have_text(["still connected"])
    assert (len(sockets.opened), sockets.closed) == (1, 0)
    # Only the picture's length went to the server, not the picture.
    assert sockets.longest_sent < 2_000

    # A picture under the bound goes through the socket whole (a cropped screenshot, say).
    picture = png(300, 250, noise=True)
    assert 200_000 < len(picture) < PASTE_MAX_CHARS * 3 // 4 - 100
    fetched = file_fetches(ann)
    paste(ann, picture)
    thumbnail = ann.locator("#message-list .message-thumbnail").last
    expect(thumbnail).to_be_visible(timeout=15_000)
    wait_for_thumbnail(ann, fetched)
    expect(bob.locator("#friend-list .unread-badge")).to_have_text("2")
    assert (len(sockets.opened), sockets.closed) == (1, 0)
    assert len(picture) < sockets.longest_sent < 1_000_000
