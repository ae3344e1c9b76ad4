"""Far back in a long chat, the reader goes on down a page at a time to the newest.

A search result (or paging back) shows a page short of the newest messages. The only
way on was "↓ Latest", which skipped everything between: in a 3,000-message chat, a
reader at message 2,700 could not reach 2,701-2,950. "Load newer messages" at the
list's bottom appends the next page and shows its first message; the last page makes
the list live again.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_message_search import IN_VIEW, _open_result, _search
from tests.support.browser import befriend, new_user, open_chat_with, send
from tests.support.history import seed_history
from tests.support.live_app import LiveApp
from tests.support.sql import user_ids

# The first message of the page "Load newer" brings after the first unread's (21-60 and
# 10 before: 11-60; then 61-110).
MIDDLE = 61
# The seqs of the messages in the list, top to bottom.
SHOWN_SEQS = """() => [...document.querySelectorAll('#message-list [id^="message-"]')]
    .map(row => Number(row.id.slice(8))).filter(seq => seq > 0)"""


def _shown(page: Page) -> list[int]:
    return page.evaluate(SHOWN_SEQS)


def _friends_with_history(
    browser: Browser, app: LiveApp, count: int, read_up_to: int | None = None
) -> tuple[Page, Page, str, str]:
    """Ann and Bob, friends, with `count` old messages of Ann's (Bob read `read_up_to`)."""
    ann, ann_name = new_user(browser, app, "ann")
    bob, bob_name = new_user(browser, app, "bob")
    befriend(ann, bob, bob_name)
    ann_id, bob_id = user_ids(app.database_url, ann_name, bob_name)
    seed_history(app.database_url, ann_id, bob_id, count, read_up_to)
    return ann, bob, ann_name, bob_name


def test_from_a_far_back_result_the_reader_loads_newer_pages_to_the_newest(
    browser: Browser, app_server: LiveApp
):
    ann, bob, _ann_name, bob_name = _friends_with_history(browser, app_server, 300)
    _search(bob, "00017")
    _open_result(bob, 18)
    newer = bob.locator("#load-newer")
    expect(newer).to_be_visible()
    last = max(_shown(bob))
    pages = 0
    while last < 300:
        newer.click()
        # The next page follows on: its first message is in view, nothing skipped or
        # shown twice.
        bob.wait_for_function(IN_VIEW, arg=last + 1)
        shown = _shown(bob)
        assert shown == list(range(shown[0], shown[0] + len(shown))), shown
        assert max(shown) > last
        last = max(shown)
        pages += 1
        assert pages <= 6, "more pages than the history holds"
    # The newest page makes the list live again: no more pages, and a new message shows
    # at the bottom at once.
    expect(newer).to_have_count(0)
    expect(bob.locator("#jump-latest")).to_have_count(0)
    open_chat_with(ann, bob_name.title())
    send(ann, "still there?")
    expect(bob.locator("#message-list .message-body").last).to_have_text("still there?")
    assert _shown(bob)[-1] == 301


def test_more_unread_than_the_list_holds_open_at_the_first_of_them(
    browser: Browser, app_server: LiveApp
):
    # 200 of Ann's messages, Bob has read 20 of them: 180 unread, more than the list holds.
    _ann, bob, ann_name, _bob_name = _friends_with_history(browser, app_server, 200, 20)
    bob.reload()
    bob.click("#tab-chats")
    row = bob.locator(f"#chat-list button[aria-label='{ann_name.title()}']")
    expect(row.locator(".unread-badge")).to_have_text("180")
    row.click()
    # At the first unread message, under "New messages", in view (it opened at message 51
    # of the newest 150 before, and the 30 before that were never shown, but read).
    expect(bob.locator("#new-messages-divider")).to_be_visible()
    bob.wait_for_function(IN_VIEW, arg=21)
    assert _shown(bob)[0] <= 21
    # Not read until reached: the badge stays until the list is down at the newest, and
    # "↓ 180 new" counts them meanwhile.
    expect(row.locator(".unread-badge")).to_have_text("180")
    expect(bob.locator("#jump-latest")).to_have_text("↓ 180 new")
    # With the keyboard: the button, Enter, page after page.
    bob.locator("#load-newer").focus()
    bob.keyboard.press("Enter")
    bob.wait_for_function(IN_VIEW, arg=MIDDLE)
    # A reload opens where the page just loaded starts (it opened at the bottom).
    bob.reload()
    expect(bob.locator(f"#message-{MIDDLE}")).to_be_attached()
    bob.wait_for_function(IN_VIEW, arg=MIDDLE)
    expect(row.locator(".unread-badge")).to_have_text("180")
    while (last := max(_shown(bob))) < 200:
        bob.locator("#load-newer").focus()
        bob.keyboard.press("Enter")
        bob.wait_for_function(IN_VIEW, arg=last + 1)
    # The last page: the button is gone, the focus on the list being read (not the
    # page), and nothing is read until the reader is at the bottom.
    expect(bob.locator("#load-newer")).to_have_count(0)
    expect(bob.locator("#message-list")).to_be_focused()
    expect(bob.locator("#new-below")).to_contain_text("new")
    expect(row.locator(".unread-badge")).to_have_text("180")
    bob.locator("#message-list-end").scroll_into_view_if_needed()
    expect(row.locator(".unread-badge")).to_have_count(0)
    assert _shown(bob)[-1] == 200
