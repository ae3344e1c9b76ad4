"""Searching messages in the Chats tab: results with the words marked, each opening its
conversation with that message in view, however far back it is."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    FIELD_IN_ITS_BOX,
    PHONE,
    befriend,
    expect_chat_as,
    login,
    new_user,
    open_chat_with,
    send,
)
from tests.support.history import seed_history
from tests.support.live_app import LiveApp
from tests.support.sql import user_ids

RESULTS = "#message-search-results .search-result"
# The message's bubble lies wholly inside the list's visible box (1 px for rounding).
IN_VIEW = """seq => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const row = document.getElementById("message-" + seq);
    if (!row) return false;
    const box = row.querySelector(".bubble").getBoundingClientRect();
    return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
}"""
# A floating button wholly inside the message list's visible box.
PILL_IN_LIST = """id => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const box = document.getElementById(id)?.getBoundingClientRect();
    return !!box && box.height > 0 && box.top >= list.top && box.bottom <= list.bottom
        && box.left >= list.left && box.right <= list.right;
}"""
# Two boxes side by side without overlapping, both inside the pane.
SIDE_BY_SIDE = """() => {
    const pane = document.getElementById("friend-pane").getBoundingClientRect();
    const field = document.getElementById("message-search").getBoundingClientRect();
    const button = document.getElementById("new-group").getBoundingClientRect();
    return field.right <= button.left && field.left >= pane.left
        && button.right <= pane.right && field.width > 100;
}"""


def _search(page: Page, words: str) -> None:
    page.click("#tab-chats")
    page.fill("#message-search", words)
    page.press("#message-search", "Enter")


def _open_result(page: Page, seq: int) -> None:
    page.locator(f'{RESULTS}[data-seq="{seq}"]').click()
    expect(page.locator(f"#message-{seq} .bubble.found")).to_be_visible()
    page.wait_for_function(IN_VIEW, arg=seq)
    # With the two messages before it, for context.
    page.wait_for_function(IN_VIEW, arg=seq - 2)


def test_a_result_opens_its_message_however_far_back(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    dan, dan_name = new_user(browser, app_server, "dan")
    befriend(bob, dan, dan_name)
    ann_id, bob_id = user_ids(app_server.database_url, ann_name, bob_name)
    seed_history(app_server.database_url, ann_id, bob_id, 300)
    bob.click("#tab-chats")
    expect(bob.locator("#message-search")).to_be_visible()
    assert bob.evaluate(SIDE_BY_SIDE), "the search field and New group do not fit side by side"

    # Far back (beyond the newest 150 a conversation keeps): the page around it.
    _search(bob, "00017")
    result = bob.locator(RESULTS)
    expect(result).to_have_count(1)
    expect(result).to_contain_text(ann_name.title())
    expect(result).to_contain_text("old message number 00017")
    expect(result.locator("mark")).to_have_text("00017")
    expect(result.locator("mark")).to_be_visible()
    _open_result(bob, 18)
    expect(bob.locator("#conversation-title")).to_have_text(ann_name.title())
    expect(bob.locator("#message-300")).to_have_count(0)
    # Back to the newest: the mark goes, the newest message is in view.
    bob.get_by_role("button", name="Jump to the latest messages").click()
    bob.wait_for_function(IN_VIEW, arg=300)
    expect(bob.locator(".bubble.found")).to_have_count(0)
    # Away to another chat and back from the list: at the result again (it opened 150
    # messages up, at neither the result nor the newest); with a message come since, at
    # that message.
    rows = {
        name: bob.locator(f"#chat-list button[aria-label='{name.title()}']")
        for name in (ann_name, dan_name)
    }
    _search(bob, "00017")
    _open_result(bob, 18)
    bob.click("#message-search-close")
    for came_since in (False, True):
        rows[dan_name].click()
        expect(bob.locator("#conversation-title")).to_have_text(dan_name.title())
        if came_since:
            open_chat_with(ann, bob_name.title())
            send(ann, "need a decision")
        rows[ann_name].click()
        bob.wait_for_function(IN_VIEW, arg=301 if came_since else 18)

    # Among the newest: the same list, opened at the message.
    _search(bob, "number 00200")
    _open_result(bob, 201)
    expect(bob.locator("#message-300")).to_have_count(1)

    # Many results come a page at a time, newest first.
    _search(bob, "message 0029")
    expect(bob.locator(RESULTS)).to_have_count(11)  # 00290-00299 and 00029
    _search(bob, "old message")
    expect(bob.locator(RESULTS)).to_have_count(20)
    # A screen reader is told how many, in a region it reads when it changes.
    expect(bob.get_by_role("status").filter(has_text="found")).to_have_text("20+ messages found")
    expect(bob.locator(RESULTS).first).to_have_attribute("data-seq", "300")
    bob.click("#message-search-more")
    expect(bob.locator(RESULTS)).to_have_count(40)
    expect(bob.locator(RESULTS).last).to_have_attribute("data-seq", "261")

    # Nothing found says so, with the words searched; closing brings the chats back.
    _search(bob, "nowhere to be found")
    expect(bob.locator("#message-search-none")).to_have_text(
        "No messages found for “nowhere to be found”"
    )
    expect(bob.locator("#message-search-status")).to_have_text(
        "No messages found for “nowhere to be found”"
    )
    bob.click("#message-search-close")
    expect(bob.locator("#chat-list")).to_be_visible()
    expect(bob.locator("#message-search")).to_have_value("")

    # Someone outside the conversation finds none of it.
    _search(ann, "zzz")
    expect(ann.locator("#message-search-none")).to_be_visible()
    cat, _cat_name = new_user(browser, app_server, "cat")
    _search(cat, "00017")
    expect(cat.locator("#message-search-none")).to_be_visible()
    expect(cat.locator(RESULTS)).to_have_count(0)


def test_on_a_phone_a_result_opens_the_chat_and_back_returns_to_the_results(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob_desk, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob_desk, bob_name)
    bob_desk.context.close()
    ann_id, bob_id = user_ids(app_server.database_url, ann_name, bob_name)
    seed_history(app_server.database_url, ann_id, bob_id, 200)
    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, bob_name)
    expect_chat_as(phone, app_server, bob_name.title())

    phone.locator("#message-search").fill("number 00005")
    phone.locator("#message-search-submit").tap()
    result = phone.locator(RESULTS)
    expect(result).to_have_count(1)
    for control in ("#message-search", "#message-search-submit", "#message-search-close", RESULTS):
        box = phone.locator(control).bounding_box()
        assert box is not None
        assert box["height"] >= 44, control  # a touch target
    # The field's box holds the whole 44 px input (its text in the middle of the box).
    assert phone.locator("#message-search").evaluate(FIELD_IN_ITS_BOX)
    result.tap()
    expect(phone.locator("#friend-pane")).to_be_hidden()
    expect(phone.locator("#message-6 .bubble.found")).to_be_visible()
    phone.wait_for_function(IN_VIEW, arg=6)
    phone.wait_for_function(IN_VIEW, arg=4)  # and what came before it
    # The way down to the newest is in sight, over the list (it sat after the page's last
    # message, 600 px below the screen); it counts what came meanwhile.
    latest = phone.locator("#jump-latest")
    expect(latest).to_have_text("↓ Latest")
    phone.wait_for_function(PILL_IN_LIST, arg="jump-latest")
    open_chat_with(ann, bob_name.title())
    send(ann, "need a decision")
    expect(latest).to_have_text("↓ 1 new")
    phone.locator("#back-button").tap()
    expect(phone.locator(RESULTS)).to_have_count(1)
    expect(phone.locator("#message-search")).to_have_value("number 00005")


def test_the_search_button_of_a_chat_searches_that_chat_alone(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    cat, cat_name = new_user(browser, app_server, "cat")
    befriend(ann, bob, bob_name)
    befriend(ann, cat, cat_name)
    for friend, text in ((bob_name, "picnic with Bob"), (cat_name, "picnic with Cat")):
        open_chat_with(ann, friend.title())
        send(ann, text)
        expect(ann.locator("#message-list .message-body").last).to_have_text(text)

    # Ann is in Cat's chat: its search button looks there alone.
    ann.click("#search-this-chat")
    expect(ann.locator("#message-search-scope")).to_contain_text(cat_name.title())
    expect(ann.locator("#message-search")).to_be_focused()
    # "New group" makes room for the field while results are shown (it was 107 px wide).
    expect(ann.locator("#new-group")).to_have_count(0)
    field = ann.locator("#message-search").bounding_box()
    assert field is not None
    assert field["width"] >= 180
    ann.keyboard.type("picnic")
    ann.keyboard.press("Enter")
    expect(ann.locator(RESULTS)).to_have_count(1)
    expect(ann.locator(RESULTS)).to_contain_text("picnic with Cat")
    # Out of the chat: the same words everywhere.
    ann.click("#message-search-everywhere")
    expect(ann.locator("#message-search-scope")).to_have_count(0)
    expect(ann.locator(RESULTS)).to_have_count(2)
    ann.click("#message-search-close")
    expect(ann.locator("#new-group")).to_be_visible()

    # On a phone the ⋮ menu's Search goes back to the list, where the search is.
    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, bob_name)
    expect_chat_as(phone, app_server, bob_name.title())
    phone.locator("#chat-list .chat-open").first.tap()
    expect(phone.locator("#conversation-title")).to_have_text(ann_name.title())
    phone.locator("#chat-more").tap()
    phone.locator("#more-search").tap()
    expect(phone.locator("#friend-pane")).to_be_visible()
    expect(phone.locator("#message-search-scope")).to_contain_text(ann_name.title())
    phone.locator("#message-search").fill("picnic")
    phone.locator("#message-search-submit").tap()
    expect(phone.locator(RESULTS)).to_have_count(1)
