"""Nothing is cut without a word: long pastes, emoji names; Enter on a phone makes a new line."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.browser import (
    PASSWORD,
    PHONE,
    befriend,
    bubbles,
    expect_chat_as,
    new_user,
    open_chat_with,
    unique_name,
)
from tests.support.live_app import LiveApp

TOO_LONG = "A message can have at most 4,000 characters."
# A phone browser says so in its user agent (Playwright's own Pixel 7 profile).
ANDROID_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def test_a_long_paste_is_kept_whole_counted_and_refused_on_send(
    browser: Browser, app_server: LiveApp
):
    ann, _ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    composer, count = ann.locator("#composer"), ann.locator("#composer-count")

    ann.fill("#composer", "x" * 3_499)
    expect(ann.locator("#composer-count")).to_have_count(0)
    pasted = "y" * 4_001
    ann.fill("#composer", pasted)
    expect(composer).to_have_value(pasted)
    expect(count).to_have_text("4,001 / 4,000")
    expect(count).to_have_attribute("data-accent-color", "red")

    ann.press("#composer", "Enter")
    expect(ann.locator("#composer-error")).to_have_text(TOO_LONG)
    expect(composer).to_have_value(pasted)
    expect(bubbles(ann)).to_have_count(0)

    # One character less: the count turns grey and the message goes out whole.
    ann.press("#composer", "End")
    ann.press("#composer", "Backspace")
    expect(count).to_have_text("4,000 / 4,000")
    expect(count).to_have_attribute("data-accent-color", "gray")
    ann.press("#composer", "Enter")
    expect(bubbles(ann)).to_have_count(1)
    expect(composer).to_have_value("")
    assert bubbles(ann).first.inner_text().strip() == "y" * 4_000
    # On a desktop the keys are explained under the composer.
    expect(ann.locator("#upload-hint")).to_contain_text("Enter sends, Shift+Enter")


def test_names_are_never_cut_by_the_browser(browser: Browser, app_server: LiveApp):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(app_server.frontend_url + "/auth")
    page.click("#tab-register")
    # One over the server's limits: sent whole and refused with its message, not cut to fit.
    page.fill("#register-username", "u" * 33)
    page.fill("#register-nickname", "😀" * 33)
    page.fill("#register-password", PASSWORD)
    page.fill("#register-password-confirm", PASSWORD)
    page.click("#register-submit")
    expect(page.locator("#register-username-error")).to_have_text(
        "Use 3-32 letters, digits or underscores."
    )
    expect(page.locator("#register-nickname-error")).to_have_text("Use at most 32 characters.")
    expect(page.locator("#register-nickname")).to_have_value("😀" * 33)

    # 32 emoji are 64 UTF-16 units in the browser and 32 characters to the server.
    page.fill("#register-username", unique_name("emoji"))
    page.fill("#register-nickname", "🙂" * 32)
    page.click("#register-submit")
    expect_chat_as(page, app_server, "🙂" * 32)


def test_on_a_phone_enter_makes_a_new_line_and_the_button_sends(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob_desk, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob_desk, bob_name)
    open_chat_with(ann, bob_name.title())
    phone = browser.new_context(**PHONE, user_agent=ANDROID_AGENT).new_page()
    phone.goto(app_server.frontend_url + "/auth")
    phone.fill("#login-username", bob_name)
    phone.fill("#login-password", PASSWORD)
    phone.locator("#login-submit").tap()
    expect_chat_as(phone, app_server, bob_name.title())
    phone.locator("#tab-friends").tap()  # the pane opens on the Chats tab
    phone.locator("#friend-list").get_by_text(ann_name.title(), exact=True).tap()
    composer = phone.locator("#composer")
    expect(composer).to_be_visible()

    # A short placeholder, on one line: the empty composer keeps its one-line height.
    expect(composer).to_have_attribute("placeholder", "Message")
    box = composer.bounding_box()
    assert box is not None
    assert box["height"] <= 48, box

    composer.tap()
    phone.keyboard.type("line one")
    phone.keyboard.press("Enter")
    phone.keyboard.type("line two")
    expect(composer).to_have_value("line one\nline two")
    expect(bubbles(phone)).to_have_count(0)
    phone.locator("#send-button").tap()
    expect(bubbles(phone)).to_have_text(["line one\nline two"])
    expect(bubbles(ann)).to_have_text(["line one\nline two"])
    expect(composer).to_have_value("")
