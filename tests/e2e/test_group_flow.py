"""A group in three browsers (one a phone): create, chat, add, remove, leave, hide.

What each user sees: the group's name and size in the header, the members panel (full
screen on the phone), messages arriving live, a new picture in another member's header, a
removed or departed member's chat turning read-only, and the group leaving the list of the
member who hides it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from chat_app.states.group_actions import PICTURE_UPLOAD_ID
from tests.support.browser import (
    PHONE,
    befriend,
    bubbles,
    expect_chat_as,
    new_user,
    register,
    send,
    unique_name,
)
from tests.support.live_app import LiveApp

GROUP = "Family 家"


def _open_group(page: Page) -> None:
    page.click("#tab-chats")
    page.locator(f"#chat-list button[aria-label='{GROUP}']").click()
    expect(page.locator("#conversation-title")).to_have_text(GROUP)


def _members(page: Page):
    return page.locator("#group-panel .group-member")


def _boxes(found) -> list[dict[str, float]]:
    boxes = [element.bounding_box() for element in found.all()]
    assert None not in boxes
    return boxes  # type: ignore[return-value]


def _member(page: Page, username: str):
    return page.locator(f"#group-panel .group-member[data-username='{username}']")


def _member_action(page: Page, username: str, action: str) -> None:
    _member(page, username).locator(".member-actions").click()
    page.locator(f".{action}").click()


def test_a_group_from_creation_to_leaving_in_three_browsers(
    browser: Browser, app_server: LiveApp, tmp_path: Path
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    cat = browser.new_context(**PHONE).new_page()
    cat_name = unique_name("cat")
    register(cat, app_server, cat_name, cat_name.title())
    expect_chat_as(cat, app_server, cat_name.title())
    befriend(ann, bob, bob_name)
    befriend(ann, cat, cat_name)

    # Ann creates the group with Bob from the Chats tab; it opens for her.
    ann.click("#tab-chats")
    ann.click("#new-group")
    ann.fill("#new-group-name", GROUP)
    ann.locator(f"label.group-pick[data-username='{bob_name}']").click()
    # The picked friend's chip shows the whole name (it showed "Bo…" for Bob_1).
    chip_name = ann.get_by_role("dialog").locator(".rt-Badge p", has_text=bob_name.title())
    expect(chip_name).to_be_visible()
    assert chip_name.evaluate("e => e.scrollWidth <= e.clientWidth"), "the picked name is cut"
    ann.click("#new-group-create")
    expect(ann.locator("#conversation-title")).to_have_text(GROUP)
    expect(ann.locator("#group-member-count")).to_have_text("2 members")

    # They chat.
    send(ann, "hello group")
    _open_group(bob)
    expect(bubbles(bob).filter(has_text="hello group")).to_have_count(1)

    # Ann adds Cat from the panel; Bob's header follows, Cat's list shows the group.
    ann.click("#group-info")
    expect(_members(ann)).to_have_count(2)
    # The name field starts with the group's name; Rename waits for a change.
    expect(ann.locator("#group-rename-input")).to_have_value(GROUP)
    expect(ann.locator("#group-rename")).to_be_disabled()
    ann.fill("#group-rename-input", f"{GROUP} 2")
    ann.click("#group-rename")
    expect(bob.locator("#conversation-title")).to_have_text(f"{GROUP} 2")
    expect(ann.locator("#group-rename-input")).to_have_value(f"{GROUP} 2")
    expect(ann.locator("#group-rename")).to_be_disabled()
    ann.fill("#group-rename-input", GROUP)
    ann.click("#group-rename")
    expect(bob.locator("#conversation-title")).to_have_text(GROUP)
    ann.click("#group-add-members")
    ann.fill("#group-add-filter", cat_name)
    ann.locator(f"label.group-add-pick[data-username='{cat_name}']").click()
    ann.click("#group-add-confirm")
    expect(_members(ann)).to_have_count(3)
    # The role labels line up on the right, rows with the ⋯ button or without (her own).
    ends = [box["x"] + box["width"] for box in _boxes(ann.locator("#group-panel .member-role"))]
    assert max(ends) - min(ends) <= 1, f"role labels end at {ends}"
    expect(bob.locator("#group-member-count")).to_have_text("3 members")

    # Ann gives the group a picture: it shows in Bob's header, loaded, without a reload.
    picture = tmp_path / "group.png"
    Image.new("RGB", (300, 300), (200, 90, 30)).save(picture)
    ann.set_input_files(f"#{PICTURE_UPLOAD_ID} input[type=file]", str(picture))
    bob.wait_for_function(
        "() => { const i = document.querySelector('#conversation-header img');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=15_000,
    )
    _open_group(cat)
    send(cat, "hi from a phone")
    expect(bubbles(bob).filter(has_text="hi from a phone")).to_have_count(1)

    # Bob answers "hello group", said before Cat came: Cat's bubble says it answers an
    # earlier message, not what it said nor who said it (the quote held it before).
    asked = bob.locator("#message-list .message", has_text="hello group").first
    asked.hover()
    asked.locator(".message-actions").click()
    bob.locator(".reply-to-message").click()
    expect(bob.locator("#reply-bar")).to_contain_text("hello group")
    # Once the menu is gone (it gives the focus back to its button as it closes, and the
    # first letters went there), the cursor is in the composer.
    expect(bob.locator(".message-menu")).to_have_count(0)
    bob.wait_for_function("() => document.activeElement.id === 'composer'")
    bob.keyboard.type("welcome, everyone")
    bob.keyboard.press("Enter")
    answered = "#message-list .message:has-text('welcome, everyone') .reply-quote"
    expect(bob.locator(answered)).to_contain_text("hello group")
    expect(cat.locator(answered)).to_have_text("A message from before you joined")
    assert "hello group" not in cat.locator("#message-list").inner_text()

    # On the phone the panel takes the whole screen.
    cat.click("#group-info")
    panel = cat.locator("#group-panel")
    expect(panel).to_be_visible()
    # (Once its opening animation is over.)
    cat.wait_for_function(
        """() => {
            const box = document.querySelector("#group-panel").getBoundingClientRect();
            return box.left <= 1 && box.top <= 1
                && box.width >= innerWidth - 1 && box.height >= innerHeight - 1;
        }"""
    )
    # A plain member gets no member actions; presence shows for her friend (Ann) only.
    expect(_members(cat)).to_have_count(3)
    expect(_member(cat, ann_name).locator(".presence-dot.online")).to_have_count(1)
    expect(_member(cat, bob_name).locator(".presence-dot")).to_have_count(0)
    expect(cat.locator("#group-panel .member-actions")).to_have_count(0)
    cat.keyboard.press("Escape")
    expect(panel).to_have_count(0)

    # Ann removes Bob: his open chat turns read-only at once.
    _member_action(ann, bob_name, "member-remove")
    expect(_members(ann)).to_have_count(2)
    expect(bob.locator("#read-only-line")).to_be_visible()
    expect(bob.locator("#composer")).to_have_count(0)
    expect(ann.locator("#group-member-count")).to_have_text("2 members")
    # Bob's header no longer counts who is in it.
    expect(bob.locator("#group-member-count")).to_have_text("Not a member")
    ann.keyboard.press("Escape")
    expect(ann.locator("#group-panel")).to_have_count(0)
    send(ann, "after bob left")
    expect(bubbles(cat).filter(has_text="after bob left")).to_have_count(1)
    expect(bubbles(bob).filter(has_text="after bob left")).to_have_count(0)

    # Cat leaves from the panel, then removes the group from her list.
    ann.click("#group-info")
    expect(_members(ann)).to_have_count(2)
    cat.click("#group-info")
    cat.click("#group-leave")
    # Asked first (coming back takes another member's adding): a No keeps her in.
    expect(cat.locator("#group-panel")).to_contain_text("Leave this group?")
    cat.get_by_role("button", name="Cancel").click()
    expect(cat.locator("#group-leave-confirm")).to_have_count(0)
    expect(_members(ann)).to_have_count(2)
    # A small phone: the question opens in the button's place at the panel's end, and its
    # answers are scrolled onto the screen (they opened below its edge).
    cat.set_viewport_size({"width": 360, "height": 420})
    cat.click("#group-leave")
    expect(cat.get_by_role("button", name="Cancel")).to_be_in_viewport(ratio=1)
    expect(cat.locator("#group-leave-confirm")).to_be_in_viewport(ratio=1)
    cat.click("#group-leave-confirm")
    expect(cat.locator("#read-only-line")).to_be_visible()
    expect(_members(ann)).to_have_count(1)
    cat.click("#group-info")
    expect(cat.locator("#group-panel")).to_contain_text("You are no longer a member of this group.")
    cat.click("#group-hide")
    expect(cat.locator(f"#chat-list button[aria-label='{GROUP}']")).to_have_count(0)
    expect(ann.locator(f"#chat-list button[aria-label='{GROUP}']")).to_have_count(1)
