"""New-message toasts on a phone (issue 17, item 7): a burst from one friend is one toast
with a count, it covers none of the page's controls, and the conversation being read gets
none.

Ann and Cy write from desktops; Bob reads on a 390 x 844 phone.
"""

from __future__ import annotations

from playwright.sync_api import Browser, FloatRect, Locator, Page, expect

from tests.support.browser import (
    DESKTOP,
    PHONE,
    befriend,
    bubbles,
    expect_chat_as,
    new_user,
    open_chat_with,
    register,
    send,
    unique_name,
)
from tests.support.live_app import LiveApp

TOASTS = "[data-sonner-toast]"
# Every toast on the page has finished moving (sonner slides them in with transitions).
TOASTS_SETTLED = """() => [...document.querySelectorAll("[data-sonner-toast]")]
    .every(toast => toast.getAnimations({subtree: true}).length === 0)"""
# What a toast covers: its box and anything sticking out of it (the close button does).
TOAST_AREA = """toast => {
    const boxes = [toast, ...toast.querySelectorAll("*")]
        .map(element => element.getBoundingClientRect())
        .filter(box => box.width > 0 && box.height > 0);
    const left = Math.min(...boxes.map(box => box.left));
    const top = Math.min(...boxes.map(box => box.top));
    const right = Math.max(...boxes.map(box => box.right));
    const bottom = Math.max(...boxes.map(box => box.bottom));
    return {x: left, y: top, width: right - left, height: bottom - top};
}"""


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not on screen"
    return box


def _overlap(a: FloatRect, b: FloatRect) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def _expect_one_toast(page: Page, text: str) -> FloatRect:
    """Exactly one toast, saying `text`, at rest inside the screen: the area it covers."""
    toasts = page.locator(TOASTS)
    expect(toasts.filter(has_text=text)).to_have_count(1)
    expect(toasts).to_have_count(1)
    page.wait_for_function(TOASTS_SETTLED)
    box = toasts.evaluate(TOAST_AREA)
    assert box["y"] >= 0, "the toast starts above the screen"
    assert box["y"] + box["height"] <= PHONE["viewport"]["height"], "the toast ends below it"
    return box


def _assert_covers_none(page: Page, toast: FloatRect, controls: dict[str, str]) -> None:
    for name, selector in controls.items():
        assert not _overlap(toast, _box(page.locator(selector).first)), f"the toast covers {name}"


def test_a_burst_is_one_toast_that_covers_no_control_on_a_phone(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    # A name long enough to take two lines in the conversation's header.
    cy, cy_nickname = browser.new_context(**DESKTOP).new_page(), "Cy " + "W" * 29
    register(cy, app_server, unique_name("cy"), cy_nickname)
    expect_chat_as(cy, app_server, cy_nickname)
    bob = browser.new_context(**PHONE).new_page()
    bob_name = unique_name("bob")
    register(bob, app_server, bob_name, bob_name.title())
    expect_chat_as(bob, app_server, bob_name.title())
    befriend(cy, bob, bob_name)
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(cy, bob_name.title())
    # The friend requests' toasts are gone before the messages come.
    expect(bob.locator(TOASTS)).to_have_count(0, timeout=15_000)

    # (a) The friend list on screen: five quick messages, one toast counting them, at the
    # bottom, clear of the header, the search box, the tabs and the first friends.
    for number in range(5):
        send(ann, f"quick {number}")
    expect(bubbles(ann)).to_have_count(5)
    toast = _expect_one_toast(bob, f"5 new messages from {ann_name.title()}")
    _assert_covers_none(
        bob,
        toast,
        {
            "the header": ".app-header",
            "the search box": "#friend-search",
            "the Friends tab": "#tab-friends",
            "the Requests tab": "#tab-requests",
            "the first friend": "#friend-list > :first-child",
            "the second friend": "#friend-list > :nth-child(2)",
        },
    )

    # (b) Reading Cy's conversation: Cy's message gets no toast; Ann's next one updates hers,
    # which stays clear of the conversation's header (two lines high) and of the composer.
    open_chat_with(bob, cy_nickname)
    send(cy, "are you there?")
    expect(bubbles(bob).last).to_have_text("are you there?")
    send(ann, "one more")
    toast = _expect_one_toast(bob, f"6 new messages from {ann_name.title()}")
    expect(bob.locator(TOASTS).filter(has_text="Cy ")).to_have_count(0)
    _assert_covers_none(
        bob,
        toast,
        {
            "the conversation's header": "#conversation-pane > :first-child",
            "the newest message": "#message-list .message >> nth=-1",
            "the composer": "#composer",
            "the send button": "#send-button",
        },
    )

    # (c) With the toast still there, a menu opened under it is drawn whole above it: the
    # middle of each of its items shows the item (the toast hid the first).
    bob.click("#chat-more")
    items = bob.locator("[role=menuitem]")
    expect(items.first).to_be_visible()
    bob.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    expect(bob.locator(TOASTS)).to_have_count(1)
    # Taps pass through a toast's empty parts, and `elementFromPoint` with them: made
    # solid here, the topmost element at a point is the one painted there.
    bob.add_style_tag(
        content="[data-sonner-toaster], [data-sonner-toaster] * "
        "{ pointer-events: auto !important; }"
    )
    for item in items.all():
        box = _box(item)
        reached = item.evaluate(
            "(item, [x, y]) => document.elementFromPoint(x, y).closest('[role=menuitem]') === item",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert reached, f"the toast covers {item.inner_text()}"

    # (d) Opening Ann's conversation closes her toast: it has said what it had to say, and
    # it sat over the top of her messages for the rest of its seconds.
    bob.keyboard.press("Escape")
    bob.click("#back-button")
    send(ann, "are you coming?")
    toast = bob.locator(TOASTS).filter(has_text=f"7 new messages from {ann_name.title()}")
    expect(toast).to_have_count(1)
    bob.click("#tab-chats")
    bob.locator(f"#chat-list button[aria-label='{ann_name.title()}']").tap()
    expect(bubbles(bob).last).to_have_text("are you coming?")
    # Well before the toast's own four seconds are over.
    expect(bob.locator(TOASTS)).to_have_count(0, timeout=2_500)
