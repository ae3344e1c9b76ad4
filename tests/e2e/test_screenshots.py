"""Makes the README's screenshots from a real run, into build/screenshots/*.png.

`make test` leaves the tracked docs/screenshots alone; `make screenshots` runs this test and
copies the pictures there.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

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


def test_readme_screenshots(browser: Browser, app_server: LiveApp):
    SHOTS.mkdir(parents=True, exist_ok=True)
    mei = _user(browser, app_server, "mei_demo", "Mei 梅")
    tom = _user(browser, app_server, "tom_demo", "Tom")
    befriend(mei, tom, "tom_demo", "Tom")
    open_chat_with(mei, "Tom")
    open_chat_with(tom, "Mei 梅")
    for page, text in (
        (tom, "Hi Mei! Are we still on for the study group tonight? 📚"),
        (mei, "Yes! 7 pm in the library 😊"),
        (tom, "Great, I'll bring the notes."),
        (mei, "谢谢！See you there 👋"),
    ):
        send(page, text)
        expect(bubbles(page).last).to_have_text(text)
    expect(mei.locator("#message-list .message.mine .message-status").last).to_have_text("Read")
    mei.get_by_role("button", name="Close").first.click()
    expect(mei.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)
    _save(mei, "desktop-light.png")

    mei.click("#theme-toggle")
    _save(mei, "desktop-dark.png")

    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, "tom_demo")
    expect_chat_as(phone, app_server, "Tom")
    phone.locator("#tab-friends").tap()  # the pane opens on the Chats tab
    phone.locator("#friend-list").get_by_text("Mei 梅", exact=True).tap()
    expect(bubbles(phone).last).to_have_text("谢谢！See you there 👋")
    _save(phone, "phone.png")


def _save(page: Page, name: str) -> None:
    page.wait_for_timeout(300)  # let the toast and transition animations settle
    path: Path = SHOTS / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
