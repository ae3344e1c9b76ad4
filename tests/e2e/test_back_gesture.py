"""Back on a phone (its back gesture, the browser's Back) closes the open conversation.

The chat is one page: before, opening a conversation added no history entry, so Back left
the chat for the login page it came from, which sent the tab back to the conversation.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, expect

from tests.support.browser import ATTACH_INPUT, friend_on_a_phone, open_chat_with, send
from tests.support.live_app import LiveApp


def test_back_closes_the_conversation_and_keeps_the_app_and_the_draft(
    browser: Browser, app_server: LiveApp
):
    ann, bob, ann_name, bob_name = friend_on_a_phone(browser, app_server)
    chats, title = bob.locator("#chat-list"), bob.locator("#conversation-title")
    open_chat_with(bob, ann_name.title())
    expect(chats).to_be_hidden()  # a phone shows the conversation alone
    bob.fill("#composer", "half a thought")

    bob.go_back()
    # Still the app, at the list, and the friend's row is there to open it again.
    expect(bob.locator("#friend-list")).to_be_visible()
    expect(title).to_be_hidden()
    assert bob.url == app_server.frontend_url + "/"

    open_chat_with(bob, ann_name.title())
    expect(bob.locator("#composer")).to_have_value("half a thought")

    # On a desktop, "Back to chat" from the account page returns to the open conversation,
    # and so does Back from the account page.
    open_chat_with(ann, bob_name.title())
    ann.fill("#composer", "for later")
    ann.click("#user-menu")
    ann.click("#menu-my-account")
    ann.click("#account-back")
    ann_title = ann.locator("#conversation-title")
    expect(ann_title).to_have_text(bob_name.title())
    expect(ann.locator("#composer")).to_have_value("for later")
    ann.go_back()
    expect(ann.locator("#account-back")).to_be_visible()
    ann.go_back()
    expect(ann_title).to_have_text(bob_name.title())
    expect(ann.locator("#composer")).to_be_in_viewport()
    # Back with a dialog open (here "Delete for everyone?" about her own message) closes
    # the dialog only, as a phone's Back closes a sheet first; the next Back the chat.
    send(ann, "keep this one")
    row = ann.locator("#message-list .message", has_text="keep this one")
    row.locator(".message-actions").click()
    ann.locator(".delete-for-everyone").click()
    dialog = ann.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    ann.go_back()
    expect(dialog).to_have_count(0)
    expect(ann_title).to_have_text(bob_name.title())
    expect(row).to_be_in_viewport()
    expect(ann).to_have_url(app_server.frontend_url + "/#chat")
    ann.go_back()
    expect(ann.locator("#conversation-placeholder")).to_be_visible()
    expect(ann_title).to_be_hidden()
    open_chat_with(ann, bob_name.title())
    expect(row).to_be_visible()
    expect(dialog).to_have_count(0)

    # The phone's own back button takes the entry away with the conversation: the next
    # Back leaves the app (the login page it came from is not in the history either: it
    # sent a signed-in tab straight back to the chat, so Back never got out).
    bob.click("#back-button")
    expect(bob.locator("#friend-list")).to_be_visible()
    expect(bob).to_have_url(app_server.frontend_url + "/")
    bob.go_back()
    expect(bob).to_have_url("about:blank")


def test_back_closes_a_picture_shown_full_size_before_its_chat(
    browser: Browser, app_server: LiveApp, tmp_path: Path
):
    ann, bob, ann_name, bob_name = friend_on_a_phone(browser, app_server)
    open_chat_with(ann, bob_name.title())
    picture = tmp_path / "beach.png"
    Image.new("RGB", (600, 400), (40, 120, 200)).save(picture)
    ann.set_input_files(ATTACH_INPUT, str(picture))
    open_chat_with(bob, ann_name.title())
    thumbnail = bob.locator("#message-list .message-thumbnail")
    expect(thumbnail).to_be_visible(timeout=15_000)

    thumbnail.tap()
    shown = bob.get_by_role("dialog")
    expect(shown).to_be_visible()
    bob.go_back()
    expect(shown).to_have_count(0)
    expect(bob.locator("#conversation-title")).to_have_text(ann_name.title())
    expect(bob).to_have_url(app_server.frontend_url + "/#chat")
    bob.go_back()
    expect(bob.locator("#friend-list")).to_be_visible()
    # Opened again from the list, the chat shows no picture over it.
    open_chat_with(bob, ann_name.title())
    expect(thumbnail).to_be_visible()
    expect(shown).to_have_count(0)
