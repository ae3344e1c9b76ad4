"""Makes the README's screenshots from a real run, into build/screenshots/*.png.

`make test` leaves the tracked docs/screenshots alone; `make screenshots` runs this test and
copies the pictures there.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.support.browser import (
    PHONE,
    befriend,
    bubbles,
    expect_chat_as,
    login,
    open_chat_with,
    send,
)
from tests.support.live_app import PROJECT_DIR, LiveApp

SHOTS = PROJECT_DIR / "build" / "screenshots"


def _user(browser: Browser, app: LiveApp, username: str, nickname: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(app.frontend_url + "/auth")
    page.click("#tab-register")
    page.fill("#register-username", username)
    page.fill("#register-nickname", nickname)
    page.fill("#register-password", "correct horse")
    page.fill("#register-password-confirm", "correct horse")
    page.click("#register-submit")
    expect_chat_as(page, app, nickname)
    return page


GROUP = "Study group 学习小组"


def test_readme_screenshots(browser: Browser, app_server: LiveApp):
    SHOTS.mkdir(parents=True, exist_ok=True)
    mei = _user(browser, app_server, "mei_demo", "Mei 梅")
    tom = _user(browser, app_server, "tom_demo", "Tom")
    lin = _user(browser, app_server, "lin_demo", "Lin 林")
    befriend(mei, tom, "tom_demo", "Tom")
    befriend(mei, lin, "lin_demo", "Lin 林")
    open_chat_with(mei, "Tom")
    open_chat_with(tom, "Mei 梅")
    _chat(
        (tom, "Hi Mei! Are we still on for the study group tonight? 📚"),
        (mei, "Yes! 7 pm in the library 😊"),
        (tom, "Great, I'll bring the notes."),
        (mei, "谢谢！See you there 👋"),
    )
    expect(mei.locator("#message-list .message.mine .message-status").last).to_have_text("Read")

    # Mei makes a group of the three of them from the Chats tab; it opens for her.
    mei.click("#tab-chats")
    mei.click("#new-group")
    mei.fill("#new-group-name", GROUP)
    for username in ("tom_demo", "lin_demo"):
        mei.locator(f"label.group-pick[data-username='{username}']").click()
    mei.click("#new-group-create")
    expect(mei.locator("#group-member-count")).to_have_text("3 members")
    for page in (tom, lin):
        page.click("#tab-chats")
        page.locator(f"#chat-list button[aria-label='{GROUP}']").click()
        expect(page.locator("#conversation-title")).to_have_text(GROUP)
    _chat((mei, "Quiz on Friday. Shall we go over chapter 3 on Thursday?"))
    # Tom answers it with a reply: the quote shows in the bubble.
    question = tom.locator("#message-list .message", has_text="Quiz on Friday").last
    question.hover()
    question.locator(".message-actions").click()
    tom.locator(".reply-to-message").click()
    expect(tom.locator("#reply-bar")).to_contain_text("Quiz on Friday")
    expect(tom.locator(".message-menu")).to_have_count(0)
    _chat(
        (tom, "Thursday works for me 👍"),
        (lin, "我也可以！I'll book a room."),
    )
    expect(mei.locator("#message-list .reply-quote").last).to_contain_text("Quiz on Friday")
    expect(mei.locator("#message-list .message.mine .message-status").last).to_have_text("Read")
    mei.locator("#search-result").get_by_role("button", name="Close").click()
    expect(mei.locator("#search-result")).to_have_count(0)
    _close_toasts(mei)
    _save(mei, "desktop-light.png")

    mei.locator("#chat-list button[aria-label='Tom']").click()
    expect(bubbles(mei).last).to_have_text("谢谢！See you there 👋")
    mei.click("#theme-toggle")
    _close_toasts(mei)
    _save(mei, "desktop-dark.png")

    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, "tom_demo")
    expect_chat_as(phone, app_server, "Tom")
    phone.locator("#chat-list button[aria-label='Mei 梅']").tap()
    expect(bubbles(phone).last).to_have_text("谢谢！See you there 👋")
    _save(phone, "phone.png")


def _chat(*lines: tuple[Page, str]) -> None:
    """Each (page, text) sends its text; every page in the chat shows it before the next."""
    pages = {page for page, _text in lines}
    for page, text in lines:
        send(page, text)
        for reader in pages:
            expect(bubbles(reader).last).to_contain_text(text)


def _close_toasts(page: Page) -> None:
    """Closes the toasts (new friends, messages in other chats) a screenshot should not show.

    A toast that moves while the stack settles refuses the click; it goes by itself soon.
    """
    toasts = page.locator("[data-sonner-toast]")
    for _ in range(toasts.count()):
        with contextlib.suppress(PlaywrightError):
            toasts.first.get_by_role("button", name="Close toast").click(timeout=2_000)
    expect(toasts).to_have_count(0, timeout=20_000)


def _save(page: Page, name: str) -> None:
    page.wait_for_timeout(300)  # let the toast and transition animations settle
    path: Path = SHOTS / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
