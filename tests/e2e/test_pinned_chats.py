"""Pinning a chat to the top of the list, in a real browser.

On a desktop a row's own menu (a right-click) pins it: the row goes first, tinted, with a
pin, on every tab of the user, and a message in another chat moves that one up below it.
On a phone the header's ⋮ menu unpins the open chat, and a long press on a row pins it.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.browser import (
    PHONE,
    befriend,
    expect_chat_as,
    login,
    new_user,
    open_chat_with,
    send,
)
from tests.support.live_app import LiveApp

# The Chats tab's row names as they stand on screen, top first (CSS `order` moves them).
_ROWS_TOP_DOWN = """() => [...document.querySelectorAll('#chat-list button.chat-open')]
    .map(row => [row.getBoundingClientRect().top, row.getAttribute('aria-label')])
    .sort((a, b) => a[0] - b[0])
    .map(placed => placed[1])"""


def _expect_rows(page: Page, names: list[str]) -> None:
    """Wait until the rows stand in this order on screen (a push moves them)."""
    try:
        page.wait_for_function(
            f"names => JSON.stringify(({_ROWS_TOP_DOWN})()) === JSON.stringify(names)",
            arg=names,
            timeout=10_000,
        )
    except PlaywrightTimeoutError:
        assert page.evaluate(_ROWS_TOP_DOWN) == names


def _long_press(page: Page, target: Locator) -> None:
    """A finger held on `target` until the menu it has opens (a touch screen's press)."""
    box = target.bounding_box()
    assert box is not None
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    touch = page.context.new_cdp_session(page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    expect(page.get_by_role("menu")).to_be_visible()
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_pinned_chat_stays_first_and_a_phone_unpins_it(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    cat, cat_name = new_user(browser, app_server, "cat")
    befriend(ann, bob, bob_name)
    befriend(ann, cat, cat_name)
    bob_nick, cat_nick = bob_name.title(), cat_name.title()
    open_chat_with(bob, ann_name.title())
    send(bob, "from bob")
    open_chat_with(cat, ann_name.title())
    send(cat, "from cat")
    ann.click("#tab-chats")
    _expect_rows(ann, [cat_nick, bob_nick])
    # Ann's second tab of the same browser.
    second = ann.context.new_page()
    second.goto(app_server.frontend_url + "/")
    expect_chat_as(second, app_server, ann_name.title())
    second.click("#tab-chats")

    bob_row = ann.locator("#chat-list button.chat-open", has_text=bob_nick)
    bob_row.click(button="right")
    ann.locator(".row-pin").click()
    _expect_rows(ann, [bob_nick, cat_nick])
    expect(bob_row.locator(".pinned-mark")).to_be_visible()
    # "Pinned" is for screen readers: it takes none of the last line's room.
    label = bob_row.locator(".visually-hidden", has_text="Pinned")
    expect(label).to_have_count(1)
    label_box = label.bounding_box()
    assert label_box is not None
    assert label_box["width"] <= 1
    # Tinted, and not opened by the menu.
    assert bob_row.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    expect(ann.locator("#conversation-title")).to_have_count(0)
    _expect_rows(second, [bob_nick, cat_nick])

    # From the keyboard: the row's menu key pins it, and the focus stays on the row.
    cat_row = ann.locator("#chat-list button.chat-open", has_text=cat_nick)
    cat_row.focus()
    ann.keyboard.press("Shift+F10")
    expect(ann.get_by_role("menu")).to_be_visible()
    ann.keyboard.press("ArrowDown")
    ann.keyboard.press("Enter")
    _expect_rows(ann, [cat_nick, bob_nick])
    expect(cat_row).to_be_focused()
    cat_row.click(button="right")
    ann.locator(".row-pin").click()
    _expect_rows(ann, [bob_nick, cat_nick])

    # A new message moves Cat's chat up, below the pinned one.
    send(cat, "again from cat")
    expect(ann.locator("#chat-list")).to_contain_text("again from cat")
    _expect_rows(ann, [bob_nick, cat_nick])

    # On her phone, the open chat's ⋮ menu unpins it.
    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, ann_name)
    expect_chat_as(phone, app_server, ann_name.title())
    phone.click("#tab-chats")
    _expect_rows(phone, [bob_nick, cat_nick])
    phone.locator("#chat-list button.chat-open", has_text=bob_nick).click()
    phone.click("#chat-more")
    expect(phone.locator("#more-pin")).to_have_text("Unpin")
    phone.click("#more-pin")
    phone.click("#back-button")
    _expect_rows(phone, [cat_nick, bob_nick])
    _expect_rows(ann, [cat_nick, bob_nick])
    expect(bob_row.locator(".pinned-mark")).to_have_count(0)

    # A tap beside a row's menu (a long press opened it) only dismisses the menu.
    cat_on_phone = phone.locator("#chat-list button.chat-open", has_text=cat_nick)
    _long_press(phone, cat_on_phone)
    bob_on_phone = phone.locator("#chat-list button.chat-open", has_text=bob_nick)
    box = bob_on_phone.bounding_box()
    assert box is not None
    phone.touchscreen.tap(box["x"] + box["width"] - 30, box["y"] + box["height"] / 2)
    expect(phone.get_by_role("menu")).to_have_count(0)
    expect(phone.locator("#conversation-title")).to_be_hidden()

    # A long press on a row pins it, without opening it.
    _long_press(phone, cat_on_phone)
    phone.locator(".row-pin").click()
    _expect_rows(phone, [cat_nick, bob_nick])
    expect(phone.locator("#conversation-title")).to_be_hidden()
    _expect_rows(ann, [cat_nick, bob_nick])
