"""Two people in two browsers become friends, with everything arriving live."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import new_user, search
from tests.support.live_app import LiveApp


def test_search_request_accept_live(browser: Browser, app_server: LiveApp):
    ann, _ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")

    search(ann, "nobody_here")
    expect(ann.locator("#search-message")).to_have_text("No user with that name.")
    search(ann, bob_name.upper())
    expect(ann.locator("#search-result")).to_contain_text(bob_name.title())
    ann.click("#search-add")
    expect(ann.locator("#search-relation")).to_have_text("Request sent.")

    # Bob did nothing: the toast and the badge arrive by themselves.
    expect(bob.get_by_text(f"{_ann_name.title()} sent you a friend request.")).to_be_visible()
    expect(bob.locator("#tab-requests .rt-Badge").first).to_have_text("1")
    bob.click("#tab-requests")
    incoming = bob.locator("#incoming-requests")
    expect(incoming).to_contain_text(_ann_name.title())
    incoming.get_by_role("button", name="Accept").click()
    expect(bob.locator("#tab-requests .rt-Badge")).to_have_count(0)

    # Ann's friend list shows Bob without a reload (the pane opens on the Chats tab).
    ann.click("#tab-friends")
    expect(ann.locator("#friend-list")).to_contain_text(bob_name.title())
    expect(ann.get_by_text(f"{bob_name.title()} is now your friend.")).to_be_visible()
    expect(ann.locator("#search-relation")).to_have_text("Already your friend.")
    # Closing the result empties the field too, ready for the next name.
    ann.locator("#search-result").get_by_role("button", name="Close").click()
    expect(ann.locator("#search-result")).to_have_count(0)
    expect(ann.locator("#friend-search")).to_have_value("")
    bob.click("#tab-friends")
    expect(bob.locator("#friend-list")).to_contain_text(_ann_name.title())

    # Removing (after confirming) empties both lists live.
    bob.locator("#friend-list").get_by_role("button", name="Actions for this friend").click()
    bob.get_by_role("menuitem", name="Remove friend").click()
    bob.click("#confirm-action")
    expect(bob.locator("#friends-empty")).to_be_visible()
    expect(ann.locator("#friends-empty")).to_be_visible()
