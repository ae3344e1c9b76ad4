"""Long names stay in their box, and message text starts where the reader starts reading.

A nickname or username of 32 unbroken characters (the most either may have) is cut with an
ellipsis in every list and menu, with the whole name in a `title` (hover) and in the
conversation header (touch screens have no hover); nothing scrolls sideways, on a 320 px
phone or on the desktop. Message text starts at the bubble's start edge: the left for
left-to-right scripts, the right for Arabic and Hebrew.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, FloatRect, Locator, Page, expect

from tests.support.browser import (
    DESKTOP,
    befriend,
    bubbles,
    expect_chat_as,
    login,
    new_user,
    open_chat_with,
    register,
    search,
    send,
    unique_name,
)
from tests.support.live_app import LiveApp

SMALL_PHONE: dict[str, Any] = {
    "viewport": {"width": 320, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}
# Wide letters, no space or hyphen: the browser has nowhere to break them.
LONG_NICKNAMES = ("W" * 32, "M" * 32)
ARABIC = "مرحبا بكم في المحادثة"
HEBREW = "שלום לכולם"


def long_username(prefix: str) -> str:
    """A unique username of 32 characters (the most allowed), letters and one underscore."""
    name = unique_name(prefix)
    return name.rjust(32, "w")


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def right(locator: Locator) -> float:
    found = box(locator)
    return found["x"] + found["width"]


def assert_no_sideways_scroll(page: Page, *containers: str) -> None:
    """Neither the page nor any of the scrolling containers is wider than its box."""
    widths = page.evaluate(
        "e => [e.scrollWidth, e.clientWidth]", page.evaluate_handle("document.documentElement")
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    for selector in containers:
        scroll, client = page.locator(selector).evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scroll <= client, f"{selector} scrolls sideways: {scroll} > {client}"


def text_start(element: Locator) -> float:
    """Where the element's text starts on the screen (its first letter's box, not its ink)."""
    return element.evaluate(
        """e => {
            const range = document.createRange();
            range.selectNodeContents(e);
            return range.getBoundingClientRect().left;
        }"""
    )


def ink_room(element: Locator) -> dict[str, float]:
    """How far the box that clips the element's text reaches beyond the text, in em.

    The text's range covers the font's whole height (ascent to descent, whatever the
    line height or a trimmed leading), where every letter's ink is but a little overhang
    to the sides: a box that clipped inside it cut a T's bar and every descender.
    """
    return element.evaluate(
        """e => {
            const range = document.createRange();
            range.selectNodeContents(e);
            const text = range.getBoundingClientRect();
            const clip = e.getBoundingClientRect();
            const em = parseFloat(getComputedStyle(e).fontSize);
            return {
                left: (text.left - clip.left) / em,
                top: (text.top - clip.top) / em,
                bottom: (clip.bottom - text.bottom) / em,
            };
        }"""
    )


def assert_cut_with_full_title(name: Locator, full: str) -> None:
    """The name shows on one line, cut with an ellipsis, every letter whole; its title holds all."""
    style = name.evaluate(
        "e => [getComputedStyle(e).textOverflow, getComputedStyle(e).whiteSpace,"
        " e.scrollWidth > e.clientWidth]"
    )
    assert style == ["ellipsis", "nowrap", True], style
    room = ink_room(name)
    assert room["left"] >= 0.1, f"the box cuts the first letter (room in em): {room}"
    assert room["top"] >= 0, f"the box cuts the letters' tops (room in em): {room}"
    assert room["bottom"] >= 0, f"the box cuts the descenders (room in em): {room}"
    expect(name).to_have_attribute("title", full)


def name_in(container: Locator, nickname: str) -> Locator:
    return container.get_by_text(nickname, exact=True)


def assert_friend_row_fits(page: Page, username: str, nickname: str) -> None:
    row = page.locator("#friend-list > *").filter(has=page.locator(f'[data-username="{username}"]'))
    menu = row.get_by_role("button", name="Actions for this friend")
    name = name_in(row, nickname)
    assert right(name) <= box(menu)["x"], "the name runs under the ⋮ button"
    handle = row.get_by_text("@" + username, exact=True)
    assert right(handle) <= box(menu)["x"]
    # The room before the first letter moves no text: name and username start in line.
    assert abs(text_start(name) - text_start(handle)) < 0.5
    assert_no_sideways_scroll(page, "#friend-pane")
    assert_cut_with_full_title(name, nickname)


def assert_header_shows_the_whole_name(page: Page, nickname: str) -> None:
    title = page.locator("#conversation-title")
    expect(title).to_have_text(nickname)
    # All of it visible: not cut, and inside the screen.
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")
    size = page.viewport_size
    assert size is not None
    assert right(title) <= size["width"]
    assert_no_sideways_scroll(page, "#conversation-pane", "#message-list")


def test_a_long_name_is_cut_in_lists_whole_in_the_header_and_nothing_scrolls_sideways(
    browser: Browser, app_server: LiveApp
):
    ann_nickname, bob_nickname = LONG_NICKNAMES
    ann_username, bob_username = long_username("ann"), long_username("bob")
    ann = browser.new_context(**DESKTOP).new_page()
    register(ann, app_server, ann_username, ann_nickname)
    expect_chat_as(ann, app_server, ann_nickname)
    bob = browser.new_context(**SMALL_PHONE).new_page()
    register(bob, app_server, bob_username, bob_nickname)
    expect_chat_as(bob, app_server, bob_nickname)

    # Bob's own long name in the header's menu button, on a 320 px phone.
    assert right(bob.locator("#user-menu")) <= 320
    assert_no_sideways_scroll(bob, "#friend-pane")
    assert_cut_with_full_title(bob.locator("#current-nickname"), bob_nickname)

    # Ann's search result: the name stops before the buttons (the desktop pane is 20em).
    search(ann, bob_username)
    found = name_in(ann.locator("#search-result"), bob_nickname)
    assert right(found) <= box(ann.locator("#search-add"))["x"]
    assert_no_sideways_scroll(ann, "#friend-pane")
    assert_cut_with_full_title(found, bob_nickname)
    ann.click("#search-add")

    # Bob's incoming request: the name stops before Accept.
    bob.click("#tab-requests")
    incoming = bob.locator("#incoming-requests")
    accept = incoming.get_by_role("button", name="Accept")
    requester = name_in(incoming, ann_nickname)
    assert right(requester) <= box(accept)["x"]
    assert_no_sideways_scroll(bob, "#friend-pane")
    assert_cut_with_full_title(requester, ann_nickname)
    accept.click()

    # Ann's toast names Bob without running out of the toast.
    toast = ann.locator("[data-sonner-toast]").filter(has_text="is now your friend")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("M" * 15 + "… is now your friend.")
    assert toast.locator("[data-title]").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert right(toast) <= 1280

    # The friend lists, then the open conversation, on the desktop and on the phone.
    bob.click("#tab-friends")
    for page, username, nickname in (
        (ann, bob_username, bob_nickname),
        (bob, ann_username, ann_nickname),
    ):
        page.click("#tab-friends")  # the pane opens on the Chats tab
        expect(page.locator("#friend-list")).to_contain_text(nickname)
        assert_friend_row_fits(page, username, nickname)
        page.locator(f'#friend-list [data-username="{username}"]').click()
        assert_header_shows_the_whole_name(page, nickname)


LONG_GROUP_NAME = "Weekend hiking squad with a very long name, for the whole class"
SETTLED = "document.getAnimations().every(a => a.playState !== 'running')"


def line_count(element: Locator) -> float:
    return element.evaluate(
        "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
    )


def test_long_names_in_a_group_stay_inside_a_phones_screen(browser: Browser, app_server: LiveApp):
    friend_nickname, bob_nickname = LONG_NICKNAMES
    friend_username = long_username("cat")
    friend = browser.new_context(**DESKTOP).new_page()
    register(friend, app_server, friend_username, friend_nickname)
    expect_chat_as(friend, app_server, friend_nickname)
    bob_username = unique_name("bob")
    desk = browser.new_context(**DESKTOP).new_page()
    register(desk, app_server, bob_username, bob_nickname)
    expect_chat_as(desk, app_server, bob_nickname)
    befriend(friend, desk, bob_username, bob_nickname)
    desk.context.close()
    bob = browser.new_context(**SMALL_PHONE).new_page()
    login(bob, app_server, bob_username)
    expect_chat_as(bob, app_server, bob_nickname)

    # His own long name in the menu beside it leaves the app's name on one line.
    assert line_count(bob.locator(".app-header .rt-Heading")) < 1.5

    # The friend picker: the dialog inside the screen, the friend's name cut in its row.
    bob.click("#tab-chats")
    bob.click("#new-group")
    dialog = bob.get_by_role("dialog")
    expect(dialog).to_be_visible()
    bob.wait_for_function(SETTLED)
    assert right(dialog) <= 320
    row = bob.locator(f'#new-group-friends [data-username="{friend_username}"]')
    assert right(row) <= right(dialog)
    assert_cut_with_full_title(name_in(row, friend_nickname), friend_nickname)
    # 2 px: the room a cut name keeps for its letters' ink reaches past its box (name_text).
    assert right(name_in(row, "@" + friend_username)) <= right(row) + 2
    assert box(name_in(row, friend_nickname))["width"] >= 80, "the name gave all its room"
    assert_no_sideways_scroll(bob, "#new-group-friends")
    bob.fill("#new-group-name", LONG_GROUP_NAME)
    row.click()
    bob.click("#new-group-create")

    # The group's long name takes two lines of the header at most (whole in its panel).
    title = bob.locator("#conversation-title")
    expect(title).to_have_text(LONG_GROUP_NAME)
    assert line_count(title) < 2.5
    assert_no_sideways_scroll(bob, "#conversation-pane", "#message-list")

    # The members offered after "@": inside the screen, each name cut in its line.
    bob.locator("#composer").press_sequentially("@W")
    offer = bob.locator("#mention-options .mention-option")
    expect(offer).to_have_count(1)
    options = bob.locator("#mention-options")
    assert box(options)["x"] >= 0
    assert right(options) <= 320
    assert box(options)["width"] >= 200, "the names are cut to a few letters"
    assert_cut_with_full_title(name_in(offer, friend_nickname), friend_nickname)
    assert right(offer.get_by_text("@" + friend_username, exact=True)) <= right(options) + 2


def text_lines(body: Locator) -> dict[str, Any]:
    """Where each line of a message's text starts and ends, and its bubble's content box."""
    return body.evaluate(
        """body => {
            const bubble = body.parentElement;
            const style = getComputedStyle(bubble);
            const outer = bubble.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(body);
            const lines = new Map();
            for (const rect of range.getClientRects()) {
                if (rect.width === 0) continue;
                const top = Math.round(rect.top);
                const line = lines.get(top) || {left: rect.left, right: rect.right};
                line.left = Math.min(line.left, rect.left);
                line.right = Math.max(line.right, rect.right);
                lines.set(top, line);
            }
            return {
                lines: [...lines.values()],
                left: outer.left + parseFloat(style.borderLeftWidth)
                    + parseFloat(style.paddingLeft),
                right: outer.right - parseFloat(style.borderRightWidth)
                    - parseFloat(style.paddingRight),
                align: getComputedStyle(body).textAlign,
                direction: getComputedStyle(body).direction,
            };
        }"""
    )


def test_message_text_starts_at_the_bubbles_start_edge(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    wrapped = " ".join(f"word{n}" for n in range(60))
    for text in ("ok", wrapped, ARABIC, HEBREW):
        send(ann, text)
    expect(bubbles(ann)).to_have_count(4)
    open_chat_with(bob, ann_name.title())
    expect(bubbles(bob)).to_have_count(4)

    for page in (ann, bob):  # own bubbles (right, with a status) and a friend's (left)
        for text in ("ok", wrapped):
            body = bubbles(page).filter(has_text=text).last
            measured = text_lines(body)
            assert measured["align"] in ("start", "left"), measured
            if text == wrapped:
                assert len(measured["lines"]) >= 2, measured
            # Every line, also the last, short one, starts at the bubble's left padding edge.
            for line in measured["lines"]:
                assert abs(line["left"] - measured["left"]) <= 1, (text, measured)
            text_box, bubble_box = box(body), box(body.locator("xpath=.."))
            assert text_box["x"] >= bubble_box["x"]
        for text in (ARABIC, HEBREW):
            measured = text_lines(bubbles(page).filter(has_text=text))
            assert measured["direction"] == "rtl", measured
            assert measured["align"] in ("start", "right"), measured
            for line in measured["lines"]:
                assert abs(line["right"] - measured["right"]) <= 1, (text, measured)
