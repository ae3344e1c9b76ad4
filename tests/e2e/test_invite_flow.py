"""A group invite link, from the group's settings to a new member chatting in the group.

Ann (an administrator, made in the database) creates a link in her group's settings; a
new browser opens it, registers, and lands logged in with the group open; Ann's open group
shows the line that added the newcomer live.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.support.browser import (
    DESKTOP,
    PASSWORD,
    befriend,
    expect_buttons_inside,
    expect_chat_as,
    new_user,
    unique_name,
)
from tests.support.live_app import LiveApp

GROUP = "Class 7 班"


def _make_admin(app: LiveApp, username: str) -> None:
    engine = sa.create_engine(app.database_url)
    try:
        with engine.begin() as connection:
            made = connection.execute(
                sa.text("""UPDATE "user" SET role = 'admin' WHERE username = :name"""),
                {"name": username},
            )
            assert made.rowcount == 1
    finally:
        engine.dispose()


def test_a_new_person_joins_a_group_through_its_invite_link(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "ann")
    _make_admin(app_server, ann_name)
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    ann.click("#tab-chats")
    ann.click("#new-group")
    ann.fill("#new-group-name", GROUP)
    ann.locator(f"label.group-pick[data-username='{bob_name}']").click()
    ann.click("#new-group-create")
    expect(ann.locator("#conversation-title")).to_have_text(GROUP)

    # In the group's settings: an invite link for 5 people, shown once.
    ann.click("#group-info")
    ann.click("#group-invite-link")
    ann.fill("#invite-uses", "5")
    # A double click makes one link (it made two).
    ann.dblclick("#invite-create")
    link = ann.locator("#invite-new-link")
    expect(link).to_contain_text("/invite/")
    url = link.inner_text()
    assert url.startswith(app_server.frontend_url + "/invite/")
    expect(ann.locator("#invite-manager .invite-uses")).to_have_text(["0 / 5"])
    # Each figure of the row says what it is.
    row = ann.locator("#invite-manager .invite-row")
    expect(row).to_contain_text("Used 0 / 5")
    expect(row).to_contain_text(re.compile(r"Expires \d{4}-\d\d-\d\d \d\d:\d\d"))
    expect(row).to_contain_text("Made by ")

    # A new browser opens the link and registers there.
    newcomer = browser.new_context(**DESKTOP).new_page()
    newcomer.goto(url)
    expect(newcomer.locator("#invite-heading")).to_have_text(f"Join {GROUP} on this chat")
    name = unique_name("pupil")
    newcomer.fill("#register-username", name)
    newcomer.fill("#register-nickname", name.title())
    newcomer.fill("#register-password", PASSWORD)
    newcomer.fill("#register-password-confirm", PASSWORD)
    newcomer.click("#invite-register-submit")

    # Logged in, in the chat, with the group open.
    expect_chat_as(newcomer, app_server, name.title())
    expect(newcomer.locator("#conversation-title")).to_have_text(GROUP)
    expect(newcomer.locator("#group-member-count")).to_have_text("3 members")

    # Ann's list of the group's links, open all along, counts the use live.
    expect(ann.locator("#invite-manager .invite-uses")).to_have_text(["1 / 5"])
    ann.keyboard.press("Escape")

    # Ann's open group shows the newcomer's arrival live.
    expect(ann.locator("#message-list .system-line").last).to_have_text(f"You added {name.title()}")
    expect(ann.locator("#group-member-count")).to_have_text("3 members")

    # Opened again, her list still counts it.
    ann.click("#group-info")
    ann.click("#group-invite-link")
    expect(ann.locator("#invite-manager .invite-uses")).to_have_text(["1 / 5"])


def test_a_mistyped_link_on_a_small_phone_keeps_the_heading_whole(
    browser: Browser, app_server: LiveApp
):
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(app_server.frontend_url + "/invite/" + "x" * 43)
    expect(phone.locator("#invite-message")).to_be_visible(timeout=20_000)
    card = phone.locator(".rt-Card").first
    title = card.get_by_role("heading", name="Chat", exact=True)
    # One line ("Chat" broke as "Cha / t" beside the switches), and the switches in the card.
    height, line = title.evaluate(
        "e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)]"
    )
    assert height < 1.5 * line, f"the heading wraps: {height} px for lines of {line} px"
    expect_buttons_inside(card)
