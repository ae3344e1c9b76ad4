"""My account in the browser: a new nickname seen live, my devices, deleting my account.

Ann renames herself on /account (on a phone: nothing wider than the screen). Bob, her
friend in her group, sees the new name without a reload in his friend list and over her
group messages; Cat, who blocked her, keeps seeing her username. Ann logs out her other
device from the list, whose tab goes to /auth at once. Deleting an account leaves the
conversation readable for the friend, from "Deleted user".
"""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from chat_app.services import conversations, friends, groups, sending
from chat_app.settings import load_settings
from tests.support.browser import (
    DESKTOP,
    PASSWORD,
    PHONE,
    bubbles,
    expect_chat_as,
    login,
    new_user,
    overlaps,
    register,
    unique_name,
)
from tests.support.live_app import LiveApp
from tests.support.sql import user_ids
from tests.support.users import make_friends

NO_LIMITS = load_settings({"CHAT_GROUPS_PER_HOUR": "10000", "CHAT_MESSAGE_RATE_COUNT": "100000"})
NEW_NAME = "Annie 安"


def _seed_group(app: LiveApp, ann: int, bob: int, cat: int, name: str) -> None:
    """Ann's group with her friends Bob and Cat, a message from Ann; Cat blocks Ann."""
    engine = sa.create_engine(app.database_url)
    try:
        with Session(engine) as db:
            make_friends(db, ann, bob)
            make_friends(db, ann, cat)
            group = groups.create_group(
                session=db, creator_id=ann, name=name, member_ids=[bob, cat], settings=NO_LIMITS
            ).conversation_id
            sending.send_message(
                session=db,
                viewer_id=ann,
                conversation_id=group,
                client_id=uuid.uuid4().hex,
                body="hello from ann",
                settings=NO_LIMITS,
            )
            friends.block_user(session=db, viewer_id=cat, target_id=ann, settings=NO_LIMITS)
    finally:
        engine.dispose()


def _open_group(page: Page, name: str) -> None:
    page.reload()
    page.click("#tab-chats")
    page.locator("#chat-list").get_by_role("button", name=name).click()
    expect(page.locator("#conversation-title")).to_have_text(name)


def _sender_of(page: Page, body: str):
    return page.locator("#message-list .message").filter(has_text=body).locator(".sender-name")


def _to_my_account(page: Page, app: LiveApp) -> None:
    page.click("#user-menu")
    page.click("#menu-my-account")
    expect(page).to_have_url(app.frontend_url + "/account")
    expect(page.locator("#device-list .device-row").first).to_be_visible()


def _folded_sender(page: Page):
    """The name over the one collapsed message (a blocked sender's) the page shows."""
    folded = page.locator("#message-list .message").filter(has=page.locator(".collapsed-message"))
    return folded.locator(".sender-name")


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_new_nickname_is_live_for_friends_and_groups_and_devices_log_out(
    browser: Browser, app_server: LiveApp
):
    ann = browser.new_context(**PHONE).new_page()
    ann_name = unique_name("ann")
    register(ann, app_server, ann_name, ann_name.title())
    expect_chat_as(ann, app_server, ann_name.title())
    bob, bob_name = new_user(browser, app_server, "bob")
    cat, cat_name = new_user(browser, app_server, "cat")
    ann_id, bob_id, cat_id = user_ids(app_server.database_url, ann_name, bob_name, cat_name)
    group = f"Team {uuid.uuid4().hex[:6]}"
    _seed_group(app_server, ann_id, bob_id, cat_id, group)

    _open_group(bob, group)
    bob.click("#tab-friends")
    expect(_sender_of(bob, "hello from ann")).to_have_text(ann_name.title())
    _open_group(cat, group)
    expect(_folded_sender(cat)).to_have_text(ann_name)

    # Ann renames herself on /account, on her phone.
    _to_my_account(ann, app_server)
    assert _fits_the_screen(ann)
    ann.fill("#account-nickname", NEW_NAME)
    ann.click("#account-nickname-save")
    expect(ann.locator("#account-nickname-note")).to_have_text(
        "Your friends and the members of your groups see it at once."
    )

    # Bob sees it without a reload: over her message and in his friend list.
    expect(_sender_of(bob, "hello from ann")).to_have_text(NEW_NAME)
    expect(bob.locator("#friend-list")).to_contain_text(NEW_NAME)
    # Cat, who blocked her, still sees her username (her push would have come with Bob's).
    expect(_folded_sender(cat)).to_have_text(ann_name)
    expect(cat.locator("body")).not_to_contain_text(NEW_NAME)

    # A refused name says why and stores nothing.
    ann.fill("#account-nickname", "<reflex.Var>x</reflex.Var>")
    ann.click("#account-nickname-save")
    expect(ann.locator("#account-nickname-note")).to_have_text(
        "The nickname contains characters that are not allowed."
    )
    expect(_sender_of(bob, "hello from ann")).to_have_text(NEW_NAME)

    # Ann's other device: listed with its browser, then logged out from the phone.
    laptop = browser.new_context(**DESKTOP).new_page()
    login(laptop, app_server, ann_name)
    expect_chat_as(laptop, app_server, NEW_NAME)
    ann.reload()
    rows = ann.locator("#device-list .device-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("This device")
    expect(rows.nth(1)).to_contain_text("Chrome")
    assert _fits_the_screen(ann)
    # The page scrolls (by the wheel, as a user would) down to the deletion form.
    ann.mouse.move(100, 300)
    ann.mouse.wheel(0, 3000)
    expect(ann.locator("#delete-account-submit")).to_be_in_viewport()
    rows.nth(1).locator(".device-log-out").click()
    expect(laptop).to_have_url(app_server.frontend_url + "/auth", timeout=15_000)
    expect(rows).to_have_count(1)


def test_a_deleted_account_leaves_the_conversation_readable_for_the_friend(
    browser: Browser, app_server: LiveApp
):
    # Bob first: on an empty database he is the administrator, and Ann a plain user (the
    # last administrator could not delete herself).
    bob, bob_name = new_user(browser, app_server, "bob")
    ann, ann_name = new_user(browser, app_server, "ann")
    engine = sa.create_engine(app_server.database_url)
    try:
        with Session(engine) as db:
            ann_id, bob_id = user_ids(app_server.database_url, ann_name, bob_name)
            make_friends(db, ann_id, bob_id)
            direct = conversations.direct_with(session=db, viewer_id=bob_id, friend_id=ann_id)
            sending.send_message(
                session=db,
                viewer_id=ann_id,
                conversation_id=direct,
                client_id=uuid.uuid4().hex,
                body="a message from ann",
                settings=NO_LIMITS,
            )
    finally:
        engine.dispose()

    ann.reload()
    _to_my_account(ann, app_server)
    ann.fill("#delete-account-password", "not the password")
    ann.click("#delete-account-confirm")
    ann.click("#delete-account-submit")
    expect(ann.locator("#delete-account-error")).to_have_text("The current password is wrong.")
    ann.fill("#delete-account-password", PASSWORD)
    ann.click("#delete-account-submit")
    expect(ann).to_have_url(app_server.frontend_url + "/auth", timeout=15_000)
    expect(ann.locator("#auth-notice")).to_have_text("Your account was deleted.")

    bob.reload()
    # The Chats tab names the row for screen readers too.
    expect(bob.locator("button.chat-open[aria-label='Deleted user']")).to_have_count(1)
    # No longer a friend: the conversation is among the past ones, read-only.
    bob.click("#tab-friends")
    bob.locator("#past-conversations .past-conversation").filter(has_text="Deleted user").click()
    expect(bob.locator("#conversation-title")).to_have_text("Deleted user")
    expect(bubbles(bob).filter(has_text="a message from ann")).to_have_count(1)


def test_logging_out_all_other_devices_on_a_phone(browser: Browser, app_server: LiveApp):
    phone = browser.new_context(**PHONE).new_page()
    name = unique_name("ann")
    register(phone, app_server, name, name.title())
    expect_chat_as(phone, app_server, name.title())
    laptops = [browser.new_context(**DESKTOP).new_page() for _ in range(2)]
    for laptop in laptops:
        login(laptop, app_server, name)
        expect_chat_as(laptop, app_server, name.title())
    # A second tab of the phone's own browser shares its login and stays.
    second_tab = phone.context.new_page()
    second_tab.goto(app_server.frontend_url + "/")
    expect_chat_as(second_tab, app_server, name.title())

    _to_my_account(phone, app_server)
    expect(phone.locator("#device-list .device-row")).to_have_count(3)
    phone.click("#log-out-others")
    expect(phone.locator("#log-out-others-question")).to_be_visible()
    phone.get_by_role("button", name="Cancel").click()
    expect(phone.locator("#log-out-others-question")).to_have_count(0)
    expect(laptops[0]).to_have_url(re.compile(r"/(#chat)?$"))

    # Confirmed with the page scrolled to its end, as far down as a phone's page goes.
    phone.click("#log-out-others")
    phone.mouse.move(100, 300)
    phone.mouse.wheel(0, 3000)
    phone.click("#log-out-others-confirm")
    for laptop in laptops:
        expect(laptop).to_have_url(app_server.frontend_url + "/auth", timeout=15_000)
    expect(phone.locator("#device-list .device-row")).to_have_count(1)
    expect(phone.locator("#log-out-others")).to_have_count(0)
    expect(second_tab.locator("#current-nickname")).to_have_text(name.title())

    # The toast covers none of the page's controls for its seconds.
    toast = phone.locator("[data-sonner-toast]").filter(
        has_text="Your other devices were logged out."
    )
    expect(toast).to_be_visible()
    assert _fits_the_screen(phone)
    for control in (
        "#account-back",
        "#account-nickname-save",
        "#delete-account-password",
        "#delete-account-confirm",
        "#delete-account-submit",
    ):
        assert not overlaps(phone, toast, control), control
