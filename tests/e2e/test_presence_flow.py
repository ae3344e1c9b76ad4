"""Presence in the browser: a friend's dot turns grey when their page closes."""

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

    ann.context.close()
    expect(dot).to_have_attribute("aria-label", "offline", timeout=10_000)
    expect(bob.locator("#presence-line")).to_contain_text("last seen")
