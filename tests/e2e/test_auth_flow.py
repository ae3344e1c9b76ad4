"""Accounts in a real browser against the production build."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import PASSWORD, expect_chat_as, login, register, unique_name
from tests.support.live_app import LiveApp

NEAREST_LANG = "e => e.closest('[lang]').lang"


def test_anonymous_visitor_is_sent_to_auth(page: Page, app_server: LiveApp):
    page.goto(app_server.frontend_url + "/")
    expect(page).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)
    expect(page.locator("#login-username")).to_be_visible()


def stored_token(page: Page) -> str | None:
    return page.evaluate("() => window.localStorage.getItem('chat_session')")


def test_register_reload_second_tab_logout(page: Page, app_on_each_profile: LiveApp):
    # On the scaled profile the server keeps only the token's hash (Redis): reloading, a
    # second tab and logging out must work from the browser's copy alone.
    app = app_on_each_profile
    username = unique_name("ann")
    register(page, app, username, "安妮 Ann")
    expect_chat_as(page, app, "安妮 Ann")
    token = stored_token(page)
    assert token

    page.reload()
    expect_chat_as(page, app, "安妮 Ann")
    assert stored_token(page) == token

    second_tab = page.context.new_page()
    second_tab.goto(app.frontend_url + "/")
    expect_chat_as(second_tab, app, "安妮 Ann")

    page.click("#user-menu")
    page.click("#menu-logout")
    expect(page).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)
    # The token is shared through localStorage: the other tab shows the logout at once.
    expect(second_tab.locator("#logged-out-link")).to_be_visible(timeout=20_000)
    assert not stored_token(page)
    second_tab.reload()
    expect(second_tab).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)


def test_wrong_password_and_taken_username_show_their_errors(page: Page, app_server: LiveApp):
    username = unique_name("bea")
    register(page, app_server, username, "Bea")
    expect_chat_as(page, app_server, "Bea")
    page.click("#user-menu")
    page.click("#menu-logout")
    expect(page).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)

    login(page, app_server, username, "wrong password")
    expect(page.locator("#login-error")).to_have_text("Wrong username or password.")
    # A switch of language translates the refusal shown (it stayed English under 中文).
    page.click("#language-zh")
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误。")
    # The text says its language (read aloud and set in fonts as Chinese); the root's lang
    # is the build's, so the nearest one counts.
    assert page.locator("#login-error").evaluate(NEAREST_LANG) == "zh-CN"
    page.click("#language-en")
    expect(page.locator("#login-error")).to_have_text("Wrong username or password.")
    assert page.locator("#login-error").evaluate(NEAREST_LANG) == "en"
    expect(page).to_have_url(re.compile(r"/auth/?$"))

    register(page, app_server, username.upper(), "Other Bea")
    expect(page.locator("#register-username-error")).to_have_text("That username is taken.")
    register(page, app_server, unique_name("ok"), "")
    expect(page.locator("#register-nickname-error")).to_have_text("Enter a nickname.")
    expect(page).to_have_url(re.compile(r"/auth/?$"))
    # A look at the other tab loses nothing typed in either (both were emptied).
    page.fill("#register-nickname", "Bea Two")
    page.click("#tab-login")
    page.fill("#login-username", username)
    page.click("#tab-register")
    expect(page.locator("#register-nickname")).to_have_value("Bea Two")
    expect(page.locator("#register-nickname-error")).to_have_text("Enter a nickname.")
    page.click("#tab-login")
    expect(page.locator("#login-username")).to_have_value(username)
    expect(page.locator("#register-nickname")).to_be_hidden()


def test_logout_everywhere_sends_other_devices_to_auth_live(browser: Browser, app_server: LiveApp):
    laptop = browser.new_context().new_page()
    phone = browser.new_context().new_page()
    username = unique_name("cat")
    register(laptop, app_server, username, "Cat")
    expect_chat_as(laptop, app_server, "Cat")
    login(phone, app_server, username)
    expect_chat_as(phone, app_server, "Cat")

    laptop.click("#user-menu")
    laptop.click("#menu-logout-everywhere")
    expect(laptop).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)
    # The phone did nothing: the server pushed the end of its session.
    expect(phone).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)
    expect(phone.locator("#auth-notice")).to_have_text(
        "Your session has ended. Please log in again."
    )
    phone.goto(app_server.frontend_url + "/")
    expect(phone).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)


def test_change_password_ends_other_devices(browser: Browser, app_server: LiveApp):
    laptop = browser.new_context().new_page()
    phone = browser.new_context().new_page()
    username = unique_name("dan")
    register(laptop, app_server, username, "Dan")
    expect_chat_as(laptop, app_server, "Dan")
    login(phone, app_server, username)
    expect_chat_as(phone, app_server, "Dan")

    laptop.click("#user-menu")
    laptop.click("#menu-change-password")
    laptop.fill("#current-password", "not it at all")
    laptop.fill("#new-password", "battery staple")
    laptop.fill("#new-password-confirm", "battery staple")
    laptop.click("#change-password-submit")
    expect(laptop.locator("#current-password-error")).to_have_text("The current password is wrong.")
    laptop.fill("#current-password", PASSWORD)
    laptop.click("#change-password-submit")
    expect(laptop.locator("#current-password")).to_be_hidden()

    expect(phone).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)
    laptop.reload()
    expect_chat_as(laptop, app_server, "Dan")
    login(phone, app_server, username, "battery staple")
    expect_chat_as(phone, app_server, "Dan")
