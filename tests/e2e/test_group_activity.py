"""Three people in a group, three browsers: "… is typing…" in the header, "Read by 1" under
the sender's message, who read it on a click, and "Read" once everyone has.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import befriend, bubbles, new_user, send
from tests.support.live_app import LiveApp


def _open_group(page: Page, name: str) -> None:
    page.click("#tab-chats")
    page.locator("#chat-list").get_by_text(name, exact=True).click()
    expect(page.locator("#conversation-title")).to_have_text(name)


def test_typing_and_read_by_in_a_group(browser: Browser, app_on_each_profile: LiveApp):
    ann, _ann_name = new_user(browser, app_on_each_profile, "gann")
    bob, bob_name = new_user(browser, app_on_each_profile, "gbob")
    cat, cat_name = new_user(browser, app_on_each_profile, "gcat")
    befriend(ann, bob, bob_name)
    befriend(ann, cat, cat_name)

    ann.click("#tab-chats")
    ann.click("#new-group")
    ann.fill("#new-group-name", "Study group")
    for name in (bob_name, cat_name):
        ann.locator(f'#new-group-friends [data-username="{name}"]').click()
    ann.click("#new-group-create")
    expect(ann.locator("#conversation-title")).to_have_text("Study group")
    _open_group(bob, "Study group")

    bob.fill("#composer", "thinking")
    expect(ann.locator("#group-typing")).to_have_text(f"{bob_name.title()} is typing…")
    expect(ann.locator("#group-member-count")).to_have_count(0)
    send(bob, "thinking")
    expect(ann.locator("#group-typing")).to_have_count(0)
    expect(ann.locator("#group-member-count")).to_have_text("3 members")

    send(ann, "Homework is due Friday")
    expect(bubbles(bob).last).to_have_text("Homework is due Friday")
    status = ann.locator("#message-list .message.mine .message-status").last
    expect(status).to_have_text("Read by 1")
    status.click()
    expect(ann.locator("#readers-list")).to_contain_text(bob_name.title())
    expect(ann.locator("#readers-list")).not_to_contain_text(cat_name.title())
    ann.keyboard.press("Escape")
    expect(ann.locator("#readers-list")).to_have_count(0)

    _open_group(cat, "Study group")
    expect(status).to_have_text("Read")
    for page in (ann, bob, cat):
        page.context.close()
