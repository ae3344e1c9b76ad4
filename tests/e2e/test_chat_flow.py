"""Two friends chat in two browsers: live both ways, emoji, receipts, unread, reload."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import (
    befriend,
    bubbles,
    message_order,
    new_user,
    open_chat_with,
    search,
    send,
)
from tests.support.history import seed_history
from tests.support.live_app import LiveApp
from tests.support.sql import user_ids


def test_chat_both_ways_with_receipts_unread_and_reload(
    browser: Browser, app_on_each_profile: LiveApp
):
    ann, ann_name = new_user(browser, app_on_each_profile, "ann")
    bob, bob_name = new_user(browser, app_on_each_profile, "bob")
    befriend(ann, bob, bob_name)

    open_chat_with(ann, bob_name.title())
    send(ann, "Hello Bob <b>not bold</b>")
    expect(bubbles(ann).last).to_have_text("Hello Bob <b>not bold</b>")
    expect(ann.locator("#message-list .message.mine .message-status").last).to_have_text("Sent")

    # Bob has not opened the chat: unread badge, toast and tab title count.
    expect(bob.locator("#friend-list .unread-badge")).to_have_text("1")
    expect(bob).to_have_title("(1) Chat")
    open_chat_with(bob, ann_name.title())
    expect(bubbles(bob).last).to_have_text("Hello Bob <b>not bold</b>")
    expect(bob.locator("#friend-list .unread-badge")).to_have_count(0)
    expect(bob).to_have_title("Chat")
    # Ann sees that Bob read it.
    expect(ann.locator("#message-list .message.mine .message-status").last).to_have_text("Read")

    # Shift+Enter makes a new line, Enter sends; emoji from the picker.
    bob.fill("#composer", "line one")
    bob.press("#composer", "Shift+Enter")
    bob.type("#composer", "line two")
    bob.click("#emoji-button")
    bob.get_by_role("button", name="👍").click()
    # The picker adds the emoji through the server: send once the user can see it.
    expect(bob.locator("#composer")).to_have_value("line one\nline two👍")
    bob.press("#composer", "Enter")
    expect(bubbles(ann).last).to_have_text("line one\nline two👍")
    expect(bubbles(bob).last).to_have_text("line one\nline two👍")
    expect(bob.locator("#composer")).to_have_value("")

    # Whitespace only is refused with a message, and nothing is sent.
    send(ann, "   ")
    expect(ann.locator("#composer-error")).to_have_text("Write something first.")
    expect(bubbles(ann)).to_have_count(2)

    ann.reload()
    open_chat_with(ann, bob_name.title())
    expect(bubbles(ann)).to_have_text(["Hello Bob <b>not bold</b>", "line one\nline two👍"])


def test_load_older_keeps_the_reading_position(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    search(bob, ann_name)
    expect(bob.locator("#search-relation")).to_have_text("Already your friend.")
    ids = user_ids(app_server.database_url, ann_name, bob_name)
    seed_history(app_server.database_url, ids[0], ids[1], 120)

    open_chat_with(bob, ann_name.title())
    expect(bubbles(bob)).to_have_count(50)
    expect(bubbles(bob).first).to_have_text("old message number 00070")
    bob.locator("#message-list").evaluate("el => el.scrollBy(0, -el.scrollHeight)")
    first_before = bob.locator("[data-seq='71']").bounding_box()
    bob.click("#load-older")
    expect(bubbles(bob)).to_have_count(100)
    first_after = bob.locator("[data-seq='71']").bounding_box()
    assert first_before is not None
    assert first_after is not None
    # The message that was on top stays where the reader left it.
    assert abs(first_after["y"] - first_before["y"]) <= 2


def test_a_gap_filled_by_a_catch_up_shows_in_order(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(bob, ann_name.title())
    send(ann, "first")
    expect(bubbles(bob)).to_have_text(["first"])
    # 35 more arrive behind the tab's back; Ann's next one (37) arrives ahead of them and
    # reveals the gap, and Bob's tab catches up: 2 … 36 go in before 37, across both banks.
    ids = user_ids(app_server.database_url, ann_name, bob_name)
    _append_messages(app_server, ids[0], ids[1], range(2, 37))
    send(ann, "last")
    expect(bob.locator("[data-seq='37']")).to_have_count(1)
    expect(bubbles(bob)).to_have_count(37)
    in_dom, on_screen = message_order(bob)
    # In the DOM (what a screen reader reads) as top to bottom on the page: in sequence.
    assert in_dom == on_screen == list(range(1, 38))


def _append_messages(app: LiveApp, sender: int, recipient: int, seqs: range) -> None:
    import uuid
    from datetime import timedelta

    import sqlalchemy as sa

    from chat_app.models import utc_now

    low, high = sorted((sender, recipient))
    engine = sa.create_engine(app.database_url)
    with engine.begin() as connection:
        conversation = connection.execute(
            sa.text("select id from conversation where user_low_id = :l and user_high_id = :h"),
            {"l": low, "h": high},
        ).scalar_one()
        # In the past: they must not count against Ann's sending rate.
        start = utc_now() - timedelta(hours=1)
        for seq in seqs:
            connection.execute(
                sa.text(
                    "insert into message (conversation_id, seq, sender_id, client_id, kind,"
                    " body, created_at) values (:c, :s, :u, :k, 'text', :b, :t)"
                ),
                {
                    "c": conversation,
                    "s": seq,
                    "u": sender,
                    "k": uuid.uuid4().hex,
                    "b": f"behind the back {seq}",
                    "t": start + timedelta(milliseconds=seq),
                },
            )
        connection.execute(
            sa.text("update conversation set last_seq = :s where id = :c"),
            {"s": seqs[-1], "c": conversation},
        )
    engine.dispose()
