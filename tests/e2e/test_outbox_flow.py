"""The tab's outbox in Chromium on the production build: reload, kill -9 and restart.

A message the server did not store stays in the tab's browser storage and shows as a
pending bubble until it is stored or deleted; a send pressed while the backend is down goes
out by itself once it is back (issue 16). The backend here can be killed and started again
on the same port and SQLite file while the exported frontend stays served. A small rate
limit (3 messages in 6 s) makes the fourth of four quick sends fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.browser import befriend, bubbles, new_user, open_chat_with, send
from tests.support.live_app import LiveApp
from tests.support.restartable import (
    RestartableBackend,
    restartable_app,
    stored_count,
    wait_for_room,
)

RATE_COUNT = 3
RATE_WINDOW = timedelta(seconds=6)
TOO_FAST = "Not sent: You are sending too fast. Wait a few seconds."
SENT = re.compile(r"^(Sent|Read)$")
# A restarted backend (migrations checked, workers up) and the tab's reconnect backoff.
BACK_AFTER_RESTART = 30_000


@pytest.fixture(scope="module")
def outbox_app(tmp_path_factory) -> Iterator[tuple[LiveApp, RestartableBackend]]:
    rate = {
        "CHAT_MESSAGE_RATE_COUNT": str(RATE_COUNT),
        "CHAT_MESSAGE_RATE_SECONDS": str(int(RATE_WINDOW.total_seconds())),
    }
    with restartable_app(tmp_path_factory.mktemp("outbox"), **rate) as running:
        yield running


@pytest.fixture
def app(outbox_app: tuple[LiveApp, RestartableBackend]) -> LiveApp:
    outbox_app[1].ensure_running()
    return outbox_app[0]


@pytest.fixture
def backend(outbox_app: tuple[LiveApp, RestartableBackend]) -> RestartableBackend:
    return outbox_app[1]


def test_a_failed_message_survives_a_reload_and_retry_stores_it_once(
    browser: Browser, app: LiveApp
):
    ann, ann_name, bob, bob_name = _friends_in_chat(browser, app)
    texts = [f"quick {n}" for n in range(1, RATE_COUNT + 2)]
    _send_quickly(ann, texts)
    failed = texts[-1]
    expect(_status(ann, failed)).to_have_text(TOO_FAST)

    ann.reload()
    # The tab reopens its conversation and shows the outbox after the stored messages.
    expect(ann.locator("#conversation-title")).to_have_text(bob_name.title())
    expect(bubbles(ann)).to_have_text(texts)
    expect(_status(ann, failed)).to_have_text(TOO_FAST)
    expect(_retry(ann, failed)).to_be_visible()
    assert stored_count(app, failed) == 0

    # Retry only once the rate window has room (polled in the database, see wait_for_room):
    # an earlier click would fail "too fast" again, rightly.
    wait_for_room(app, ann_name, RATE_COUNT, RATE_WINDOW)
    _retry(ann, failed).click()
    expect(_status(ann, failed)).to_have_text(SENT)
    expect(_retry(ann, failed)).to_have_count(0)
    expect(_bodies(bob, failed)).to_have_count(1)
    assert stored_count(app, failed) == 1


def test_a_send_pressed_while_the_backend_is_down_goes_out_after_its_restart(
    browser: Browser, app: LiveApp, backend: RestartableBackend
):
    ann, _ann_name, bob, _bob_name = _friends_in_chat(browser, app)
    text = "written while the server was down"
    # Ann's account page in another tab.
    account = ann.context.new_page()
    account.goto(app.frontend_url + "/account")
    expect(account.locator("#account-page")).to_be_visible()
    backend.kill()
    expect(ann.locator("#composer-offline")).to_be_visible()
    # Elsewhere the page's own notice says it, in the page's language; never Reflex's
    # English toast with the socket's address, nor its red icon behind the Send button.
    expect(account.locator("#connection-lost")).to_have_text("No connection. Trying again…")
    for page in (ann, account):
        expect(page.get_by_text("Cannot connect")).to_have_count(0)
        expect(page.locator(".lucide-wifi-off")).to_have_count(0)
    expect(ann.locator("#connection-lost")).to_be_hidden()
    send(ann, text)
    # Nothing took it: the text stays in the composer, and the page says why.
    expect(ann.locator("#composer")).to_have_value(text)
    expect(ann.locator("#composer-offline")).to_have_text(
        "No connection. What you send now goes out when the connection is back."
    )

    backend.start()
    # No second Enter: the send waited in the browser and goes out on reconnect.
    expect(ann.locator("#composer-offline")).to_be_hidden(timeout=BACK_AFTER_RESTART)
    expect(account.locator("#connection-lost")).to_be_hidden(timeout=BACK_AFTER_RESTART)
    expect(ann.locator("#composer")).to_have_value("")
    expect(_own(ann, text)).to_have_count(1)
    expect(_status(ann, text)).to_have_text(SENT)
    expect(_bodies(bob, text)).to_have_count(1)
    assert stored_count(app, text) == 1
    # Nothing of it is left in the tab's outbox: a reload shows it once, stored.
    ann.reload()
    expect(_status(ann, text)).to_have_text(SENT)
    expect(bubbles(ann)).to_have_count(1)


def test_a_failed_message_survives_a_crash_and_a_reload(
    browser: Browser, app: LiveApp, backend: RestartableBackend
):
    ann, ann_name, _bob, bob_name = _friends_in_chat(browser, app)
    texts = [f"before the crash {n}" for n in range(1, RATE_COUNT + 2)]
    _send_quickly(ann, texts)
    failed = texts[-1]
    expect(_status(ann, failed)).to_have_text(TOO_FAST)

    backend.kill()
    expect(ann.locator("#composer-offline")).to_be_visible()
    backend.start()
    ann.reload()
    expect(ann.locator("#conversation-title")).to_have_text(
        bob_name.title(), timeout=BACK_AFTER_RESTART
    )
    expect(bubbles(ann)).to_have_text(texts)
    expect(_status(ann, failed)).to_have_text(TOO_FAST)
    expect(_retry(ann, failed)).to_be_visible()
    assert stored_count(app, failed) == 0

    # Retry only once the rate window has room (polled in the database, see wait_for_room):
    # an earlier click would fail "too fast" again, rightly.
    wait_for_room(app, ann_name, RATE_COUNT, RATE_WINDOW)
    _retry(ann, failed).click()
    expect(_status(ann, failed)).to_have_text(SENT)
    expect(_own(ann, failed)).to_have_count(1)
    assert stored_count(app, failed) == 1


def _friends_in_chat(browser: Browser, app: LiveApp) -> tuple[Page, str, Page, str]:
    """Ann and Bob, friends, each with their conversation open."""
    ann, ann_name = new_user(browser, app, "ann")
    bob, bob_name = new_user(browser, app, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(bob, ann_name.title())
    return ann, ann_name, bob, bob_name


def _send_quickly(page: Page, texts: list[str]) -> None:
    """Send one after another, each as soon as the composer is empty again.

    Waiting for the emptied composer keeps the next text from being typed into a field the
    previous send's update is about to clear.
    """
    for text in texts:
        send(page, text)
        expect(page.locator("#composer")).to_have_value("")
        expect(_own(page, text)).to_have_count(1)


def _bodies(page: Page, text: str) -> Locator:
    """The message texts in the list that are exactly `text`."""
    exactly = re.compile(f"^{re.escape(text)}$")
    return page.locator("#message-list .message-body").filter(has_text=exactly)


def _own(page: Page, text: str) -> Locator:
    """The user's own bubbles holding exactly `text`."""
    exactly = re.compile(f"^{re.escape(text)}$")
    body = page.locator(".message-body").filter(has_text=exactly)
    return page.locator("#message-list .message.mine").filter(has=body)


def _status(page: Page, text: str) -> Locator:
    return _own(page, text).locator(".message-status")


def _retry(page: Page, text: str) -> Locator:
    return _own(page, text).get_by_role("button", name="Retry")
