"""Forward in the browser: the message's menu opens a dialog of the user's chats, found by
name; a press sends the copy there (the row then reads "Sent"), and the friend there sees it
as the forwarder's message."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import (
    FIELD_IN_ITS_BOX,
    PHONE,
    befriend,
    bubbles,
    expect_chat_as,
    friends_in_chat,
    login,
    new_user,
    open_chat_with,
    send,
)
from tests.support.live_app import LiveApp


def test_a_message_forwarded_to_another_friend(browser: Browser, app_server: LiveApp):
    ann, bob, ann_name, bob_name = friends_in_chat(browser, app_server)
    cat, cat_username = new_user(browser, app_server, "cat")
    befriend(bob, cat, cat_username)
    cat_name = cat_username.title()
    open_chat_with(cat, bob_name)
    open_chat_with(bob, ann_name)
    send(ann, "the meeting moved to room 12")
    row = bob.locator("#message-list .message", has_text="room 12")
    expect(row).to_be_visible()

    row.hover()
    row.locator(".message-actions").click()
    bob.locator(".forward-message").click()
    dialog = bob.get_by_role("dialog")
    expect(dialog).to_contain_text("Forward to…")
    targets = dialog.locator(".forward-target")
    expect(targets).to_have_count(2)  # Ann and Cat
    bob.fill("#forward-filter", "nobody by this name")
    expect(targets).to_have_count(0)
    expect(dialog.locator("#forward-none")).to_have_text("No chat by that name.")
    bob.fill("#forward-filter", cat_name[:5].lower())
    expect(targets).to_have_count(1)
    expect(dialog.locator("#forward-none")).to_have_count(0)
    target = dialog.locator(f".forward-target[aria-label='{cat_name}']")
    expect(target).to_be_in_viewport(ratio=1)
    target.click()
    expect(target.locator(".forward-sent")).to_have_text("Sent")
    expect(target).to_be_disabled()

    expect(bubbles(cat).last).to_have_text("the meeting moved to room 12")
    expect(cat.locator("#message-list .message").last).not_to_have_class("mine")
    bob.click("#forward-close")
    expect(dialog).to_be_hidden()
    # Ann's chat with Bob holds the one message still.
    expect(bubbles(ann)).to_have_count(1)

    # On a phone: the field's box holds its 44 px input, each chat is a 44 px target.
    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, bob_name.lower())
    expect_chat_as(phone, app_server, bob_name)
    phone.locator("#tab-friends").tap()
    phone.locator("#friend-list").get_by_text(ann_name, exact=True).tap()
    message = phone.locator("#message-list .message", has_text="room 12")
    message.locator(".message-actions").tap()
    phone.locator(".forward-message").tap()
    expect(phone.locator(".forward-target")).to_have_count(2)
    assert phone.locator("#forward-filter").evaluate(FIELD_IN_ITS_BOX)
    for target in phone.locator(".forward-target").all():
        expect(target).to_be_in_viewport(ratio=1)
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= 44
