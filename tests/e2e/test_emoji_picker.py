"""The emoji picker in a browser: every group, search by Chinese and English name, recent first."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import befriend, bubbles, new_user, open_chat_with
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
