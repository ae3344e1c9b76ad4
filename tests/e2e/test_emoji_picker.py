"""The emoji picker in a browser: every group, search by Chinese and English name, recent first."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    befriend,
    bubbles,
    friend_on_a_phone,
    new_user,
    open_chat_with,
    send,
)
from tests.support.live_app import LiveApp

SEARCH = ".emoji-search input"


def emoji_in(page: Page, container: str):
    """The emoji buttons of one part of the picker, in the order a user sees them."""
    return page.locator(f"{container} button")


def open_picker(page: Page) -> None:
    page.click("#emoji-button")
    expect(page.locator(SEARCH)).to_be_visible()


def test_search_in_both_languages_insert_and_find_them_first_next_time(
    browser: Browser, app_server: LiveApp
):
    ann, _ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())

    # A new user's first tab holds the usual favourites; every group is a tab away.
    open_picker(ann)
    expect(emoji_in(ann, "#emoji-tab-recent").first).to_have_attribute("aria-label", "👍")
    ann.click("#emoji-tab-button-flags")
    flags = emoji_in(ann, "#emoji-tab-flags")
    expect(flags.and_(ann.get_by_role("button", name="🇨🇳"))).to_be_visible()
    assert flags.count() > 250
    ann.click("#emoji-tab-button-people")
    expect(emoji_in(ann, "#emoji-tab-people").and_(ann.get_by_label("🧑‍💻"))).to_be_visible()

    # Chinese, no spaces: "笑" finds the laughing faces, named in a tooltip.
    ann.fill(SEARCH, "笑")
    laughing = emoji_in(ann, "#emoji-results").and_(ann.get_by_label("😂", exact=True))
    expect(laughing).to_have_attribute("title", "face with tears of joy")
    laughing.click()
    expect(ann.locator("#composer")).to_have_value("😂")
    # English, "smile" also finds "smiling".
    ann.fill(SEARCH, "smile")
    expect(emoji_in(ann, "#emoji-results").and_(ann.get_by_label("🙂"))).to_be_visible()
    emoji_in(ann, "#emoji-results").and_(ann.get_by_label("😄", exact=True)).click()
    expect(ann.locator("#composer")).to_have_value("😂😄")
    ann.fill(SEARCH, "no such emoji name")
    expect(ann.locator("#emoji-no-match")).to_have_text("No emoji has that name.")

    # Closed and opened again: the search is gone and the last picked comes first.
    ann.keyboard.press("Escape")
    expect(ann.locator(SEARCH)).to_have_count(0)
    open_picker(ann)
    expect(ann.locator(SEARCH)).to_have_value("")
    recent = emoji_in(ann, "#emoji-tab-recent")
    expect(recent).to_have_count(2)
    assert [recent.nth(i).get_attribute("aria-label") for i in range(2)] == ["😄", "😂"]
    ann.keyboard.press("Escape")
    ann.press("#composer", "Enter")
    expect(bubbles(ann).last).to_have_text("😂😄")

    # Kept in this browser for this user: still first after a reload.
    ann.reload()
    open_chat_with(ann, bob_name.title())
    open_picker(ann)
    expect(emoji_in(ann, "#emoji-tab-recent").first).to_have_attribute("aria-label", "😄")


# The picker's tabs: their boxes, and the picker's (the popover around the search field).
TAB_BOXES = """() => [...document.querySelectorAll(".emoji-tabs [role=tab]")]
    .map(tab => tab.getBoundingClientRect())
    .map(box => ({top: box.top, left: box.left, right: box.right, height: box.height}))"""
PICKER_BOX = """() => {
    const box = document.querySelector(".emoji-search").closest(".rt-PopoverContent")
        .getBoundingClientRect();
    return {left: box.left, right: box.right};
}"""


def test_on_a_phone_the_tabs_share_one_row_and_a_reaction_is_a_pill(
    browser: Browser, app_server: LiveApp
):
    ann, bob, ann_name, bob_name = friend_on_a_phone(browser, app_server)
    open_chat_with(ann, bob_name.title())
    send(ann, "pizza tonight?")
    open_chat_with(bob, ann_name.title())

    # A reaction under the message: a 44 px target drawn as a pill, not a circle.
    row = bob.locator("#message-list .message", has_text="pizza tonight?")
    row.locator(".message-actions").tap()
    bob.locator(".react-with").first.tap()
    chip = row.locator(".reaction").bounding_box()
    assert chip is not None
    assert chip["height"] >= 44
    assert chip["width"] >= chip["height"] + 10
    # The menu gives the focus back to its button as it closes: a picker opened before that
    # would lose it and close (a tap a person makes a moment later does not meet this).
    expect(bob.locator(".message-menu")).to_have_count(0)
    bob.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")

    # All ten tabs in one row inside the picker, each 44 px tall (three wrapped to a
    # second row); the last one opens its group.
    bob.locator("#emoji-button").tap()
    expect(bob.locator(SEARCH)).to_be_visible()
    # The popover zooms in: measured once it is at its size.
    bob.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    tabs = bob.evaluate(TAB_BOXES)
    picker = bob.evaluate(PICKER_BOX)
    assert len(tabs) == 10
    assert {round(tab["top"]) for tab in tabs} == {round(tabs[0]["top"])}
    assert all(tab["height"] >= 44 for tab in tabs)
    assert tabs[0]["left"] >= picker["left"]
    assert tabs[-1]["right"] <= picker["right"]
    bob.locator("#emoji-tab-button-flags").tap()
    expect(emoji_in(bob, "#emoji-tab-flags").first).to_be_visible()
    # On the narrowest phones too the picker is inside the screen (its border ran 2 px off).
    bob.keyboard.press("Escape")
    bob.set_viewport_size({"width": 360, "height": 740})
    bob.locator("#emoji-button").tap()
    expect(bob.locator(SEARCH)).to_be_visible()
    bob.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    picker = bob.evaluate(PICKER_BOX)
    assert picker["left"] >= 0
    assert picker["right"] <= 360, f"the picker ends at x {picker['right']}"
