"""Where a conversation opens: at the first unread message under a "New messages" divider
(issue 17, item 1), and, coming back from another chat, where the reader left it, with the
draft left there (item 3), also after a reload; logging out forgets both.

Geometry as a reader sees it: boxes of the divider and the bubbles against the list's box.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    SentEvents,
    befriend,
    expect_chat_as,
    login,
    new_user,
    open_chat_with,
    register,
    unique_name,
)
from tests.support.history import seed_history
from tests.support.live_app import LiveApp
from tests.support.sql import user_ids

MESSAGES = "#message-list .message"
# Where a bubble stands against the list's visible box: [top, bottom] relative to its top.
BOX_IN_LIST = """element => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const box = element.getBoundingClientRect();
    return [box.top - list.top, box.bottom - list.top, list.height];
}"""
# The seq of the first bubble reaching below the list's top, and its top edge against it.
TOP_ROW = """() => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const first = [...document.querySelectorAll("#message-list .message")]
        .find(element => element.getBoundingClientRect().bottom > list.top + 4);
    return [Number(first.dataset.seq), first.getBoundingClientRect().top - list.top];
}"""
AT_BOTTOM = """() => {
    const list = document.getElementById("message-list");
    const all = list.querySelectorAll(".message");
    const newest = all[all.length - 1].getBoundingClientRect();
    const box = list.getBoundingClientRect();
    return newest.bottom <= box.bottom + 1 && newest.bottom > box.top;
}"""
LONG_DRAFT = ("A draft that is long, 草稿 " * 500)[:10_000]


def _bob_with_two_chats(
    browser: Browser, app: LiveApp, history: int, read_up_to: int | None = None
) -> tuple[Page, str, str, str, SentEvents]:
    """Bob's page, the chats he has with Ann (`history` messages from her) and with Carol.

    Returns:
        Bob's page, his username, the names of the two chats, the events his page sent.
    """
    ann, ann_name = new_user(browser, app, "ann")
    carol, carol_name = new_user(browser, app, "carol")
    bob = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sent = SentEvents(bob)
    bob_name = unique_name("bob")
    register(bob, app, bob_name, bob_name.title())
    expect_chat_as(bob, app, bob_name.title())
    befriend(ann, bob, bob_name)
    befriend(carol, bob, bob_name)
    ann_id, bob_id = user_ids(app.database_url, ann_name, bob_name)
    seed_history(app.database_url, ann_id, bob_id, history, read_up_to)
    return bob, bob_name, ann_name.title(), carol_name.title(), sent


def _box(page: Page, selector: str) -> list[float]:
    return page.locator(selector).evaluate(BOX_IN_LIST)


def test_unread_messages_open_under_a_new_messages_divider(browser: Browser, app_server: LiveApp):
    bob, _name, ann_chat, carol_chat, _sent = _bob_with_two_chats(browser, app_server, 60, 30)
    bob.reload()  # the counts as the database has them now
    badge = bob.locator("#friend-list .unread-badge")
    expect(badge).to_have_text("30", timeout=20_000)

    open_chat_with(bob, ann_chat)
    expect(bob.locator(MESSAGES)).to_have_count(50)  # the newest page holds the first unread
    divider = bob.locator("#new-messages-divider")
    expect(divider).to_have_text("New messages")
    # The divider at the top of the list, the first unread message right under it, in view.
    first_unread = bob.locator(f"{MESSAGES}[data-seq='31']")
    expect(first_unread).to_contain_text("old message number 00030")
    bob.wait_for_function(
        """() => {
            const list = document.getElementById("message-list").getBoundingClientRect();
            const divider = document.getElementById("new-messages-divider");
            return Math.abs(divider.getBoundingClientRect().top - list.top) <= 2;
        }"""
    )
    divider_top, divider_bottom, _height = _box(bob, "#new-messages-divider")
    unread_top, unread_bottom, height = first_unread.evaluate(BOX_IN_LIST)
    assert abs(divider_top) <= 2
    assert divider_bottom <= unread_top + 1
    assert unread_bottom <= height
    # The one above it (read) is out of view, and so is the newest: nothing was read yet.
    assert bob.locator(f"{MESSAGES}[data-seq='30']").evaluate(BOX_IN_LIST)[1] <= 1
    assert not bob.evaluate(AT_BOTTOM)

    expect(badge).to_have_text("30")
    # The way down, with what is unread below (as the chat's row counted it).
    expect(bob.locator("#new-below")).to_have_text("↓ 30 new")

    # Read down to the end: read, and the divider stays while the conversation is open,
    # also after a reload, which opens the list at its bottom now.
    bob.locator("#message-list").evaluate("list => list.scrollTo(0, 0)")
    bob.wait_for_function(AT_BOTTOM)
    expect(badge).to_have_count(0)
    expect(bob.locator("#new-below")).to_have_count(0)
    expect(divider).to_be_visible()
    bob.reload()
    expect(bob.locator(MESSAGES)).to_have_count(50, timeout=20_000)
    bob.wait_for_function(AT_BOTTOM)
    expect(divider).to_have_count(1)
    # Left and reopened: everything was read, so no divider, and the newest in view.
    open_chat_with(bob, carol_chat)
    open_chat_with(bob, ann_chat)
    expect(bob.locator(MESSAGES)).to_have_count(50)
    bob.wait_for_function(AT_BOTTOM)
    expect(divider).to_have_count(0)


def test_a_few_unread_that_fit_are_read_with_nothing_left_to_point_down_to(
    browser: Browser, app_server: LiveApp
):
    bob, _name, ann_chat, _carol_chat, _sent = _bob_with_two_chats(browser, app_server, 8, 5)
    bob.reload()
    badge = bob.locator("#friend-list .unread-badge")
    expect(badge).to_have_text("3", timeout=20_000)
    open_chat_with(bob, ann_chat)
    expect(bob.locator("#new-messages-divider")).to_be_visible()
    # All on screen: read a second later, and no "↓ 3 new" stays over the messages.
    expect(badge).to_have_count(0)
    expect(bob.locator("#new-below")).to_have_count(0)


def test_switching_back_returns_to_the_place_and_draft_left(browser: Browser, app_server: LiveApp):
    bob, bob_name, ann_chat, carol_chat, sent = _bob_with_two_chats(browser, app_server, 40)

    # (a) At the bottom: back at the bottom.
    open_chat_with(bob, ann_chat)
    expect(bob.locator(MESSAGES)).to_have_count(40)
    bob.wait_for_function(AT_BOTTOM)
    open_chat_with(bob, carol_chat)
    open_chat_with(bob, ann_chat)
    expect(bob.locator(MESSAGES)).to_have_count(40)
    bob.wait_for_function(AT_BOTTOM)

    # (b) Scrolled up: back at the message that was at the top.
    since = len(sent.frames)
    bob.locator("#message-list").evaluate("list => list.scrollBy(0, -1.5 * list.clientHeight)")
    reading, _top = bob.evaluate(TOP_ROW)
    sent.wait_for(bob, "line_above", since)
    open_chat_with(bob, carol_chat)
    open_chat_with(bob, ann_chat)
    expect(bob.locator(MESSAGES)).to_have_count(40)
    bob.wait_for_function(f"() => ({TOP_ROW})()[0] === {reading}")
    seq, top = bob.evaluate(TOP_ROW)
    assert (seq, abs(top) <= 2) == (reading, True), f"row {seq} at {top:.0f} px"
    assert not bob.evaluate(AT_BOTTOM)

    # (c) Drafts stay with their chat, whole, also after a reload.
    bob.fill("#composer", LONG_DRAFT)
    open_chat_with(bob, carol_chat)
    expect(bob.locator("#composer")).to_have_value("")
    bob.fill("#composer", "for Carol")
    open_chat_with(bob, ann_chat)
    expect(bob.locator("#composer")).to_have_value(LONG_DRAFT)
    bob.reload()
    expect(bob.locator("#conversation-title")).to_have_text(ann_chat, timeout=20_000)
    expect(bob.locator("#composer")).to_have_value(LONG_DRAFT)
    open_chat_with(bob, carol_chat)
    expect(bob.locator("#composer")).to_have_value("for Carol")

    # (d) Logging out forgets them: nothing in the tab's storage, nothing after logging in.
    bob.click("#user-menu")
    bob.click("#menu-logout")
    expect(bob).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)
    stored = bob.evaluate(
        "() => [sessionStorage.getItem('chat_places'), sessionStorage.getItem('chat_draft')]"
    )
    assert not any(stored), stored
    login(bob, app_server, bob_name)
    expect_chat_as(bob, app_server, bob_name.title())
    open_chat_with(bob, ann_chat)
    expect(bob.locator(MESSAGES)).to_have_count(40)
    bob.wait_for_function(AT_BOTTOM)
    expect(bob.locator("#composer")).to_have_value("")
    open_chat_with(bob, carol_chat)
    expect(bob.locator("#composer")).to_have_value("")
