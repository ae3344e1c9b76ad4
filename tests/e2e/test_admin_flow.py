"""The admin page in a real browser: a password reset handed over, and a phone's width."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.support.admins import promote_in
from tests.support.browser import (
    PASSWORD,
    expect_buttons_inside,
    expect_chat_as,
    login,
    new_user,
    overlaps,
    register,
    unique_name,
)
from tests.support.live_app import LiveApp

NEW_PASSWORD = "battery staple horse"
# The reset page (slice A's components/reset_form.py).
RESET_PASSWORD = "#reset-password"
RESET_PASSWORD_CONFIRM = "#reset-password-confirm"
RESET_SUBMIT = "#reset-submit"


def open_admin_page(page: Page, app: LiveApp) -> None:
    """From the chat, through the user menu (shown to administrators only)."""
    page.goto(app.frontend_url + "/")
    page.click("#user-menu")
    page.click("#menu-admin")
    expect(page).to_have_url(re.compile(r"/admin/?$"), timeout=20_000)
    expect(page.locator("#admin-user-search")).to_be_visible(timeout=20_000)


SECTION_TABS = ("users", "invites", "settings", "numbers", "audit")


def user_card(page: Page, username: str):
    return page.locator(f'.admin-user-row[data-username="{username}"]')


def test_an_administrator_hands_over_a_password_reset(browser: Browser, app_server: LiveApp):
    app = app_server
    admin, admin_name = new_user(browser, app, "adm")
    promote_in(app.database_url, admin_name)
    # A long name: the list must still fit a phone (below).
    forgetful_name = unique_name("forgot").rjust(32, "w")
    forgetful = browser.new_context().new_page()

    register(forgetful, app, forgetful_name, "Forgetful")
    expect_chat_as(forgetful, app, "Forgetful")
    forgetful.context.close()

    open_admin_page(admin, app)
    # As the box's hint writes it.
    admin.fill("#admin-user-search", "@" + forgetful_name)
    card = user_card(admin, forgetful_name)
    expect(card).to_be_visible(timeout=20_000)
    expect(admin.locator(".admin-user-row")).to_have_count(1)
    card.locator(".admin-user-actions").click()
    admin.click('[data-action="reset"]')
    link_box = admin.locator("#admin-reset-link")
    expect(link_box).to_have_value(re.compile(r"/reset/\S+$"), timeout=20_000)
    link = link_box.input_value()
    assert link.startswith(app.frontend_url), link
    # The toast after Copy covers none of the section tabs, nor the language switch.
    admin.click("#admin-copy-link")
    toast = admin.locator("[data-sonner-toast]").first
    expect(toast).to_be_visible()
    admin.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    for width in (1280, 1024, 860, 600):
        admin.set_viewport_size({"width": width, "height": 720})
        admin.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
        controls = [f"#admin-tab-{tab}" for tab in SECTION_TABS] + ["#language-en", "#language-zh"]
        covered = [control for control in controls if overlaps(admin, toast, control)]
        assert covered == [], f"at {width} px the toast covers {covered}"
    admin.set_viewport_size({"width": 1280, "height": 720})
    # Escape closes it, as Close does; and a confirmation's Escape is its Cancel.
    admin.keyboard.press("Escape")
    expect(link_box).to_be_hidden()
    # The focus is back above the rows, not on the page's body.
    expect(admin.locator("#admin-user-search")).to_be_focused()
    card.locator(".admin-user-actions").click()
    admin.click('[data-action="disable"]')
    confirm = admin.get_by_role("alertdialog")
    expect(confirm).to_be_visible()
    admin.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(card).not_to_contain_text("Disabled")
    expect(admin.locator("#admin-user-search")).to_be_focused()

    # A phone: the users list fits the screen's width, in Chinese too (switched on the page).
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, storage_state=admin.context.storage_state()
    ).new_page()
    open_admin_page(phone, app)
    # Every section's tab is on the screen, in English's longer words too.
    for tab in SECTION_TABS:
        box = phone.locator(f"#admin-tab-{tab}").bounding_box()
        assert box is not None
        assert box["x"] >= 0, f"the {tab} tab is off screen"
        assert box["x"] + box["width"] <= 360, f"the {tab} tab is off screen"
    phone.click("#language-zh")
    expect(phone.get_by_role("heading", name="管理")).to_be_visible()
    phone.fill("#admin-user-search", forgetful_name)
    expect(user_card(phone, forgetful_name)).to_be_visible(timeout=20_000)
    widths = phone.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the admin page scrolls sideways: {widths}"
    actions = user_card(phone, forgetful_name).locator(".admin-user-actions")
    found = actions.bounding_box()
    assert found is not None
    assert found["x"] + found["width"] <= widths[1], "the actions button is off the screen"
    # The names are whole (wrapped), not cut: no other screen shows them to the administrator.
    names = user_card(phone, forgetful_name).locator(".admin-user-name")
    expect(names.nth(1)).to_have_text("@" + forgetful_name)
    for name in names.all():
        assert name.evaluate("e => e.scrollWidth <= e.clientWidth"), "a name is cut"
        assert name.evaluate("e => getComputedStyle(e).textOverflow") != "ellipsis"
    # An invite's row in Chinese on the phone: each figure is one line (the expiry broke
    # into four), the row wraps instead.
    phone.click("#admin-tab-invites")
    phone.click("#invite-create")
    figures = phone.locator("#invite-list .invite-row").first.locator(".invite-row-figure")
    expect(figures.nth(1)).to_contain_text("到期")
    lines = figures.evaluate_all(
        "es => es.map(e => e.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(e).lineHeight))"
    )
    assert max(lines) < 1.5, f"the figures take {lines} lines"
    assert phone.evaluate("document.documentElement.scrollWidth <= 360")
    # Revoked, the link is named in the audit log by the expiry its row showed ("#1" before).
    expiry = figures.nth(1).inner_text()
    phone.locator("#invite-list .invite-revoke").first.click()
    expect(phone.locator("#invite-list .invite-revoke")).to_have_count(0)
    phone.click("#admin-tab-audit")
    revoked = phone.locator("[data-action='invite_revoke']").locator("..")
    expect(revoked).to_contain_text(expiry)
    expect(revoked).not_to_contain_text("#")

    # The person opens the link on a phone of their own; the page's switches stay inside
    # its card beside the long heading.
    person = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    person.goto(link)
    expect(person.locator(RESET_PASSWORD)).to_be_visible(timeout=20_000)
    card = person.locator(".rt-Card").first
    expect_buttons_inside(card)
    person.fill(RESET_PASSWORD, NEW_PASSWORD)
    person.fill(RESET_PASSWORD_CONFIRM, NEW_PASSWORD)
    person.click(RESET_SUBMIT)
    expect_chat_as(person, app, "Forgetful")

    # The old password no longer works; the new one does.
    other = browser.new_context().new_page()
    login(other, app, forgetful_name, PASSWORD)
    expect(other.locator("#login-error")).to_be_visible(timeout=20_000)
    login(other, app, forgetful_name, NEW_PASSWORD)
    expect_chat_as(other, app, "Forgetful")


def test_the_register_tab_says_why_before_anything_is_typed(browser: Browser, app_server: LiveApp):
    app = app_server
    admin, admin_name = new_user(browser, app, "adm")
    promote_in(app.database_url, admin_name)
    open_admin_page(admin, app)
    admin.click("#admin-tab-settings")
    stranger = browser.new_context().new_page()
    try:
        admin.click("#admin-mode-invite")
        expect(admin.locator("#admin-mode-invite")).to_be_checked()
        stranger.goto(app.frontend_url + "/auth")
        stranger.click("#tab-register")
        # The reason instead of a form that would be refused once filled in.
        expect(stranger.locator("#registration-refusal")).to_contain_text("invitation only")
        expect(stranger.locator("#register-username")).to_have_count(0)
    finally:
        admin.click("#admin-mode-open")
        expect(admin.locator("#admin-mode-open")).to_be_checked()
    stranger.reload()
    stranger.click("#tab-register")
    expect(stranger.locator("#register-username")).to_be_visible()
    expect(stranger.locator("#registration-refusal")).to_have_count(0)
    # The audit log says what was set in words, not the stored code ("invite").
    admin.click("#admin-tab-audit")
    changes = admin.locator("[data-action='registration_mode']").locator("..")
    expect(changes).to_have_count(2)
    expect(changes.nth(1).get_by_text("invite only", exact=True)).to_be_visible()
    expect(changes.nth(0).get_by_text("open", exact=True)).to_be_visible()
