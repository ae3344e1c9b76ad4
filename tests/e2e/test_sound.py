"""The new-message sound in Chromium: one tab of the user plays it, and the setting silences it.

The frontend is the static export `app_server` serves. The test counts the audio elements'
`play` events with its own init script; the app ships no script of its own for the sound.
"""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import DESKTOP, expect_chat_as, open_chat_with, register, unique_name
from tests.support.browser import search as search_user
from tests.support.live_app import LiveApp

# Counts the media `play` events of the page (they do not bubble: listened to on capture).
COUNT_PLAYS = """
window.__plays = 0;
document.addEventListener("play", () => { window.__plays += 1; }, true);
"""


def _plays(page: Page) -> int:
    return page.evaluate("window.__plays")


def _user(browser: Browser, app: LiveApp, prefix: str) -> tuple[Page, str]:
    context = browser.new_context(**DESKTOP)
    context.add_init_script(COUNT_PLAYS)
    page = context.new_page()
    name = unique_name(prefix)
    register(page, app, name, name.title())
    expect_chat_as(page, app, name.title())
    return page, name


def _the_one_that_played(pages: list[Page], plays_before: list[int]) -> Page:
    """Wait until one of the pages has played once more; fail if two did."""
    deadline = time.monotonic() + 15
    while True:
        played = [p for p, before in zip(pages, plays_before, strict=True) if _plays(p) > before]
        if played:
            assert len(played) == 1, "more than one tab played the sound"
            return played[0]
        assert time.monotonic() < deadline, "no tab played the sound"
        # No event tells the test which tab will play: it looks again shortly.
        pages[0].wait_for_timeout(50)


def _round_trip(page: Page) -> None:
    """A server round trip of the tab: its earlier events (a focus) have been handled."""
    page.click("#tab-requests")
    expect(page.locator("#tab-requests")).to_have_attribute("aria-selected", "true")
    page.click("#tab-friends")
    expect(page.locator("#tab-friends")).to_have_attribute("aria-selected", "true")


def _toggle_sound(page: Page, other_tab: Page, now_checked: str) -> None:
    """Switch the sound in one tab's menu; the other tab's menu shows the new setting."""
    page.click("#user-menu")
    page.click("#menu-sound")
    expect(page.locator("#menu-sound")).to_be_hidden()  # a chosen item closes the menu
    other_tab.click("#user-menu")
    expect(other_tab.locator("#menu-sound")).to_have_attribute("aria-checked", now_checked)
    other_tab.keyboard.press("Escape")
    expect(other_tab.locator("#menu-sound")).to_be_hidden()


def _unread_from(page: Page, count: int) -> None:
    # Whichever list the tab shows (a new tab opens on Chats): both count the same.
    badge = page.locator("#friend-list .unread-badge, #chat-list .unread-badge")
    expect(badge).to_have_text(str(count))


def test_a_message_sounds_in_one_tab_of_the_user_and_the_setting_silences_it(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = _user(browser, app_server, "ann")
    bob, bob_name = _user(browser, app_server, "bob")
    search_user(ann, bob_name)
    ann.click("#search-add")
    # The request sounds in Bob's tab (his only one).
    expect(bob.locator("#chime")).to_have_attribute("data-rings", "1")
    bob.wait_for_function("window.__plays === 1")
    bob.click("#tab-requests")
    bob.locator("#incoming-requests").get_by_role("button", name="Accept").click()
    bob.click("#tab-friends")
    ann.click("#tab-friends")  # the pane opens on the Chats tab
    expect(ann.locator("#friend-list")).to_contain_text(bob_name.title())

    # Ann opens a second tab and clicks in it, as in the first (a browser plays sound only
    # in a page the user has interacted with; this headless Chromium would play anyway).
    ann_2 = ann.context.new_page()
    ann_2.goto(app_server.frontend_url + "/")
    expect_chat_as(ann_2, app_server, ann_name.title())
    ann_2.click("#tab-friends")
    tabs = [ann, ann_2]

    open_chat_with(bob, ann_name.title())

    def bob_sends(text: str, unread: int) -> list[int]:
        """Bob sends; Ann's tabs show it arrived. Returns their plays from before."""
        before = [_plays(tab) for tab in tabs]
        bob.fill("#composer", text)
        bob.press("#composer", "Enter")
        for tab in tabs:
            _unread_from(tab, unread)
        return before

    player = _the_one_that_played(tabs, bob_sends("one", 1))
    other = ann_2 if player is ann else ann
    expect(player.locator("#chime")).to_have_attribute("data-rings", "1")
    expect(other.locator("#chime")).to_have_count(0)
    assert (_plays(player), _plays(other), _plays(bob)) == (1, 0, 1)

    # The user brings the other tab to the front: that one plays the next message.
    other.evaluate("window.dispatchEvent(new Event('focus'))")
    _round_trip(other)
    assert _the_one_that_played(tabs, bob_sends("two", 2)) is other
    expect(other.locator("#chime")).to_have_attribute("data-rings", "1")
    assert (_plays(player), _plays(other)) == (1, 1)

    # Sound off, in the menu of one tab: the other tab's menu says so too.
    _toggle_sound(player, other, "false")
    bob_sends("three", 3)
    _round_trip(other)  # the sound it was told to play has reached the server
    # On again: the next message plays once, so the one sent while off never played.
    _toggle_sound(player, other, "true")
    other.evaluate("window.dispatchEvent(new Event('focus'))")  # still the tab in front
    _round_trip(other)
    assert _the_one_that_played(tabs, bob_sends("four", 4)) is other
    expect(other.locator("#chime")).to_have_attribute("data-rings", "2")
    assert (_plays(player), _plays(other), _plays(bob)) == (1, 2, 1)
