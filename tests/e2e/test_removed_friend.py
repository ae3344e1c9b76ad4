"""After a friend removes you (issue 17, item 6), in two browsers on the production build.

A message refused because the two are no longer friends offers Delete only: no Retry can
ever store it. The old conversation stays reachable from the friend pane under "Past
conversations" after another chat was opened, and after a reload: its history, read-only,
with a line instead of the composer.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.browser import befriend, bubbles, new_user, open_chat_with, send
from tests.support.live_app import LiveApp

REFUSED = "Not sent: You can only send messages to friends."


def test_a_removed_friend_s_chat_refuses_without_retry_and_stays_readable(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    cat, cat_name = new_user(browser, app_server, "cat")
    befriend(ann, bob, bob_name)
    befriend(ann, cat, cat_name)
    bob_nick, ann_nick = bob_name.title(), ann_name.title()
    open_chat_with(ann, bob_nick)
    open_chat_with(bob, ann_nick)
    send(ann, "hello bob")
    expect(bubbles(bob)).to_have_text(["hello bob"])
    expect(ann.locator("#past-conversations")).to_have_count(0)

    # Bob removes Ann: her list drops him live and keeps their conversation below it.
    bob.locator("#friend-list").get_by_role("button", name="Actions for this friend").click()
    bob.get_by_role("menuitem", name="Remove friend").click()
    bob.click("#confirm-action")
    expect(ann.locator("#friend-list")).not_to_contain_text(bob_nick)
    expect(_past_row(ann, bob_nick)).to_be_visible()
    expect(_past_row(bob, ann_nick)).to_be_visible()

    # Her open chat still has its composer; what she sends there is refused for good.
    send(ann, "are you there?")
    refused = _own(ann, "are you there?")
    expect(refused.locator(".message-status")).to_have_text(REFUSED)
    expect(refused.get_by_role("button", name="Delete")).to_be_visible()
    expect(refused.get_by_role("button", name="Retry")).to_have_count(0)

    # Another chat, then back through the past conversations: the history, read-only.
    open_chat_with(ann, cat_name.title())
    expect(ann.locator("#composer")).to_be_visible()
    _past_row(ann, bob_nick).click()
    _expect_read_only(ann, bob_nick)

    # A reload reopens it the same way (the refused message comes back from the outbox).
    ann.reload()
    _expect_read_only(ann, bob_nick)
    expect(_past_row(ann, bob_nick)).to_be_visible()

    # In Chinese too.
    ann.click("#user-menu")
    ann.click("#language-zh")
    ann.keyboard.press("Escape")
    expect(ann.locator("#read-only-line")).to_have_text(f"你已无法再给 {bob_nick} 发送消息。")
    expect(ann.locator("#past-conversations")).to_contain_text("以前的会话")

    # Delete is all that is left to do with the refused message.
    _own(ann, "are you there?").get_by_role("button", name="删除").click()
    expect(bubbles(ann)).to_have_text(["hello bob"])


def _expect_read_only(page: Page, nickname: str) -> None:
    expect(page.locator("#conversation-title")).to_have_text(nickname)
    expect(page.locator("#read-only-line")).to_have_text(
        f"You can no longer send messages to {nickname}."
    )
    expect(page.locator("#composer")).to_have_count(0)
    expect(page.locator("#attach-button")).to_have_count(0)
    expect(bubbles(page)).to_have_text(["hello bob", "are you there?"])
    refused = _own(page, "are you there?")
    expect(refused.locator(".message-status")).to_have_text(REFUSED)
    expect(refused.get_by_role("button", name="Retry")).to_have_count(0)


def _past_row(page: Page, nickname: str) -> Locator:
    return page.locator("#past-conversations").get_by_role("button", name=nickname, exact=True)


def _own(page: Page, text: str) -> Locator:
    """The user's own bubble holding exactly `text`."""
    body = page.locator(".message-body").filter(has_text=re.compile(f"^{re.escape(text)}$"))
    return page.locator("#message-list .message.mine").filter(has=body)
