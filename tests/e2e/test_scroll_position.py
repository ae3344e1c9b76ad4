"""Where the message list stands: on the newest message when opened, following new ones at
the bottom, still when the reader has scrolled up (issue 17, item 1); and "read" means
seen: at the bottom of the list, in a visible tab (item 2).

Geometry as a reader sees it: the newest bubble's box against the list's box, on a desktop
and on a phone. Ann sends from a desktop; Bob reads on the device under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    ATTACH_INPUT,
    DESKTOP,
    PHONE,
    SentEvents,
    befriend,
    expect_chat_as,
    new_user,
    open_chat_with,
    register,
    send,
    unique_name,
)
from tests.support.history import seed_history
from tests.support.images import png
from tests.support.live_app import LiveApp
from tests.support.sql import user_ids

MESSAGES = "#message-list .message"
# The newest bubble's bottom edge is inside the list's visible box (1 px for rounding).
NEWEST_INSIDE = """() => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const all = document.querySelectorAll("#message-list .message");
    const newest = all[all.length - 1].getBoundingClientRect();
    return newest.bottom <= list.bottom + 1 && newest.bottom > list.top;
}"""
# The first message whose bottom edge is below the list's top: its seq and top edge.
TOP_VISIBLE = """() => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const first = [...document.querySelectorAll("#message-list .message")]
        .find(element => element.getBoundingClientRect().bottom > list.top + 1);
    return [Number(first.dataset.seq), first.getBoundingClientRect().top];
}"""
# Every thumbnail in the list has loaded.
IMAGES_LOADED = """() => [...document.querySelectorAll("#message-list .message-thumbnail")]
    .every(image => image.complete && image.naturalWidth > 0)"""


def _reader(browser: Browser, app: LiveApp, device: dict[str, Any]) -> tuple[Page, str]:
    page = browser.new_context(**device).new_page()
    username = unique_name("bob")
    register(page, app, username, username.title())
    expect_chat_as(page, app, username.title())
    return page, username


def _expect_newest_inside(page: Page, what: str) -> None:
    page.wait_for_function(IMAGES_LOADED)
    try:
        page.wait_for_function(NEWEST_INSIDE, timeout=5_000)
    except Exception as error:  # reworded for the reader of the failure
        gap = page.evaluate(
            """() => {
                const list = document.getElementById("message-list").getBoundingClientRect();
                const all = document.querySelectorAll("#message-list .message");
                return all[all.length - 1].getBoundingClientRect().bottom - list.bottom;
            }"""
        )
        raise AssertionError(
            f"{what}: the newest message ends {gap:.0f} px below the list"
        ) from error


def _send_picture(page: Page, folder: Path, name: str, size: tuple[int, int]) -> None:
    picture = folder / name
    picture.write_bytes(png(*size))
    page.set_input_files(ATTACH_INPUT, str(picture))


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_list_opens_on_and_follows_the_newest_message(
    browser: Browser, app_server: LiveApp, device: dict[str, Any], tmp_path: Path
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = _reader(browser, app_server, device)
    befriend(ann, bob, bob_name)
    ann_id, bob_id = user_ids(app_server.database_url, ann_name, bob_name)
    seed_history(app_server.database_url, ann_id, bob_id, 40)

    # (a) Opened by a click, then by a reload: on the newest message.
    open_chat_with(bob, ann_name.title())
    expect(bob.locator(MESSAGES)).to_have_count(40)
    _expect_newest_inside(bob, "opened by a click")
    sent = SentEvents(bob)  # the page's socket after the reload
    bob.reload()
    expect(bob.locator(MESSAGES)).to_have_count(40, timeout=20_000)
    _expect_newest_inside(bob, "after a reload")

    # (b) At the bottom, a text and a picture arrive: the bottom stays in view.
    open_chat_with(ann, bob_name.title())
    send(ann, "a new text\nover two lines")
    expect(bob.locator(MESSAGES)).to_have_count(41)
    _expect_newest_inside(bob, "a text arrived")
    _send_picture(ann, tmp_path, "at the bottom.png", (600, 400))
    expect(bob.locator(f"{MESSAGES} .message-thumbnail")).to_have_count(1, timeout=15_000)
    _expect_newest_inside(bob, "a picture arrived")

    # (c) Scrolled up by more than a screen: five texts and a picture arrive, nothing moves.
    since = len(sent.frames)
    bob.locator("#message-list").evaluate("list => list.scrollBy(0, -1.5 * list.clientHeight)")
    assert not bob.evaluate(NEWEST_INSIDE), "the list did not scroll up"
    # The server hears of it before the messages come (a person scrolls, then reads on).
    sent.wait_for(bob, "reader_scrolled_up", since)
    seq_before, top_before = bob.evaluate(TOP_VISIBLE)
    for number in range(5):
        send(ann, f"while scrolled up {number}")
    _send_picture(ann, tmp_path, "scrolled up.png", (400, 600))
    expect(bob.locator(MESSAGES)).to_have_count(48, timeout=15_000)
    expect(bob.locator(f"{MESSAGES} .message-thumbnail")).to_have_count(2, timeout=15_000)
    bob.wait_for_function(IMAGES_LOADED)
    # The boxes kept to the pictures' proportions (reserved from the stored size).
    thumbnails = bob.locator(f"{MESSAGES} .message-thumbnail").all()
    for thumbnail, ratio in zip(thumbnails, (1.5, 2 / 3), strict=True):
        box = thumbnail.bounding_box()
        assert box is not None
        assert abs(box["width"] / box["height"] - ratio) < 0.02
        assert max(box["width"], box["height"]) <= 361
    seq_after, top_after = bob.evaluate(TOP_VISIBLE)
    assert seq_after == seq_before, "another message is now on top"
    assert abs(top_after - top_before) <= 2, f"the message on top moved {top_after - top_before}"
    # Bob is told, and nothing he has not seen counts as read.
    expect(bob.locator("#new-below")).to_have_text("↓ 6 new")
    expect(_last_status(ann)).to_have_text("Sent")
    assert not bob.evaluate(NEWEST_INSIDE), "the list moved down by itself"

    # The button brings him down: he sees them, Ann sees that he read them.
    bob.click("#new-below")
    _expect_newest_inside(bob, "after the new-messages button")
    expect(bob.locator("#new-below")).to_have_count(0)
    expect(_last_status(ann)).to_have_text("Read")

    # (d) Scrolled up, Bob sends a text, then a picture: each time the list goes to its
    # end and he sees what he sent (as WeChat and Telegram do).
    for number, send_it in enumerate(
        (
            lambda: send(bob, "sent while scrolled up"),
            lambda: _send_picture(bob, tmp_path, "mine.png", (500, 300)),
        )
    ):
        bob.locator("#message-list").evaluate("list => list.scrollBy(0, -1.5 * list.clientHeight)")
        assert not bob.evaluate(NEWEST_INSIDE), "the list did not scroll up"
        send_it()
        expect(bob.locator(MESSAGES)).to_have_count(49 + number, timeout=15_000)
        _expect_newest_inside(bob, f"his own message {number + 1} sent while scrolled up")


def _last_status(page: Page):
    return page.locator("#message-list .message.mine .message-status").last


def _set_tab_hidden(page: Page, hidden: bool) -> None:
    """What the browser does when the tab goes to the background or comes back."""
    page.evaluate(
        """hidden => {
            Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
            document.dispatchEvent(new Event("visibilitychange", {bubbles: true}));
        }""",
        hidden,
    )


def test_read_means_seen_in_a_visible_tab(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(bob, ann_name.title())
    send(ann, "seen at once")
    expect(_last_status(ann)).to_have_text("Read")

    # Bob's tab is in the background: the message arrives but is not read.
    _set_tab_hidden(bob, True)
    send(ann, "while you were away")
    expect(bob.locator("#new-below")).to_have_text("↓ 1 new")
    expect(bob).to_have_title("(1) Chat")
    expect(_last_status(ann)).to_have_text("Sent")

    # He comes back to the tab: now it is read.
    _set_tab_hidden(bob, False)
    expect(_last_status(ann)).to_have_text("Read")
    expect(bob.locator("#new-below")).to_have_count(0)
    expect(bob).to_have_title("Chat")
