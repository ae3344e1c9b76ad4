"""A fast typist: each message is sent as typed, never glued to the one before it.

The composer's text goes to the server 300 ms after the last key (a debounced input), and
the server empties it in the update that answers the send. A key typed before that update
arrives kept the input "typing", which then ignored the update: the sent text stayed in
the box and the next message was sent glued to it ("quick 4quick 5").
"""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import bubbles, friend_on_a_phone, friends_in_chat, open_chat_with
from tests.support.live_app import LiveApp


def test_messages_typed_fast_one_after_another_arrive_as_typed(
    browser: Browser, app_server: LiveApp
):
    ann, bob, _ann_name, _bob_name = friends_in_chat(browser, app_server)
    composer = ann.locator("#composer")
    # Within the rate limit (10 messages in 10 s).
    sent = [f"quick {number}" for number in range(10)]
    for message in sent:
        # 25 ms a key and Enter at once, the next message's first key right after it.
        composer.press_sequentially(message, delay=25)
        composer.press("Enter")
    expect(bubbles(bob)).to_have_text(sent, timeout=20_000)
    expect(bubbles(ann)).to_have_text(sent)
    expect(composer).to_have_value("")
    # The box keeps the focus: the next message is typed without a click.
    assert ann.evaluate("document.activeElement && document.activeElement.id") == "composer"


def test_messages_tapped_out_fast_on_a_phone_arrive_as_typed(browser: Browser, app_server: LiveApp):
    _ann, bob, ann_name, _bob_name = friend_on_a_phone(browser, app_server)
    open_chat_with(bob, ann_name.title())
    composer = bob.locator("#composer")
    sent = [f"tap {number}" for number in range(4)]
    for message in sent:
        composer.press_sequentially(message, delay=30)
        bob.locator("#send-button").tap()
    expect(bubbles(bob)).to_have_text(sent)
    expect(composer).to_have_value("")
