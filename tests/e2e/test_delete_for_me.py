"""Delete for me in the browser: asked once, the message leaves the user's view (also after
a reload) and stays on the other person's screen."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import friends_in_chat, send
from tests.support.live_app import LiveApp


def test_a_message_deleted_for_me_is_gone_for_me_only(browser: Browser, app_server: LiveApp):
    ann, bob, _ann_name, _bob_name = friends_in_chat(browser, app_server)
    send(ann, "the door code is 4321")
    send(ann, "see you at 6")
    row = bob.locator("#message-list .message", has_text="the door code is 4321")
    expect(bob.locator("#message-list .message", has_text="see you at 6")).to_be_visible()

    row.hover()
    row.locator(".message-actions").click()
    bob.locator(".delete-for-me").click()
    dialog = bob.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete this message for you?")
    expect(dialog).to_contain_text("The others in this chat still see it.")
    bob.click("#confirm-delete-message")
    expect(dialog).to_be_hidden()
    expect(row).to_be_hidden()
    expect(bob.locator("#message-list")).not_to_contain_text("4321", use_inner_text=True)
    expect(bob.locator("#message-list .message", has_text="see you at 6")).to_be_visible()
    expect(ann.locator("#message-list .message", has_text="the door code is 4321")).to_be_visible()

    bob.reload()
    expect(bob.locator("#message-list .message", has_text="see you at 6")).to_be_visible()
    expect(bob.locator("#message-list")).not_to_contain_text("4321", use_inner_text=True)
