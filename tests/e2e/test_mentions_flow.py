"""Mentions and mute in the browser (issue 19): `@` offers a member, Tab reaches the offer and
Enter in the text area picks it (sending nothing), the mentioned member's muted group still
toasts, its row shows `@` and the bell, and the message is highlighted when the group is
opened.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, create_engine, select

from chat_app.models import User
from chat_app.services import groups
from tests.support.browser import befriend, new_user, open_chat_with
from tests.support.live_app import LiveApp

GROUP = "Mentions e2e"


def _make_group(app: LiveApp, owner: str, *members: str) -> None:
    """The group, made through the service on the app's database (the dialog has its own
    tests): the pages read it on their next load."""
    with Session(create_engine(app.database_url)) as session:
        ids: dict[str, int] = {
            user.username: user.id
            for user in session.exec(select(User).where(col(User.username).in_([owner, *members])))
            if user.id is not None
        }
        groups.create_group(
            session=session,
            creator_id=ids[owner],
            name=GROUP,
            member_ids=[ids[name] for name in members],
        )


def _open_group(page: Page) -> None:
    page.reload()
    page.click("#tab-chats")
    page.locator("#chat-list").get_by_role("button", name=GROUP).click()
    expect(page.locator("#conversation-header")).to_contain_text(GROUP)


def test_a_mention_picked_with_the_keyboard_toasts_on_a_muted_group(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    _make_group(app_server, ann_name, bob_name)

    # Bob mutes the group from its header, then reads his chat with Ann instead.
    _open_group(bob)
    bob.click("#mute-button")
    expect(bob.locator("#mute-button")).to_have_attribute("aria-pressed", "true")
    expect(bob.locator("#chat-list .muted-mark")).to_have_count(1)
    open_chat_with(bob, ann_name.title())

    # Ann types `@` and the start of Bob's name; Tab reaches the offer. Enter back in the
    # text area puts the name in (the debounced text area shows the server's draft) and
    # sends nothing.
    _open_group(ann)
    ann.locator("#composer").press_sequentially("@" + bob_name[:3])
    offer = ann.locator("#mention-options .mention-option")
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text(bob_name.title())
    ann.press("#composer", "Tab")
    expect(offer).to_be_focused()
    ann.press("#composer", "Enter")
    expect(ann.locator("#composer")).to_have_value(f"@{bob_name.title()} ")
    expect(offer).to_have_count(0)
    expect(ann.locator("#message-list .message.mine")).to_have_count(0)
    ann.locator("#composer").press_sequentially("look at this")
    ann.press("#composer", "Enter")

    expect(bob.locator("[data-sonner-toast]").filter(has_text="mentioned you")).to_have_count(1)
    bob.click("#tab-chats")
    expect(bob.locator("#chat-list .mention-mark")).to_have_count(1)
    bob.locator("#chat-list").get_by_role("button", name=GROUP).click()
    expect(bob.locator("#message-list .mentions-me")).to_have_count(1)
    expect(bob.locator("#chat-list .mention-mark")).to_have_count(0)
