"""A group's timeline in the browser (production build): who wrote what, group events,
a blocked member's messages.

The group and its history are seeded through the services; the reader's tab shows the
sender's name above the first bubble of each run (not above the next ones) with their
picture beside it, level with the bubble; a system line centred across the list; a
blocked member's message collapsed until Show; and the newest message in view on opening.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from playwright.sync_api import Browser, FloatRect, Locator, Page, expect
from sqlmodel import Session

from chat_app.services import friends, groups, read_cursors, sending
from chat_app.settings import load_settings
from tests.support.browser import new_user
from tests.support.live_app import LiveApp
from tests.support.sql import user_ids
from tests.support.users import make_friends

NO_LIMITS = load_settings({"CHAT_GROUPS_PER_HOUR": "10000", "CHAT_MESSAGE_RATE_COUNT": "100000"})
FILLER = 30


def _seed(app: LiveApp, ann: int, bob: int, cat: int, name: str) -> None:
    """Ann's group with Bob and Cat, a history, and Ann blocking Cat."""
    engine = sa.create_engine(app.database_url)
    try:
        with Session(engine) as db:
            make_friends(db, ann, bob)
            make_friends(db, ann, cat)
            group = groups.create_group(
                session=db, creator_id=ann, name=name, member_ids=[bob, cat], settings=NO_LIMITS
            ).conversation_id
            history = [(bob, "bob one"), (bob, "bob two"), (cat, "from cat")]
            history += [(ann, f"filler {n}") for n in range(FILLER)]
            history += [(bob, "bob again"), (bob, "the newest")]
            for sender, body in history:
                sent = sending.send_message(
                    session=db,
                    viewer_id=sender,
                    conversation_id=group,
                    client_id=uuid.uuid4().hex,
                    body=body,
                    settings=NO_LIMITS,
                )
                if body == f"filler {FILLER - 1}":
                    # Ann read up to her last message: Bob's last two are new to her.
                    read_cursors.mark_read(
                        session=db,
                        viewer_id=ann,
                        conversation_id=group,
                        up_to_seq=sent.message.seq,
                    )
            friends.block_user(session=db, viewer_id=ann, target_id=cat, settings=NO_LIMITS)
    finally:
        engine.dispose()


def _message(page: Page, body: str) -> Locator:
    """The message row whose text holds `body`."""
    return page.locator("#message-list .message").filter(has_text=body)


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None
    return box


def test_a_group_shows_who_wrote_each_run_its_events_and_collapsed_blocked_messages(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob_page, bob_name = new_user(browser, app_server, "bob")
    cat_page, cat_name = new_user(browser, app_server, "cat")
    bob_page.close()
    cat_page.close()
    ann_id, bob_id, cat_id = user_ids(app_server.database_url, ann_name, bob_name, cat_name)
    group_name = f"Team {uuid.uuid4().hex[:6]}"
    _seed(app_server, ann_id, bob_id, cat_id, group_name)
    bob_nick = bob_name.title()

    ann.reload()
    ann.click("#tab-chats")
    ann.locator("#chat-list").get_by_role("button", name=group_name).click()
    expect(ann.locator("#conversation-title")).to_have_text(group_name)

    # The group opens at Bob's first new message, and the newest one is in view too.
    newest = _message(ann, "the newest")
    expect(newest).to_be_visible()
    listed, shown = _box(ann.locator("#message-list")), _box(newest)
    assert listed["y"] - 1 <= shown["y"]
    assert shown["y"] + shown["height"] <= listed["y"] + listed["height"] + 1

    # A run: the name above its first bubble, not above the next one of the same sender.
    again = _message(ann, "bob again")
    expect(again.locator(".sender-name")).to_have_text(bob_nick)
    expect(newest.locator(".sender-name")).to_have_count(0)
    expect(newest.locator(".sender-picture")).to_have_count(0)
    # The picture (here the initial) sits beside the bubble, level with its top.
    picture, bubble = _box(again.locator(".sender-picture")), _box(again.locator(".bubble"))
    name = _box(again.locator(".sender-name"))
    assert picture["x"] + picture["width"] <= bubble["x"]
    assert abs(picture["y"] - bubble["y"]) <= 2
    assert name["y"] + name["height"] <= bubble["y"] + 1
    assert abs(name["x"] - bubble["x"]) <= 2
    # Own messages stay as they were: no name, on the right.
    own = _message(ann, f"filler {FILLER - 1}")
    expect(own.locator(".sender-name")).to_have_count(0)
    assert _box(own.locator(".bubble"))["x"] > listed["x"] + listed["width"] / 2

    # Older messages: the group's creation as a centred grey line, not a bubble.
    ann.locator("#message-list").evaluate("el => el.scrollBy(0, -el.scrollHeight)")
    line = ann.locator("#message-list .system-line")
    created = f"You created the group “{group_name}” with {bob_nick} and {cat_name}"
    expect(line).to_have_text(created)
    centre = _box(line)["x"] + _box(line)["width"] / 2
    assert abs(centre - (listed["x"] + listed["width"] / 2)) <= 20
    expect(_message(ann, "bob one").locator(".sender-name")).to_have_text(bob_nick)
    expect(_message(ann, "bob two").locator(".sender-name")).to_have_count(0)

    # Cat, whom Ann blocked: named by username, the message folded until Show.
    folded = ann.locator("#message-list .message").filter(has=ann.locator(".collapsed-message"))
    expect(folded).to_have_count(1)
    expect(folded.locator(".sender-name")).to_have_text(cat_name)
    expect(folded).not_to_contain_text("from cat")
    folded.get_by_role("button", name="Show").click()
    expect(_message(ann, "from cat").locator(".message-body")).to_have_text("from cat")
    expect(ann.locator(".collapsed-message")).to_have_count(0)


def test_an_event_line_in_the_chat_list_follows_the_language_switch(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob_page, bob_name = new_user(browser, app_server, "bob")
    bob_page.close()
    ann_id, bob_id = user_ids(app_server.database_url, ann_name, bob_name)
    group_name = f"Team {uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(app_server.database_url)
    try:
        with Session(engine) as db:
            make_friends(db, ann_id, bob_id)
            groups.create_group(session=db, creator_id=ann_id, name=group_name, member_ids=[bob_id])
    finally:
        engine.dispose()
    ann.reload()
    ann.click("#tab-chats")
    line = ann.locator("#chat-list").get_by_role("button", name=group_name).locator(".chat-line")
    expect(line).to_have_text(f"Group “{group_name}” created")

    ann.click("#user-menu")
    ann.click("#language-zh")
    ann.keyboard.press("Escape")
    # At once, as the tabs and the open chat's lines switch (it waited for a reload).
    expect(line).to_have_text(f"群聊“{group_name}”已创建")
