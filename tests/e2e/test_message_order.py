"""The live messages read in order: DOM order = screen order = seq order after the banks turn.

Screen readers, keyboard focus, selection and find-in-page follow the DOM, so the page must
not reorder messages with CSS. Ann sends through a raw event client (fast); Bob's browser
only reads.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from chat_app.models import utc_now
from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.message_buffer import LIVE_BANK
from tests.support.browser import befriend, bubbles, message_order, new_user, open_chat_with
from tests.support.event_client import EventClient
from tests.support.live_app import LiveApp

AUTH = AuthState.get_full_name()
# Under the app's rate limit (10 messages in 10 s) before each backdating.
BATCH = 9
STORED = sa.text(
    "select count(*) from message where sender_id = (select id from user where username = :sender)"
)
BACKDATE = sa.text(
    "update message set created_at = :past"
    " where sender_id = (select id from user where username = :sender)"
)


def test_dom_order_is_screen_order_after_the_banks_turn_over(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(bob, ann_name.title())
    token = ann.evaluate("localStorage.getItem('chat_session')")
    # Two full banks, then the banks turn at 61 and 91 (bank 0 shows first again), then
    # at 121 (bank 1 first): both orders of the banks, each after more than one turn.
    for sent, last in ((0, 3 * LIVE_BANK + 10), (3 * LIVE_BANK + 10, 4 * LIVE_BANK + 10)):
        with ThreadPoolExecutor(1) as thread:
            sending = _send_from_a_raw_tab(app_server, token, ann_name, bob_name, sent, last)
            thread.submit(asyncio.run, sending).result()
        _expect_the_newest_in_order(bob, last)
    # Reopened after the banks turned: on the newest message again.
    bob.reload()
    expect(bob.locator(f"[data-seq='{last}']")).to_have_count(1, timeout=20_000)
    _wait_until_inside_the_list(bob, last)


def _expect_the_newest_in_order(page: Page, last: int) -> None:
    expect(page.locator(f"[data-seq='{last}']")).to_have_count(1, timeout=20_000)
    # The last turn left one bank and the messages since: 31 … 40 of them, in sequence.
    newest = list(range((last - 1) // LIVE_BANK * LIVE_BANK - LIVE_BANK + 1, last + 1))
    expect(bubbles(page)).to_have_count(len(newest))
    in_dom, on_screen = message_order(page)
    assert in_dom == on_screen == newest
    expect(page.locator("#load-older")).to_be_visible()
    # The newest message is inside the list's visible area (the list follows the bottom).
    _wait_until_inside_the_list(page, last)
    ordered = page.locator("#message-list").evaluate(
        """list => [list, ...list.querySelectorAll("*")]
            .filter(element => getComputedStyle(element).order !== "0").length"""
    )
    assert ordered == 0, "an element of the message list uses CSS order"


def _wait_until_inside_the_list(page: Page, seq: int) -> None:
    page.wait_for_function(
        """seq => {
            const list = document.getElementById("message-list").getBoundingClientRect();
            const last = document.getElementById("message-" + seq).getBoundingClientRect();
            return last.top >= list.top - 1 && last.bottom <= list.bottom + 1;
        }""",
        arg=seq,
    )


async def _send_from_a_raw_tab(
    app: LiveApp, token: str, name: str, friend_name: str, sent: int, last: int
) -> None:
    """A second tab of `name` sends messages sent+1 … last to the friend, as fast as it can."""
    tab = EventClient(app.backend_url, local_storage={f"{AUTH}.session_token_rx_state_": token})
    await tab.connect("/")
    friends = FriendsState.get_full_name()
    await tab.wait_for(lambda c: bool(c.var(friends, "friends")))
    conversation_id = next(
        friend["conversation_id"]
        for friend in tab.var(friends, "friends")
        if friend["username"] == friend_name
    )
    conversation = ConversationState.get_full_name()
    await tab.call(conversation, "open_conversation", {"conversation_id": conversation_id})
    await tab.wait_for(lambda c: c.var(conversation, "conversation_id") == conversation_id)
    engine = sa.create_engine(app.database_url)
    try:
        for first in range(sent + 1, last + 1, BATCH):
            batch_end = min(first + BATCH, last + 1) - 1
            for number in range(first, batch_end + 1):
                body = {"form_data": {"body": f"in order {number:03d}"}}
                await tab.call(ComposerState.get_full_name(), "send", body)
            await _stored_then_backdated(engine, name, batch_end)
    finally:
        engine.dispose()
        await tab.close()


async def _stored_then_backdated(engine: sa.Engine, sender: str, sent: int) -> None:
    """Wait until the `sent` messages of `sender` are stored, then date them an hour back.

    The rate limit counts a sender's messages of the last seconds: backdated, they no longer
    count, and the next batch goes at full speed.
    """
    deadline = time.monotonic() + 20
    while True:
        with engine.connect() as connection:
            if connection.execute(STORED, {"sender": sender}).scalar_one() >= sent:
                break
        assert time.monotonic() < deadline, "the sent messages were not stored"
        # Polling the database: no event tells this test that a commit happened.
        await asyncio.sleep(0.05)
    with engine.begin() as connection:
        connection.execute(BACKDATE, {"past": utc_now() - timedelta(hours=1), "sender": sender})
