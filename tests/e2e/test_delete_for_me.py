"""Delete for me in the browser: asked once, the message leaves the user's view (also after
a reload), its chat row shows the message before it, and it stays on the other person's
screen."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import friends_in_chat, send
from tests.support.live_app import LiveApp


def test_a_message_deleted_for_me_is_gone_for_me_only(browser: Browser, app_server: LiveApp):
    ann, bob, ann_name, _bob_name = friends_in_chat(browser, app_server)
    send(ann, "bring the cake")
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

    # The newest one too: the Chats row shows the last message Bob still has, live and
    # after a reload; Ann's row keeps hers.
    newest = bob.locator("#message-list .message", has_text="see you at 6")
    newest.hover()
    newest.locator(".message-actions").click()
    bob.locator(".delete-for-me").click()
    bob.click("#confirm-delete-message")
    expect(newest).to_be_hidden()
    bob.click("#tab-chats")
    line = bob.locator(f"#chat-list button[aria-label='{ann_name.title()}'] .chat-line")
    expect(line).to_have_text("bring the cake")
    bob.reload()
    bob.click("#tab-chats")
    expect(line).to_have_text("bring the cake")
    ann.click("#tab-chats")
    expect(ann.locator("#chat-list .chat-line").first).to_have_text("see you at 6")
