"""A message's menu: delete for everyone, on a desktop (the ⋯ shows on hover) and on a phone
(always shown, a touch target), edit (both people see the change at once) and copy."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.browser import (
    friend_on_a_phone,
    friends_in_chat,
    open_chat_with,
    send,
)
from tests.support.live_app import LiveApp

DELETED = "This message was deleted"
# The menu button sits beside its bubble, between it and the middle of the list, wholly
# inside the list's box.
BESIDE_OWN_BUBBLE = """row => {
    const list = document.getElementById("message-list").getBoundingClientRect();
    const bubble = row.querySelector(".bubble").getBoundingClientRect();
    const button = row.querySelector(".message-actions").getBoundingClientRect();
    return button.right <= bubble.left && button.left >= list.left
        && button.top >= bubble.top - 1 && button.bottom <= bubble.bottom + 1;
}"""


def _row(page: Page, text: str) -> Locator:
    return page.locator("#message-list .message", has_text=text)


def _opacity(locator: Locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).opacity")


def _delete_from_menu(page: Page, row: Locator, *, tap: bool = False) -> None:
    button = row.locator(".message-actions")
    button.tap() if tap else button.click()
    item = page.locator(".delete-for-everyone")
    item.tap() if tap else item.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete this message for everyone?")
    confirm = page.locator("#confirm-delete-message")
    confirm.tap() if tap else confirm.click()
    expect(dialog).to_be_hidden()


def _expect_deleted(page: Page, seq: str, text: str) -> None:
    row = page.locator(f"#message-{seq}")
    expect(row.locator(".deleted-message")).to_have_text(DELETED)
    expect(row.locator(".message-body")).to_have_count(0)
    expect(page.locator("#message-list")).not_to_contain_text(text)


def test_a_message_is_deleted_for_both_from_a_desktop_and_from_a_phone(
    browser: Browser, app_server: LiveApp
):
    ann, bob, ann_name, bob_name = friend_on_a_phone(browser, app_server)

    open_chat_with(ann, bob_name.title())
    send(ann, "meant for my sister")
    send(ann, "see you at 5")
    open_chat_with(bob, ann_name.title())
    expect(_row(bob, "see you at 5")).to_be_visible()

    # Ann's desktop: the ⋯ is invisible until the pointer is over the message.
    wrong = _row(ann, "meant for my sister")
    expect(wrong.locator(".bubble")).to_contain_text("Sent")
    seq = wrong.get_attribute("data-seq")
    assert seq
    button = wrong.locator(".message-actions")
    assert _opacity(button) == "0"
    wrong.hover()
    expect(button).to_have_css("opacity", "1")
    assert wrong.evaluate(BESIDE_OWN_BUBBLE)
    _delete_from_menu(ann, wrong)
    for page in (ann, bob):
        _expect_deleted(page, seq, "meant for my sister")
        expect(_row(page, "see you at 5").locator(".message-body")).to_have_text("see you at 5")

    # Bob's phone: Ann's message has a menu to react with, not to edit or delete; his own
    # message's menu has Delete, shown without hover, a touch target.
    _row(bob, "see you at 5").locator(".message-actions").tap()
    expect(bob.locator(".react-with")).to_have_count(6)
    expect(bob.locator(".delete-for-everyone")).to_have_count(0)
    expect(bob.locator(".edit-message")).to_have_count(0)
    bob.keyboard.press("Escape")
    expect(bob.locator(".react-with")).to_have_count(0)
    send(bob, "oops, wrong photo")
    own = _row(bob, "oops, wrong photo")
    expect(own.locator(".bubble")).to_contain_text("Sent")
    own_seq = own.get_attribute("data-seq")
    assert own_seq
    menu = own.locator(".message-actions")
    assert _opacity(menu) == "1"
    box = menu.bounding_box()
    assert box is not None
    assert box["width"] >= 44
    assert box["height"] >= 44
    _delete_from_menu(bob, own, tap=True)
    for page in (ann, bob):
        _expect_deleted(page, own_seq, "oops, wrong photo")
    # It was the chat's last message: Ann's chat list says so, in place of its text.
    ann.click("#tab-chats")
    expect(ann.locator("#chat-list .chat-line").first).to_have_text("Message deleted")


def _friends_in_chat(browser: Browser, app: LiveApp, text: str) -> tuple[Page, Page]:
    """Ann and Bob, friends, each with their chat open, Ann's `text` in it on both sides."""
    ann, bob, _ann_name, _bob_name = friends_in_chat(browser, app)
    send(ann, text)
    expect(_row(bob, text)).to_be_visible()
    return ann, bob


def test_an_edited_message_shows_its_new_text_marked_edited_for_both(
    browser: Browser, app_server: LiveApp
):
    ann, bob = _friends_in_chat(browser, app_server, "meet at 5 at the gym")

    row = _row(ann, "meet at 5 at the gym")
    expect(row.locator(".bubble")).to_contain_text("Sent")
    seq = row.get_attribute("data-seq")
    row.hover()
    row.locator(".message-actions").click()
    ann.locator(".edit-message").click()
    field = ann.locator("#edit-message-text")
    expect(field).to_have_value("meet at 5 at the gym")
    expect(field).to_be_focused()
    # Nothing visible: refused in the dialog, which keeps what was typed.
    field.fill("   ")
    ann.locator("#save-edited-message").click()
    expect(ann.locator("#edit-message-error")).to_have_text("Write something first.")
    expect(field).to_have_value("   ")
    field.fill("meet at 6 at the pool")
    field.press("Enter")
    expect(ann.get_by_role("dialog")).to_be_hidden()
    for page in (ann, bob):
        bubble = page.locator(f"#message-{seq}")
        expect(bubble.locator(".message-body")).to_have_text("meet at 6 at the pool")
        expect(bubble.locator(".message-edited")).to_have_text("edited")
    # Copy takes the text as it is now (here on a secure page: 127.0.0.1), and says so
    # once the browser has it.
    bob.context.grant_permissions(["clipboard-read", "clipboard-write"])
    row = bob.locator(f"#message-{seq}")
    row.hover()
    row.locator(".message-actions").click()
    bob.locator(".copy-message").click()
    expect(bob.locator("[data-sonner-toast]", has_text="Copied")).to_be_visible()
    assert bob.evaluate("navigator.clipboard.readText()") == "meet at 6 at the pool"
    # The chat's last line follows on the other side.
    bob.click("#tab-chats")
    expect(bob.locator("#chat-list .chat-line").first).to_have_text("meet at 6 at the pool")

    # Deleted, it is "This message was deleted" and its time, no longer "edited" (live, and
    # as the list is read again).
    row = ann.locator(f"#message-{seq}")
    row.hover()
    _delete_from_menu(ann, row)
    ann.reload()
    for page in (ann, bob):
        _expect_deleted(page, seq or "", "meet at 6 at the pool")
        expect(page.locator(f"#message-{seq} .message-edited")).to_have_count(0)


def test_a_reaction_shows_under_the_message_for_both_and_comes_off(
    browser: Browser, app_server: LiveApp
):
    ann, bob, ann_name, bob_name = friends_in_chat(browser, app_server)
    send(ann, "pizza tonight?")
    row = _row(bob, "pizza tonight?")
    row.hover()
    row.locator(".message-actions").click()
    bob.locator(".react-with").first.click()
    for page, pressed in ((bob, "true"), (ann, "false")):
        chip = _row(page, "pizza tonight?").locator(".reaction")
        expect(chip).to_have_text("👍1")
        expect(chip).to_have_attribute("aria-pressed", pressed)
        # Inside the bubble, under the text.
        bubble = _row(page, "pizza tonight?").locator(".bubble").bounding_box()
        box = chip.bounding_box()
        text = _row(page, "pizza tonight?").locator(".message-body").bounding_box()
        assert bubble is not None
        assert box is not None
        assert text is not None
        assert box["y"] >= text["y"] + text["height"] - 1
        assert bubble["x"] <= box["x"]
        assert box["x"] + box["width"] <= bubble["x"] + bubble["width"]
    # Ann adds hers with the chip; Bob takes his off with his.
    _row(ann, "pizza tonight?").locator(".reaction").click()
    expect(_row(bob, "pizza tonight?").locator(".reaction")).to_have_text("👍2")
    # Who reacted, in the order they did: the chip's title (hover) and its label.
    for page, names in ((bob, f"You, {ann_name.title()}"), (ann, f"{bob_name.title()}, You")):
        chip = _row(page, "pizza tonight?").locator(".reaction")
        expect(chip).to_have_attribute("title", names)
        expect(chip).to_have_attribute("aria-label", f"👍 {names}")
    _row(bob, "pizza tonight?").locator(".reaction").click()
    for page in (ann, bob):
        expect(_row(page, "pizza tonight?").locator(".reaction")).to_have_text("👍1")
    expect(_row(ann, "pizza tonight?").locator(".reaction")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_edit_and_delete_from_the_keyboard_keep_the_focus_in_their_dialog(
    browser: Browser, app_server: LiveApp
):
    ann, bob = _friends_in_chat(browser, app_server, "hello from keys")
    row = _row(ann, "hello from keys")
    expect(row.locator(".bubble")).to_contain_text("Sent")
    seq = row.get_attribute("data-seq")

    def from_the_menu(item: str) -> None:
        row.locator(".message-actions").focus()
        ann.keyboard.press("Enter")
        ann.locator(item).focus()
        ann.keyboard.press("Enter")
        # Radix gives the focus back to the menu's button once the menu has closed: after
        # the dialog opened, the typing went to the button behind it.
        expect(ann.locator(".message-menu")).to_have_count(0)

    from_the_menu(".edit-message")
    field = ann.get_by_role("textbox", name="Edit message")
    expect(field).to_be_focused()
    ann.keyboard.press("End")
    ann.keyboard.type(", edited")
    expect(field).to_have_value("hello from keys, edited")
    ann.keyboard.press("Enter")
    expect(bob.locator(f"#message-{seq} .message-body")).to_have_text("hello from keys, edited")

    from_the_menu(".delete-for-everyone")
    expect(ann.locator("#cancel-delete-message")).to_be_focused()
    ann.keyboard.press("Escape")
    expect(ann.get_by_role("alertdialog")).to_be_hidden()


def test_the_composers_clip_is_one_keyboard_stop_and_opens_the_chooser(
    browser: Browser, app_server: LiveApp
):
    ann, _bob = _friends_in_chat(browser, app_server, "files next")
    # The send's answer shows the message and puts a new, focused box in place of the sent
    # one: once it is here, nothing moves the focus while the keys below are pressed.
    expect(_row(ann, "files next")).to_be_visible()
    expect(ann.locator("#composer")).to_be_focused()
    # From the emoji button, Tab reaches the clip (an unnamed upload zone around it was a
    # stop of its own in between), and Enter on it opens the file chooser.
    ann.locator("#emoji-button").focus()
    ann.keyboard.press("Tab")
    expect(ann.locator("#attach-button")).to_be_focused()
    with ann.expect_file_chooser():
        ann.keyboard.press("Enter")
