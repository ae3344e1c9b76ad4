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

# The seqs of the messages in the list, top to bottom.
SHOWN_SEQS = """() => [...document.querySelectorAll('#message-list [id^="message-"]')]
    .map(row => Number(row.id.slice(8))).filter(seq => seq > 0)"""


def _shown(page: Page) -> list[int]:
    return page.evaluate(SHOWN_SEQS)


def test_from_a_far_back_result_the_reader_loads_newer_pages_to_the_newest(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    ann_id, bob_id = user_ids(app_server.database_url, ann_name, bob_name)
    seed_history(app_server.database_url, ann_id, bob_id, 300)
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
