"""A web address in a message is a link that opens in a new tab; nothing else is."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import befriend, bubbles, new_user, open_chat_with, send
from tests.support.live_app import LiveApp


def test_an_address_in_a_message_opens_in_a_new_tab(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    address = app_server.frontend_url + "/auth"
    text = f"Sign up here: {address}. Not this: javascript:alert(1)"
    send(ann, text)
    open_chat_with(bob, ann_name.title())
    bubble = bubbles(bob).last
    # The text reads as it was written; only the address is a link, without the full stop.
    expect(bubble).to_have_text(text)
    link = bubble.locator("a")
    expect(link).to_have_count(1)
    expect(link).to_have_text(address)
    expect(link).to_have_attribute("href", address)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    # The sender's own copy, once stored, has the link too.
    expect(bubbles(ann).last.locator("a")).to_have_attribute("href", address)

    chat_url = bob.url
    with (
        bob.expect_popup() as opened,
        bob.context.expect_event(
            "request",
            lambda request: request.is_navigation_request() and request.url.startswith(address),
        ) as asked,
    ):
        link.click()
    # A new tab went to the address (signed in, the app sends it on to the chat); this
    # one stays where it was.
    assert asked.value.frame.page == opened.value
    opened.value.close()
    assert bob.url == chat_url
    expect(bubbles(bob).last).to_have_text(text)
