"""The friend list shows the newest conversation first, live, as the user sees and tabs it.

A message from the friend at the bottom of the list moves that friend to the top with its
unread count. The page moves the row by its CSS order (the list is not sent again), so the
test reads the order from the rows' positions on screen, and checks that the keyboard
reaches the rows in that order too. The friends are seeded straight into the database (one
message each, at its own time); the writer sends through a raw event client.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import Browser, Page, expect

from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from tests.load.seed import Seeded, pair_key, seed_app_contacts, seed_app_users
from tests.support.browser import DESKTOP, expect_chat_as, login
from tests.support.event_client import EventClient
from tests.support.live_app import LiveApp

SEEDED_PASSWORD = "bench password"  # tests/load/seed.py
CONVERSATION = ConversationState.get_full_name()
ROWS = "#friend-list > *"


def test_a_message_from_the_last_friend_shows_them_first(browser: Browser, app_server: LiveApp):
    users = seed_app_users(app_server.database_url, 4, first=8000)
    conversations = seed_app_contacts(app_server.database_url, users, messages=1)
    reader = users[0]
    page = browser.new_context(**DESKTOP).new_page()
    login(page, app_server, "bench8000", SEEDED_PASSWORD)
    expect_chat_as(page, app_server, "Bench 8000")
    page.click("#tab-friends")  # the pane opens on the Chats tab
    expect(page.locator(ROWS)).to_have_count(3)
    before = _top_to_bottom(page)
    writer = next(user for user in users if f"bench{user.index}" == before[-1])
    conversation = conversations[pair_key(reader.user_id, writer.user_id)]

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, _send(app_server, writer, conversation)).result()

    page.wait_for_function(
        """([rows, name]) => {
            const shown = [...document.querySelectorAll(rows)]
                .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
            return shown[0]?.querySelector("[data-username]")?.dataset.username === name;
        }""",
        arg=[ROWS, before[-1]],
    )
    assert _top_to_bottom(page) == [before[-1], *before[:-1]]
    expect(_row(page, before[-1]).locator(".unread-badge")).to_have_text("1")
    expect(page.locator("#friend-list .unread-badge")).to_have_count(1)
    # The keyboard goes down the list as it is shown: from the top row's button, past its
    # menu, to the row shown second.
    _row(page, before[-1]).locator(".friend-open").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused_row(page) == (before[0], True)

    # Read again (a reload): the same order and count, from the database.
    page.reload()
    expect(page.locator(ROWS)).to_have_count(3)
    expect(_row(page, before[-1]).locator(".unread-badge")).to_have_text("1")
    assert _top_to_bottom(page) == [before[-1], *before[:-1]]


def _row(page: Page, username: str):
    return page.locator(ROWS).filter(has=page.locator(f'[data-username="{username}"]'))


def _focused_row(page: Page) -> tuple[str, bool]:
    """The username of the row holding the keyboard focus, and whether its opener has it."""
    return tuple(
        page.evaluate(
            """rows => {
                const focused = document.activeElement;
                const row = focused?.closest(rows);
                return [row?.querySelector("[data-username]")?.dataset.username ?? "",
                        Boolean(focused?.classList.contains("friend-open"))];
            }""",
            ROWS,
        )
    )


def _top_to_bottom(page: Page) -> list[str]:
    """The usernames of the friend list's rows, top to bottom on the screen."""
    rows = page.locator(ROWS)
    placed = []
    for n in range(rows.count()):
        row = rows.nth(n)
        box = row.bounding_box()
        assert box is not None
        name = row.locator("[data-username]").first.get_attribute("data-username")
        placed.append((box["y"], name or ""))
    return [name for _, name in sorted(placed)]


async def _send(app: LiveApp, writer: Seeded, conversation: int) -> None:
    """The writer's tab sends one message into the conversation and sees it stored."""
    tab = EventClient(
        app.backend_url,
        local_storage={f"{AuthState.get_full_name()}.session_token_rx_state_": writer.token},
    )
    await tab.connect("/")
    await tab.call(CONVERSATION, "open_conversation", {"conversation_id": conversation})
    await tab.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == conversation)
    body = {"form_data": {"body": "from the bottom", "conversation_id": str(conversation)}}
    await tab.call(ComposerState.get_full_name(), "send", body)
    await tab.wait_for(lambda c: "from the bottom" in str(c.var(CONVERSATION, "live_0")))
    await tab.close()
