"""Presence in the browser: a friend's dot turns grey when their page closes; the Chats
tab's green one goes."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import befriend, new_user, open_chat_with
from tests.support.live_app import LiveApp


def test_dot_goes_offline_live_when_the_friend_closes_the_page(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    dot = bob.locator("#friend-list .presence-dot")
    expect(dot).to_have_attribute("aria-label", "online", timeout=10_000)
    open_chat_with(bob, ann_name.title())
    expect(bob.locator("#presence-line")).to_have_text("online")
    # The Chats tab shows the green dot on her row too (and only the green one).
    bob.click("#tab-chats")
    row_dot = bob.locator(f"#chat-list button[aria-label='{ann_name.title()}'] .presence-dot")
    expect(row_dot).to_have_attribute("aria-label", "online")
    picture = bob.locator(f"#chat-list button[aria-label='{ann_name.title()}'] .rt-AvatarRoot")
    dot_box, picture_box = row_dot.bounding_box(), picture.bounding_box()
    assert dot_box is not None
    assert picture_box is not None
    # On the picture's lower right corner, inside it.
    assert picture_box["x"] + picture_box["width"] / 2 < dot_box["x"]
    assert dot_box["x"] + dot_box["width"] <= picture_box["x"] + picture_box["width"] + 1
    assert dot_box["y"] + dot_box["height"] <= picture_box["y"] + picture_box["height"] + 1

    ann.context.close()
    expect(row_dot).to_have_count(0, timeout=10_000)
    bob.click("#tab-friends")
    expect(dot).to_have_attribute("aria-label", "offline")
    expect(bob.locator("#presence-line")).to_contain_text("last seen")
