"""A password reset link in a real browser: the new password works, other devices leave."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from chat_app.services import admin_rights, database, password_resets
from tests.support.browser import expect_chat_as, login, new_user
from tests.support.live_app import LiveApp

NEW_PASSWORD = "a brand new secret"


def reset_link(app: LiveApp, username: str) -> str:
    """A reset token for `username`, made like the command-line tool makes one."""
    engine = database.create_db_engine(app.database_url)
    try:
        with database.session_scope(engine) as session:
            user_id = admin_rights.user_id_by_name(session=session, username=username)
            token = password_resets.create_reset(session=session, actor_id=None, target_id=user_id)
    finally:
        engine.dispose()
    return f"{app.frontend_url}/reset/{token}"


def test_a_reset_link_sets_the_password_and_ends_the_other_devices(
    browser: Browser, app_server: LiveApp
):
    laptop, username = new_user(browser, app_server, "rita")
    link = reset_link(app_server, username)
    phone = browser.new_context().new_page()

    phone.goto(link)
    expect(phone.locator("#reset-username")).to_have_text(f"@{username}", timeout=20_000)
    phone.fill("#reset-password", NEW_PASSWORD)
    phone.fill("#reset-password-confirm", NEW_PASSWORD)
    phone.click("#reset-submit")
    expect_chat_as(phone, app_server, username.title())
    # The laptop's session ended with the reset: its open tab goes to /auth live.
    expect(laptop).to_have_url(re.compile(r"/auth/?$"), timeout=20_000)

    login(laptop, app_server, username, NEW_PASSWORD)
    expect_chat_as(laptop, app_server, username.title())

    # Used once: the same link, or a made-up one, reads as invalid.
    for address in (link, f"{app_server.frontend_url}/reset/made-up-token"):
        other = browser.new_context().new_page()
        other.goto(address)
        expect(other.locator("#reset-invalid")).to_be_visible(timeout=20_000)
        expect(other.locator("#reset-password")).to_have_count(0)
