"""Replying in the browser: Reply in a message's menu puts its quote above the composer and
the cursor in it; the reply shows the quote inside its bubble for both people; a press on
the quote brings the answered message into view; its close button drops a quote before sending."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.browser import friends_in_chat, send
from tests.support.live_app import LiveApp

QUESTION = "are we still on for the picnic on Saturday?"
# Wholly inside the message list's visible box.
IN_LIST_VIEW = """element => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const box = element.getBoundingClientRect();
    return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
}"""


def _row(page: Page, text: str) -> Locator:
    return page.locator("#message-list .message", has_text=text).last


def _reply_from_menu(page: Page, row: Locator) -> None:
    row.scroll_into_view_if_needed()
    row.hover()
    row.locator(".message-actions").click()
    page.locator(".reply-to-message").click()


def test_a_reply_quotes_its_message_for_both_and_leads_back_to_it(
    browser: Browser, app_server: LiveApp
):
    ann, bob, ann_name, _bob_name = friends_in_chat(browser, app_server)
    send(ann, QUESTION)
    # Tall messages, few of them (the sending rate is limited): the question scrolls away.
    for number in range(8):
        send(ann, f"and another thing {number}" + "\nmore" * 4)
    expect(_row(bob, "and another thing 7")).to_be_visible()

    _reply_from_menu(bob, _row(bob, QUESTION))
    bar = bob.locator("#reply-bar")
    expect(bar).to_contain_text(ann_name)
    expect(bar).to_contain_text(QUESTION)
    # Once the menu is gone (it gives the focus back to its button as it closes), the
    # cursor is in the composer.
    expect(bob.locator(".message-menu")).to_have_count(0)
    expect(bob.locator("#composer")).to_be_focused()
    bob.wait_for_function("() => document.activeElement.id === 'composer'")
    bob.keyboard.type("yes, at 11")
    bob.keyboard.press("Enter")
    expect(bar).to_have_count(0)

    for page, name in ((bob, ann_name), (ann, "You")):
        reply = _row(page, "yes, at 11")
        quote = reply.locator(".reply-quote")
        expect(quote).to_contain_text(QUESTION)
        expect(quote).to_contain_text(name)
        # Inside the bubble, above the text.
        assert quote.evaluate(
            """q => {
                const bubble = q.closest(".bubble").getBoundingClientRect();
                const text = q.closest(".bubble").querySelector(".message-body")
                    .getBoundingClientRect();
                const box = q.getBoundingClientRect();
                return box.left >= bubble.left && box.right <= bubble.right
                    && box.bottom <= text.top + 1;
            }"""
        )
    expect(_row(bob, "yes, at 11")).to_be_visible()
    # Sent, the list went to its end: the reply in view, the question (the first message
    # holding its text; the reply's quote holds it too) out of it.
    question = bob.locator("#message-list .message", has_text=QUESTION).first
    bob.wait_for_function(
        f"() => ({IN_LIST_VIEW})([...document.querySelectorAll('#message-list .message')].at(-1))"
    )
    assert not question.evaluate(IN_LIST_VIEW)
    # For a keyboard and a screen reader: a visible ring, named by whom and what it quotes.
    quote_button = bob.get_by_role("button", name=re.compile(f"^{ann_name}.*picnic on Saturday"))
    quote_button.focus()
    bob.keyboard.press("Shift+Tab")
    bob.keyboard.press("Tab")
    expect(quote_button).to_be_focused()
    assert quote_button.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    # New messages are read out: the list is a log.
    expect(bob.get_by_role("log", name="Messages")).to_be_visible()
    _row(bob, "yes, at 11").locator(".reply-quote").click()
    bob.wait_for_function(
        "() => { const found = document.querySelector('#message-list .bubble.found');"
        f" return found !== null && ({IN_LIST_VIEW})(found); }}"
    )
    expect(question.locator(".bubble")).to_have_class(re.compile(r"\bfound\b"))

    # Ann edits her question: both quotes follow, live and after a reload (they kept the
    # old words for good: the tab's rows are kept across a reload).
    asked = ann.locator("#message-list .message", has_text=QUESTION).first
    asked.scroll_into_view_if_needed()
    asked.hover()
    asked.locator(".message-actions").click()
    ann.locator(".edit-message").click()
    ann.locator("#edit-message-text").fill("are we still on for the picnic on Sunday?")
    ann.locator("#edit-message-text").press("Enter")
    expect(ann.get_by_role("dialog")).to_be_hidden()
    for page in (ann, bob):
        expect(_row(page, "yes, at 11").locator(".reply-quote")).to_contain_text("on Sunday?")
    bob.reload()
    expect(_row(bob, "yes, at 11").locator(".reply-quote")).to_contain_text("on Sunday?")


def test_a_quote_dropped_before_sending_sends_a_plain_message(
    browser: Browser, app_server: LiveApp
):
    ann, bob, _ann_name, _bob_name = friends_in_chat(browser, app_server)
    send(ann, "lunch?")
    expect(_row(bob, "lunch?")).to_be_visible()
    _reply_from_menu(bob, _row(bob, "lunch?"))
    expect(bob.locator("#reply-bar")).to_be_visible()
    bob.click("#cancel-reply")
    expect(bob.locator("#reply-bar")).to_have_count(0)
    send(bob, "sure")
    expect(_row(ann, "sure")).to_be_visible()
    expect(_row(ann, "sure").locator(".reply-quote")).to_have_count(0)
    expect(_row(bob, "sure").locator(".reply-quote")).to_have_count(0)
