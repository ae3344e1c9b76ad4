"""A message of another day says which day, in the bubble and in the chat list.

The reader's browser clock is moved on (Playwright's clock), so a message sent a moment ago
is read as yesterday's, as one of three days ago and as one of ten days ago.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    DESKTOP,
    befriend,
    expect_chat_as,
    login,
    new_user,
    open_chat_with,
    send,
)
from tests.support.live_app import LiveApp

TIME = r"\d\d:\d\d"


def _later(browser: Browser, app: LiveApp, username: str, days: int) -> Page:
    """`username` signed in on a browser whose clock is `days` days ahead."""
    page = browser.new_context(**DESKTOP).new_page()
    page.clock.set_system_time(datetime.now(UTC) + timedelta(days=days))
    login(page, app, username)
    expect_chat_as(page, app, username.title())
    return page


def _row_time(page: Page, nickname: str):
    return page.locator(f"#chat-list button[aria-label='{nickname}'] .chat-time")


def test_a_message_of_another_day_shows_its_day(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    send(ann, "see you next week")
    # Today: the time alone, in the bubble and in the chat list; the whole date on hover.
    sent = ann.locator("#message-list .message-time").last
    expect(sent).to_have_text(re.compile(f"^{TIME}$"))
    expect(sent).to_have_attribute("title", re.compile(str(datetime.now(UTC).year)))
    ann.click("#tab-chats")
    expect(_row_time(ann, bob_name.title())).to_have_text(re.compile(f"^{TIME}$"))

    # A day later.
    tomorrow = _later(browser, app_server, bob_name, 1)
    expect(_row_time(tomorrow, ann_name.title())).to_have_text("Yesterday")
    tomorrow.locator(f"#chat-list button[aria-label='{ann_name.title()}']").click()
    bubble_time = tomorrow.locator("#message-list .message-time").last
    expect(bubble_time).to_have_text(re.compile(f"^Yesterday {TIME}$"))
    tomorrow.click("#user-menu")
    tomorrow.click("#language-zh")
    tomorrow.keyboard.press("Escape")
    expect(bubble_time).to_have_text(re.compile(f"^昨天 {TIME}$"))
    expect(_row_time(tomorrow, ann_name.title())).to_have_text("昨天")

    # Three days later: the weekday; ten days later: the date.
    weekday = datetime.now().astimezone().strftime("%a")
    in_three = _later(browser, app_server, bob_name, 3)
    expect(_row_time(in_three, ann_name.title())).to_have_text(weekday)
    in_ten = _later(browser, app_server, bob_name, 10)
    expect(_row_time(in_ten, ann_name.title())).to_have_text(re.compile(r"^\d\d/\d\d/\d{4}$"))
