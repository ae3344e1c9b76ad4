"""Layouts (desktop, phone, open keyboard), theme, language, keyboard use, touch targets."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    DESKTOP,
    PHONE,
    befriend,
    bubbles,
    expect_chat_as,
    login,
    new_user,
    open_chat_with,
    send,
)
from tests.support.live_app import LiveApp


def in_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert size is not None
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"] + 1
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
    )


def test_phone_shows_one_pane_at_a_time_and_keeps_the_composer_above_the_keyboard(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob_desk, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob_desk, bob_name)
    open_chat_with(ann, bob_name.title())
    for n in range(10):
        send(ann, f"line {n}")
    expect(bubbles(ann)).to_have_count(10)

    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, bob_name)
    expect_chat_as(phone, app_server, bob_name.title())
    expect(phone.locator("#friend-pane")).to_be_visible()
    expect(phone.locator("#conversation-placeholder")).to_be_hidden()

    phone.locator("#tab-friends").tap()  # the pane opens on the Chats tab
    phone.locator("#friend-list").get_by_text(ann_name.title(), exact=True).tap()
    expect(phone.locator("#conversation-title")).to_have_text(ann_name.title())
    expect(phone.locator("#friend-pane")).to_be_hidden()
    expect(phone.locator("#back-button")).to_be_visible()
    expect(bubbles(phone).last).to_have_text("line 9")
    assert in_viewport(phone, "#composer")

    # The on-screen keyboard takes half the height: the composer and the newest message
    # stay visible, and the page itself does not scroll.
    phone.set_viewport_size({"width": 390, "height": 422})
    expect(bubbles(phone).last).to_be_in_viewport()
    assert in_viewport(phone, "#composer")
    assert phone.evaluate("document.scrollingElement.scrollTop") == 0

    # Touch targets are at least 44 px.
    for selector in ("#back-button", "#send-button", "#emoji-button", "#composer"):
        box = phone.locator(selector).bounding_box()
        assert box is not None
        assert box["height"] >= 44, selector

    phone.locator("#back-button").tap()
    expect(phone.locator("#friend-pane")).to_be_visible()
    expect(phone.locator("#conversation-pane")).to_have_count(0)


def test_theme_follows_the_system_and_the_choice_survives_reload(
    browser: Browser, app_server: LiveApp
):
    for options in (DESKTOP, PHONE):
        dark_system = browser.new_context(color_scheme="dark", **options).new_page()
        dark_system.goto(app_server.frontend_url + "/auth")
        expect(dark_system.locator("html")).to_have_class(re.compile(r"\bdark\b"))

        page = browser.new_context(color_scheme="light", **options).new_page()
        page.goto(app_server.frontend_url + "/auth")
        expect(page.locator("html")).to_have_class(re.compile(r"\blight\b"))
        page.get_by_role("button", name="Switch light or dark mode").click()
        expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
        page.reload()
        expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))


def test_language_follows_the_browser_switches_at_once_and_is_remembered(
    browser: Browser, app_server: LiveApp
):
    chinese = browser.new_context(locale="zh-CN").new_page()
    chinese.goto(app_server.frontend_url + "/auth")
    expect(chinese.locator("#login-submit")).to_have_text("登录")

    page, name = new_user(browser, app_server, "lin")
    expect(page.locator("#tab-friends")).to_contain_text("Friends")
    page.click("#user-menu")
    page.click("#language-zh")
    expect(page.locator("#tab-friends")).to_contain_text("好友")
    page.keyboard.press("Escape")
    page.reload()
    expect(page.locator("#tab-friends")).to_contain_text("好友", timeout=20_000)
    expect(page.locator("#friend-search")).to_have_attribute("placeholder", "完整用户名")
    del name


def test_the_chat_works_with_the_keyboard_alone(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "kim")
    bob, bob_name = new_user(browser, app_server, "lee")
    befriend(ann, bob, bob_name)
    friend_button = ann.locator("#friend-list .friend-open").first
    friend_button.focus()
    expect(friend_button).to_be_focused()
    ann.keyboard.press("Enter")
    expect(ann.locator("#conversation-title")).to_have_text(bob_name.title())
    ann.locator("#composer").focus()
    ann.keyboard.type("typed with keys only")
    ann.keyboard.press("Enter")
    expect(bubbles(bob.context.pages[0]).last).to_have_count(0)
    open_chat_with(bob, ann_name.title())
    expect(bubbles(bob).last).to_have_text("typed with keys only")

    # Escape closes dialogs.
    ann.click("#user-menu")
    ann.click("#menu-change-password")
    expect(ann.locator("#current-password")).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.locator("#current-password")).to_be_hidden()
